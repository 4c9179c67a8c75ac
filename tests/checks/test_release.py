"""release_notebook / release_all on small notebooks built in the test."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lessonkit.checks import MarkerError, release_all, release_notebook
from lessonkit.checks.release import ReleaseConflict, student_copy

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write(path: Path, *cells: nbformat.NotebookNode) -> Path:
    notebook = new_notebook(cells=list(cells), metadata={"kernelspec": KERNEL})
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"  # fixed ids keep the golden bytes stable
    nbformat.write(notebook, path)
    return path


def ran(source: str, output: str = "out", **metadata: object) -> nbformat.NotebookNode:
    cell = new_code_cell(source, execution_count=1, metadata=metadata)
    cell.outputs = [new_output("stream", name="stdout", text=output)]
    return cell


@pytest.fixture
def source(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    return write(
        tmp_path / "src" / "01_add.ipynb",
        new_markdown_cell("# Add\nWrite `add`."),
        ran("from lessonkit.checks import bind\nq1, = bind(globals(), Add)"),
        ran("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n"),
        ran("q1.check()", "✓ Correct: `add` passed every check."),
        ran("add(2, 3)", "5", tags=["solution"]),
        new_markdown_cell("Why it works: ...", metadata={"tags": ["solution"]}),
    )


def test_release_notebook(source: Path, tmp_path: Path) -> None:
    released = release_notebook(source, tmp_path / "out" / "01_add.ipynb")
    notebook = nbformat.read(released, as_version=4)
    assert [cell.source for cell in notebook.cells] == [
        "# Add\nWrite `add`.",
        "from lessonkit.checks import bind\nq1, = bind(globals(), Add)",
        "def add(a, b):\n    raise NotAttempted  # your code here\n",
        "q1.check()",
    ]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert notebook.metadata.kernelspec.name == "python3"
    assert [cell.id for cell in notebook.cells] == ["cell-0", "cell-1", "cell-2", "cell-3"]
    nbformat.validate(notebook)


def test_release_is_deterministic(source: Path, tmp_path: Path) -> None:
    first = release_notebook(source, tmp_path / "a.ipynb").read_bytes()
    second = release_notebook(source, tmp_path / "b.ipynb").read_bytes()
    assert first == second
    assert first.endswith(b"}\n") and b"\r\n" not in first


def test_release_names_the_notebook_and_cell_on_bad_markers(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.ipynb", new_code_cell("x = 1"), new_code_cell("### END SOLUTION"))
    with pytest.raises(MarkerError, match=r"line 1: .*bad.ipynb cell 2: ### END SOLUTION without"):
        release_notebook(bad, tmp_path / "out.ipynb")


def test_markers_in_markdown_are_refused(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.ipynb", new_markdown_cell("Intro\n### BEGIN SOLUTION\nsecret"))
    with pytest.raises(MarkerError, match="line 2: .*cell 1: markers in a markdown cell"):
        release_notebook(bad, tmp_path / "out.ipynb")


def test_release_never_overwrites_its_source(source: Path) -> None:
    with pytest.raises(ValueError, match="refusing"):
        release_notebook(source, source)
    with pytest.raises(ValueError, match="refusing"):
        release_all(source.parent, source.parent)


def test_release_all(source: Path, tmp_path: Path) -> None:
    write(source.parent / "00_intro.ipynb", new_markdown_cell("Hello"))
    (source.parent / "notes.txt").write_text("not a notebook")
    released = release_all(source.parent, tmp_path / "student")
    assert released == [
        tmp_path / "student" / "00_intro.ipynb",
        tmp_path / "student" / "01_add.ipynb",
    ]
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == [
        ".lessonkit-release.json",  # what it wrote, so it never overwrites an edit
        "00_intro.ipynb",
        "01_add.ipynb",
    ]


def test_release_all_refuses_to_overwrite_an_edited_copy(source: Path, tmp_path: Path) -> None:
    student = tmp_path / "student"
    (released,) = release_all(source.parent, student)
    answered = released.read_text().replace("raise NotAttempted", "return a + b")
    released.write_text(answered)
    with pytest.raises(ReleaseConflict, match=r"refusing to overwrite .*01_add.ipynb.*--force"):
        release_all(source.parent, student)
    assert released.read_text() == answered  # nothing written
    release_all(source.parent, student, force=True)
    assert "raise NotAttempted" in released.read_text()


def test_release_all_replaces_what_it_wrote_last(source: Path, tmp_path: Path) -> None:
    student = tmp_path / "student"
    (released,) = release_all(source.parent, student)
    write(source, new_markdown_cell("# Add, revised"))
    release_all(source.parent, student)  # the old copy was untouched: no conflict
    assert nbformat.read(released, as_version=4).cells[0].source == "# Add, revised"


def test_a_copy_release_never_made_is_a_conflict(source: Path, tmp_path: Path) -> None:
    student = tmp_path / "student"
    student.mkdir()
    (student / "01_add.ipynb").write_text("someone's notebook")
    with pytest.raises(ReleaseConflict):
        release_all(source.parent, student)
    (student / "01_add.ipynb").write_bytes(student_copy(source))  # identical: no conflict
    assert release_all(source.parent, student) == [student / "01_add.ipynb"]


SOLVED_BODY = "    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n"


def test_cells_that_call_a_stub_are_tagged_raises_exception(tmp_path: Path) -> None:
    path = write(
        tmp_path / "01_add.ipynb",
        ran('def add(a, b):\n    """Sum."""\n' + SOLVED_BODY),
        ran("print(add(2, 3))"),
        ran("total = await asyncio.to_thread(add, 1, 2)"),  # top-level await parses
        ran("%time add(1, 1)"),  # a magic: read as text
        ran("q1.check()", tags=["keep"]),
        ran("def double(x):\n    return add(x, x)"),  # uses it too: may raise if called
        ran("addition = 1"),
    )
    cells = nbformat.reads(student_copy(path).decode(), as_version=4).cells
    assert [cell.metadata.get("tags") for cell in cells] == [
        None,
        ["raises-exception"],
        ["raises-exception"],
        ["raises-exception"],
        ["keep"],
        ["raises-exception"],
        None,
    ]
