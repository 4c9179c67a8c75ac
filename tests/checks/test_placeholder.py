"""The `____` placeholder and "not attempted" detection."""

from __future__ import annotations

import asyncio
import copy
import functools
import inspect
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from lessonkit.checks import ____, is_not_attempted
from lessonkit.checks.placeholder import NotAttempted, PlaceholderReturned, guard


def stub_pass(a: int, b: int) -> None:
    pass


def stub_ellipsis(a: int, b: int) -> None: ...


def stub_docstring(a: int) -> None:
    """Add one to a."""
    pass


def stub_raise(a: int) -> int:
    raise NotImplementedError


def stub_raise_call(a: int) -> int:
    raise NotImplementedError()


def stub_raise_message(a: int) -> int:
    """Docstring before the stub."""
    raise NotImplementedError("your code here")


def stub_placeholder(a: int) -> Any:
    return ____


async def stub_async(a: int) -> int:
    raise NotImplementedError


async def stub_async_placeholder(a: int) -> Any:
    return ____


def real_add(a: int, b: int) -> int:
    return a + b


def real_partial(a: int) -> int:
    if a < 0:
        raise NotImplementedError("negative numbers")
    return a


class Stubs:
    def method(self) -> None:
        raise NotImplementedError


def make_closure_stub() -> Callable[[], None]:
    captured = 1

    def inner() -> None:
        nonlocal captured
        raise NotImplementedError

    return inner


@functools.wraps(stub_raise)
def wrapped_stub(a: int) -> int:
    return stub_raise(a)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (____, True),
        ([1, ____], True),
        ({"model": ____}, True),
        ((1, (2, ____)), True),
        (stub_pass, True),
        (stub_ellipsis, True),
        (stub_docstring, True),
        (stub_raise, True),
        (stub_raise_call, True),
        (stub_raise_message, True),
        (stub_placeholder, True),
        (stub_async, True),
        (stub_async_placeholder, True),
        (Stubs().method, True),
        (make_closure_stub(), True),
        (wrapped_stub, True),
        (lambda: None, True),
        (real_add, False),
        (real_partial, False),
        (lambda a: a, False),
        (None, False),
        (0, False),
        ("", False),
        ([], False),
        ({"model": "claude"}, False),
        (Stubs, False),
        (print, False),
    ],
)
def test_is_not_attempted(value: object, expected: bool) -> None:
    assert is_not_attempted(value) is expected


def test_placeholder_is_a_singleton_with_a_clear_repr() -> None:
    assert repr(____) == "____"
    assert copy.deepcopy(____) is ____
    assert pickle.loads(pickle.dumps(____)) is ____
    assert type(____)() is ____


@pytest.mark.parametrize(
    "use", [lambda p: p.content, lambda p: p(), lambda p: p[0], lambda p: list(p)]
)
def test_using_the_placeholder_raises_not_implemented(use: Callable[[Any], object]) -> None:
    with pytest.raises(NotImplementedError, match="replace ____"):
        use(____)


def test_private_attribute_probes_stay_attribute_errors() -> None:
    assert not hasattr(____, "_repr_html_")


def test_guard_raises_when_the_placeholder_is_returned() -> None:
    with pytest.raises(PlaceholderReturned):
        guard(stub_placeholder)(1)
    with pytest.raises(PlaceholderReturned):
        guard(lambda: {"text": ____})()
    assert guard(real_add)(2, 3) == 5


def test_guard_keeps_async_functions_async() -> None:
    guarded = guard(stub_async_placeholder)
    assert inspect.iscoroutinefunction(guarded)
    with pytest.raises(PlaceholderReturned):
        asyncio.run(guarded(1))

    async def real(a: int) -> int:
        return a

    assert asyncio.run(guard(real)(4)) == 4


@pytest.mark.parametrize("value", [42, Stubs, print])
def test_guard_leaves_other_values_alone(value: object) -> None:
    assert guard(value) is value


def test_guard_leaves_generator_functions_alone() -> None:
    def numbers() -> Any:
        yield 1

    assert guard(numbers) is numbers


def released_stub(a: int) -> None:
    raise NotAttempted  # your code here


def test_a_released_stub_is_not_attempted_and_shows_one_line() -> None:
    assert is_not_attempted(released_stub)
    with pytest.raises(NotImplementedError) as caught:  # still what learners expect
        released_stub(1)
    assert caught.value._render_traceback_() == [  # what IPython shows instead of a traceback
        "… Not attempted: `released_stub` is not written yet (your code here). "
        "Write it, run its cell, then run this cell again."
    ]


def test_using_the_placeholder_raises_not_attempted() -> None:
    with pytest.raises(NotAttempted, match="replace ____ with your code"):
        ____.upper()
