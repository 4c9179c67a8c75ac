"""Exercises declared as data, and the one wrapper that turns a check into a verdict.

An author subclasses `Exercise`, fills in the data attributes and overrides
`check_answer`, which *raises* to fail. `Exercise.evaluate` does everything else,
in this order: not attempted? -> warm lessonkit up (`warm_up`, untimed) -> run
the check in the time limit -> classify what happened. The limit counts the
check's own CPU time, so a busy or slow machine does not turn a correct answer
into a time-out (see `sandbox`). The learner never sees a lessonkit traceback:

* `AssertionError` raised by checker code -> INCORRECT with its message;
* an exception that passed through learner code -> INCORRECT, showing only the
  learner's exception and their own lines (`NotImplementedError` -> NOT_ATTEMPTED);
* anything else is a bug in lessonkit or the exercise -> ERROR, asking for a report.

"Learner code" is every frame that is not in the lessonkit package, not in the
standard library or site-packages, and not a method of the exercise class (so
checker helpers belong on the class, not beside it at module level).
"""

from __future__ import annotations

import asyncio
import inspect
import linecache
import logging
import os
import sysconfig
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import CodeType, TracebackType
from typing import Any, ClassVar, NoReturn

from .display import cell_name
from .placeholder import PlaceholderReturned, guard, is_not_attempted
from .results import CheckResult, Status
from .sandbox import Finished, Outcome, TimedOut, run_with_timeout

logger = logging.getLogger(__name__)

_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__))) + os.sep
_LIBRARIES = tuple(
    {
        os.path.realpath(sysconfig.get_path(key)) + os.sep
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
    }
)
_MAX_MESSAGE = 300


class Exercise:
    """One exercise, declared as data; subclasses override `check_answer`.

    >>> class Add(Exercise):
    ...     name, title, entry = "ex00_add", "Add two numbers", "add"
    ...     hints = ("Python's `+` adds numbers.",)
    ...     solution = "def add(a, b):\\n    return a + b\\n"
    ...     def check_answer(self, add):
    ...         with self.scenario("add(2, 3)"):
    ...             if add(2, 3) != 5:
    ...                 self.fail("add(2, 3) should be 5: the sum, not the product.")
    >>> print(Add.evaluate(lambda a, b: a * b))
    ✗ Incorrect: add(2, 3) should be 5: the sum, not the product.
      Scenario: add(2, 3)
    """

    name: ClassVar[str]
    title: ClassVar[str]
    entry: ClassVar[str]
    hints: ClassVar[tuple[str, ...]] = ()
    solution: ClassVar[str] = ""
    #: CPU seconds the check may use (correct answers need a small fraction of this).
    timeout: ClassVar[float] = 5.0
    #: Wall seconds before a check that is *waiting* (not computing) is given up on;
    #: ``None``: ``max(60, 10 * timeout)``.
    wall_timeout: ClassVar[float | None] = None

    def __init__(self) -> None:
        self._active: list[str] = []
        self._labels: list[tuple[BaseException, str]] = []

    def check_answer(self, answer: Any) -> Awaitable[None] | None:
        """Raise AssertionError (or call `self.fail`) if `answer` is wrong.

        May be `async def`; it then runs in its own event loop.
        """
        raise NotImplementedError(f"{type(self).__qualname__} must override check_answer")

    @contextmanager
    def scenario(self, label: str) -> Iterator[None]:
        """Label a part of the check, so failures and crashes inside it name it."""
        self._active.append(label)
        try:
            yield
        except BaseException as error:
            if self._scenario_of(error) is None:  # the innermost scenario wins
                self._labels.append((error, label))
            raise
        finally:
            self._active.pop()

    def fail(
        self,
        misconception: str,
        *,
        scenario: str | None = None,
        cause: BaseException | None = None,
    ) -> NoReturn:
        """Fail with what the learner did wrong and why it matters.

        `cause`: the learner's exception the check caught on the way (their code raised
        where it should have returned, or raised the wrong thing). The verdict then
        shows it and the last line of *their* code it passed through, as
        ``Your code raised KeyError: 'x'`` and ``Cell In[4], line 7 in f(): ...``.
        """
        error = AssertionError(misconception)
        if scenario is not None:
            self._labels.append((error, scenario))
        raise error from cause

    def escaped(self, error: BaseException) -> tuple[str, ...]:
        """What a verdict shows of a learner's exception: its text, then their last line."""
        own = _own_code(type(self))
        learner = [
            (code, line, glob)
            for code, line, glob in _frames(error.__traceback__)
            if _kind(code, own) == "learner"
        ]
        shown = (f"Your code raised {_describe(error)}",)
        return shown + ((_where(*learner[-1]),) if learner else ())

    @classmethod
    def validate(cls) -> None:
        """Raise TypeError if the declaration is malformed (called by `bind`)."""
        problems = [
            f"`{attr}` must be a non-empty string"
            for attr in ("name", "title", "entry")
            if not (isinstance(getattr(cls, attr, None), str) and getattr(cls, attr))
        ]
        if not problems and not cls.entry.isidentifier():
            problems.append(f"`entry` must be a Python name, not {cls.entry!r}")
        if not (isinstance(cls.hints, tuple) and all(isinstance(h, str) for h in cls.hints)):
            problems.append("`hints` must be a tuple of strings (mind the trailing comma)")
        if not isinstance(cls.solution, str):
            problems.append("`solution` must be source text")
        if not (isinstance(cls.timeout, int | float) and cls.timeout > 0):
            problems.append("`timeout` must be a positive number of seconds")
        if cls.wall_timeout is not None and not (
            isinstance(cls.wall_timeout, int | float) and cls.wall_timeout > 0
        ):
            problems.append("`wall_timeout` must be None or a positive number of seconds")
        if cls.check_answer is Exercise.check_answer:
            problems.append("`check_answer` must be overridden")
        if problems:
            raise TypeError(f"{cls.__qualname__}: " + "; ".join(problems))

    @classmethod
    def evaluate(cls, answer: object) -> CheckResult:
        """Check `answer` (the learner's function or value) and return the verdict."""
        if is_not_attempted(answer):
            return CheckResult(
                Status.NOT_ATTEMPTED,
                f"Replace the placeholder in `{cls.entry}` with your code, "
                "then run this check again.",
            )
        cls.warm_up()
        checker = cls()
        seen: list[str | None] = []
        outcome = checker._attempt(answer, lambda: seen.append(checker._label()))
        if isinstance(outcome, Finished):
            return CheckResult(Status.CORRECT, f"`{cls.entry}` passed every check.")
        if isinstance(outcome, TimedOut):
            return checker._timed_out(outcome, seen[0] if seen else None)
        return checker._classify(outcome.error)

    @classmethod
    def warm_up(cls) -> None:
        """Do, untimed, the one-off work lessonkit does on first use (imports, caches).

        Called before every check; override to make it do something once.
        """

    def _attempt(
        self,
        answer: object,
        observe: Callable[[], object] | None = None,
        *,
        seconds: float | None = None,
    ) -> Outcome:
        """Run the check in the time limit (or `seconds` of CPU); then offline mode is as before."""
        from .._offline import current  # late: keeps `import lessonkit.checks` light

        before = current()
        try:
            return run_with_timeout(
                lambda: _run(self.check_answer(guard(answer))),
                self.timeout if seconds is None else seconds,
                wall=self.wall_timeout,
                observe=observe,
                name=f"lessonkit-check-{self.name}",
            )
        finally:
            stray = current()  # a session an abandoned check left on: stop it, resume `before`
            if stray is not None and stray is not before:
                stray.stop()

    def _label(self) -> str | None:
        return self._active[-1] if self._active else None

    def _timed_out(self, outcome: TimedOut, label: str | None) -> CheckResult:
        """Say what was still running: the learner's own loop, a call it made, or a wait."""
        own = _own_code(type(self))
        frames = [(_kind(code, own), code, line, glob) for code, line, glob in outcome.stack]
        learner = [frame for frame in frames if frame[0] == "learner"]
        innermost = next((kind for kind, *_ in reversed(frames) if kind != "library"), None)
        details = _scenario_detail(label)
        if learner:
            _, code, line, glob = learner[-1]
            details += (f"Still running: {_where(code, line, glob)}",)
        limit = f"{outcome.seconds:g} s"
        if outcome.waiting:
            message = (
                f"`{self.entry}` waited {limit} for a call that never returned "
                "(input(), a lock, a network read?)."
            )
        elif innermost == "learner":
            message = (
                f"`{self.entry}` was still running your code after {limit} of computing "
                "— is there an infinite polling loop?"
            )
        elif learner:
            message = (
                f"`{self.entry}` was still inside a call your code made after {limit} of computing."
            )
        else:
            message = f"Checking `{self.entry}` did not finish within {limit} of computing."
        if outcome.stuck:
            message += (
                " That call is still running: restart the kernel "
                "(Kernel → Restart) before you check again."
            )
        return CheckResult(Status.INCORRECT, message, details)

    def _scenario_of(self, error: BaseException) -> str | None:
        return next((label for seen, label in self._labels if seen is error), None)

    def _classify(self, error: BaseException) -> CheckResult:
        scenario = _scenario_detail(self._scenario_of(error))
        if isinstance(error, PlaceholderReturned):
            return CheckResult(
                Status.NOT_ATTEMPTED,
                f"`{self.entry}` still returns the placeholder `____` — "
                "replace it with your code, then run this check again.",
                scenario,
            )
        own = _own_code(type(self))
        frames = [
            (_kind(code, own), code, line, glob)
            for code, line, glob in _frames(error.__traceback__)
        ]
        ours = [frame for frame in frames if frame[0] == "ours"]
        learner = [frame for frame in frames if frame[0] == "learner"]
        innermost = next((kind for kind, *_ in reversed(frames) if kind != "library"), None)
        if isinstance(error, AssertionError) and innermost == "ours":
            message = str(error) or f"`{self.entry}` gave a wrong answer."
            cause = error.__cause__
            shown = self.escaped(cause) if cause is not None else ()
            return CheckResult(Status.INCORRECT, message, scenario + shown)
        if learner:
            if isinstance(error, NotImplementedError):
                return CheckResult(
                    Status.NOT_ATTEMPTED,
                    f"Your code still raises NotImplementedError — finish `{self.entry}`, "
                    "then run this check again.",
                    scenario,
                )
            return CheckResult(
                Status.INCORRECT,
                f"Your code raised {_describe(error)}",
                scenario + tuple(_where(code, line, glob) for _, code, line, glob in learner[-5:]),
            )
        logger.debug("lessonkit bug while checking %s", self.name, exc_info=error)
        place = ""
        if ours:
            _, code, line, _ = ours[-1]
            place = f" (at {os.path.basename(code.co_filename)}:{line})"
        return CheckResult(
            Status.ERROR,
            "lessonkit failed while checking your answer. "
            "This is a lessonkit bug, not your mistake — please report it.",
            (_describe(error) + place,),
        )


def _run(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        asyncio.run(_await(result))


async def _await(awaitable: Awaitable[None]) -> None:
    await awaitable


def _scenario_detail(label: str | None) -> tuple[str, ...]:
    return (f"Scenario: {label}",) if label else ()


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _frames(tb: TracebackType | None) -> Iterator[tuple[CodeType, int, dict[str, Any]]]:
    while tb is not None:
        yield tb.tb_frame.f_code, tb.tb_lineno, tb.tb_frame.f_globals
        tb = tb.tb_next


def _where(code: CodeType, line: int, module_globals: dict[str, Any]) -> str:
    """``Cell In[4], line 7 in f(): source``: where a learner's frame was, as IPython says it."""
    source = linecache.getline(code.co_filename, line, module_globals).strip()
    place = f"line {line}" if code.co_name == "<module>" else f"line {line} in {code.co_name}()"
    cell = cell_name(code.co_filename)
    place = f"{cell}, {place}" if cell else place
    return f"{place}: {source}" if source else place


def _kind(code: CodeType, own: frozenset[CodeType]) -> str:
    """Whose frame: "ours" (lessonkit or the exercise), "library" or "learner"."""
    if code in own:
        return "ours"
    filename = code.co_filename
    if filename.startswith("<"):  # <ipython-input-…> and <string> are learner code
        return "library" if filename.startswith("<frozen") else "learner"
    path = os.path.realpath(filename)
    if path.startswith(_PACKAGE):
        return "ours"
    return "library" if path.startswith(_LIBRARIES) else "learner"


def _own_code(cls: type[Exercise]) -> frozenset[CodeType]:
    """Code objects of the exercise class's methods (and everything nested in them)."""
    found: set[CodeType] = set()
    pending: list[object] = []
    for klass in cls.__mro__:
        for member in vars(klass).values():
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__
            if isinstance(member, property):
                pending.extend((member.fget, member.fset, member.fdel))
            else:
                pending.extend((member, getattr(member, "__wrapped__", None)))
    while pending:
        item = pending.pop()
        code = getattr(item, "__code__", item)
        if isinstance(code, CodeType) and code not in found:
            found.add(code)
            pending.extend(code.co_consts)
    return frozenset(found)
