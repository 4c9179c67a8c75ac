"""``RequestLog``: one line per request, in the shape the logging lesson recommends.

timestamp, request_id, model, stop_reason, input/output tokens, latency and
status — the fields you need to find a request in the Console, explain a
bill, or spot a slow or failing model. Offline, the timestamp is the virtual
clock and the latency is *simulated*: the fake answers instantly, so the log
shows a made-up but realistic figure (0.3 s + 20 ms per output token; 0.05 s
for an error; the client's timeout for a timed-out request).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._base import TableView

if TYPE_CHECKING:
    from ..fakeapi.app import FakeAPI, RecordedRequest

__all__ = ["RequestLog", "simulated_latency"]


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

    ``last=n`` shows only the latest ``n``; :meth:`records` gives the same
    lines as dicts, ready for ``json.dumps`` or a logger.
    """

    columns = (
        "timestamp (virtual)",
        "request_id",
        "call",
        "endpoint",
        "model",
        "status",
        "stop_reason",
        "in",
        "out",
        "latency*",
    )
    empty = "(no requests yet)"

    def __init__(self, api: FakeAPI, *, last: int | None = None) -> None:
        if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < 1):
            raise ValueError(f"last= must be a positive whole number or None, got {last!r}")
        self.api = api
        self.last = last

    def records(self) -> list[dict[str, Any]]:
        """The log lines as dicts (``simulated: True`` on each, so nobody mistakes them)."""
        requests = list(self.api.requests)
        if self.last is not None:
            requests = requests[-self.last :]
        start = self.api.clock.now() - timedelta(seconds=self.api.clock.seconds)
        return [
            {
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
            for r in requests
        ]

    def title(self) -> str:
        return f"Request log — {len(self.api.requests)} request(s)"

    def rows(self) -> list[tuple[str, ...]]:
        def show(value: Any) -> str:
            return "-" if value is None else str(value)

        return [
            (
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
            for r in self.records()
        ]

    def notes(self) -> list[str]:
        return ["* latency is simulated (the offline API answers instantly), not measured."]
