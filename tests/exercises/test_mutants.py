"""The mutation runner (scripts/mutants.py) classifies mutants as a learner's verdict would.

Cheap checks only: a toy exercise with one mutant its checker catches and one
it cannot, and the committed list of equivalent mutants against the mutants
the current solutions produce. The full run is `make mutants`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from lessonkit.exercises import ALL
from lessonkit.exercises.harness import BehaviourExercise

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import mutants  # noqa: E402

KILLED = "return round(width * height) → return round(None)"
SURVIVING = "return round(width * height) → return round(width / height)"


def area(width: float, height: float) -> int:
    """The area of a rectangle, rounded to whole units."""
    return round(width * height)


class Area(BehaviourExercise):
    """A checker with a hole: one scenario, where dividing gives the same answer."""

    name = "ex00_area"
    title = "Area"
    entry = "area"
    reference = staticmethod(area)
    scenarios = ("a 3 by 1 rectangle",)

    def check_answer(self, answer: Any) -> None:
        with self.scenario("a 3 by 1 rectangle"):
            if answer(3, 1) != 3:
                self.fail("a 3 by 1 rectangle has area 3: multiply width by height.")


def test_a_mutant_the_checker_rejects_is_killed_and_one_it_accepts_survives() -> None:
    verdicts = {v.key: v for v in mutants.run([Area], {})}
    assert {key: v.outcome for key, v in verdicts.items()} == {
        KILLED: "killed",
        SURVIVING: "surviving",
    }
    assert verdicts[KILLED].status == "incorrect"
    assert "round(None)" in verdicts[KILLED].message  # the mutant's own line, as a learner's


def test_a_listed_mutant_that_passes_is_equivalent() -> None:
    why = "3 / 1 == 3 * 1"
    verdicts = mutants.run([Area], {"ex00_area": {SURVIVING: why}})
    assert [(v.outcome, v.why) for v in verdicts if v.key == SURVIVING] == [("equivalent", why)]


def test_the_committed_equivalent_mutants_are_still_made_and_say_why() -> None:
    by_name = {exercise.name: exercise for exercise in ALL}
    for name, listed in mutants.load_equivalent().items():
        assert name in by_name, f"mutants-equivalent.toml: no exercise {name!r}"
        made = {m.key for m in mutants.mutants(by_name[name])}
        assert set(listed) - made == set(), f"{name}: listed mutants no longer made"
        assert all(why.strip() for why in listed.values()), f"{name}: say why"


def test_exercises_are_selected_by_name_prefix() -> None:
    assert [e.name for e in mutants.selected(["ex01_stream"])] == ["ex01_stream_with_request_id"]
    assert mutants.selected([]) == list(ALL)
    with pytest.raises(SystemExit, match="ex99"):
        mutants.selected(["ex99"])


def test_the_report_merges_one_exercise_into_the_last_full_run(tmp_path: Path) -> None:
    first = mutants.run([Area], {})
    mutants.write_report(first, tmp_path)
    again = mutants.run([Area], {"ex00_area": {SURVIVING: "3 / 1 == 3 * 1"}})
    merged = mutants.write_report(again, tmp_path)
    assert len(merged) == 2
    report = json.loads((tmp_path / "mutants.json").read_text(encoding="utf-8"))
    assert report["summary"] == {
        "ex00_area": {"generated": 2, "killed": 1, "equivalent": 1, "surviving": 0, "errors": 0}
    }
    text = (tmp_path / "mutants.md").read_text(encoding="utf-8")
    assert "| ex00_area | 2 | 1 | 1 | 0 | 0 |" in text
    assert "## Surviving (0)" in text
