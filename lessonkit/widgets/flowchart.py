"""``ErrorFlowchart``: where a failed call goes — retried by the SDK, fixed by you, or surfaced.

Nothing here is hand-copied: the statuses and ``error.type`` values are the
fake's table of the API's documented errors (:data:`lessonkit.fakeapi.errors.ERROR_TYPES`),
the exception classes come from the SDK's own status table (``sdk_exception``),
whether the SDK retries comes from lessonkit's model of the SDK's retry rule
(:func:`lessonkit.fakeapi.retries.after_failure`, tested against the SDK), and
the retry budget is the SDK's ``DEFAULT_MAX_RETRIES``. So an SDK upgrade that
changes a rule changes the chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import svg
from ._base import Diagram, text_table
from .retry import sdk_exception

__all__ = ["ErrorFlowchart", "Path", "paths"]

#: ``highlight=`` for an attempt that got no answer (the client's timeout).
TIMEOUT = "timeout"
#: ``highlight=`` for an ``error`` event in a stream that had already answered 200.
MID_STREAM = "mid-stream"


@dataclass(frozen=True)
class Path:
    """One kind of failure and where it goes: ``retry``, ``fix`` or ``surface``."""

    key: int | str  #: the HTTP status, or TIMEOUT / MID_STREAM
    error_type: str
    exception: str
    lane: str


def paths() -> list[Path]:
    """Every failure the course teaches, in lane order, then by status."""
    from ..fakeapi.errors import ERROR_TYPES
    from ..fakeapi.retries import after_failure

    found = [
        Path(
            status,
            error_type,
            sdk_exception(status).removeprefix("anthropic."),
            "retry" if after_failure(status, {}, 0).retried else "fix",
        )
        for status, (error_type, _) in sorted(ERROR_TYPES.items())
    ]
    timeout_lane = "retry" if after_failure(None, {}, 0).retried else "surface"
    found.append(Path(TIMEOUT, "no answer in time", "APITimeoutError", timeout_lane))
    found.append(Path(MID_STREAM, "error event after 200", "APIStatusError", "surface"))
    order = {"retry": 0, "fix": 1, "surface": 2}
    return sorted(found, key=lambda p: order[p.lane])


def _lanes() -> dict[str, tuple[str, str]]:
    """Lane -> (what to do, why), short enough for a lane of the drawing."""
    from anthropic._constants import DEFAULT_MAX_RETRIES

    return {
        "retry": ("Retried by the SDK", f"{DEFAULT_MAX_RETRIES} retries, then surface it"),
        "fix": ("Fix your request", "not retried: it would fail again"),
        "surface": ("Surface it (or restart)", "the SDK does not retry it"),
    }


class ErrorFlowchart(Diagram):
    """Where each failure goes: ``display(ErrorFlowchart(highlight=529))``.

    ``highlight`` is an HTTP status (``529``), ``"timeout"`` or ``"mid-stream"``.
    """

    def __init__(self, highlight: int | str | None = None) -> None:
        keys = [p.key for p in paths()]
        if highlight is not None and highlight not in keys:
            known = ", ".join(str(k) for k in keys)
            raise ValueError(f"highlight={highlight!r} is not on the chart; choose from {known}")
        self.highlight = highlight

    def title(self) -> str:
        return "Error flowchart — where a failed call goes"

    def _path(self) -> Path | None:
        return next((p for p in paths() if p.key == self.highlight), None)

    def lines(self) -> list[str]:
        lanes = _lanes()
        out: list[str] = []
        for lane, (what, why) in lanes.items():
            rows = [
                (
                    ("▶ " if p.key == self.highlight else "  ") + str(p.key),
                    p.error_type,
                    p.exception,
                )
                for p in paths()
                if p.lane == lane
            ]
            out += ["", f"{what} — {why}:"]
            out += ["  " + line for line in text_table(("  status", "error.type", "raises"), rows)]
        return out

    def notes(self) -> list[str]:
        path = self._path()
        if path is None:
            return []
        what, why = _lanes()[path.lane]
        where = f"{what[0].lower()}{what[1:]} — {why}"
        return [f"{path.key} ({path.error_type}, {path.exception}): {where}."]

    def svg(self) -> str:
        lanes, chosen = _lanes(), self._path()
        width, lane_w = 780.0, 246.0
        parts = [
            svg.box(width / 2 - 80, 6, 160, 26),
            svg.label(width / 2, 24, "a call fails", anchor="middle", bold=True),
        ]
        bottom = 0.0
        for n, (lane, (what, why)) in enumerate(lanes.items()):
            x = 6 + n * (lane_w + 12)
            hot = chosen is not None and chosen.lane == lane
            colour, thick = (svg.STRONG, 2.0) if hot else (svg.MUTED, 1.0)
            parts.append(svg.arrow(width / 2, 32, x + lane_w / 2, 58, colour=colour, width=thick))
            parts.append(svg.box(x, 60, lane_w, 40, stroke=colour, stroke_width=thick))
            parts.append(
                svg.label(x + 8, 76, what, colour=svg.STRONG if hot else "#24292f", bold=True)
            )
            parts.append(svg.label(x + 8, 92, why, colour=svg.MUTED))
            y = 108.0
            for path in (p for p in paths() if p.lane == lane):
                parts += _chip(x + 8, y, lane_w - 16, path, path.key == self.highlight)
                y += _CHIP + 4
            bottom = max(bottom, y)
        return svg.figure(width, bottom + 8, parts, self.title())


_CHIP = 32.0


def _chip(x: float, y: float, width: float, path: Path, mine: bool) -> list[str]:
    """One failure: status and ``error.type`` over the exception the SDK raises."""
    fill, stroke, ink = ("#ffebe9", svg.STRONG, svg.STRONG) if mine else ("#fff", "#d0d7de", "")
    return [
        svg.box(x, y, width, _CHIP, fill=fill, stroke=stroke),
        svg.label(
            x + 6, y + 13, f"{path.key}  {path.error_type}", colour=ink or "#24292f", bold=mine
        ),
        svg.label(x + 6, y + 27, f"→ {path.exception}", colour=ink or svg.MUTED),
    ]
