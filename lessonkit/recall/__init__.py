"""Active recall: "Check yourself" at the end of a lesson, "predict, then run" before a demo.

Each lesson's questions are data, ``lessonkit/recall/<notebook stem>.toml``
(format in :mod:`lessonkit.recall.bank`). In a notebook::

    from lessonkit import recall
    recall.quiz("01_streaming")               # live quiz in JupyterLab; text/HTML elsewhere
    recall.answer("01_streaming", "q1", "b")  # the text path: verdict + explanation
    recall.predict("01_streaming", "p1")      # before a demo cell: commit to a prediction

Answers (from the widget's Check button or from :func:`answer`) are recorded in
the learner's progress as ``recall.01_streaming.q1``; ``lessonkit progress``
counts them per lesson. Predictions are not graded: committing is the point.
"""

from __future__ import annotations

from pathlib import Path

from .bank import BANKS, Bank, BankError, load
from .verdict import Verdict, mark
from .views import PredictView, QuizView

__all__ = ["Bank", "BankError", "PredictView", "QuizView", "Verdict", "answer", "load", "predict",
           "quiz"]  # fmt: skip


def quiz(stem: str, *, folder: Path = BANKS) -> QuizView:
    """The "Check yourself" block of lesson ``stem``: the last expression of a cell.

    >>> recall.quiz("01_streaming")   # doctest: +SKIP
    Check yourself — 01_streaming (8 questions)
    """
    return QuizView(load(stem, folder))


def answer(stem: str, qid: str, value: object, *, folder: Path = BANKS) -> Verdict:
    """Check ``value`` (an option key such as ``"b"``, or a short answer) and record it.

    >>> recall.answer("01_streaming", "q1", "b")   # doctest: +SKIP
    ✓ Correct: message_delta. Its delta holds stop_reason …
    """
    bank = load(stem, folder)
    return Verdict(mark(stem, bank.question(qid), value))


def predict(stem: str, pid: str, *, folder: Path = BANKS) -> PredictView:
    """A prediction to commit to before the next (demo) cell runs.

    >>> recall.predict("02_stop_reasons", "p1")   # doctest: +SKIP
    Predict, then run — The next cell asks for 5 tokens of a long answer. …
    """
    return PredictView(load(stem, folder), load(stem, folder).prediction(pid))
