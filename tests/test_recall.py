"""recall.quiz / answer / predict: verdicts, progress, deterministic text and HTML, live widgets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lessonkit import recall
from lessonkit.checks import ____, progress
from lessonkit.checks.results import Status
from lessonkit.recall import tally as tally_module
from lessonkit.recall.bank import load
from lessonkit.recall.tally import tally
from lessonkit.recall.verdict import judge

FIXTURES = Path(__file__).parent / "recall_banks"
STEM = "99_fixture"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def progress_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "progress.json"
    monkeypatch.setenv("LESSONKIT_PROGRESS", str(path))
    return path


def recorded(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    exercises: dict[str, Any] = json.loads(path.read_text())["exercises"]
    return exercises


@pytest.mark.parametrize(
    ("qid", "value", "status", "words"),
    [
        ("q1", "b", Status.CORRECT, "message_delta. message_delta's delta holds stop_reason"),
        ("q1", " B ", Status.CORRECT, "message_delta."),
        ("q1", "message_delta", Status.CORRECT, "message_delta."),
        ("q1", "a", Status.INCORRECT, "message_stop: It ends the stream but carries no fields."),
        ("q1", "z", Status.NOT_ATTEMPTED, "'z' is not one of the options of q1: answer with a key"),
        ("q1", "", Status.NOT_ATTEMPTED, "q1: no answer yet."),
        ("q1", None, Status.NOT_ATTEMPTED, "q1: no answer yet."),
        ("q1", ____, Status.NOT_ATTEMPTED, "q1: no answer yet."),
        ("q2", " 529 ", Status.CORRECT, "529. 529 overloaded_error is platform-wide"),
        ("q2", 529, Status.CORRECT, "529."),
        ("q2", "429", Status.INCORRECT, "'429' is not it. Hint: Not 429: this one is a 5xx"),
    ],
)
def test_verdicts(qid: str, value: Any, status: Status, words: str) -> None:
    result = judge(load(STEM, FIXTURES).question(qid), value)
    assert result.status is status
    assert words in result.message


def test_a_wrong_choice_does_not_give_the_answer_away() -> None:
    result = judge(load(STEM, FIXTURES).question("q1"), "c")
    assert "message_delta" not in result.message and "Try another option" in result.message


def test_answer_records_real_attempts_only(progress_file: Path) -> None:
    wrong = recall.answer(STEM, "q1", "a", folder=FIXTURES)
    right = recall.answer(STEM, "q1", "b", folder=FIXTURES)
    recall.answer(STEM, "q1", "zz", folder=FIXTURES)  # not an option: not counted
    assert not wrong and right and right.status is Status.CORRECT
    entry = recorded(progress_file)["recall.99_fixture.q1"]
    assert (entry["attempts"], entry["status"]) == (2, "correct")
    assert entry["first_passed"]
    assert "recall.99_fixture.q2" not in recorded(progress_file)


def test_answer_displays_once_as_text_and_html(progress_file: Path) -> None:
    verdict = recall.answer(STEM, "q2", "529", folder=FIXTURES)
    assert repr(verdict) == str(verdict) == str(verdict.result)
    assert repr(verdict).startswith("✓ Correct: 529.")
    assert verdict._repr_html_() == verdict.result._repr_html_()


def test_a_broken_progress_file_warns_but_the_verdict_stands(progress_file: Path) -> None:
    progress_file.write_text("not json")
    with pytest.warns(UserWarning, match="could not save your progress"):
        verdict = recall.answer(STEM, "q1", "b", folder=FIXTURES)
    assert verdict


def test_quiz_text_lists_questions_without_answers() -> None:
    text = str(recall.quiz(STEM, folder=FIXTURES))
    assert text.splitlines()[:5] == [
        "Check yourself — 99_fixture (2 questions)",
        "",
        "q1. Which stream event carries the final stop_reason?",
        "    a) message_stop",
        "    b) message_delta",
    ]
    assert "    (short answer)" in text
    assert 'recall.answer("99_fixture", "q1", "...")' in text
    assert "holds stop_reason" not in text and "your own bursts" not in text  # no explanations
    assert "carries no fields" not in text  # no option's why either
    assert max(len(line) for line in text.splitlines()) <= 80


def test_predict_text_asks_before_it_tells() -> None:
    view = recall.predict(STEM, "p1", folder=FIXTURES)
    text = str(view)
    assert text.startswith("Predict, then run — The next cell asks for 5 tokens")
    assert "    b) max_tokens" in text
    assert text.endswith("Commit to one answer, then run the next cell to check.")
    assert "token budget" not in text + view._repr_html_()
    assert repr(view) == text
    assert repr(recall.quiz(STEM, folder=FIXTURES)) == str(recall.quiz(STEM, folder=FIXTURES))


def test_views_are_the_same_bytes_every_time() -> None:
    for make in (
        lambda: recall.quiz(STEM, folder=FIXTURES),
        lambda: recall.predict(STEM, "p1", folder=FIXTURES),
    ):
        first, second = make(), make()
        assert str(first) == str(second) and first._repr_html_() == second._repr_html_()


def test_mimebundle_has_the_widget_and_the_text_nbval_compares() -> None:
    quiz = recall.quiz(STEM, folder=FIXTURES)
    bundle = quiz._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW, "text/plain", "text/html"}
    assert bundle["text/plain"] == str(quiz) and bundle["text/html"] == quiz._repr_html_()
    assert WIDGET_VIEW in recall.predict(STEM, "p1", folder=FIXTURES)._repr_mimebundle_()


HOSTILE = """
[[question]]
id = "q1"
kind = "choice"
prompt = "Is <script>alert(1)</script> & co safe?"
answer = "a"
explain = "Escape <b>everything</b>."
options = [
  { key = "a", text = "<i>yes</i>" },
  { key = "b", text = "no & never", why = "<img src=x onerror=alert(1)>" },
]

[[predict]]
id = "p1"
prompt = "<svg onload=alert(1)>?"
options = ["<a>", "b"]
answer = "<a>"
explain = "<script>x</script>"
"""


def test_every_learner_visible_string_is_escaped(tmp_path: Path, progress_file: Path) -> None:
    (tmp_path / "01_x.toml").write_text(HOSTILE, encoding="utf-8")
    pages = [
        recall.quiz("01_x", folder=tmp_path)._repr_html_(),
        recall.predict("01_x", "p1", folder=tmp_path)._repr_html_(),
        recall.predict("01_x", "p1", folder=tmp_path).reveal("<a>"),
        recall.answer("01_x", "q1", "b", folder=tmp_path)._repr_html_(),
        recall.answer("01_x", "q1", "<b>", folder=tmp_path)._repr_html_(),
    ]
    for page in pages:
        assert "<script" not in page and "<img" not in page and "<svg" not in page
        assert "<i>yes" not in page and "<a>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in pages[0]


def test_quiz_widget_checks_each_question_and_records_it(progress_file: Path) -> None:
    box = recall.quiz(STEM, folder=FIXTURES).widget()
    title, first, second = box.children
    assert "Check yourself — 99_fixture" in title.value
    prompt, radio, button, feedback = first.children
    assert radio.value is None and feedback.value == ""  # nothing chosen, nothing told
    assert [label for label, _ in radio.options] == [
        "a) message_stop", "b) message_delta", "c) content_block_stop"
    ]  # fmt: skip
    button.click()
    assert "Not attempted" in feedback.value
    radio.value = "c"
    button.click()
    assert "Incorrect" in feedback.value and "It closes one block" in feedback.value
    radio.value = "b"
    button.click()
    assert "Correct" in feedback.value
    _, text, check, said = second.children
    text.value = "529"
    check.click()
    assert "Correct" in said.value
    entries = recorded(progress_file)
    assert entries["recall.99_fixture.q1"]["attempts"] == 2
    assert entries["recall.99_fixture.q2"]["status"] == "correct"


def test_predict_widget_reveals_only_after_a_choice() -> None:
    box = recall.predict(STEM, "p1", folder=FIXTURES).widget()
    prompt, choices, feedback = box.children
    assert "Predict, then run" in prompt.value
    assert feedback.value == "" and not choices.disabled
    choices.value = "end_turn"
    assert choices.disabled  # committed: no changing the prediction after the reveal
    assert "Not quite" in feedback.value and "the answer is <i>max_tokens</i>" in feedback.value
    assert "token budget &lt;mid-sentence&gt;" in feedback.value
    choices.value = None  # reset from code: the reveal stays
    assert "Not quite" in feedback.value


def test_predict_widget_says_right_for_the_right_answer() -> None:
    box = recall.predict(STEM, "p1", folder=FIXTURES).widget()
    box.children[1].value = "max_tokens"
    assert "<b>Right.</b>" in box.children[2].value


def test_progress_counts_recall_per_lesson(
    progress_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recall.answer(STEM, "q1", "b", folder=FIXTURES)
    recall.answer(STEM, "q2", "1", folder=FIXTURES)
    passed = {n for n, e in progress.load().items() if e.first_passed}
    assert tally(passed, FIXTURES) == {STEM: (1, 2)}
    monkeypatch.setattr(tally_module, "tally", lambda done: tally(done, FIXTURES))
    table = progress.summary()
    assert all(not name.startswith("recall.") for name, _ in table.rows)  # not exercise rows
    assert table.recall == {STEM: (1, 2)}
    assert "  99_fixture  1 of 2 right" in str(table)
    assert progress.summary(["ex01_streaming"]).recall is None  # only for the whole course


def test_summary_prints_the_recall_lines() -> None:
    table = progress.ProgressSummary((), None, {"01_streaming": (3, 8), "02_stop_reasons": (0, 6)})
    assert str(table).splitlines()[-3:] == [
        "Check yourself, by lesson:",
        "  01_streaming     3 of 8 right",
        "  02_stop_reasons  0 of 6 right",
    ]
    assert "<pre>  01_streaming     3 of 8 right</pre>" in table._repr_html_()
