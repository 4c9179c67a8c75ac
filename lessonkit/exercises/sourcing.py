"""Single-sourced solutions: the reference function in a checker module is the only copy.

Each exercise's model solution is a real, typed, linted function in its checker
module (``lessonkit/exercises/exNN_*.py``). From it:

* ``Exercise.solution`` (what ``q1.solution()`` shows) is its source text;
* the exercise cell of the source notebook (``exercises/source/NN_*.ipynb``) is
  :func:`marked_cell` of it: signature and docstring as the learner sees them,
  the body between ``### BEGIN SOLUTION`` / ``### END SOLUTION``.
  ``scripts/build_exercises.py`` writes those cells; a test proves they agree.

So nothing is ever copied by hand between a notebook and a module.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from ..checks.markers import BEGIN, END

__all__ = ["marked_cell", "solution_source"]


def solution_source(function: Callable[..., Any]) -> str:
    """The source text of `function`, dedented, ending in one newline."""
    return textwrap.dedent(inspect.getsource(function)).rstrip() + "\n"


def marked_cell(function: Callable[..., Any]) -> str:
    """`function`'s source with its body (after the docstring) inside solution markers.

    >>> def double(x: int) -> int:
    ...     '''Twice x.'''
    ...     return 2 * x
    >>> print(marked_cell(double), end="")  # doctest: +SKIP
    def double(x: int) -> int:
        '''Twice x.'''
        ### BEGIN SOLUTION
        return 2 * x
        ### END SOLUTION
    """
    source = solution_source(function)
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        raise TypeError(f"{function!r} is not a function")
    body = node.body
    first = body[0]
    documented = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if documented and len(body) == 1:
        raise ValueError(f"{node.name} has a docstring but no body to hide")
    after = (first.end_lineno or first.lineno) if documented else node.body[0].lineno - 1
    indent = " " * body[-1].col_offset
    lines = source.splitlines()
    return "\n".join(
        [*lines[:after], indent + BEGIN, *lines[after:], indent + END]
    ) + "\n"
