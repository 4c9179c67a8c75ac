"""``lessonkit.offline``: one session object that owns everything offline mode changes.

While a session is on, it has changed exactly these, each entered on one
:class:`contextlib.ExitStack` that :meth:`Offline.stop` closes, so every one
goes back to what it was *at entry* (not at import), in reverse order:

- respx's httpcore2 mocker (and a fence on plain httpcore): ``api.anthropic.com``
  is served by the session's :class:`FakeAPI`, every other host refused
  (:mod:`lessonkit._transport`);
- Python's sockets: lookups of other hosts and connections off this machine
  raise :class:`~lessonkit._sockets.NetworkSealed` (``requests``, ``urllib``,
  raw sockets; loopback still works; :mod:`lessonkit._sockets`);
- ``os.environ``: ``ANTHROPIC_API_KEY`` holds a placeholder,
  ``ANTHROPIC_BASE_URL`` and ``ANTHROPIC_AUTH_TOKEN`` are unset;
- ``time.sleep``, ``asyncio.sleep`` and ``anyio.sleep`` move the virtual clock
  (unless ``virtual_time=False``; :mod:`lessonkit.timewarp`);
- which session :meth:`Offline.current` reports.

One session is on at a time. A session kept on with ``start()`` (a notebook's)
is paused for a ``with`` block and resumed after it, so checkers get a fresh
API; starting or entering a session while a ``with`` block's is on raises
:class:`OfflineError`. ``stop()`` works from any thread and only once: a
checker that gave up on a worker thread stops the session that thread had
entered, and the thread's own exit, if it ever comes, changes nothing.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

from ._sockets import sealed
from ._transport import OfflineError, intercept
from .fakeapi.app import FakeAPI
from .timewarp import TimeWarp

__all__ = ["PLACEHOLDER_KEY", "Offline", "OfflineError", "current", "offline"]

#: Obviously not a key: the SDK only needs *something* to put in its header.
PLACEHOLDER_KEY = "lessonkit-offline-placeholder-not-a-real-key"
#: Environment the SDK reads; ``None`` means unset while offline.
_ENV: Mapping[str, str | None] = {
    "ANTHROPIC_API_KEY": PLACEHOLDER_KEY,
    "ANTHROPIC_BASE_URL": None,
    "ANTHROPIC_AUTH_TOKEN": None,
}

F = TypeVar("F", bound=Callable[..., Any])

#: Serialises switching on and off: a checker may stop a session its worker thread entered.
_switching = threading.RLock()
_current: Offline | None = None


def current() -> Offline | None:
    """The session that is on (its ``.api`` is the fake), or ``None`` when offline mode is off."""
    return _current


@contextmanager
def _environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or unset, for ``None``) these variables; restore each one's value from entry."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            _put(name, value)
        yield
    finally:
        for name, value in saved.items():
            _put(name, value)


def _put(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextmanager
def _reported(session: Offline) -> Iterator[None]:
    """``current()`` returns ``session`` while inside."""
    global _current
    before, _current = _current, session
    try:
        yield
    finally:
        _current = before


class Offline:
    """Run the real ``anthropic`` SDK against lessonkit's fake API, with no key and no network.

    >>> import anthropic, lessonkit
    >>> with lessonkit.offline() as api:
    ...     client = anthropic.Anthropic()          # no key needed
    ...     _ = api.reply("Hello!")
    ...     message = client.messages.create(model=lessonkit.models.DEFAULT, max_tokens=50,
    ...                                      messages=[{"role": "user", "content": "Hi"}])
    >>> [block.text for block in message.content if block.type == "text"]  # after a thinking block
    ['Hello!']

    In a notebook, ``api = lessonkit.offline().start()`` keeps it on for the
    following cells. As a decorator, ``@lessonkit.offline()`` runs each call
    in a fresh session (``@lessonkit.offline(api)``: on that ``api``).
    """

    current = staticmethod(current)

    def __init__(self, api: FakeAPI | None = None, *, virtual_time: bool = True) -> None:
        self._given = api  # what the decorator hands each call's session
        self.api = api if api is not None else FakeAPI()
        self._warp = TimeWarp(self.api.clock) if virtual_time else None
        self._patches: ExitStack | None = None  # open while on
        self._kept = False  # on through start(): a `with` block may pause it
        self._paused: Offline | None = None  # the kept session this one paused

    # --- lifecycle -------------------------------------------------------------
    def start(self) -> FakeAPI:
        """Switch offline mode on until :meth:`stop`; returns ``api``.

        Re-running a notebook cell that calls ``start()`` replaces the earlier
        session instead of failing, because that is not a mistake.
        """
        with _switching:
            active = _current
            if active is self:
                return self.api
            if active is not None:
                if not active._kept:
                    raise OfflineError(
                        "lessonkit.offline() is already active (a `with lessonkit.offline()` "
                        "block is running); use the api it gave you instead of starting another"
                    )
                active.stop()
            self._kept = True
            self._switch_on()
        return self.api

    def stop(self) -> None:
        """Switch off, restoring what was there at entry; resume a session this one paused.

        Safe to call twice and from any thread.
        """
        with _switching:
            self._kept = False
            if self._patches is None:
                return
            self._switch_off()
            paused, self._paused = self._paused, None
            if paused is not None and paused._kept and _current is None:
                paused._switch_on()

    def __enter__(self) -> FakeAPI:
        """Switch on for a block, pausing a session kept on with ``start()``."""
        with _switching:
            active = _current
            if active is not None and (active is self or not active._kept):
                raise OfflineError(
                    "lessonkit.offline() is already active; nest nothing, and reuse the api you "
                    "have (or call .stop() on the other session first)"
                )
            if active is not None:
                active._switch_off()
            self._paused = active
            self._switch_on()
        return self.api

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Decorate a function (sync or async) to run each call inside its own session."""
        virtual_time = self._warp is not None

        def session() -> Offline:
            return Offline(self._given, virtual_time=virtual_time)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with session():
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with session():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _switch_on(self) -> None:
        with ExitStack() as patches:  # a failure half-way undoes what was done
            patches.enter_context(intercept(self.api))
            patches.enter_context(sealed())
            patches.enter_context(_environment(_ENV))
            if self._warp is not None:
                patches.enter_context(self._warp.installed())
            patches.enter_context(_reported(self))
            self._patches = patches.pop_all()

    def _switch_off(self) -> None:
        patches, self._patches = self._patches, None
        if patches is not None:
            patches.close()

    def __repr__(self) -> str:
        state = "on" if self._patches is not None else "off"
        return f"<lessonkit.offline {state}: {len(self.api.requests)} requests>"


#: The public name: ``lessonkit.offline(...)`` builds a session, ``lessonkit.offline.current()``
#: finds the one that is on.
offline = Offline
