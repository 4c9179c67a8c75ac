"""``RetryTimeline``: what the SDK's retry loop did for one call, attempt by attempt.

Read from ``api.requests``: the attempts of one logical call (the SDK's
``x-stainless-retry-count`` counting 0, 1, 2…), each one's status, the
virtual wait before the next and why the SDK chose it (stamped on the record
when it happened), and how the call ended — including the exception the SDK
raised.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from . import svg
from ._base import TableView

if TYPE_CHECKING:
    from ..fakeapi.app import FakeAPI, RecordedRequest

__all__ = ["RetryTimeline", "sdk_exception", "tick_step"]

#: Candidate spacings of the time axis' ticks, in seconds.
_STEPS = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)


def tick_step(span: float, most: int = 8) -> float:
    """The smallest spacing from ``_STEPS`` that puts at most ``most`` ticks on ``span`` s."""
    return next(
        (s for s in _STEPS if span / s <= most), _STEPS[-1] * (span // (_STEPS[-1] * most) + 1)
    )


def sdk_exception(status: int) -> str:
    """The ``anthropic`` exception class the SDK raises for an HTTP error ``status``."""
    import anthropic
    from anthropic._error_classes import ERROR_CLASSES  # the SDK's own status -> class table

    found = ERROR_CLASSES.get((status, None))
    if found is None:
        found = anthropic.InternalServerError if status >= 500 else anthropic.APIStatusError
    return f"anthropic.{found.__name__}"


def _stream_break(attempt: RecordedRequest) -> str | None:
    """What broke a stream after its ``200``: the ``error`` event's type, ``"dropped"``, or None.

    A broken stream began as a success, so its status alone would draw it as one.
    """
    kind, _, error_type = (attempt.stream_fault or "").partition(":")
    return error_type or kind or None


def outcome(attempts: list[RecordedRequest]) -> str:
    """One sentence: how the call ended and what the caller saw."""
    last, n = attempts[-1], len(attempts)
    tries = f"{n} attempt" + ("s" if n > 1 else "")
    if last.timed_out_after is not None:
        return (
            f"timed out on attempt {n} (no answer within {last.timed_out_after:g} s) "
            f"→ anthropic.APITimeoutError after {tries}"
        )
    if last.stream_fault == "dropped":
        return (
            "HTTP 200, then the connection dropped mid-stream → httpx2.RemoteProtocolError "
            "while iterating; the SDK does not retry it"
        )
    if last.stream_fault:
        kind = last.stream_fault.partition(":")[2]
        return (
            f"HTTP 200, then an `error` event ({kind}) mid-stream → anthropic.APIStatusError "
            "(status_code 200) while iterating; the SDK does not retry it"
        )
    if 200 <= last.status < 300:
        return f"succeeded on attempt {n}"
    error = f"{last.status} {last.error_type or ''}".rstrip()
    if last.retry is not None and last.retry.retried:
        return f"gave up after {tries} ({error}, retries exhausted) → {sdk_exception(last.status)}"
    return f"{error} is not retried → {sdk_exception(last.status)} raised at once"


class RetryTimeline(TableView):
    """The attempts of one SDK call: ``display(RetryTimeline(api))`` or ``print(...)``.

    ``call_id`` picks a call (``api.requests[i].call_id``); by default the
    latest call at the time the view is shown. The HTML view draws the
    attempts on a time axis (virtual seconds) above the table.

    >>> api.scenario("overloaded_then_ok")          # staging: two 529s, then 200  # doctest: +SKIP
    >>> client.messages.create(**request)           # doctest: +SKIP
    >>> RetryTimeline(api)                          # doctest: +SKIP
    """

    columns = ("attempt", "t (virtual)", "retry-count", "status", "then")
    empty = "(no requests yet)"

    def __init__(self, api: FakeAPI, call_id: str | None = None) -> None:
        self.api = api
        self.call_id = call_id

    def attempts(self) -> list[RecordedRequest]:
        """The requests of the chosen call, in order."""
        requests = list(self.api.requests)
        if not requests:
            return []
        wanted = self.call_id or requests[-1].call_id
        return [r for r in requests if r.call_id == wanted]

    def title(self) -> str:
        attempts = self.attempts()
        if not attempts:
            return "Retry timeline"
        first = attempts[0]
        return f"Retry timeline — {first.call_id}: {first.method} {first.path}"

    def rows(self) -> list[tuple[str, ...]]:
        attempts = self.attempts()
        if not attempts:
            return []
        start = attempts[0].at
        rows: list[tuple[str, ...]] = []
        for number, attempt in enumerate(attempts, start=1):
            if attempt.timed_out_after is not None:
                status = f"timeout ({attempt.timed_out_after:g} s)"
            else:
                status = f"{attempt.status} {attempt.error_type or ''}".rstrip()
                broke = _stream_break(attempt)
                if broke == "dropped":
                    status += ", then the connection dropped"
                elif broke:
                    status += f", then stream error: {broke}"
            wait = attempt.wait_after
            then = f"wait {wait.seconds:.2f} s ({wait.reason})" if wait else ""
            at = f"+{attempt.at - start:.3f} s"
            rows.append((str(number), at, str(attempt.retry_count), status, then))
        return rows

    def notes(self) -> list[str]:
        attempts = self.attempts()
        if not attempts:
            return []
        notes = [f"Outcome: {outcome(attempts)}."]
        waited = sum(a.wait_after.seconds for a in attempts if a.wait_after is not None)
        if len(attempts) > 1:
            notes.append(
                f"Waited {waited:.2f} s between attempts on the virtual clock "
                "(no real time passed)."
            )
        return notes

    def figure(self, selected: int | None = None) -> str:
        """The attempts on a time axis: a bar per attempt, a grey gap per wait (virtual s).

        ``selected`` (an attempt number from 1) is outlined: the live widget's slider.
        """
        attempts = self.attempts()
        if not attempts:
            return ""
        start = attempts[0].at
        last = attempts[-1]
        span = max(last.at - start + (last.timed_out_after or 0), 0.01)
        left, plot = 20.0, 600.0

        def x(t: float) -> float:
            return left + plot * t / span

        parts = [svg.line(left, 62, left + plot, 62)]
        step = tick_step(span)
        ticks = int(span / step + 1e-9) + 1
        for k in range(ticks):
            t = k * step
            parts.append(svg.line(x(t), 62, x(t), 66))
            parts.append(svg.label(x(t), 78, f"{t:g} s", anchor="middle", colour=svg.MUTED))
        for number, attempt in enumerate(attempts, start=1):
            at = attempt.at - start
            broke = _stream_break(attempt)
            ok = 200 <= attempt.status < 300 and attempt.timed_out_after is None and not broke
            length = plot * (attempt.timed_out_after or 0) / span
            fill = "#1a7f37" if ok else "#fb8c00" if attempt.timed_out_after else svg.STRONG
            edge, thick = ("#24292f", 3.0) if number == selected else (fill, 1.0)
            parts.append(
                svg.box(
                    x(at),
                    30,
                    max(length, 6),
                    24,
                    fill=fill,
                    stroke=edge,
                    stroke_width=thick,
                    radius=2,
                )
            )
            status = "timeout" if attempt.timed_out_after else str(attempt.status)
            status += f" → {broke}" if broke else ""
            parts.append(svg.label(x(at), 24, f"#{number} {status}", bold=number == selected))
            wait = attempt.wait_after
            if wait is not None and wait.seconds > 0:
                begin = at + (attempt.timed_out_after or 0)
                gap = plot * wait.seconds / span
                parts.append(
                    svg.box(
                        x(begin) + 6,
                        38,
                        max(gap - 8, 2),
                        8,
                        fill="#d0d7de",
                        stroke="#d0d7de",
                        radius=1,
                    )
                )
                middle = min(max(x(begin + wait.seconds / 2), left + 70), left + plot - 70)
                text = f"wait {wait.seconds:.2f} s ({wait.reason})"
                row = 98 if number % 2 else 112
                parts.append(svg.label(middle, row, text, anchor="middle", colour=svg.MUTED))
        return svg.figure(left + plot + 60, 120, parts, self.title())

    def attempt_detail(self, number: int) -> str:
        """What attempt ``number`` (from 1) got and what the SDK did next, with the headers why."""
        attempt = self.attempts()[number - 1]
        row = self.rows()[number - 1]
        said = {
            k: v
            for k, v in attempt.response_headers.items()
            if k in ("retry-after", "retry-after-ms", "x-should-retry")
        }
        lines = [
            f"Attempt {row[0]} at {row[1]} (x-stainless-retry-count {row[2]}): {row[3]}",
            f"Then: {row[4] or 'nothing more: the call ended here'}",
        ]
        if said:
            lines.append("Headers the SDK read: " + ", ".join(f"{k}: {v}" for k, v in said.items()))
        return "\n".join(lines)

    def widget(self) -> Any:
        """Live: the time axis with a slider that steps through the attempts, each one explained.

        >>> RetryTimeline(api).widget()   # doctest: +SKIP
        """
        import ipywidgets as w

        attempts = self.attempts()
        if len(attempts) < 2:
            return super().widget()
        call = RetryTimeline(self.api, call_id=attempts[0].call_id)  # later calls don't move it
        count = len(attempts)
        picture = w.HTML(call.figure(selected=1))
        slider = w.IntSlider(value=1, min=1, max=count, description="attempt")
        detail = w.HTML(f"<pre>{html.escape(call.attempt_detail(1))}</pre>")

        def move(change: dict[str, Any]) -> None:
            picture.value = call.figure(selected=change["new"])
            detail.value = f"<pre>{html.escape(call.attempt_detail(change['new']))}</pre>"

        slider.observe(move, names="value")
        return w.VBox([w.HTML(f"<b>{html.escape(call.title())}</b>"), picture, slider, detail])
