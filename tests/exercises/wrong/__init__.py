"""Wrong answers, one per misconception a checker names: learner code, kept as fixtures.

Each module registers its functions with :func:`wrong`; the tests run every
one through its exercise and expect INCORRECT with that misconception's text.
They live under ``tests/`` (not in the lessonkit package) so the checker sees
them exactly as it sees a learner's notebook code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Wrong:
    """One wrong answer: the function, the misconception it shows, where it shows."""

    exercise: type
    key: str
    function: Callable[..., Any]
    scenario: str | None = None


REGISTRY: list[Wrong] = []


def wrong(exercise: type, key: str, *, scenario: str | None = None) -> Callable[[F], F]:
    """Register the decorated function as a wrong answer to `exercise` showing `key`."""

    def register(function: F) -> F:
        REGISTRY.append(Wrong(exercise, key, function, scenario))
        return function

    return register
