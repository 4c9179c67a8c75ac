"""Named fault scenarios: the failures a production client must survive, by name.

``api.scenario(name)`` plans the faults below for the next requests. Each
HTTP fault is one *attempt*, so with the SDK's default ``max_retries=2`` a
single ``messages.create`` call sees up to three of them.

=========================  ===========================================  =======================
name                       exact sequence (one item per attempt)        a default client…
=========================  ===========================================  =======================
``flaky``                  500 → 200                                    succeeds on attempt 2
``overloaded_then_ok``     529 → 529 → 200                              succeeds on attempt 3
``overloaded``             529 → 529 → 529 → 200                        raises OverloadedError
``rate_limited``           429 (retry-after: 2) → 200                   waits 2 s, succeeds
``outage``                 503 forever, until clear_faults()/reset()    raises ServiceUnavail…
``timeout_then_ok``        no answer until the client's timeout → 200   succeeds on attempt 2
``overloaded_mid_stream``  next stream: 5 events, then an error event   APIStatusError (200)
``dropped_stream``         next stream: 5 events, then a dropped link   RemoteProtocolError
=========================  ===========================================  =======================

Mid-stream faults are never retried by the SDK; the HTTP ones are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .faults import HttpFault, Origin, http_fault

if TYPE_CHECKING:
    from .app import FakeAPI

__all__ = ["SCENARIOS", "Scenario", "Step", "apply"]


@dataclass(frozen=True)
class Step:
    """One planned fault: an HTTP status, a timeout, or a broken stream."""

    kind: str  #: "status", "timeout", "stream_error" or "stream_drop"
    status: int | None = None
    times: int | None = 1  #: None = until the faults are cleared
    retry_after: float | None = None
    after_events: int = 5
    error_type: str = "overloaded_error"


@dataclass(frozen=True)
class Scenario:
    """A documented, named sequence of :class:`Step`."""

    name: str
    sequence: str  #: the exact sequence, as the table in this module shows it
    outcome: str  #: what a client with default settings experiences
    steps: tuple[Step, ...]


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("flaky", "500 → 200", "succeeds on attempt 2", (Step("status", 500),)),
        Scenario(
            "overloaded_then_ok",
            "529 → 529 → 200",
            "succeeds on attempt 3",
            (Step("status", 529, 2),),
        ),
        Scenario(
            "overloaded",
            "529 → 529 → 529 → 200",
            "raises OverloadedError",
            (Step("status", 529, 3),),
        ),
        Scenario(
            "rate_limited",
            "429 (retry-after: 2) → 200",
            "waits 2 s, then succeeds",
            (Step("status", 429, retry_after=2),),
        ),
        Scenario(
            "outage",
            "503 forever, until api.clear_faults() or api.reset()",
            "raises ServiceUnavailableError (every retry fails too)",
            (Step("status", 503, None),),
        ),
        Scenario(
            "timeout_then_ok",
            "no answer until the client's timeout → 200",
            "succeeds on attempt 2",
            (Step("timeout"),),
        ),
        Scenario(
            "overloaded_mid_stream",
            "next stream: 5 events, then an overloaded_error event",
            "raises APIStatusError (status 200) while iterating",
            (Step("stream_error"),),
        ),
        Scenario(
            "dropped_stream",
            "next stream: 5 events, then the connection drops",
            "raises httpx2.RemoteProtocolError while iterating",
            (Step("stream_drop"),),
        ),
    )
}


def apply(api: FakeAPI, name: str, origin: Origin | None = None) -> None:
    """Plan scenario ``name`` on ``api`` (``ValueError`` naming the scenarios if unknown).

    ``origin``: the notebook cell run planning it (see :class:`~.faults.Origin`).
    """
    scenario = SCENARIOS.get(name) if isinstance(name, str) else None
    if scenario is None:
        names = ", ".join(sorted(SCENARIOS))
        raise ValueError(f"no scenario named {name!r}; choose one of: {names}")
    for step in scenario.steps:
        if step.kind == "status" and step.status is not None:
            api.faults.add_http(_http(step), origin)
        elif step.kind == "timeout":
            api.timeout_next(step.times or 1)
        elif step.kind == "stream_error":
            api.fail_stream(step.after_events, step.error_type)
        else:
            api.drop_stream(step.after_events)


def _http(step: Step) -> HttpFault:
    return http_fault(step.status or 500, step.times, retry_after=step.retry_after)
