"""``RequestLog``: one line per request, in the shape the logging lesson recommends.

timestamp, request_id, model, stop_reason, input/output tokens, latency and
status — the fields you need to find a request in the Console, explain a
bill, or spot a slow or failing model. The table shows the ones you scan
for (when, what, how it ended, which request) in 80 text columns or a laptop
screen beside JupyterLab's file browser: dates go to the title, model ids
lose their date suffix, request ids keep their last characters. Every field,
in full, is one click away (HTML ``<details>``), in ``records()`` and in
``detail(i)``. Offline, the timestamp is the virtual
clock and the latency is *simulated*: the fake answers instantly, so the log
shows a made-up but realistic figure (0.3 s + 20 ms per output token; 0.05 s
for an error; the client's timeout for a timed-out request).
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._base import TableView, text_table

if TYPE_CHECKING:
    from ..fakeapi.app import FakeAPI, RecordedRequest

__all__ = ["RequestLog", "endpoint", "short_model", "simulated_latency"]


_DATED = re.compile(r"-\d{8}$")
_ID = re.compile(r"^[a-z]+_[0-9A-Za-z]{12,}$")  # msgbatch_011C…, msg_011C…


def short_model(model: str | None) -> str:
    """A model id without its ``-YYYYMMDD`` date suffix (``None`` shows as ``-``)."""
    return "-" if model is None else _DATED.sub("", model)


def endpoint(method: str, path: str) -> str:
    """``POST /v1/messages/batches/msgbatch_…/results`` -> ``POST batches/…/results``."""
    parts = path.removeprefix("/v1/").removeprefix("messages/").split("/")
    kept = ["…" if _ID.match(p) else p for p in parts]
    return f"{method} {'/'.join(kept)}"


def simulated_latency(record: RecordedRequest) -> float:
    """A deterministic stand-in for how long the real API might have taken (seconds)."""
    if record.timed_out_after is not None:
        return record.timed_out_after
    if not 200 <= record.status < 300:
        return 0.05
    output = record.usage.get("output_tokens", 0)
    return round(0.3 + 0.02 * (output if isinstance(output, int) else 0), 3)


class RequestLog(TableView):
    """Every request the offline API saw: ``print(RequestLog(api))`` or ``display(...)``.

    ``last=n`` shows only the latest ``n``; ``#`` is the index into
    ``api.requests`` (``EventSequence(api, request=#)`` draws a stream's
    events). Every field: :meth:`records` (dicts, ready for ``json.dumps`` or
    a logger), :meth:`detail` (one request as text), or the HTML's
    "Every field" section.

    >>> log = RequestLog(api, last=5)   # doctest: +SKIP
    >>> print(log.detail(0))            # every field of api.requests[0]
    """

    columns = ("#", "time", "endpoint", "model", "status", "result", "request_id")
    #: Every field, as ``detail`` and the HTML's expandable table show them.
    every_field = (
        "#", "timestamp (virtual)", "request_id", "call", "endpoint", "model", "status",
        "stop_reason", "in", "out", "latency*",
    )  # fmt: skip
    empty = "(no requests yet)"

    def __init__(self, api: FakeAPI, *, last: int | None = None) -> None:
        if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < 1):
            raise ValueError(f"last= must be a positive whole number or None, got {last!r}")
        self.api = api
        self.last = last

    def records(self) -> list[dict[str, Any]]:
        """The log lines as dicts (``simulated: True`` on each, so nobody mistakes them)."""
        requests = list(enumerate(self.api.requests))
        if self.last is not None:
            requests = requests[-self.last :]
        start = self.api.clock.now() - timedelta(seconds=self.api.clock.seconds)
        return [
            {
                "index": n,
                "timestamp": self.api.clock.isoformat(start + timedelta(seconds=r.at))[:-4] + "Z",
                "request_id": r.request_id,
                "call_id": r.call_id,
                "attempt": r.retry_count + 1,
                "method": r.method,
                "path": r.path,
                "model": r.model,
                "status": "timeout" if r.timed_out_after is not None else r.status,
                "error_type": r.error_type,
                "stream_fault": r.stream_fault,
                "stop_reason": r.stop_reason,
                "input_tokens": r.usage.get("input_tokens"),
                "output_tokens": r.usage.get("output_tokens"),
                "latency_s": simulated_latency(r),
                "simulated": True,
            }
            for n, r in requests
        ]

    def _one_model(self) -> str | None:
        """The model every shown request used, if only one was (then it moves to the title)."""
        used = {r["model"] for r in self.records() if r["model"]}
        return short_model(used.pop()) if len(used) == 1 else None

    def title(self) -> str:
        records = self.records()
        day = f", {records[0]['timestamp'][:10]} UTC" if records else ""
        model = self._one_model()
        total = len(self.api.requests)
        count = f"last {len(records)} of {total}" if len(records) < total else f"{total}"
        return f"Request log — {count} request(s){day}" + (f", {model}" if model else "")

    def headers(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c != "model" or not self._one_model())

    def rows(self) -> list[tuple[str, ...]]:
        drop = 3 if self._one_model() else None  # the model column
        return [tuple(v for n, v in enumerate(_compact(r)) if n != drop) for r in self.records()]

    def full_rows(self) -> list[tuple[str, ...]]:
        """Every field of every shown request, unabbreviated."""
        return [_full(r) for r in self.records()]

    def detail(self, index: int) -> str:
        """Every field of ``api.requests[index]`` (the ``#`` column), one per line."""
        count = len(self.api.requests)
        if not -count <= index < count:
            raise IndexError(f"api.requests has no request {index} ({count} seen)")
        wanted = index % count
        record = next(r for r in RequestLog(self.api).records() if r["index"] == wanted)
        return "\n".join(f"{k}: {v}" for k, v in record.items())

    def notes(self) -> list[str]:
        if not self.api.requests:
            return []
        return ["Every field: log.records(), log.detail(#); in HTML, expand 'Every field'."]

    def _repr_html_(self) -> str:
        page = super()._repr_html_()
        if not self.api.requests:
            return page
        esc = html.escape
        table = "".join(
            f"<pre style='margin:0'>{esc(line)}</pre>"
            for line in text_table(self.every_field, self.full_rows())
        )
        extra = (
            "<details><summary>Every field</summary>"
            f"<div style='overflow-x:auto'>{table}</div>"
            "<div>* latency is simulated (the offline API answers instantly), not measured."
            "</div></details>"
        )
        return page.replace("<div style='color:#888'>", extra + "<div style='color:#888'>", 1)


def _result(r: dict[str, Any]) -> str:
    """How it ended: the stop reason, the error type (less ``_error``), or what broke the stream."""
    if r["stream_fault"] == "dropped":
        return "dropped mid-stream"
    if r["stream_fault"]:
        return f"{r['stream_fault'].partition(':')[2].removesuffix('_error')} mid-stream"
    if r["error_type"]:
        return str(r["error_type"]).removesuffix("_error")
    return str(r["stop_reason"] or "-")


def _compact(r: dict[str, Any]) -> tuple[str, ...]:
    return (
        str(r["index"]),
        r["timestamp"][11:21],
        endpoint(r["method"], r["path"]),
        short_model(r["model"]),
        str(r["status"]),
        _result(r),
        f"…{r['request_id'][-6:]}" if r["request_id"] else "-",
    )


def _full(r: dict[str, Any]) -> tuple[str, ...]:
    def show(value: Any) -> str:
        return "-" if value is None else str(value)

    return (
        str(r["index"]),
        r["timestamp"],
        r["request_id"],
        f"{r['call_id']}#{r['attempt']}",
        f"{r['method']} {r['path']}",
        show(r["model"]),
        " ".join(str(x) for x in (r["status"], r["error_type"], r["stream_fault"]) if x),
        show(r["stop_reason"]),
        show(r["input_tokens"]),
        show(r["output_tokens"]),
        f"{r['latency_s']:.2f} s",
    )
