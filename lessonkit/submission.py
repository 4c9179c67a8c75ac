"""Grade one submitted exercise notebook, in the process ``lessonkit grade`` gives it.

``python -m lessonkit.submission NOTEBOOK RESULT SECONDS`` runs every code cell of
NOTEBOOK in one namespace, as "Run All" would but going on past a failing cell
(a stub that raises ``NotAttempted`` must not stop the rest), then runs the
checker of every exercise the notebook binds and writes the verdicts to RESULT
as JSON: ``{"verdicts": [[exercise, status, message], ...]}``, or
``{"error": sentence}`` for a file that is not a lessonkit exercise notebook.

It limits the CPU time the notebook's cells and checks may use to SECONDS,
counted after lessonkit has warmed up (the SDK imported, each checker's
reference solution run once): the limit judges the learner's code, not how
fast this machine starts lessonkit.

The learner's code is untrusted: :mod:`lessonkit.gradebook` runs this in its own
process; here an audit hook refuses every network connection (offline mode
needs none: the fake API answers in-process), and the learner's prints go nowhere.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import importlib
import io
import json
import math
import re
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from .atomic import write_bytes

#: ``from lessonkit.exercises import ex01_streaming`` (or ``lessonkit.exercises.ex01_streaming``).
_CHECKER = re.compile(r"lessonkit\.exercises(?:\s+import\s+|\.)(ex\d\d_\w+)")


class NotGradable(Exception):
    """The file is not something ``lessonkit grade`` can grade; the message says why."""


def refuse(event: str, args: tuple[Any, ...]) -> None:
    """An audit hook: raise PermissionError on any IP connection or name lookup."""
    if event == "socket.getaddrinfo" or (
        event in ("socket.connect", "socket.sendto")
        and args[0].family in (socket.AF_INET, socket.AF_INET6)
    ):
        raise PermissionError("lessonkit grade: submissions may not use the network")


def refuse_network() -> None:  # pragma: no cover - irreversible: runs in the grading process
    """From now on, this process may not use the network (audit hooks cannot be removed)."""
    sys.addaudithook(refuse)


def read_cells(path: Path) -> list[str]:
    """The sources of `path`'s code cells; NotGradable if it is not a notebook."""
    try:
        notebook = json.loads(path.read_bytes())
    except OSError as error:
        raise NotGradable(f"cannot read the file ({error.strerror or error})") from None
    except ValueError as error:
        raise NotGradable(f"not a notebook: the file is not valid JSON ({error})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotGradable("not a notebook: no list of cells")
    sources = []
    for cell in notebook["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources


def checker_name(sources: list[str]) -> str:
    """The name of the checker module the notebook binds (``exNN_*``); NotGradable if none.

    Found without importing any checker (which imports the SDK): the grader asks
    this of every file before it starts a process for one.
    """
    known = _checker_names()
    name: str
    for source in sources:
        for name in _CHECKER.findall(source):
            if name in known:
                return name
    raise NotGradable(
        "not a lessonkit exercise notebook: it imports no lessonkit.exercises checker"
    )


@functools.cache
def _checker_names() -> frozenset[str]:
    """The ``exNN_*`` modules in :mod:`lessonkit.exercises`, listed without importing them."""
    import pkgutil
    from importlib.util import find_spec

    spec = find_spec(f"{__package__}.exercises")
    assert spec is not None and spec.submodule_search_locations is not None
    names = pkgutil.iter_modules(spec.submodule_search_locations)
    return frozenset(m.name for m in names if re.fullmatch(r"ex\d\d_\w+", m.name))


def checker(sources: list[str]) -> ModuleType:
    """The checker module the notebook binds (``lessonkit.exercises.exNN_*``)."""
    return importlib.import_module(f"{__package__}.exercises.{checker_name(sources)}")


def run_cells(sources: list[str], namespace: dict[str, Any]) -> None:
    """Run each cell in `namespace`, top-level ``await`` included; a failing cell is skipped."""
    from IPython.core.inputtransformer2 import TransformerManager

    # %magics and !shell lines become Python calls (which fail here, like any cell may)
    transform = TransformerManager().transform_cell  # type: ignore[no-untyped-call]
    loop = asyncio.new_event_loop()
    try:
        for number, source in enumerate(sources, 1):
            try:
                code = compile(
                    transform(source), f"<cell {number}>", "exec",
                    flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                )  # fmt: skip
                result = eval(code, namespace)  # noqa: S307 - running the submission is the point
                if asyncio.iscoroutine(result):
                    loop.run_until_complete(result)
            except (Exception, SystemExit):  # noqa: BLE001 - like "Run All": checks judge what ran
                continue
    finally:
        loop.close()


def start_mark(result: Path) -> Path:
    """Where the grading process notes the CPU seconds it had used when the learner's code began."""
    return result.with_name(result.name + ".started")


def limit_cpu(seconds: int, mark: Path) -> None:  # pragma: no cover - the grading process
    """From now on, this process may use `seconds` more CPU seconds.

    ``RLIMIT_CPU`` stops it (SIGXCPU) where there is one. `mark` gets the CPU
    seconds used so far, so the grader can stop it too where there is none
    (Windows): a process in an endless loop never goes idle.
    """
    used = math.ceil(time.process_time())
    write_bytes(mark, str(used).encode())  # whole: the grader never reads half a number
    try:
        import resource
    except ImportError:
        return
    resource.setrlimit(resource.RLIMIT_CPU, (used + seconds, used + seconds + 1))


def grade(path: Path, started: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """The verdicts on the notebook at `path`, or the reason it cannot be graded.

    `started` is called once lessonkit is warm, just before the learner's code runs.
    """
    from .checks.binding import BoundExercise

    try:
        sources = read_cells(path)
        module = checker(sources)
    except NotGradable as reason:
        return {"error": str(reason)}
    for exercise in module.EXERCISES:
        exercise.warm_up()
    started()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        run_cells(sources, namespace)
        verdicts = []
        for exercise in module.EXERCISES:
            result = BoundExercise(exercise, namespace).result()
            verdicts.append([exercise.name, result.status.value, result.message])
    return {"verdicts": verdicts}


def main(argv: list[str]) -> int:  # pragma: no cover - the grading process (test_grade.py)
    notebook, result, seconds = Path(argv[0]), Path(argv[1]), int(argv[2])
    refuse_network()
    verdicts = grade(notebook, started=lambda: limit_cpu(seconds, start_mark(result)))
    result.write_text(json.dumps(verdicts), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover - run by lessonkit.gradebook in a subprocess
    raise SystemExit(main(sys.argv[1:]))
