"""Read the exercise notebooks the way a learner's kernel would, without a kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "exercises" / "source"
STUDENT = ROOT / "exercises"
SOURCES = sorted(SOURCE.glob("*.ipynb"))


def read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: Any) -> list[Any]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def solution_name(cell: Any) -> str | None:
    return cell.get("metadata", {}).get("lessonkit", {}).get("solution")


def run_cells(path: Path) -> dict[str, Any]:
    """Run the setup cell and every solution (or stub) cell of `path`; return the namespace.

    Cells are compiled under a ``<notebook …>`` file name, so the checker sees
    them as learner code, as it would in Jupyter.
    """
    notebook = read(path)
    cells = code_cells(notebook)
    chosen = [cells[0], *(cell for cell in cells if solution_name(cell))]
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for number, cell in enumerate(chosen):
        exec(compile(cell.source, f"<notebook {path.name} cell {number}>", "exec"), namespace)
    return namespace
