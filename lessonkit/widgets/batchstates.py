"""``BatchStates``: a Message Batch's life, ``in_progress → canceling → ended``, as a diagram.

The states are the SDK's own (``MessageBatch.processing_status``, read with
``typing.get_args``); the transitions are the API's (docs: "Batch processing"):
a batch ends when every request has a result or 24 hours pass, and
``batches.cancel(id)`` moves it to ``canceling`` until the requests in flight
finish. Given a batch — the SDK's ``MessageBatch`` or a lessonkit
``Snapshot`` — the view highlights its state and shows its request counts.
"""

from __future__ import annotations

import typing
from typing import Any

from . import svg
from ._base import Diagram

__all__ = ["BatchStates", "states"]

#: (from, to, why) — every move a batch can make.
TRANSITIONS = (
    ("in_progress", "canceling", "you called batches.cancel(id)"),
    ("canceling", "ended", "requests not yet started are canceled"),
    ("in_progress", "ended", "every request has a result, or 24 h passed"),
)


def states() -> tuple[str, ...]:
    """``processing_status`` values, from the SDK's type: in_progress, canceling, ended."""
    from anthropic.types.messages import MessageBatch

    annotation = MessageBatch.model_fields["processing_status"].annotation
    return typing.get_args(annotation)


def _read(batch: Any) -> tuple[str, str, dict[str, int]]:
    """(id, state, request counts) of an SDK ``MessageBatch`` or a lessonkit ``Snapshot``."""
    from ..batches import STATUSES

    state = getattr(batch, "processing_status", None) or getattr(batch, "status", None)
    if state not in states():
        raise TypeError(
            f"BatchStates(batch=...) takes a MessageBatch (from batches.create/retrieve) "
            f"or a lessonkit Snapshot, got {type(batch).__name__}"
        )
    counts = getattr(batch, "request_counts", None)
    if counts is not None:
        found = {name: int(getattr(counts, name, 0)) for name in STATUSES}
    else:
        found = {name: int(batch.counts.get(name, 0)) for name in STATUSES}
    return str(getattr(batch, "id", "")), str(state), found


class BatchStates(Diagram):
    """The state diagram of a batch: ``display(BatchStates(batch))`` or ``BatchStates()``.

    >>> batch = client.messages.batches.cancel(batch.id)   # doctest: +SKIP
    >>> BatchStates(batch)                                  # canceling, highlighted
    """

    def __init__(self, batch: Any = None) -> None:
        self.batch = batch
        self._seen = None if batch is None else _read(batch)

    def title(self) -> str:
        if self._seen is None:
            return "Batch states"
        return f"Batch states — {self._seen[0] or 'this batch'} is {self._seen[1]}"

    def lines(self) -> list[str]:
        now = self._seen[1] if self._seen else None
        width = max(len(s) for s in states())
        out = [("▶ " if s == now else "  ") + s for s in states()]
        out += ["Moves:"] + [
            f"  {a.ljust(width)} → {b.ljust(width)}  {why}" for a, b, why in TRANSITIONS
        ]
        if self._seen is not None:
            counts = ", ".join(f"{k} {v:,}" for k, v in self._seen[2].items())
            out.append(f"Request counts: {counts}")
        return out

    def svg(self) -> str:
        now = self._seen[1] if self._seen else None
        centre = {s: 90.0 + 250 * n for n, s in enumerate(states())}
        y, w, h = 40.0, 140.0, 36.0
        parts = []
        for state, x in centre.items():
            mine = state == now
            parts.append(
                svg.box(
                    x - w / 2,
                    y,
                    w,
                    h,
                    fill="#ffebe9" if mine else "#f6f8fa",
                    stroke=svg.STRONG if mine else svg.MUTED,
                    stroke_width=2 if mine else 1,
                )
            )
            ink = svg.STRONG if mine else "#24292f"
            parts.append(svg.label(x, y + 23, state, anchor="middle", colour=ink, bold=mine))
        for a, b, why in TRANSITIONS:
            if abs(centre[a] - centre[b]) < 300:
                parts.append(svg.arrow(centre[a] + w / 2, y + h / 2, centre[b] - w / 2, y + h / 2))
                parts.append(
                    svg.label(
                        (centre[a] + centre[b]) / 2, y - 6, why, anchor="middle", colour=svg.MUTED
                    )
                )
            else:
                parts.append(svg.curve(centre[a], y + h, centre[b], y + h, 50))
                parts.append(
                    svg.label(
                        (centre[a] + centre[b]) / 2,
                        y + h + 44,
                        why,
                        anchor="middle",
                        colour=svg.MUTED,
                    )
                )
        height = y + h + 60
        if self._seen is not None:
            counts = "   ".join(f"{k} {v:,}" for k, v in self._seen[2].items())
            parts.append(svg.label(10, height + 4, f"request counts:  {counts}"))
            height += 16
        return svg.figure(680, height, parts, self.title())
