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
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Measure", "Result", "best_of", "interleave", "timed"]


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


@dataclass
class Result:
    """One benchmark's verdict, as printed and as written to results.json.

    ``kind`` says how ``goal`` reads: ``"ratio"`` (seconds / floor_seconds
    <= goal), ``"seconds"`` (seconds < goal) or ``"over_ms"``
    ((seconds - floor_seconds) * 1000 <= goal).
    """

    name: str
    seconds: float  #: lessonkit's time (best round, wall clock)
    floor_seconds: float  #: the floor's time in the same run
    floor: str  #: what the floor is
    kind: str
    goal: float
    cpu_seconds: float | None = None
    floor_cpu_seconds: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

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
        if self.kind == "seconds":
            return self.seconds < self.goal
        if self.kind == "over_ms":
            return self.over_ms <= self.goal
        raise ValueError(f"unknown goal kind {self.kind!r}")

    @property
    def goal_text(self) -> str:
        return {
            "ratio": f"ratio <= {self.goal:g}",
            "seconds": f"< {self.goal:g} s",
            "over_ms": f"<= {self.goal:g} ms over",
        }[self.kind]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ratio=round(self.ratio, 3), passed=self.passed, goal_text=self.goal_text)
        if self.kind == "over_ms":
            data["over_ms"] = round(self.over_ms, 1)
        for key in ("seconds", "floor_seconds", "cpu_seconds", "floor_cpu_seconds"):
            if isinstance(data[key], float):
                data[key] = round(data[key], 4)
        return data
