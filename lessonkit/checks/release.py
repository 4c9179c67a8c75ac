"""Make student notebooks from source notebooks that contain the solutions.

The only module that touches notebook files. For each notebook:

* cells tagged `solution` (any cell type) are dropped;
* every code cell goes through `strip_solutions`;
* every code cell loses its outputs and execution count: they were produced by
  running the solutions, so a kept output could show a solution's result or a
  check cell's "✓ Correct";
* everything else (markdown, metadata, cell ids, tags) is kept.

Output bytes are deterministic: nbformat's sorted-key JSON, UTF-8, "\\n" endings,
one trailing newline. Solution markers in a markdown cell are an error, since
they would not be stripped there (tag the cell `solution` instead).
"""

from __future__ import annotations

from pathlib import Path

from .markers import BEGIN, END, MarkerError, strip_solutions

SOLUTION_TAG = "solution"


def release_notebook(src: Path, dst: Path) -> Path:
    """Write the student version of notebook `src` to `dst` and return `dst`."""
    import nbformat

    if src.resolve() == dst.resolve():
        raise ValueError(f"refusing to overwrite the source notebook {src}")
    notebook = nbformat.read(src, as_version=4)  # type: ignore[no-untyped-call]
    kept = []
    for number, cell in enumerate(notebook.cells, start=1):
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            try:
                cell.source = "".join(strip_solutions(cell.source.splitlines(keepends=True)))
            except MarkerError as error:
                raise MarkerError(error.line, f"{src} cell {number}: {error.problem}") from None
            cell.outputs = []
            cell.execution_count = None
        else:
            for line, text in enumerate(cell.source.splitlines(), start=1):
                if BEGIN in text or END in text:
                    raise MarkerError(
                        line,
                        f"{src} cell {number}: markers in a {cell.cell_type}"
                        f" cell are not stripped; tag it {SOLUTION_TAG!r} instead",
                    )
        kept.append(cell)
    notebook.cells = kept
    text = nbformat.writes(notebook, version=4)  # type: ignore[no-untyped-call]
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes((text.rstrip("\n") + "\n").encode("utf-8"))
    return dst


def release_all(src_dir: Path, dst_dir: Path) -> list[Path]:
    """Release every `*.ipynb` directly in `src_dir` into `dst_dir`, in name order."""
    if src_dir.resolve() == dst_dir.resolve():
        raise ValueError(f"refusing to release {src_dir} onto itself")
    return [release_notebook(src, dst_dir / src.name) for src in sorted(src_dir.glob("*.ipynb"))]
