"""The source notebooks: solutions single-sourced from the checker modules, and passing there.

nbval re-runs these notebooks in a kernel (see exercises/conftest.py); these
tests need no kernel, so they run in every ``pytest tests``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lessonkit.checks import BoundExercise, Status
from lessonkit.exercises import ALL, NOTEBOOKS
from lessonkit.exercises.sourcing import marked_cell, solution_source

from .notebooks import SOURCES, code_cells, read, run_cells, solution_name

NAMES = {exercise.name: exercise for exercise in ALL}


def test_one_source_notebook_per_checker_module() -> None:
    assert [p.stem for p in SOURCES] == list(NOTEBOOKS)


def test_exercise_names_are_unique_and_prefixed_by_their_notebook() -> None:
    assert len(NAMES) == len(ALL)
    for stem, module in NOTEBOOKS.items():
        assert all(e.name.startswith(f"ex{stem[:2]}_") for e in module.EXERCISES)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_solution_cells_are_generated_from_the_checker_module(path: Path) -> None:
    cells = {solution_name(c): c.source for c in code_cells(read(path)) if solution_name(c)}
    module = NOTEBOOKS[path.stem]
    assert list(cells) == [e.name for e in module.EXERCISES]
    for name, source in cells.items():
        want = marked_cell(NAMES[name].reference).rstrip("\n")
        assert source == want, f"{name}: run scripts/build_exercises.py"


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.name)
def test_shown_solution_is_the_reference_source(exercise: type) -> None:
    assert exercise.solution == solution_source(exercise.reference)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_notebook_solutions_pass_their_checks(path: Path) -> None:
    namespace = run_cells(path)
    bound = [value for value in namespace.values() if isinstance(value, BoundExercise)]
    assert [b.exercise for b in bound] == list(NOTEBOOKS[path.stem].EXERCISES)
    for exercise in bound:
        result = exercise.result()
        assert result.status is Status.CORRECT, f"{exercise}: {result}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_exercise_has_check_hint_and_solution_cells(path: Path) -> None:
    sources = [c.source for c in code_cells(read(path))]
    for number in range(1, len(NOTEBOOKS[path.stem].EXERCISES) + 1):
        for cell in (f"q{number}.check()", f"# q{number}.hint()", f"# q{number}.solution()"):
            assert cell in sources, f"{path.name} lacks a cell `{cell}`"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_links_back_to_its_lesson(path: Path) -> None:
    intro = read(path).cells[0].source
    assert f"](../notebooks/{path.name})" in intro


def test_public_names_are_pinned() -> None:
    import lessonkit.exercises as package

    assert package.__all__ == sorted(package.__all__)
    assert set(package.__all__) == {"ALL", "NOTEBOOKS", *(f"ex{s}" for s in NOTEBOOKS)}
    for module in NOTEBOOKS.values():
        assert module.__doc__ and module.EXERCISES
        for exercise in module.EXERCISES:
            assert 2 <= len(exercise.hints) <= 3, exercise.name
            assert exercise.__doc__ and exercise.reference.__doc__, exercise.name
