"""CheckResult, Hint and Solution: truthiness, plain text, escaped HTML."""

from __future__ import annotations

import pytest

from lessonkit.checks import CheckResult, Hint, Solution, Status

XSS = "<script>alert('x')</script>"


@pytest.mark.parametrize(
    ("status", "truthy", "prefix"),
    [
        (Status.CORRECT, True, "✓ Correct: "),
        (Status.INCORRECT, False, "✗ Incorrect: "),
        (Status.NOT_ATTEMPTED, False, "… Not attempted: "),
        (Status.ERROR, False, "⚠ Error: "),
    ],
)
def test_truthiness_and_text(status: Status, truthy: bool, prefix: str) -> None:
    result = CheckResult(status, "msg", ("one", "two"))
    assert bool(result) is truthy
    assert str(result) == f"{prefix}msg\n  one\n  two"


def test_result_is_frozen() -> None:
    result = CheckResult(Status.CORRECT, "ok")
    with pytest.raises(AttributeError):
        result.message = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "shown",
    [
        CheckResult(Status.INCORRECT, XSS),
        CheckResult(Status.INCORRECT, "fine", (XSS,)),
        Hint(1, 1, XSS),
        Solution(XSS, "x = 1"),
        Solution("title", XSS),
    ],
)
def test_html_escapes_every_value(shown: CheckResult | Hint | Solution) -> None:
    html = shown._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_html_names_the_verdict() -> None:
    assert "Not attempted:" in CheckResult(Status.NOT_ATTEMPTED, "m")._repr_html_()


def test_hint_and_solution_text() -> None:
    assert str(Hint(2, 3, "Use a loop.")) == "Hint 2 of 3: Use a loop."
    assert str(Solution("Add", "def add(a, b):\n    return a + b\n")) == (
        "Solution: Add\n\ndef add(a, b):\n    return a + b\n"
    )
    assert "<pre><code>def add" in Solution("Add", "def add(a, b): ...")._repr_html_()
