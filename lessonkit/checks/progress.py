"""A learner's progress: one small JSON file, updated on every `q.check()`.

The file lives at `~/.lessonkit/progress.json`, or wherever the environment
variable `LESSONKIT_PROGRESS` points (tests point it into `tmp_path`). Writes are
atomic (temporary file + `os.replace`), so a crash or a second kernel never
leaves half a file; with two kernels writing at once the last write wins.
`export` writes a single JSON file an instructor can collect.
"""

from __future__ import annotations

import getpass
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from .results import Status

Clock = Callable[[], datetime]
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


def default_path() -> Path:
    """`$LESSONKIT_PROGRESS`, else `~/.lessonkit/progress.json`."""
    override = os.environ.get("LESSONKIT_PROGRESS")
    return Path(override) if override else Path.home() / ".lessonkit" / "progress.json"


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


def record(name: str, status: Status, *, path: Path | None = None, clock: Clock = _utcnow) -> Entry:
    """Count one check of exercise `name` and remember its latest verdict."""
    path = path or default_path()
    entries = load(path)
    now = clock().isoformat(timespec="seconds")
    previous = entries.get(name)
    first_passed = previous.first_passed if previous else None
    if first_passed is None and status is Status.CORRECT:
        first_passed = now
    entries[name] = Entry(status, (previous.attempts if previous else 0) + 1, first_passed, now)
    _write_json(path, {"version": FORMAT_VERSION, "exercises": _plain(entries)})
    return entries[name]


def export(destination: Path, *, path: Path | None = None, clock: Clock = _utcnow) -> Path:
    """Write the learner's progress, with their id, into one file for an instructor."""
    _write_json(
        destination,
        {
            "version": FORMAT_VERSION,
            "learner": learner_id(),
            "exported_at": clock().isoformat(timespec="seconds"),
            "exercises": _plain(load(path)),
        },
    )
    return destination


def learner_id() -> str:
    """`$LESSONKIT_LEARNER`, else the login name, else "unknown"."""
    try:
        return os.environ.get("LESSONKIT_LEARNER") or getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in some containers
        return "unknown"


@dataclass(frozen=True)
class ProgressSummary:
    """A table of exercises and their latest status; `None` means not started."""

    rows: tuple[tuple[str, Entry | None], ...]

    @property
    def passed(self) -> int:
        return sum(1 for _, entry in self.rows if entry and entry.first_passed)

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
        return "\n".join([*lines, f"Passed {self.passed} of {len(self.rows)}."])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("exercise", "status", "attempts", "first passed"))
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
            for row in self._cells()
        )
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>Passed {self.passed} of {len(self.rows)}.</p>"
        )


def summary(names: Iterable[str] = (), *, path: Path | None = None) -> ProgressSummary:
    """Recorded exercises plus any `names` not started yet, sorted by name."""
    entries: dict[str, Entry | None] = dict.fromkeys(names)
    entries.update(load(path))
    return ProgressSummary(tuple(sorted(entries.items())))


def _plain(entries: dict[str, Entry]) -> dict[str, dict[str, Any]]:
    return {
        name: {**asdict(entry), "status": entry.status.value}
        for name, entry in sorted(entries.items())
    }


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, sort_keys=True)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
