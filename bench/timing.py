"""Shared measuring: interleaved rounds, best-of timing, and the result record.

Shared CI machines are noisy. Every benchmark therefore runs its subject and
its floor in alternating rounds and keeps the *best* round of each (noise only
ever adds time), so a burst of load from another process hits both sides or
neither.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BASIS", "Measure", "Result", "best_of", "interleave", "timed"]


@dataclass(frozen=True)
class Measure:
    """One timed run: wall-clock and CPU seconds (this process only)."""

    wall: float
    cpu: float


def timed(action: Callable[[], object]) -> Measure:
    """Run ``action`` once with the collector settled first; return its times."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    return Measure(time.perf_counter() - wall, time.process_time() - cpu)


def best_of(runs: list[Measure]) -> Measure:
    """The fastest wall time (and the fastest CPU time) of several runs."""
    return Measure(min(r.wall for r in runs), min(r.cpu for r in runs))


def interleave(
    subject: Callable[[], Measure], floor: Callable[[], Measure], rounds: int
) -> tuple[Measure, Measure]:
    """Alternate ``floor`` and ``subject`` ``rounds`` times; best of each."""
    mine: list[Measure] = []
    base: list[Measure] = []
    for _ in range(rounds):
        base.append(floor())
        mine.append(subject())
    return best_of(mine), best_of(base)


#: Which clock verdicts use: "cpu" (default; robust on a busy shared machine) or "wall".
BASIS = {"value": "cpu"}


@dataclass
class Result:
    """One benchmark's verdict, as printed and as written to results.json.

    ``kind`` says how ``goal`` reads: ``"ratio"`` (seconds / floor_seconds
    <= goal) or ``"over_ms"`` ((seconds - floor_seconds) * 1000 <= goal).
    Both compare with the floor of the same run: absolute seconds mean
    nothing on another machine. Verdicts use CPU seconds
    unless ``python -m bench --wall`` is given; both clocks are recorded.
    """

    name: str
    mine: Measure  #: lessonkit's time (best round, or median where stated)
    base: Measure  #: the floor's time in the same run
    floor: str  #: what the floor is
    kind: str
    goal: float
    details: dict[str, Any] = field(default_factory=dict)
    basis: str = field(default_factory=lambda: BASIS["value"])

    @property
    def seconds(self) -> float:
        return getattr(self.mine, self.basis)  # type: ignore[no-any-return]

    @property
    def floor_seconds(self) -> float:
        return getattr(self.base, self.basis)  # type: ignore[no-any-return]

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds if self.floor_seconds else float("inf")

    @property
    def over_ms(self) -> float:
        return (self.seconds - self.floor_seconds) * 1000

    @property
    def passed(self) -> bool:
        if self.kind == "ratio":
            return self.ratio <= self.goal
        if self.kind == "over_ms":
            return self.over_ms <= self.goal
        raise ValueError(f"unknown goal kind {self.kind!r}")

    @property
    def goal_text(self) -> str:
        return {
            "ratio": f"ratio <= {self.goal:g}",
            "over_ms": f"<= {self.goal:g} ms over",
        }[self.kind]

    def as_json(self) -> dict[str, Any]:
        wall = self.mine.wall / self.base.wall if self.base.wall else None
        cpu = self.mine.cpu / self.base.cpu if self.base.cpu else None
        return {
            "name": self.name,
            "basis": self.basis,
            "seconds": round(self.seconds, 4),
            "floor_seconds": round(self.floor_seconds, 4),
            "ratio": round(self.ratio, 3),
            "over_ms": round(self.over_ms, 1),
            "goal": self.goal_text,
            "passed": self.passed,
            "floor": self.floor,
            "wall": {
                "seconds": round(self.mine.wall, 4),
                "floor_seconds": round(self.base.wall, 4),
                "ratio": None if wall is None else round(wall, 3),
            },
            "cpu": {
                "seconds": round(self.mine.cpu, 4),
                "floor_seconds": round(self.base.cpu, 4),
                "ratio": None if cpu is None else round(cpu, 3),
            },
            "details": self.details,
        }
