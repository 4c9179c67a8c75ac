"""One Message Batch and how it progresses on the virtual clock.

There is no background worker. When a batch is created every request gets a
deterministic finish time; whenever the SDK asks, the batch's state is a pure
function of (batch, clock). A learner's ``time.sleep(60)`` polling loop moves
the virtual clock, so it sees the batch progress exactly as if it had waited,
in no wall time, with the same timestamps on every run.

The timing model, in virtual seconds after creation::

    finish = delay + QUEUE + SPREAD * h(custom_id) + size(params)

``h`` is a hash in [0, 1), so requests finish in a stable order unrelated to
submission order, and a typical batch ends 20-35 minutes after creation (the
docs: "most batches finish in less than 1 hour").
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import Any

from ..errors import ApiError
from ..faults import Origin
from ..replies import Reply

DAY = 86_400.0
#: "Batches will expire if processing does not complete within 24 hours."
EXPIRES_AFTER = DAY
#: Results stay downloadable for 29 days after creation, then the batch is archived.
ARCHIVED_AFTER = 29 * DAY
#: After a cancel, requests already running may still finish ("non-interruptible") this long.
CANCEL_GRACE = 45.0
#: Time in the queue before the first request finishes.
QUEUE = 240.0
#: Requests finish spread over this many seconds, in custom_id-hash order.
SPREAD = 1500.0
#: Bigger requests take longer, by at most this much.
SIZE_CAP = 600.0

OUTCOMES = ("succeeded", "errored", "canceled", "expired")
STATUSES = ("in_progress", "canceling", "ended")


@dataclass(frozen=True)
class Script:
    """A scripted outcome for one custom_id (see ``FakeAPI.batch_outcome``)."""

    outcome: str
    error_type: str = "api_error"
    message: str | None = None
    reply: Reply | None = None  #: what a scripted "succeeded" says
    origin: Origin | None = None  #: the cell run that scripted it, if a cell did


@dataclass
class Item:
    """One request of a batch, with everything its result depends on."""

    index: int  #: position in the submitted list
    custom_id: str
    params: dict[str, Any]
    finish: float  #: seconds after creation when it is done; ``math.inf`` = never
    script: Script | None = None
    error: ApiError | None = None  #: found when the batch was created, reported in results
    input_tokens: int = 0  #: the prompt's, counted when it was validated (if it was valid)
    shape_key: str | None = None  #: its params' :func:`..shape.key`, made once for both uses

    @property
    def natural(self) -> str:
        """The outcome it gets if it finishes before the batch ends."""
        if self.script is not None and self.script.outcome in ("canceled", "expired"):
            return self.script.outcome
        if self.error is not None:
            return "errored"
        return self.script.outcome if self.script is not None else "succeeded"


def _unit(custom_id: str) -> float:
    return int.from_bytes(hashlib.sha256(custom_id.encode()).digest()[:8], "big") / 2.0**64


def _size_seconds(params: dict[str, Any]) -> float:
    max_tokens = params.get("max_tokens")
    output = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else 0
    return min(SIZE_CAP, 0.05 * max(output, 0) + 0.01 * _chars(params.get("messages", "")))


#: ``len(str([{"role": r, "content": c}]))`` less the two strings' reprs, in either key order.
_TURN_CHARS = len(str([{"role": "", "content": ""}])) - 4
_TURN = {"role", "content"}


def _chars(messages: Any) -> int:
    """``len(str(messages))``, which times every request: for the usual lone turn of two
    strings, from the strings' reprs without building the list's (a batch has thousands).
    """
    if type(messages) is list and len(messages) == 1:
        turn = messages[0]
        if type(turn) is dict and turn.keys() == _TURN:
            role, content = turn["role"], turn["content"]
            if type(role) is str and type(content) is str:
                return _TURN_CHARS + len(repr(role)) + len(repr(content))
    return len(str(messages))


def finish_times(items: list[tuple[str, dict[str, Any]]], delay: float = 0.0) -> list[float]:
    """When each ``(custom_id, params)`` finishes, in seconds after creation.

    If the hashes happen to put the requests in submission order, the first
    two swap places: a lesson must never see results that *look* ordered, or
    learners learn to rely on the order instead of matching by custom_id.
    """
    times = [delay + QUEUE + SPREAD * _unit(cid) + _size_seconds(params) for cid, params in items]
    if len(times) >= 2 and all(a <= b for a, b in zip(times, times[1:], strict=False)):
        times[0], times[1] = times[1], times[0]
    return times


@dataclass
class Batch:
    """A created batch. Mutable only by cancel and delete; the rest is derived."""

    id: str
    created: float  #: virtual clock seconds
    items: list[Item]
    cancel_at: float | None = None
    deleted: bool = False
    results: bytes | None = field(default=None, repr=False)  #: JSONL, built once it has ended

    @cached_property
    def order(self) -> list[Item]:
        """Items in the order they finish, which is the order results come back in."""
        return sorted(self.items, key=attrgetter("finish", "index"))

    @cached_property
    def _natural_end(self) -> float:
        return self.created + min(max(item.finish for item in self.items), EXPIRES_AFTER)

    @property
    def expires(self) -> float:
        return self.created + EXPIRES_AFTER

    @property
    def end(self) -> float:
        """When processing ends: all done, expiry, or a cancel plus its grace."""
        if self.cancel_at is None:
            return self._natural_end
        return min(self._natural_end, self.cancel_at + CANCEL_GRACE)

    def status(self, now: float) -> str:
        if now >= self.end:
            return "ended"
        return "canceling" if self.cancel_at is not None else "in_progress"

    def outcome(self, item: Item) -> str:
        """The final outcome of ``item`` (meaningful once the batch has ended)."""
        if self.created + item.finish <= self.end:
            return item.natural
        cut_by_cancel = (
            self.cancel_at is not None and self.end < self._natural_end and self.end < self.expires
        )
        return "canceled" if cut_by_cancel else "expired"

    @cached_property
    def _final_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for item in self.items:
            counts[self.outcome(item)] += 1
        return counts

    def counts(self, now: float) -> dict[str, int]:
        """``request_counts``: everything is ``processing`` until the whole batch ends."""
        if now < self.end:
            return {"processing": len(self.items), **dict.fromkeys(OUTCOMES, 0)}
        return {"processing": 0, **self._final_counts}

    def done(self, now: float) -> int:
        """How many requests have finished by ``now`` (hidden by the real API; for simulations)."""
        if now >= self.end:
            return len(self.items)
        return sum(1 for item in self.items if self.created + item.finish <= now)

    def cancel(self, now: float) -> None:
        if self.cancel_at is None:
            self.cancel_at = now
            self.__dict__.pop("_final_counts", None)

    def archived(self, now: float) -> bool:
        return now >= self.created + ARCHIVED_AFTER


NEVER = math.inf
