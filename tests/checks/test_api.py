"""Pin the public API of lessonkit.checks: changing it must be deliberate."""

from __future__ import annotations

import lessonkit.checks


def test_public_names_are_pinned_and_sorted() -> None:
    assert lessonkit.checks.__all__ == [
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
    assert lessonkit.checks.__all__ == sorted(lessonkit.checks.__all__)
    for name in lessonkit.checks.__all__:
        assert getattr(lessonkit.checks, name).__doc__, f"{name} needs a docstring"
