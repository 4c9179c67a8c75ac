"""Cells run again give the same outputs, and Run All gets through a student notebook.

* Every lesson and every exercise SOURCE notebook runs top to bottom, then all
  of its code cells run a second time in the SAME kernel, as a learner who
  re-runs cells does: the second pass must show what the first showed
  (sanitized as nbval does, see notebooks/sanitize.cfg; like nbval, an
  error's traceback is not compared, its name and message are). A second mode
  runs each cell twice in a row (Shift-Enter, then back and Ctrl-Enter): its
  second output must equal its first. In both modes the ids the API gives each
  new request, message and batch (``req_…``, ``msg_…``, ``msgbatch_…``, or the
  last characters RequestLog shows of one) may differ: ``api.reset()`` keeps
  them counting, as a re-sent request gets a new id live too, and a course that
  showed the same id twice would teach that ids repeat.
* Every STUDENT notebook (``exercises/*.ipynb``, stubs untouched) runs with
  JupyterLab's Run All semantics: a cell tagged ``raises-exception`` may
  raise and the run goes on; any other error stops it. The run must reach the
  last cell and every check cell must say "Not attempted". In ``make soak``:
  ``make test`` proves both already, without a kernel per notebook — the
  browser test runs all of each student notebook in JupyterLab and finds no
  error, and test_release_golden.py finds every untouched stub "Not attempted".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .test_notebook_determinism import outputs, sanitizers

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOURCES = sorted((ROOT / "exercises" / "source").glob("*.ipynb"))
STUDENTS = sorted((ROOT / "exercises").glob("*.ipynb"))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

#: Ids the API makes fresh for every request or response (see the module docstring).
NEW_IDS = (re.compile(r"\b(req|msg|msgbatch|toolu|srvtoolu)_[0-9A-Za-z]{10,}"), r"\1_<new>")
#: The same ids as RequestLog abbreviates them (their last characters after an ellipsis).
NEW_ID_ENDS = (re.compile(r"…[0-9A-Za-z]{6}\b"), "…<new>")


def _client(nb: Any, path: Path) -> Any:
    from nbclient import NotebookClient

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    return NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        allow_errors=False,  # except in cells tagged raises-exception, as Run All
        resources={"metadata": {"path": str(path.parent)}},
    )


def _run_all(client: Any, nb: Any) -> None:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            client.execute_cell(cell, index)


def _compared(nb: Any) -> dict[str, Any]:
    """The notebook without error tracebacks: they name the run's ``In[n]``, which must change."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            out.pop("traceback", None)
    return dict(nb)


@pytest.mark.soak  # every notebook twice more (~3 CPU-minutes each mode): `make soak`
@pytest.mark.parametrize("mode", ["all-again", "each-twice"])
@pytest.mark.parametrize(
    "path", LESSONS + SOURCES, ids=lambda path: f"{path.parent.name}/{path.name}"
)
def test_running_cells_again_shows_the_same_outputs(path: Path, mode: str) -> None:
    import nbformat

    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = _client(nb, path)
    rules = [*sanitizers(), NEW_IDS, NEW_ID_ENDS]
    with client.setup_kernel():
        if mode == "all-again":
            _run_all(client, nb)
            first = outputs(_compared(nb), rules)
            _run_all(client, nb)
            second = outputs(_compared(nb), rules)
        else:
            first, second = _each_twice(client, nb, rules)
    differing = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    detail = "\n".join(
        f"code cell {i}:\n  run 1: {first[i][:400]}\n  run 2: {second[i][:400]}"
        for i in differing[:3]
    )
    assert not differing, f"{path.name}: running the cells again changed outputs\n{detail}"


def _each_twice(client: Any, nb: Any, rules: Any) -> tuple[list[str], list[str]]:
    """Run every code cell twice in a row; the outputs of each cell's first and second run."""
    first: list[str] = []
    second: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for seen in (first, second):
            client.execute_cell(cell, index)
            for out in cell.outputs:
                out.pop("traceback", None)
            seen.extend(outputs({"cells": [cell]}, rules))
    return first, second


@pytest.mark.soak  # make test proves it too (see the module docstring)
@pytest.mark.parametrize("path", STUDENTS, ids=lambda p: p.name)
def test_run_all_on_a_student_notebook_reaches_every_check(path: Path) -> None:
    import nbformat

    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = _client(nb, path)
    with client.setup_kernel():
        _run_all(client, nb)  # raises CellExecutionError at an untagged cell that fails
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code[-1].execution_count is not None, "Run All stopped before the last cell"
    checks = [cell for cell in code if cell.source.strip().endswith(".check()")]
    assert checks, f"{path.name} has no check cells"
    for cell in checks:
        shown = "".join(
            out.get("data", {}).get("text/plain", "") + out.get("text", "") for out in cell.outputs
        )
        assert shown.startswith("… Not attempted:"), f"{cell.source}: {shown!r}"


def test_a_cell_run_again_in_a_real_kernel_replaces_what_it_scripted(tmp_path: Path) -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    script = "api.fail_next(529, times=2)\napi.reply('hi')"
    nb = new_notebook(
        cells=[
            new_code_cell("import lessonkit\napi = lessonkit.offline().start()"),
            new_code_cell(script),
            new_code_cell("print(api)"),
        ]
    )
    client = _client(nb, tmp_path / "scratch.ipynb")
    with client.setup_kernel():
        for index in (0, 1, 1, 1, 2):
            client.execute_cell(nb.cells[index], index)
    shown = nb.cells[2].outputs[0]["text"]
    assert "1 replies queued, 2 faults pending" in shown, shown
