"""The nbval lesson suite vs the same number of one-cell notebooks that only import the SDK.

Both runs are the same command (``pytest --nbval --nbval-current-env`` with the
project's pytest config), so kernel start-up, nbval and pytest cost the same
on both sides; the difference is what the lessons themselves cost. CPU time is
the pytest process plus its kernels (``RUSAGE_CHILDREN``).
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .timing import Measure, Result, best_of

GOAL = 1.5
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SANITIZE = NOTEBOOKS / "sanitize.cfg"


def pytest_nbval(path: Path) -> tuple[Measure, str]:
    """Run nbval on ``path``; returns the times and pytest's summary line."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "-q",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "-p",
        "no:cacheprovider",
    ]
    if SANITIZE.exists():
        command += ["--nbval-sanitize-with", str(SANITIZE)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*command, str(path)], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stdout.strip().splitlines()
    summary = next(
        (line for line in reversed(lines) if re.search(r"\d+ (passed|failed|error)", line)), ""
    )
    return Measure(wall, cpu), summary.strip("= ")


def one_cell_notebooks(folder: Path, count: int) -> None:
    """``count`` notebooks whose only cell imports the SDK and respx (no outputs to compare)."""
    cell: dict[str, object] = {
        "cell_type": "code",
        "execution_count": None,
        "id": "floor-0",
        "metadata": {},
        "outputs": [],
        "source": "import anthropic, respx",
    }
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = {
        "cells": [cell],
        "metadata": {"kernelspec": kernel, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i in range(count):
        (folder / f"{i:02d}_floor.ipynb").write_text(json.dumps(notebook, indent=1))


def run(quick: bool = False) -> list[Result]:
    lessons = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not lessons:
        print("notebooks/: no notebooks yet; skipped", file=sys.stderr)
        return []
    rounds = 1 if quick else 2
    mine: list[Measure] = []
    base: list[Measure] = []
    summary = floor_summary = ""
    with tempfile.TemporaryDirectory(prefix="lessonkit-bench-") as tmp:
        one_cell_notebooks(Path(tmp), len(lessons))
        for _ in range(rounds):
            measure, floor_summary = pytest_nbval(Path(tmp))
            base.append(measure)
            measure, summary = pytest_nbval(NOTEBOOKS)
            mine.append(measure)
    return [
        Result(
            name=f"nbval suite, {len(lessons)} notebooks",
            mine=best_of(mine),
            base=best_of(base),
            floor=f"{len(lessons)} one-cell notebooks: import anthropic, respx",
            kind="ratio",
            goal=GOAL,
            details={"rounds": rounds, "suite": summary, "floor_suite": floor_summary},
        )
    ]
