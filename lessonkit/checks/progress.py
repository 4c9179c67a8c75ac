"""A learner's progress: one small JSON file, updated on every `q.check()`.

The file lives wherever the environment variable `LESSONKIT_PROGRESS` points
(`lessonkit lab` points it into the workspace it opens, tests into `tmp_path`),
else in the workspace the current folder is in (`<workspace>/.lessonkit/`), so a
fresh workspace starts with no verdicts, else at `~/.lessonkit/progress.json`. Writes are
atomic (temporary file + `os.replace`), so a crash or a second kernel never
leaves half a file; with two kernels writing at once the last write wins.
`export` writes a single JSON file an instructor can collect, named after the
learner as they chose to be called (`learner.json` beside the progress file,
asked once by `lessonkit progress`), never after a login name that may be
"root" or "jovyan". Progress counts against every exercise of the course, as
the checker modules declare them (`course`), not only those started.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from ..atomic import write_json
from ..exchange import publish
from ..workspace import MANIFEST
from .results import Status

Clock = Callable[[], datetime]
#: Lesson (notebook stem) -> the names of its exercises, in notebook order.
Course = Mapping[str, tuple[str, ...]]
FORMAT_VERSION = 1


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Entry:
    """Progress on one exercise; timestamps are ISO 8601 strings in UTC."""

    status: Status
    attempts: int
    first_passed: str | None
    last_checked: str


def workspace_progress(workspace: Path) -> Path:
    """Where a workspace keeps its learner's progress: beside its manifest."""
    return workspace / MANIFEST.parent / "progress.json"


def default_path() -> Path:
    """`$LESSONKIT_PROGRESS`, else the enclosing workspace's file, else `~/.lessonkit/...`.

    A workspace is a folder with a `.lessonkit/manifest.json` (see
    `lessonkit.workspace`): the current folder or one above it.
    """
    override = os.environ.get("LESSONKIT_PROGRESS")
    if override:
        return Path(override)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / MANIFEST).is_file():
            return workspace_progress(folder)
    return Path.home() / ".lessonkit" / "progress.json"


def load(path: Path | None = None) -> dict[str, Entry]:
    """Every recorded exercise by name; empty if nothing was recorded yet."""
    path = path or default_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            name: Entry(
                Status(raw["status"]),
                int(raw["attempts"]),
                raw["first_passed"],
                raw["last_checked"],
            )
            for name, raw in data["exercises"].items()
        }
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"{path} is not a lessonkit progress file ({error!r}); move it away to start afresh"
        ) from None


def record(
    name: str,
    status: Status,
    *,
    message: str = "",
    path: Path | None = None,
    clock: Clock = _utcnow,
) -> Entry | None:
    """Count one check of exercise `name`, remember its latest verdict, tell a hub's dashboard.

    A "not attempted" check (the stub is still there) is no attempt: it changes
    nothing and returns the entry as it was (None if there was none). A hub's
    dashboard still hears of a first one, so it can show who has reached the
    exercise without answering it.
    """
    path = path or default_path()
    entries = load(path)
    now = clock().isoformat(timespec="seconds")
    previous = entries.get(name)
    if status is Status.NOT_ATTEMPTED:
        if previous is None:
            publish(name, status, message)
        return previous
    first_passed = previous.first_passed if previous else None
    if first_passed is None and status is Status.CORRECT:
        first_passed = now
    entries[name] = Entry(status, (previous.attempts if previous else 0) + 1, first_passed, now)
    write_json(path, {"version": FORMAT_VERSION, "exercises": _plain(entries)})
    publish(name, status, message)  # on a workshop hub only (lessonkit.exchange)
    return entries[name]


def course() -> Course:
    """Every exercise of the course by lesson, from the checker modules' ``EXERCISES``."""
    from ..exercises import NOTEBOOKS  # the checkers import this package: import late

    return {
        lesson: tuple(exercise.name for exercise in module.EXERCISES)
        for lesson, module in NOTEBOOKS.items()
    }


def export(
    destination: Path,
    *,
    learner: str | None = None,
    path: Path | None = None,
    clock: Clock = _utcnow,
) -> Path:
    """Write the learner's progress, with their name, into one file for an instructor."""
    name = learner or learner_name(path)
    if not name:
        raise ValueError("no learner name: set it with `lessonkit progress --name 'Your Name'`")
    table = summary(path=path)
    write_json(
        destination,
        {
            "version": FORMAT_VERSION,
            "learner": name,
            "exported_at": clock().isoformat(timespec="seconds"),
            "passed": table.passed,
            "total": len(table.rows),
            "left": {lesson: list(names) for lesson, names in table.left().items()},
            "exercises": _plain(load(path)),
        },
    )
    return destination


def learner_name(path: Path | None = None) -> str | None:
    """`$LESSONKIT_LEARNER` (a hub sets it), else the name stored by `set_learner_name`."""
    if os.environ.get("LESSONKIT_LEARNER"):
        return os.environ["LESSONKIT_LEARNER"]
    try:
        name = json.loads(_learner_file(path).read_text(encoding="utf-8"))["learner"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) and name.strip() else None


def set_learner_name(name: str, path: Path | None = None) -> None:
    """Store the name the learner wants the instructor to see (beside the progress file)."""
    if not name.strip():
        raise ValueError("a learner name cannot be empty")
    write_json(_learner_file(path), {"learner": name.strip()})


def _learner_file(path: Path | None) -> Path:
    return (path or default_path()).parent / "learner.json"


@dataclass(frozen=True)
class ProgressSummary:
    """A table of exercises and their latest status; `None` means not started."""

    rows: tuple[tuple[str, Entry | None], ...]
    lessons: Course | None = None
    #: Lesson -> (recall questions answered right, questions): ``lessonkit.recall``.
    recall: Mapping[str, tuple[int, int]] | None = None

    @property
    def passed(self) -> int:
        return sum(1 for _, entry in self.rows if entry and entry.first_passed)

    def left(self) -> dict[str, tuple[str, ...]]:
        """Per lesson, the exercises not passed yet (empty without a course)."""
        passed = {name for name, entry in self.rows if entry and entry.first_passed}
        return {
            lesson: tuple(name for name in names if name not in passed)
            for lesson, names in (self.lessons or {}).items()
        }

    def _left_lines(self) -> list[str]:
        if not self.lessons:
            return []
        left = self.left()
        width = max(len(lesson) for lesson in left)

        def todo(lesson: str, names: tuple[str, ...]) -> str:
            of = len(self.lessons[lesson]) if self.lessons else 0
            return f"{len(names)} of {of} left: {', '.join(names)}" if names else "done"

        return ["", "Left to do, by lesson:"] + [
            f"  {lesson.ljust(width)}  {todo(lesson, names)}" for lesson, names in left.items()
        ]

    def _recall_lines(self) -> list[str]:
        if not self.recall:
            return []
        width = max(len(lesson) for lesson in self.recall)
        return ["", "Check yourself, by lesson:"] + [
            f"  {lesson.ljust(width)}  {right} of {total} right"
            for lesson, (right, total) in self.recall.items()
        ]

    def _cells(self) -> list[tuple[str, str, str, str]]:
        return [
            (
                name,
                entry.status.value if entry else "not started",
                str(entry.attempts) if entry else "0",
                (entry.first_passed or "") if entry else "",
            )
            for name, entry in self.rows
        ]

    def __str__(self) -> str:
        table = [("exercise", "status", "attempts", "first passed"), *self._cells()]
        widths = [max(len(row[column]) for row in table) for column in range(4)]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in table
        ]
        total = f"Passed {self.passed} of {len(self.rows)}."
        return "\n".join([*lines, total, *self._left_lines(), *self._recall_lines()])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("exercise", "status", "attempts", "first passed"))
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
            for row in self._cells()
        )
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>Passed {self.passed} of {len(self.rows)}.</p>"
            + "".join(f"<pre>{escape(line)}</pre>" for line in self._left_lines()[1:])
            + "".join(f"<pre>{escape(line)}</pre>" for line in self._recall_lines()[1:])
        )


def summary(names: Iterable[str] | None = None, *, path: Path | None = None) -> ProgressSummary:
    """Every exercise of the course (or just `names`) with any others recorded, by name.

    With the whole course (no `names`), the summary also says per lesson what is left and
    how many "Check yourself" questions were answered right.
    """
    lessons: Course | None = None
    if names is None:
        lessons = course()
        names = [name for group in lessons.values() for name in group]
    from ..recall.tally import PREFIX, tally  # recall answers: counted per lesson, not rows

    entries: dict[str, Entry | None] = dict.fromkeys(names)
    recorded = load(path)
    entries.update({n: e for n, e in recorded.items() if not n.startswith(PREFIX)})
    passed = {n for n, e in recorded.items() if n.startswith(PREFIX) and e.first_passed}
    recall = tally(passed) if lessons is not None else None
    return ProgressSummary(tuple(sorted(entries.items())), lessons, recall)


def _plain(entries: dict[str, Entry]) -> dict[str, dict[str, Any]]:
    return {
        name: {**asdict(entry), "status": entry.status.value}
        for name, entry in sorted(entries.items())
    }
