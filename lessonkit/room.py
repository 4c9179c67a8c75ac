"""A room of learners: what each one did on each exercise, and what to re-explain.

Pure core of the instructor's view (the hub service in :mod:`lessonkit.dashboard`,
``lessonkit progress --collect``): one :class:`Learner` per person, built from
the checks their kernels reported, or from the files ``lessonkit progress
--export`` writes (the same shape, minus the verdict message). :class:`Room`
turns them into the learner × exercise grid, the most common misconceptions per
exercise, and CSV.

A learner record on disk::

    {"version": 1, "learner": "ada",
     "exercises": {"ex01_collect_stream": {"status": "incorrect", "attempts": 2,
                   "message": "`collect_stream` did not stream: ...",
                   "first_passed": null, "last_checked": "2026-12-02T10:31:07+00:00"}}}
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .checks.results import Status

FORMAT_VERSION = 1
#: What the grid shows for an exercise a learner never checked.
NOT_ATTEMPTED = Status.NOT_ATTEMPTED.value


@dataclass(frozen=True)
class Attempt:
    """A learner's latest check of one exercise; ``message`` is the verdict's text."""

    status: str
    attempts: int
    message: str
    first_passed: str | None
    last_checked: str


@dataclass(frozen=True)
class Learner:
    """One learner's record: their name and latest attempt per exercise."""

    name: str
    exercises: Mapping[str, Attempt] = field(default_factory=dict)

    def checked(self, exercise: str, status: Status, message: str, now: str) -> Learner:
        """This record after one more check of `exercise` at time `now`."""
        previous = self.exercises.get(exercise)
        first_passed = previous.first_passed if previous else None
        if first_passed is None and status is Status.CORRECT:
            first_passed = now
        attempt = Attempt(
            status.value, (previous.attempts if previous else 0) + 1, message, first_passed, now
        )
        return replace(self, exercises={**self.exercises, exercise: attempt})

    def to_json(self) -> dict[str, Any]:
        exercises = {name: asdict(self.exercises[name]) for name in sorted(self.exercises)}
        return {"version": FORMAT_VERSION, "learner": self.name, "exercises": exercises}

    @classmethod
    def from_json(cls, data: Any) -> Learner:
        """A record from its JSON (also a ``lessonkit progress --export`` file)."""
        if not isinstance(data, dict) or not isinstance(data.get("learner"), str):
            raise ValueError("not a lessonkit progress record: no 'learner' name")
        exercises = {
            name: Attempt(
                Status(raw["status"]).value,
                int(raw["attempts"]),
                str(raw.get("message", "")),
                raw.get("first_passed"),
                str(raw["last_checked"]),
            )
            for name, raw in data["exercises"].items()
        }
        return cls(data["learner"], exercises)


@dataclass(frozen=True)
class Cell:
    """One square of the grid: a learner's state on an exercise."""

    learner: str
    exercise: str
    state: str
    message: str = ""
    attempts: int = 0


@dataclass(frozen=True)
class Room:
    """Every learner's record against the course's exercises, in course order."""

    exercises: tuple[str, ...]
    learners: tuple[Learner, ...]

    def cell(self, learner: Learner, exercise: str) -> Cell:
        attempt = learner.exercises.get(exercise)
        if attempt is None:
            return Cell(learner.name, exercise, NOT_ATTEMPTED)
        failed = attempt.status in (Status.INCORRECT.value, Status.ERROR.value)
        shown = attempt.message if failed else ""  # what to re-explain; not "write it first"
        return Cell(learner.name, exercise, attempt.status, shown, attempt.attempts)

    def grid(self) -> list[list[Cell]]:
        """One row per learner (by name), one cell per exercise."""
        return [[self.cell(learner, name) for name in self.exercises] for learner in self.learners]

    def misconceptions(self, top: int = 3) -> dict[str, list[tuple[str, int]]]:
        """Per exercise, the `top` most common verdicts of learners whose latest try failed."""
        counts: dict[str, Counter[str]] = {name: Counter() for name in self.exercises}
        for row in self.grid():
            for cell in row:
                if cell.state == Status.INCORRECT.value and cell.message:
                    counts[cell.exercise][cell.message] += 1
        return {name: counter.most_common(top) for name, counter in counts.items() if counter}

    def to_csv(self) -> str:
        """learner, exercise, state, attempts, last message: one line per grid cell."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["learner", "exercise", "state", "attempts", "last message"])
        for row in self.grid():
            for cell in row:
                writer.writerow(
                    [cell.learner, cell.exercise, cell.state, cell.attempts, cell.message]
                )
        return out.getvalue()

    def __str__(self) -> str:
        """A terminal view: one line per learner, exercises as numbered columns, then mistakes."""
        symbols = {Status.CORRECT.value: "✓", Status.INCORRECT.value: "✗", NOT_ATTEMPTED: "·"}
        width = max([len("learner"), *(len(learner.name) for learner in self.learners)])
        columns = [str(number) for number in range(1, len(self.exercises) + 1)]
        lines = [f"{'learner'.ljust(width)}  passed  {' '.join(c.rjust(2) for c in columns)}"]
        for learner, row in zip(self.learners, self.grid(), strict=True):
            passed = sum(cell.state == Status.CORRECT.value for cell in row)
            marks = " ".join(symbols.get(cell.state, "!").rjust(2) for cell in row)
            lines.append(f"{learner.name.ljust(width)}  {passed:>6}  {marks}")
        lines.append("")
        lines.extend(
            f"{c.rjust(3)}  {name}" for c, name in zip(columns, self.exercises, strict=True)
        )
        lines.append("✓ correct  ✗ incorrect  · not attempted  ! error")
        for exercise, common in self.misconceptions().items():
            lines.append(f"\n{exercise}: most common mistakes")
            lines.extend(f"  {count} × {message}" for message, count in common)
        return "\n".join(lines)


def room(exercises: Iterable[str], learners: Iterable[Learner]) -> Room:
    """A room over the course's `exercises` plus any others a learner reported, sorted by name."""
    names = list(exercises)
    ordered = sorted(learners, key=lambda learner: learner.name)
    extra = sorted({name for learner in ordered for name in learner.exercises} - set(names))
    return Room(tuple(names + extra), tuple(ordered))


def load_folder(folder: Path) -> tuple[list[Learner], list[str]]:
    """Every record (``*.json``) in `folder`, and a sentence for each file that is not one."""
    learners: list[Learner] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            learners.append(Learner.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            problems.append(f"{path.name}: skipped, not a lessonkit progress record ({error})")
    return learners, problems
