"""Rebuild the exercise notebooks: solution cells, committed outputs, student copies.

    .venv/bin/python scripts/build_exercises.py           # sync, execute, release
    .venv/bin/python scripts/build_exercises.py --check   # write nothing; exit 1 if stale

1. Solutions are single-sourced from the checker modules: every code cell of
   ``exercises/source/*.ipynb`` whose metadata holds
   ``{"lessonkit": {"solution": "<exercise name>"}}`` gets the source
   ``lessonkit.exercises.sourcing.marked_cell(<exercise>.reference)``.
   Edit a solution in ``lessonkit/exercises/exNN_*.py``, never in a notebook.
2. The source notebooks run top to bottom in a fresh kernel
   (``scripts/execute_notebooks.execute``), so their committed outputs show
   every check passing; nbval re-runs them.
3. ``lessonkit.checks.release_all(exercises/source, exercises)`` writes the
   student copies (solutions stripped, outputs cleared).

Progress recorded by ``q.check()`` while executing goes to a temporary file,
never to ``~/.lessonkit``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "exercises" / "source"
STUDENT = ROOT / "exercises"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from execute_notebooks import execute  # noqa: E402

from lessonkit.checks import release_all  # noqa: E402
from lessonkit.exercises import ALL  # noqa: E402
from lessonkit.exercises.sourcing import marked_cell  # noqa: E402

SOLUTIONS = {exercise.name: marked_cell(exercise.reference) for exercise in ALL}


def solution_of(cell: Any) -> str | None:
    """The exercise name a cell holds the solution of, if it is a solution cell."""
    name = cell.get("metadata", {}).get("lessonkit", {}).get("solution")
    return name if isinstance(name, str) else None


def synced(path: Path) -> str:
    """The notebook's text with every solution cell taken from its checker module."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        name = solution_of(cell)
        if name is not None:
            if name not in SOLUTIONS:
                raise SystemExit(f"{path.name}: no exercise named {name!r}")
            cell.source = SOLUTIONS[name].rstrip("\n")
    return nbformat.writes(notebook) + "\n"


def _changed(path: Path, text: str, check: bool) -> bool:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old != text and not check:
        path.write_text(text, encoding="utf-8")
    return old != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--no-execute", action="store_true", help="skip step 2")
    args = parser.parse_args(argv)
    os.environ["LESSONKIT_PROGRESS"] = str(Path(tempfile.mkdtemp()) / "progress.json")
    stale: list[str] = []
    sources = sorted(SOURCE.glob("*.ipynb"))
    for path in sources:
        if _changed(path, synced(path), args.check):
            stale.append(f"{path.relative_to(ROOT)} (solution cells)")
            if args.check:
                continue  # executing the stale file would say nothing new
        if not args.no_execute and _changed(path, execute(path), args.check):
            stale.append(f"{path.relative_to(ROOT)} (outputs)")
    with tempfile.TemporaryDirectory() as scratch:
        for released in release_all(SOURCE, Path(scratch)):
            target = STUDENT / released.name
            if _changed(target, released.read_text(encoding="utf-8"), args.check):
                stale.append(f"{target.relative_to(ROOT)} (student copy)")
    for line in stale:
        print(("stale  " if args.check else "wrote  ") + line)
    if args.check and stale:
        print("run scripts/build_exercises.py to rebuild the exercise notebooks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
