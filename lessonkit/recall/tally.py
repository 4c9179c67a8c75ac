"""Recall answers counted per lesson, for ``lessonkit progress``.

Answers are kept in the progress file beside the exercises, named
``recall.<lesson>.<id>`` (:func:`lessonkit.recall.verdict.progress_name`); a
question counts once it was answered right at least once. Lessons are the
committed banks, so "3 of 8" counts the questions the lesson really has.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .bank import BANKS, load, stems
from .verdict import progress_name

__all__ = ["PREFIX", "tally"]

#: Progress names of recall answers start with this.
PREFIX = "recall."


def tally(passed: set[str], folder: Path = BANKS) -> Mapping[str, tuple[int, int]]:
    """Lesson -> (questions answered right, questions), for every bank in ``folder``.

    ``passed`` holds the progress names that were ever answered correctly.
    """
    counts = {}
    for stem in stems(folder):
        names = [progress_name(stem, q.id) for q in load(stem, folder).questions]
        counts[stem] = (sum(name in passed for name in names), len(names))
    return counts
