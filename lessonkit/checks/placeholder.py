"""The `____` placeholder, and how the framework tells "not attempted" from "wrong".

A stub is one of `answer = ____`, `return ____`, `pass`, `...`,
`raise NotImplementedError(...)` or `raise NotAttempted` (what the student
release writes: a `NotImplementedError` that IPython shows as one friendly
line). "Attempted?" is always decided before "correct?", so an untouched stub
earns a gentle "not attempted", never a failure.

Two detections work together:
* statically, `is_not_attempted` compares a function's bytecode with stubs
  compiled by this interpreter (so it follows bytecode changes between Python
  versions; docstrings and argument lists do not matter);
* dynamically, `guard` wraps the learner's function so returning `____` raises
  `PlaceholderReturned`; the checker treats `NotImplementedError` raised by
  learner code the same way, and `____.anything` raises `NotAttempted`.
"""

from __future__ import annotations

import dis
import functools
import inspect
from collections.abc import Callable
from types import CodeType
from typing import Any, Final, NoReturn, TypeVar, cast, final

T = TypeVar("T")


class NotAttempted(NotImplementedError):
    """Raised by an unwritten stub: a `NotImplementedError` that says so in one line.

    IPython shows `_render_traceback_` instead of a traceback, so a "try it"
    cell calling a stub reads as a to-do, not a crash; the release tags such
    cells `raises-exception`, so Run All goes on to the checks.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*args or ("your code here",))

    def _render_traceback_(self) -> list[str]:
        tb, name = self.__traceback__, None
        while tb is not None:  # the innermost function is the stub that raised
            name, tb = tb.tb_frame.f_code.co_name, tb.tb_next
        what = f"`{name}` is" if name and not name.startswith("<") else "this is"
        return [
            f"… Not attempted: {what} not written yet ({self}). Write it, run its cell, "
            "then run this cell again."
        ]


@final
class _Placeholder:
    """Type of `____`: a singleton that refuses to be used as a value."""

    _instance: _Placeholder | None = None

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __reduce__(self) -> str:
        return "____"  # copy and pickle give back the singleton

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise NotAttempted("replace ____ with your code")

    __call__ = __getitem__ = __iter__ = _refuse

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("_"):  # keep hasattr/copy/IPython probes working
            raise AttributeError(name)
        self._refuse()


____: Final = _Placeholder()


class PlaceholderReturned(BaseException):
    """The learner's function returned `____`.

    A BaseException so that a checker's `except Exception` cannot swallow it.
    """


_STUB_BODIES = (
    "pass",
    "raise NotImplementedError",
    "raise NotImplementedError()",
    "raise NotImplementedError('your code here')",
    "return ____",
    "raise NotAttempted",
    "raise NotAttempted()",
)
_IGNORED_OPS = frozenset({"RESUME", "NOP", "CACHE", "EXTENDED_ARG", "COPY_FREE_VARS", "MAKE_CELL"})


def _shape(code: CodeType) -> tuple[tuple[str, object], ...]:
    """Instructions with their resolved arguments; any message string is a wildcard."""
    shape = []
    for ins in dis.get_instructions(code):
        if ins.opname in _IGNORED_OPS:
            continue
        message = ins.opname == "LOAD_CONST" and isinstance(ins.argval, str)
        shape.append((ins.opname, "<str>" if message else ins.argval))
    return tuple(shape)


def _compile_stubs() -> frozenset[tuple[tuple[str, object], ...]]:
    shapes = set()
    for body in _STUB_BODIES:
        for prefix in ("def", "async def"):
            namespace: dict[str, Any] = {}
            exec(f"{prefix} stub(*args, **kwargs):\n    {body}\n", namespace)
            shapes.add(_shape(namespace["stub"].__code__))
    return frozenset(shapes)


_STUB_SHAPES: Final = _compile_stubs()


def is_not_attempted(value: object, _depth: int = 0) -> bool:
    """True for `____`, containers holding it, and functions whose body is only a stub.

    >>> is_not_attempted(____), is_not_attempted(lambda: 42)
    (True, False)
    """
    if value is ____:
        return True
    if _depth < 3 and isinstance(value, list | tuple | set | frozenset):
        return any(is_not_attempted(item, _depth + 1) for item in value)
    if _depth < 3 and isinstance(value, dict):
        return any(is_not_attempted(item, _depth + 1) for item in value.values())
    if inspect.ismethod(value):
        value = value.__func__
    if not inspect.isfunction(value):
        return False  # classes and callable objects are judged when called
    function = inspect.unwrap(value)
    return inspect.isfunction(function) and _shape(function.__code__) in _STUB_SHAPES


def guard(value: T) -> T:
    """Wrap a plain or async function so that returning a placeholder raises.

    Anything else (values, classes, generators) is returned unchanged.
    """
    if inspect.iscoroutinefunction(value):
        afunc = cast(Callable[..., Any], value)

        @functools.wraps(afunc)
        async def guarded_async(*args: Any, **kwargs: Any) -> Any:
            return _checked(await afunc(*args, **kwargs))

        return cast(T, guarded_async)
    if (inspect.isfunction(value) or inspect.ismethod(value)) and not (
        inspect.isgeneratorfunction(value) or inspect.isasyncgenfunction(value)
    ):
        func = cast(Callable[..., Any], value)

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            return _checked(func(*args, **kwargs))

        return cast(T, guarded)
    return value


def _checked(result: T) -> T:
    if is_not_attempted(result):
        raise PlaceholderReturned
    return result
