"""What every behavioural checker needs: fresh sessions, recorded sleeps, declared feedback.

A checker never trusts what a learner's function *says* it did; it runs the
function against a fresh :func:`lessonkit.offline` API per scenario and looks
at the effects: ``api.requests``, the waits handed to an injected ``sleep``,
side effects on objects it passed in, the value returned or the error raised.
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

import anthropic

from .. import models
from .._offline import offline
from ..checks.exercise import Exercise
from ..fakeapi.app import FakeAPI, RecordedRequest
from .sourcing import solution_source

__all__ = [
    "MUTATED_MESSAGES",
    "BehaviourExercise",
    "Outcome",
    "SleepLog",
    "Runaway",
    "async_client",
    "attempt",
    "client",
    "describe",
    "fresh",
    "kept",
    "messages_sent",
    "params",
    "used_time_sleep",
]

MESSAGES = "/v1/messages"
#: Exercises whose reference solution has run once in this process (see ``warm_up``).
_WARM: set[type[BehaviourExercise]] = set()
_WARM_UP_SECONDS = 120.0


class BehaviourExercise(Exercise):
    """An `Exercise` with a reference solution, named scenarios and named misconceptions.

    * ``reference`` (a ``staticmethod``) is the model solution; ``solution`` is
      its source, so the two can never drift apart.
    * ``scenarios`` lists every label ``check_answer`` may run under, and
      ``misconceptions`` maps a key to the feedback for one wrong idea; tests
      prove each has a wrong implementation that triggers it.
    """

    reference: ClassVar[Any] = None
    scenarios: ClassVar[tuple[str, ...]] = ()
    misconceptions: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        reference = cls.__dict__.get("reference")
        if isinstance(reference, staticmethod):
            cls.solution = solution_source(reference.__func__)

    @classmethod
    def warm_up(cls) -> None:
        """Check the reference solution once per process, untimed, before any answer is timed.

        A first check loads what lessonkit and the SDK load lazily (jsonschema for
        tool inputs, the SDK's response models, TLS, the fake's caches): seconds of
        CPU on a slow machine, which must not count against a learner's answer.
        """
        if cls.reference is None or cls in _WARM:
            return
        _WARM.add(cls)
        # Generous: an import cut short is undone and would be paid again. The verdict does
        # not matter here (the contract tests prove every reference passes).
        cls()._attempt(cls.reference, seconds=_WARM_UP_SECONDS)

    def scenario(self, label: str) -> Any:
        """Label part of the check; only declared scenarios are allowed (tests count them)."""
        if label not in type(self).scenarios:
            raise LookupError(f"{type(self).__name__}: undeclared scenario {label!r}")
        return super().scenario(label)

    def wrong(
        self, misconception: str, /, *, cause: BaseException | None = None, **details: object
    ) -> NoReturn:
        """Fail with a declared misconception, its placeholders filled from `details`.

        `cause`: the learner's exception behind the mistake, shown with their own line.
        """
        self.fail(type(self).misconceptions[misconception].format(**details), cause=cause)

    def unchanged(self, given: tuple[object, object], misconception: str) -> None:
        """Fail with `misconception` if learner code changed an input: `given` is from :func:`kept`.

        Callers reuse what they pass in (a conversation's `messages`, say), so an
        answer that appends to it corrupts the caller's next request.
        """
        value, before = given
        if value != before:
            self.wrong(misconception, got=describe(value, 120))


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every checker client.

    Offline mode never opens a connection, but each new SDK client loads the CA
    bundle (~45 ms); sharing the context keeps a scenario matrix fast.
    """
    return ssl.create_default_context()


def client(max_retries: int = 0, *, budget: int | None = None) -> anthropic.Anthropic:
    """A new SDK client, cheap to build (see :func:`_tls`); close it when done.

    With a `budget`, the request after that many raises :class:`Runaway`, so a
    busy polling loop is named in the verdict instead of hitting the time limit.
    """
    hooks: dict[str, list[Callable[[Any], None]]] = {}
    if budget is not None:
        sent = itertools.count(1)

        def count(_: Any) -> None:
            if next(sent) > budget:
                raise Runaway(f"more than {budget} requests")

        hooks["request"] = [count]
    http = anthropic.DefaultHttpxClient(verify=_tls(), event_hooks=hooks)
    return anthropic.Anthropic(max_retries=max_retries, http_client=http)


def async_client(max_retries: int = 0) -> anthropic.AsyncAnthropic:
    """A new async SDK client; ``await client.close()`` when done."""
    http = anthropic.DefaultAsyncHttpxClient(verify=_tls())
    return anthropic.AsyncAnthropic(max_retries=max_retries, http_client=http)


@contextmanager
def fresh(
    max_retries: int = 0, *, budget: int | None = None
) -> Iterator[tuple[FakeAPI, anthropic.Anthropic]]:
    """A fresh offline API and a client on it (no SDK retries unless asked for)."""
    with offline() as api, client(max_retries, budget=budget) as sdk:
        yield api, sdk


def params(prompt: str = "Explain retries in one paragraph.", **extra: Any) -> dict[str, Any]:
    """Keyword arguments for one ``messages.create``/``stream`` call on the default model."""
    return {
        "model": models.DEFAULT,
        "max_tokens": 400,
        "messages": [{"role": "user", "content": prompt}],
        **extra,
    }


#: The verdict for an answer that changed the caller's `messages` list (see `unchanged`).
MUTATED_MESSAGES = (
    "changed the messages list it was given to {got}: leave the caller's list as it was and "
    "build a new list for each request ([*messages, ...])."
)


def kept(value: object) -> tuple[object, object]:
    """`value` with a deep copy of it as it is now, for :meth:`BehaviourExercise.unchanged`."""
    return value, copy.deepcopy(value)


def messages_sent(api: FakeAPI) -> list[RecordedRequest]:
    """The ``POST /v1/messages`` requests the fake API received, in order."""
    return [r for r in api.requests if r.method == "POST" and r.path == MESSAGES]


class SleepLog:
    """A ``sleep`` to hand to learner code: records each wait, moves the virtual clock.

    Injected waits take no wall time; ``api.clock`` still moves, so batches
    progress while a learner's polling loop "waits". ``hook`` runs after each
    wait (checkers use it to change the world between polls).
    """

    def __init__(
        self,
        api: FakeAPI | None = None,
        *,
        hook: Callable[[], None] | None = None,
        limit: int = 1000,
    ) -> None:
        self.api = api
        self.hook = hook
        self.limit = limit
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        value = float(seconds)
        self.waits.append(value)
        if len(self.waits) > self.limit:
            raise Runaway(f"more than {self.limit} waits")
        if self.api is not None and math.isfinite(value) and value > 0:
            self.api.clock.sleep(value, "injected sleep")
        if self.hook is not None:
            self.hook()


def used_time_sleep(api: FakeAPI) -> bool:
    """True if code slept with ``time.sleep`` (virtual inside offline) rather than the given one."""
    return any(s.source == "time.sleep" for s in api.clock.sleeps)


class Runaway(BaseException):
    """A learner's loop slept or called the API far more often than any correct answer would.

    A ``BaseException``, so the learner's own ``except Exception`` (and the SDK's
    retry loop) cannot swallow it; :func:`attempt` turns it into ``Outcome.runaway``.
    """


@dataclass(frozen=True)
class Outcome:
    """What a learner's call did: returned ``value``, raised ``error``, or ran away."""

    value: Any = None
    error: Exception | None = None
    runaway: bool = False  #: stopped by :class:`Runaway` (too many waits or requests)

    @property
    def raised(self) -> bool:
        return self.error is not None

    def reraise(self) -> NoReturn:
        """Let an unexpected learner error through, so the learner sees their own lines."""
        if self.error is None:
            raise RuntimeError(f"nothing to re-raise: {self!r}")
        raise self.error


def attempt(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    """Call learner code and capture an ``Exception`` instead of propagating it.

    ``BaseException`` (the placeholder signal, the time limit) still propagates.
    """
    try:
        return Outcome(value=function(*args, **kwargs))
    except Runaway:
        return Outcome(runaway=True)
    except Exception as error:  # the checker judges it
        return Outcome(error=error)


def describe(value: object, limit: int = 100) -> str:
    """A short, safe description of a learner value for feedback."""
    if isinstance(value, BaseException):
        text = f"{type(value).__name__}: {value}" if str(value) else type(value).__name__
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
