"""Make student notebooks from source notebooks that contain the solutions.

The only module that touches notebook files. For each notebook:

* cells tagged `solution` (any cell type) are dropped;
* every code cell goes through `strip_solutions`;
* every code cell loses its outputs and execution count: they were produced by
  running the solutions, so a kept output could show a solution's result or a
  check cell's "✓ Correct";
* a code cell that calls a stubbed function gets the tag `raises-exception`:
  until the learner writes it, the stub raises `NotAttempted` there, and
  JupyterLab's Run All goes past a cell so tagged, on to the checks;
* everything else (markdown, metadata, cell ids, tags) is kept.

Output bytes are deterministic: nbformat's sorted-key JSON, UTF-8, "\\n" endings,
one trailing newline. Solution markers in a markdown cell are an error, since
they would not be stripped there (tag the cell `solution` instead).

`release_all` writes only into its release folder and records there
(`.lessonkit-release.json`) a hash of each file it wrote. It refuses to replace a
file that differs both from the new release and from what it wrote last, such
as a notebook someone answered, unless forced: nothing is lost without a question.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..atomic import write_bytes, write_json
from .markers import BEGIN, END, MarkerError, calls_any, strip_solutions, stubbed_functions

SOLUTION_TAG = "solution"
#: The tag JupyterLab's Run All (and nbclient, nbval) lets raise without stopping.
RAISES_TAG = "raises-exception"
#: Hashes of the files `release_all` wrote last, kept in its release folder.
RECORD = ".lessonkit-release.json"


class ReleaseConflict(ValueError):
    """Files in the release folder that someone changed since the last release."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        names = ", ".join(str(path) for path in paths)
        super().__init__(
            f"refusing to overwrite {names}: changed since lessonkit last released it"
            " (or not made by it). Move it away, or release with --force to replace it."
        )


def release_notebook(src: Path, dst: Path) -> Path:
    """Write the student version of notebook `src` to `dst` and return `dst`."""
    if src.resolve() == dst.resolve():
        raise ValueError(f"refusing to overwrite the source notebook {src}")
    write_bytes(dst, student_copy(src))
    return dst


def student_copy(src: Path) -> bytes:
    """The bytes of the student version of notebook `src`."""
    import nbformat

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
    _tag_stub_calls([cell for cell in kept if cell.cell_type == "code"])
    written: str = nbformat.writes(notebook, version=4)  # type: ignore[no-untyped-call]
    return (written.rstrip("\n") + "\n").encode("utf-8")


def _tag_stub_calls(cells: list[Any]) -> None:
    stubs = frozenset().union(*(stubbed_functions(cell.source) for cell in cells))
    for cell in cells:
        tags = cell.metadata.get("tags", [])
        if RAISES_TAG not in tags and calls_any(cell.source, stubs):
            cell.metadata["tags"] = [*tags, RAISES_TAG]


def release_all(src_dir: Path, dst_dir: Path, *, force: bool = False) -> list[Path]:
    """Release every `*.ipynb` directly in `src_dir` into `dst_dir`, in name order.

    Raises `ReleaseConflict`, writing nothing, if a file there was changed since
    the last release, unless `force`.
    """
    if src_dir.resolve() == dst_dir.resolve():
        raise ValueError(f"refusing to release {src_dir} onto itself")
    released = {dst_dir / src.name: student_copy(src) for src in sorted(src_dir.glob("*.ipynb"))}
    written = _load_record(dst_dir)
    current = {dst: dst.read_bytes() for dst in released if dst.exists()}
    conflicts = [
        dst
        for dst, data in current.items()
        if data != released[dst] and _hash(data) != written.get(dst.name)
    ]
    if conflicts and not force:
        raise ReleaseConflict(conflicts)
    for dst, data in released.items():
        if current.get(dst) != data:
            write_bytes(dst, data)
        written[dst.name] = _hash(data)
    write_json(dst_dir / RECORD, {"version": 1, "files": dict(sorted(written.items()))})
    return list(released)


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_record(dst_dir: Path) -> dict[str, str]:
    try:
        files: dict[str, str] = json.loads((dst_dir / RECORD).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # none, or unreadable: then every changed file counts as a conflict
    return files
