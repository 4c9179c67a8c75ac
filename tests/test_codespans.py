"""Backticked code in prose shows as <code> in HTML views and stays backticked in text."""

from __future__ import annotations

from lessonkit import recall
from lessonkit._codespans import rendered
from lessonkit.checks import CheckResult, Status
from lessonkit.checks.results import Hint
from lessonkit.recall.bank import load


def test_spans_become_code_after_escaping() -> None:
    assert rendered("use `a < b` & `c`") == "use <code>a &lt; b</code> &amp; <code>c</code>"
    assert rendered("a lone ` backtick") == "a lone ` backtick"


def test_verdicts_and_hints_render_code_in_html_only() -> None:
    result = CheckResult(Status.INCORRECT, "call `lessonkit.offline()` first")
    assert "<code>lessonkit.offline()</code>" in result._repr_html_()
    assert "`" not in result._repr_html_()
    assert "`lessonkit.offline()`" in str(result)
    assert "<code>q1.hint(2)</code>" in Hint(1, 2, "then `q1.hint(2)`")._repr_html_()


def test_quiz_and_predict_views_show_no_raw_backticks_in_html() -> None:
    for stem in ("00_setup", "01_streaming"):
        bank = load(stem)
        quiz = recall.quiz(stem)
        assert "`" in str(quiz) or all("`" not in q.prompt for q in bank.questions)
        assert "`" not in quiz._repr_html_()
        for prediction in bank.predictions:
            view = recall.predict(stem, prediction.id)
            assert "`" not in view._repr_html_()
            assert "`" not in view.reveal(prediction.answer)
