"""The verdict-shape rule (:mod:`.verdicts`) on its own: what it rejects and accepts.

``test_contract.py`` applies it to the verdict of every wrong answer, in the
same check that the answer is rejected with its misconception.
"""

from __future__ import annotations

import pytest

from . import verdicts


@pytest.mark.parametrize(
    ("message", "details"),
    [
        ("created 0 batches for one run: submit all requests in one batch.", ()),
        ("slept 0 time(s) for 1 retr(ies).", ("Scenario: s",)),
        ("logged model 'x'; the response says 'y'.", ("Scenario: s",)),
        ("answered 'a'; expected 'b'.", ("Scenario: s",)),
        ("Wrong. Very wrong. Also wrong: fix it.", ("Scenario: s",)),
        ("bad: return X.", ("Scenario: s",)),
    ],
)
def test_the_rule_rejects_verdicts_without_the_shape(
    message: str, details: tuple[str, ...]
) -> None:
    assert verdicts.problems(message, details) != []


@pytest.mark.parametrize(
    "message",
    [
        "created 4 batches for one run: submit all requests in one batch.",
        "logged request_id 'req_1' for both calls: every request has its own id, so read "
        "this call's message._request_id each time.",
        "waited 16 s before retry 5: cap the backoff at 8 s (min(8, 0.5 * 2**n)).",
        "returned 'Done. Really.' after a failed call: log it, then re-raise the error.",
        "waited with time.sleep instead of the `sleep` you were given.",
    ],
)
def test_the_rule_accepts_verdicts_with_the_shape(message: str) -> None:
    assert verdicts.problems(message, ("Scenario: s",)) == []
