"""Golden test: the committed student notebooks are exactly what the release makes.

And every stub in them is "not attempted".

Regenerate them with ``scripts/build_exercises.py`` (or ``lessonkit release``)
after changing a source notebook; never edit ``exercises/*.ipynb`` by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lessonkit.checks import BoundExercise, Status, release_all
from lessonkit.checks.markers import BEGIN, END

from .notebooks import SOURCES, STUDENT, code_cells, read, run_cells

STUDENTS = [STUDENT / p.name for p in SOURCES]


def test_committed_student_copies_equal_a_fresh_release(tmp_path: Path) -> None:
    released = release_all(SOURCES[0].parent, tmp_path)
    assert [p.name for p in released] == [p.name for p in STUDENTS]
    for fresh, committed in zip(released, STUDENTS, strict=True):
        assert committed.read_bytes() == fresh.read_bytes(), (
            f"{committed.name} is stale: run scripts/build_exercises.py"
        )


def test_no_stray_student_notebooks() -> None:
    assert sorted(STUDENT.glob("*.ipynb")) == STUDENTS


@pytest.mark.parametrize("path", STUDENTS, ids=lambda p: p.name)
def test_student_copy_has_no_solutions_and_no_outputs(path: Path) -> None:
    for cell in code_cells(read(path)):
        assert BEGIN not in cell.source and END not in cell.source
        assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", STUDENTS, ids=lambda p: p.name)
def test_every_untouched_stub_is_not_attempted(path: Path) -> None:
    namespace = run_cells(path)
    bound = [value for value in namespace.values() if isinstance(value, BoundExercise)]
    assert bound
    for exercise in bound:
        result = exercise.result()
        assert result.status is Status.NOT_ATTEMPTED, f"{exercise}: {result}"
