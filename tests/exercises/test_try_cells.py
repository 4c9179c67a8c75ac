"""Each try cell starts clean: what an earlier cell queued on the offline API never leaks into it.

After Run All on a student notebook, a try cell whose function was still a stub
leaves its scripted replies and faults unused; the next try cell the learner
runs must not receive them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lessonkit.exercises import ex04_retries
from lessonkit.exercises.sourcing import solution_source

from .notebooks import SOURCES, STUDENT, code_cells, read, solution_name

FRESH = "api = lessonkit.offline().start()"


def _try_cells(path: Path) -> list[str]:
    """Code cells after the setup that use the API, other than solutions, checks and hints."""
    cells = code_cells(read(path))[2:]  # imports, then the setup cell that starts `api`
    return [
        cell.source
        for cell in cells
        if not solution_name(cell)
        and not cell.source.lstrip().startswith("#")
        and not cell.source.rstrip().endswith(".check()")
        and ("api" in cell.source or "client" in cell.source)
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_try_cell_starts_a_fresh_api(path: Path) -> None:
    cells = _try_cells(path)
    assert cells, f"{path.name} has no try cells"
    for source in cells:
        assert source.startswith(FRESH), f"{path.name}: try cell does not start clean:\n{source}"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_try_cell_after_run_all_gets_only_what_it_scripted() -> None:
    import nbformat
    from nbclient import NotebookClient

    path = STUDENT / "04_retries.ipynb"
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    stub = next((i, c) for i, c in code if "def call_with_retries" in c.source)
    trial = next((i, c) for i, c in code if "call_with_retries(lambda" in c.source)
    with client.setup_kernel():
        for index, cell in code:  # Run All with every function still a stub
            client.execute_cell(cell, index)
        stub[1].source = solution_source(ex04_retries.EXERCISES[0].reference)
        client.execute_cell(stub[1], stub[0])
        client.execute_cell(trial[1], trial[0])
    shown = "".join(out.get("text", "") for out in trial[1].outputs)
    assert shown.startswith("3 attempts, 2 waits, answer:"), trial[1].outputs
    assert "Broken streams" not in shown
