"""The learner's workspace: made once, merged like nbgitpuller, never losing an edit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lessonkit.workspace import Change, ensure, fingerprint, update, workspace_path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s#:]+\.ipynb)")


def write(path: Path, *sources: str) -> None:
    """A notebook of one markdown cell then code cells with these sources."""
    notebook = new_notebook(cells=[new_markdown_cell(sources[0])])
    notebook.cells += [new_code_cell(source) for source in sources[1:]]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def sources(path: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(path, as_version=4).cells]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    lessons, exercises = root / "notebooks", root / "exercises"
    write(lessons / "01_streaming.ipynb", "Practice: [ex](../exercises/01_streaming.ipynb)")
    write(lessons / "02_stop_reasons.ipynb", "Back: [01](01_streaming.ipynb#top)")
    write(exercises / "01_streaming.ipynb", "See [1](../notebooks/01_streaming.ipynb)", "x = ____")
    write(root / "exercises" / "source" / "01_streaming.ipynb", "solution", "x = 42")
    write(root / "tests" / "t.ipynb", "developer file")
    return root


LESSON = "lessons/lesson-01-streaming.ipynb"
EXERCISE = "exercises/exercise-01-streaming.ipynb"


@pytest.mark.parametrize(
    ("course_path", "copy"),
    [
        ("notebooks/00_setup.ipynb", "lessons/lesson-00-setup.ipynb"),
        ("notebooks/02_stop_reasons.ipynb", "lessons/lesson-02-stop-reasons.ipynb"),
        ("notebooks/04b_recovery.ipynb", "lessons/lesson-04b-recovery.ipynb"),
        ("exercises/02_stop_reasons.ipynb", "exercises/exercise-02-stop-reasons.ipynb"),
    ],
)
def test_lessons_and_exercises_get_distinct_names(course_path: str, copy: str) -> None:
    assert workspace_path(course_path) == copy


def test_first_start_copies_only_lessons_and_student_exercises(
    course: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    changes = ensure(course, work)
    assert [str(change) for change in changes] == [
        f"added      {LESSON}",
        "added      lessons/lesson-02-stop-reasons.ipynb",
        f"added      {EXERCISE}",
    ]
    notebooks = sorted(str(p.relative_to(work)) for p in work.rglob("*.ipynb"))
    assert notebooks == sorted([LESSON, "lessons/lesson-02-stop-reasons.ipynb", EXERCISE])
    assert ensure(course, work) == []  # made once, then left alone


def test_links_between_notebooks_follow_the_new_names(course: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    ensure(course, work)
    assert sources(work / LESSON)[0] == "Practice: [ex](../exercises/exercise-01-streaming.ipynb)"
    assert sources(work / "lessons/lesson-02-stop-reasons.ipynb")[0] == (
        "Back: [01](lesson-01-streaming.ipynb#top)"
    )
    assert sources(work / EXERCISE)[0] == "See [1](../lessons/lesson-01-streaming.ipynb)"


def test_update_refreshes_untouched_adds_new_and_keeps_edited(course: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    ensure(course, work)
    answered = work / EXERCISE
    notebook = nbformat.read(answered, as_version=4)
    notebook.cells[1].source = "x = 42  # my answer"
    nbformat.write(notebook, answered)
    write(course / "exercises" / "01_streaming.ipynb", "Lesson: new wording", "x = ____")
    write(course / "notebooks" / "01_streaming.ipynb", "Lesson 1, revised")
    write(course / "notebooks" / "03_errors.ipynb", "Errors")

    changes = update(course, work)

    beside = changes[-1].beside
    assert beside and re.fullmatch(r"exercises/exercise-01-streaming\.update-\w{8}\.ipynb", beside)
    assert changes == [
        Change("refreshed", LESSON),
        Change("added", "lessons/lesson-03-errors.ipynb"),
        Change("kept", EXERCISE, beside),
    ]
    assert sources(work / LESSON) == ["Lesson 1, revised"]
    assert sources(answered)[1] == "x = 42  # my answer"
    assert sources(work / beside) == ["Lesson: new wording", "x = ____"]
    assert update(course, work) == [Change("kept", EXERCISE, beside)]  # no second copy
    assert len(list((work / "exercises").glob("*.ipynb"))) == 2


def test_running_or_saving_is_not_an_edit(course: Path, tmp_path: Path) -> None:
    """Jupyter writes outputs and metadata on every save: the copy still counts as untouched."""
    work = tmp_path / "work"
    ensure(course, work)
    notebook = nbformat.read(work / EXERCISE, as_version=4)
    notebook.metadata["language_info"] = {"name": "python", "version": "3.12.1"}
    notebook.cells[1].execution_count = 1
    nbformat.write(notebook, work / EXERCISE)
    write(course / "exercises" / "01_streaming.ipynb", "Lesson: new wording", "x = ____")
    assert update(course, work) == [Change("refreshed", EXERCISE)]


def test_a_deleted_copy_comes_back_fresh(course: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    ensure(course, work)
    (work / EXERCISE).unlink()
    assert update(course, work) == [Change("added", EXERCISE)]


def test_a_file_the_workspace_did_not_make_is_never_overwritten(
    course: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    (work / "lessons").mkdir(parents=True)
    (work / LESSON).write_text("my own notes")
    changes = update(course, work)
    assert Change("kept", LESSON, changes[0].beside) == changes[0]
    assert (work / LESSON).read_text() == "my own notes"


def test_learner_reverting_to_the_new_version_counts_as_untouched(
    course: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    ensure(course, work)
    write(course / "notebooks" / "01_streaming.ipynb", "Lesson 1, revised")
    write(work / LESSON, "Lesson 1, revised")  # same cells as the new course version
    assert update(course, work) == []
    manifest = json.loads((work / ".lessonkit" / "manifest.json").read_text())
    assert manifest["files"][LESSON]["fingerprint"] == fingerprint((work / LESSON).read_bytes())


def test_a_damaged_manifest_is_reported(course: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    ensure(course, work)
    (work / ".lessonkit" / "manifest.json").write_text("{")
    with pytest.raises(ValueError, match="manifest.json is damaged"):
        update(course, work)


def test_every_link_in_the_real_course_copy_resolves(tmp_path: Path) -> None:
    work = tmp_path / "work"
    changes = ensure(ROOT, work)
    course = [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "exercises").glob("*.ipynb")]
    assert len(changes) == len(course)
    links = 0
    for change in changes:
        copy = nbformat.read(work / change.path, as_version=4)
        nbformat.validate(copy)
        for cell in copy.cells:
            for target in LINK.findall(cell.source) if cell.cell_type == "markdown" else []:
                links += 1
                assert (work / change.path).parent.joinpath(target).is_file(), (change, target)
    assert links >= len(course) - 1  # every notebook but the last links somewhere
