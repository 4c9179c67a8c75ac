"""Checkers for the exercise notebooks in ``exercises/``, one module per notebook.

A notebook binds its exercises explicitly::

    from lessonkit.checks import bind
    from lessonkit.exercises import ex04_retries
    q1, q2, q3 = bind(globals(), *ex04_retries.EXERCISES)

Each checker runs the learner's function against a matrix of scenarios on a
fresh ``lessonkit.offline()`` and judges what it *did* (requests, waits, side
effects, return value, raised error). Model solutions are the reference
functions in these modules; see :mod:`lessonkit.exercises.sourcing`.
"""

from __future__ import annotations

from . import ex04_retries

__all__ = ["ex04_retries"]
