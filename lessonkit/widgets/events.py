"""``EventSequence``: the server-sent events of one streamed response, as a sequence diagram.

Read from ``api.requests[i].events``: every SSE event the offline API sent, in
order, as the client read it (a mid-stream ``error`` event included). Events
of a content block are nested under it; the first ``text_delta`` is marked:
it is the time to first token, the moment a streaming UI can show a word.
The fake does not time individual events (a stream arrives at once on the
virtual clock), so position is by event number, not seconds. Long runs of
deltas are folded ("… 12 more deltas") so the view stays one screen tall.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import svg
from ._base import Diagram, text_table

if TYPE_CHECKING:
    from ..fakeapi.app import FakeAPI, RecordedRequest

__all__ = ["EventSequence"]

#: Deltas of one block shown before folding the rest of a long run.
_SHOWN = 3
_DEPTH = {"message_start": 0, "message_delta": 0, "message_stop": 0, "error": 0, "ping": 1}
_DELTA_TEXT = {
    "text_delta": "text",
    "thinking_delta": "thinking",
    "input_json_delta": "partial_json",
    "citations_delta": "citation",
}


@dataclass(frozen=True)
class Row:
    """One line of the diagram: an event (``number`` from 1) or a fold of several."""

    number: int | None
    name: str
    depth: int
    detail: str
    block: int | None = None  #: the content block it belongs to
    first_token: bool = False


def _short(text: str, width: int = 28) -> str:
    shown = repr(text)
    return shown if len(shown) <= width else shown[: width - 2] + "…" + shown[-1]


def _detail(event: dict[str, Any]) -> str:
    kind = event.get("type")
    if kind == "message_start":
        message = event.get("message", {})
        return f"{message.get('id', '?')[:12]}…, input_tokens {message['usage']['input_tokens']}"
    if kind == "content_block_start":
        return f"[{event.get('index')}] {event['content_block'].get('type')}"
    if kind == "content_block_delta":
        delta = event.get("delta", {})
        field = _DELTA_TEXT.get(delta.get("type", ""))
        text = f" {_short(str(delta.get(field, '')))}" if field else ""
        return f"[{event.get('index')}] {delta.get('type')}{text}"
    if kind == "content_block_stop":
        return f"[{event.get('index')}]"
    if kind == "message_delta":
        usage = event.get("usage", {})
        reason = event.get("delta", {}).get("stop_reason")
        return f"stop_reason {reason}, output_tokens {usage.get('output_tokens')}"
    if kind == "error":
        error = event.get("error", {})
        return f"{error.get('type')}: {error.get('message')}"
    return ""


def rows(events: list[dict[str, Any]]) -> list[Row]:
    """The events as rows: long runs of deltas folded, the first token marked."""
    first = next(
        (
            n
            for n, e in enumerate(events)
            if e.get("type") == "content_block_delta"
            and e.get("delta", {}).get("type") == "text_delta"
        ),
        None,
    )
    out: list[Row] = []
    n = 0
    while n < len(events):
        event, kind = events[n], str(events[n].get("type"))
        block = event.get("index") if kind.startswith("content_block") else None
        if kind != "content_block_delta":
            out.append(Row(n + 1, kind, _DEPTH.get(kind, 1), _detail(event), block))
            n += 1
            continue
        end = n
        while end < len(events) and events[end].get("type") == "content_block_delta":
            end += 1
        run = range(n, end)
        shown = list(run) if len(run) <= _SHOWN + 1 else [*run[:_SHOWN], run[-1]]
        for k in shown:
            if k == run[-1] and len(shown) < len(run):
                folded = len(run) - len(shown)
                more = f"{folded} more delta" + "s" * (folded > 1)
                out.append(Row(None, "…", 2, more, block))
            out.append(Row(k + 1, kind, 2, _detail(events[k]), block, first_token=k == first))
        n = end
    return out


class EventSequence(Diagram):
    """The SSE events of a streamed response: ``display(EventSequence(api))``.

    By default the latest streamed request; ``request=i`` picks ``api.requests[i]``.

    >>> with client.messages.stream(**request) as stream:   # doctest: +SKIP
    ...     text = stream.get_final_text()
    >>> EventSequence(api)                                  # doctest: +SKIP
    """

    def __init__(self, api: FakeAPI, request: int | None = None) -> None:
        if request is not None and (isinstance(request, bool) or not isinstance(request, int)):
            raise TypeError(f"request= must be an index into api.requests, got {request!r}")
        self.api = api
        self.request = request

    def record(self) -> tuple[int, RecordedRequest] | None:
        """(index, request) shown: the chosen one, else the latest that streamed, else None."""
        requests = list(self.api.requests)
        if self.request is not None:
            if not -len(requests) <= self.request < len(requests):
                raise IndexError(
                    f"request={self.request}: api.requests holds {len(requests)} request(s)"
                )
            return self.request % len(requests), requests[self.request]
        streamed = [(i, r) for i, r in enumerate(requests) if r.events]
        return streamed[-1] if streamed else None

    def rows(self) -> list[Row]:
        found = self.record()
        return rows(found[1].events) if found else []

    def title(self) -> str:
        found = self.record()
        if found is None:
            return "SSE events"
        index, record = found
        return (
            f"SSE events — request {index} ({record.request_id[:12]}…), "
            f"{len(record.events)} event(s)"
        )

    def lines(self) -> list[str]:
        found = self.record()
        if found is None:
            return ["(no streamed request yet: stream a message first)"]
        if not found[1].events:
            return [f"(request {found[0]} was not streamed: it has no events)"]
        table = [
            (
                "" if r.number is None else str(r.number),
                "  " * r.depth + r.name,
                r.detail + ("  ◀ first token" if r.first_token else ""),
            )
            for r in self.rows()
        ]
        return text_table(("#", "event", "detail"), table)

    def notes(self) -> list[str]:
        found = self.record()
        if found is None or not found[1].events:
            return []
        events = found[1].events
        first = next((r.number for r in self.rows() if r.first_token), None)
        notes = []
        if first is None:
            notes.append("No text arrived: nothing for a reader to see.")
        else:
            notes.append(
                f"Time to first token: event {first} of {len(events)}; everything before it "
                "is wait the reader sees as a blank screen. (The fake numbers events; "
                "it does not time them.)"
            )
        if events[-1].get("type") == "error":
            notes.append("The stream ended with an error event after HTTP 200: no message_stop.")
        elif events[-1].get("type") != "message_stop":
            notes.append("The connection dropped before message_stop.")
        return notes

    def svg(self) -> str:
        table = self.rows()
        if not table:
            return ""
        client, server, top, step = 70.0, 250.0, 64.0, 20.0
        height = top + step * len(table) + 16
        parts = [
            svg.box(client - 60, 8, 120, 24),
            svg.label(client, 24, "your code (SDK)", anchor="middle", bold=True),
            svg.box(server - 60, 8, 120, 24),
            svg.label(server, 24, "API (offline)", anchor="middle", bold=True),
            svg.line(client, 32, client, height - 4, dashed=True),
            svg.line(server, 32, server, height - 4, dashed=True),
            svg.arrow(client, 46, server, 46),
            svg.label((client + server) / 2, 42, "POST /v1/messages, stream", anchor="middle"),
        ]
        blocks: dict[int, list[float]] = {}
        for n, row in enumerate(table):
            y = top + step * n
            if row.block is not None:
                blocks.setdefault(row.block, []).append(y)
            colour = svg.STRONG if row.first_token else svg.MUTED
            if row.number is not None:
                parts.append(svg.arrow(server, y, client + 2, y, colour=colour))
            text = f"{row.number or ''} {row.name}".strip()
            ink = svg.STRONG if row.first_token else "#24292f"
            parts.append(svg.label(server + 12 + 12 * row.depth, y + 4, text, colour=ink))
            detail = row.detail + ("  ◀ first token" if row.first_token else "")
            parts.append(svg.label(server + 200, y + 4, detail, colour=ink, bold=row.first_token))
        shading = [svg.box(server + 6, y[0] - 11, 520, y[-1] - y[0] + 16) for y in blocks.values()]
        return svg.figure(780, height, shading + parts, self.title())
