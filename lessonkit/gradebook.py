"""``lessonkit grade SUBMISSIONS_DIR``: every exercise checker on every submitted notebook.

Each notebook is graded in a process of its own (:mod:`lessonkit.submission`),
because it runs a learner's code: a crash, an endless loop or ``sys.exit()``
there costs one row, never the gradebook. A file that is not an exercise
notebook (unreadable, not JSON, binding no checker) gets its row without one.
The limit is CPU time
(``RLIMIT_CPU``; where there is none, the grader watches the process's CPU
time itself), not wall-clock time, so a loaded machine does not fail a
correct but slow answer, and it starts once lessonkit has warmed up (imports,
each checker's first run), so a slow machine's cold start does not count
against the learner either. Code that waits instead of computing (``input()``,
a lock) is stopped once the process has used no CPU for :data:`IDLE_SECONDS`:
a busy machine slows a process down, but never stops its clock altogether.
The process gets no hub token and no exchange URL, and refuses network
connections. Learners' answers are run in-process with
the checkers, so grading contains mistakes, not a determined cheat: for
graded homework that counts, read the answers the gradebook flags.

Results: ``grades.csv`` (one row per submission × exercise, or one error row
per file that cannot be graded) and ``grades.html`` beside it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from html import escape
from pathlib import Path

from .atomic import write_bytes
from .submission import NotGradable, checker_name, read_cells, start_mark

__all__ = ["CPU_SECONDS", "Row", "grade_folder", "grade_notebook", "to_csv", "to_html", "write"]

#: Default CPU-time limit per notebook, in seconds (a correct notebook needs a few).
CPU_SECONDS = 60
#: A grading process that uses no CPU for this many seconds is waiting, not working: stopped.
IDLE_SECONDS = 60.0
#: How often the grader looks at the process's CPU time, in seconds.
_POLL_SECONDS = 0.5
ERROR = "error"
#: Why the grader stopped a process: it used no CPU for IDLE_SECONDS, or its CPU seconds.
IDLE, OVER_CPU = "idle", "over CPU"


@dataclass(frozen=True)
class Row:
    """One line of the gradebook: a submission's verdict on one exercise, or why it has none."""

    submission: str
    exercise: str
    status: str
    message: str


def _environment(base: Mapping[str, str], scratch: Path) -> dict[str, str]:
    """The grading process's environment: no hub credentials, progress kept in `scratch`."""
    dropped = (
        "JUPYTERHUB_API_TOKEN",
        "LESSONKIT_EXCHANGE_URL",
        "ANTHROPIC_API_KEY",
        "LESSONKIT_LIVE",
    )
    env = {name: value for name, value in base.items() if name not in dropped}
    env["LESSONKIT_PROGRESS"] = str(scratch / "progress.json")
    return env


def grade_notebook(path: Path, name: str, *, cpu_seconds: int = CPU_SECONDS) -> list[Row]:
    """Grade the notebook at `path` (called `name` in the gradebook) in a limited subprocess.

    A file that is not an exercise notebook gets its error row here, without one.
    """
    try:
        checker_name(read_cells(path))
    except NotGradable as reason:
        return [Row(name, "", ERROR, str(reason))]
    with tempfile.TemporaryDirectory(prefix="lessonkit-grade-") as scratch:
        result, stderr = Path(scratch) / "result.json", Path(scratch) / "stderr.txt"
        command = [
            sys.executable, "-m", "lessonkit.submission", str(path.resolve()), str(result),
            str(cpu_seconds),
        ]  # fmt: skip
        with stderr.open("w") as errors:
            child = subprocess.Popen(
                command,
                cwd=scratch,
                env=_environment(os.environ, Path(scratch)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
            returncode = _wait_while_working(child, start_mark(result), cpu_seconds)
        if returncode == IDLE:
            idle = f"stopped after {IDLE_SECONDS:g} s without using the CPU"
            return [Row(name, "", ERROR, f"{idle} (does it wait for input?)")]
        if returncode == OVER_CPU or (
            os.name == "posix" and returncode in (-signal.SIGXCPU, -signal.SIGKILL)
        ):
            return [
                Row(
                    name, "", ERROR, f"stopped after {cpu_seconds} s of CPU time (an endless loop?)"
                )
            ]
        try:
            outcome = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            lines = stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            said = (lines or [f"exit status {returncode}"])[-1]
            return [Row(name, "", ERROR, f"grading stopped: {said}")]
    if "error" in outcome:
        return [Row(name, "", ERROR, str(outcome["error"]))]
    return [
        Row(name, str(e), str(status), str(message)) for e, status, message in outcome["verdicts"]
    ]


def _wait_while_working(child: subprocess.Popen[bytes], mark: Path, cpu_seconds: int) -> int | str:
    """`child`'s exit status, or why the grader stopped it: :data:`IDLE` or :data:`OVER_CPU`.

    The CPU limit counts from the seconds `child` noted in `mark` when the
    learner's code began. Where the OS enforces it (``RLIMIT_CPU``) it stops the
    process first; this is the stop where none does (Windows).
    """
    import psutil

    process = psutil.Process(child.pid)
    used, since, limit = -1.0, time.monotonic(), math.inf
    while True:
        try:
            return child.wait(timeout=_POLL_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        try:
            times = process.cpu_times()
        except psutil.Error:  # exited between the two calls
            continue
        if limit == math.inf and mark.exists():
            limit = float(mark.read_text(encoding="utf-8")) + cpu_seconds + 1
        now, total = time.monotonic(), times.user + times.system
        if total > used:
            used, since = total, now
        stopped = OVER_CPU if total > limit else IDLE if now - since >= IDLE_SECONDS else None
        if stopped is not None:
            child.kill()
            child.wait()
            return stopped


def grade_folder(folder: Path, *, cpu_seconds: int = CPU_SECONDS, jobs: int = 0) -> list[Row]:
    """Grade every ``*.ipynb`` under `folder` (checkpoints excluded), in path order.

    `jobs` notebooks are graded at once (0: one per core); each is its own process.
    """
    notebooks = sorted(
        path for path in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts
    )

    def one(path: Path) -> list[Row]:
        return grade_notebook(path, path.relative_to(folder).as_posix(), cpu_seconds=cpu_seconds)

    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        return [row for rows in pool.map(one, notebooks) for row in rows]


def to_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission", "exercise", "status", "message"])
    writer.writerows([row.submission, row.exercise, row.status, row.message] for row in rows)
    return out.getvalue()


_COLOURS = {"correct": "#dafbe1", "incorrect": "#ffebe9", ERROR: "#fff8c5"}


def to_html(rows: list[Row]) -> str:
    """A page for the instructor: per submission, passed N of M, then every verdict."""
    passed = Counter(row.submission for row in rows if row.status == "correct")
    total = Counter(row.submission for row in rows if row.exercise)
    summary = "".join(
        f"<tr><td>{escape(name)}</td><td>{passed[name]} of {total[name]}</td></tr>"
        if total[name]
        else f"<tr><td>{escape(name)}</td><td>not graded</td></tr>"
        for name in dict.fromkeys(row.submission for row in rows)
    )
    detail = "".join(
        f'<tr style="background:{_COLOURS.get(row.status, "#fff")}">'
        + "".join(f"<td>{escape(cell)}</td>" for cell in astuple(row))
        + "</tr>"
        for row in rows
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lessonkit grades</title>'
        "<style>body{font-family:system-ui,sans-serif}td,th{border:1px solid #d0d7de;"
        "padding:.2em .5em;vertical-align:top}table{border-collapse:collapse}</style></head><body>"
        f"<h1>Grades</h1><table><tr><th>submission</th><th>passed</th></tr>{summary}</table>"
        "<h2>Every verdict</h2><table><tr><th>submission</th><th>exercise</th><th>status</th>"
        f"<th>message</th></tr>{detail}</table></body></html>"
    )


def write(rows: list[Row], out: Path) -> tuple[Path, Path]:
    """Write ``grades.csv`` and ``grades.html`` into `out`."""
    csv_path, html_path = out / "grades.csv", out / "grades.html"
    write_bytes(csv_path, to_csv(rows).encode("utf-8"))
    write_bytes(html_path, to_html(rows).encode("utf-8"))
    return csv_path, html_path
