"""The exercise checker framework: exercises as data, verdicts as values.

Authors subclass `Exercise`; notebooks call `bind(globals(), ...)` once and then
`q1.check()`, `q1.hint()`, `q1.solution()`. Progress helpers live in
`lessonkit.checks.progress`; student notebooks are made by `release_all`.
"""

from __future__ import annotations

from .binding import BoundExercise, bind
from .exercise import Exercise
from .markers import MarkerError, strip_solutions
from .placeholder import NotAttempted, ____, is_not_attempted
from .progress import ProgressSummary
from .release import release_all, release_notebook
from .results import CheckResult, Hint, Solution, Status

__all__ = [
    "BoundExercise",
    "CheckResult",
    "Exercise",
    "Hint",
    "MarkerError",
    "NotAttempted",
    "ProgressSummary",
    "Solution",
    "Status",
    "____",
    "bind",
    "is_not_attempted",
    "release_all",
    "release_notebook",
    "strip_solutions",
]
