"""``lessonkit.offline()``: the real SDK, talking to the fake API, with no key and no network.

The SDK sends HTTP through httpx2/httpcore2. ``pytest_httpx2`` registers a
respx mocker for httpcore2; we start a respx router on it that sends
``api.anthropic.com`` to :meth:`FakeAPI.handle` and refuses every other host,
so a mock that stops matching fails loudly instead of making a live, billed
call. The mocker patches httpcore2's connection classes, so clients created
before ``offline()`` are intercepted too.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

# httpx, httpcore2 and respx load when offline mode first starts (~0.1 s; plain httpx
# also imports rich and click for its CLI), not on `import lessonkit`.
if TYPE_CHECKING:
    import httpx
    import httpx2
    import respx

from .fakeapi.app import FakeAPI
from .fakeapi.faults import RequestTimedOut
from .fakeapi.http import API_HOST, ApiRequest, StreamDropped
from .timewarp import TimeWarp

__all__ = ["OfflineError", "PLACEHOLDER_KEY", "Offline", "offline"]

#: Obviously not a key: the SDK only needs *something* to put in its header.
PLACEHOLDER_KEY = "lessonkit-offline-placeholder-not-a-real-key"
#: Environment the SDK reads; offline mode pins or removes them and restores them after.
_ENV = {
    "ANTHROPIC_API_KEY": PLACEHOLDER_KEY,
    "ANTHROPIC_BASE_URL": None,
    "ANTHROPIC_AUTH_TOKEN": None,
}

F = TypeVar("F", bound=Callable[..., Any])


class OfflineError(RuntimeError):
    """Offline mode refused something: a request to another host, or misuse of ``offline()``."""


def to_api_request(request: httpx.Request | httpx2.Request) -> ApiRequest:
    """The fake API's view of an httpx or httpx2 request (both clients share this shape)."""
    return ApiRequest(
        method=request.method,
        path=request.url.path,
        headers=_header_dict(request.headers),
        body=request.read(),
        query=dict(request.url.params) if request.url.query else {},
    )


def _header_dict(headers: httpx.Headers | httpx2.Headers) -> dict[str, str]:
    """``{k.lower(): v for k, v in headers.items()}``, without its per-header charset checks.

    ``Headers.items()`` decodes as ASCII when every header is ASCII (the SDK's
    always are) and joins repeated names with ", "; anything else takes that path.
    """
    raw = headers.raw
    try:
        plain = {k.decode("ascii").lower(): v.decode("ascii") for k, v in raw}
    except UnicodeDecodeError:
        plain = {}
    if len(plain) != len(raw):  # not all ASCII, or a name sent twice
        return {k.lower(): v for k, v in headers.items()}
    return plain


#: Stream frames reach the SDK in reads of about this size, as from a socket, rather than one
#: read per SSE event: each read costs ~10 us in httpx/httpcore2/respx, which made a
#: 4,000-token stream ~20% slower than the SDK reading the same bytes at once.
_READ_BYTES = 16 * 1024


def _transport_errors(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Group frames into reads; turn a planned connection drop into httpcore2's error for one.

    Everything sent before a drop is delivered first, so the SDK sees the same events.
    """
    import httpcore2

    pending: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            pending.append(chunk)
            size += len(chunk)
            if size >= _READ_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
    except StreamDropped as err:
        if pending:
            yield b"".join(pending)
        raise httpcore2.RemoteProtocolError(
            f"peer closed connection without sending complete message body ({err})"
        ) from None
    if pending:
        yield b"".join(pending)


#: What respx sees of a side effect's parameters. respx reads a side effect's signature on
#: every request (to pass ``route=`` if asked for); a ready one saves ~5 us a call.
_SIDE_EFFECT_SIGNATURE = inspect.Signature(
    [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
)


def _side_effect(
    serve: Callable[[httpx.Request], httpx.Response],
) -> Callable[[httpx.Request], httpx.Response]:
    """``serve`` as a plain function whose signature respx need not compute per request."""

    def side_effect(request: httpx.Request) -> httpx.Response:
        return serve(request)

    side_effect.__signature__ = _SIDE_EFFECT_SIGNATURE  # type: ignore[attr-defined]
    return side_effect


@functools.cache
def _body_type() -> Callable[[Iterator[bytes]], httpx.SyncByteStream]:
    import httpx

    class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
        """A streamed body that sync and async clients can both read (async needs ``__aiter__``)."""

        def __init__(self, chunks: Iterator[bytes]) -> None:
            self._chunks = _transport_errors(chunks)

        def __iter__(self) -> Iterator[bytes]:
            yield from self._chunks

        async def __aiter__(self) -> AsyncIterator[bytes]:
            for chunk in self._chunks:
                yield chunk

    return _Body


class Offline:
    """One offline session. Use as a context manager, a decorator, or ``start()``/``stop()``."""

    _active: Offline | None = None

    def __init__(self, api: FakeAPI | None = None, *, virtual_time: bool = True) -> None:
        self.api = api if api is not None else FakeAPI()
        self._router: respx.MockRouter | None = None
        self._fence: respx.MockRouter | None = None
        self._warp = TimeWarp(self.api.clock) if virtual_time else None
        self._saved_env: dict[str, str | None] = {}
        self._from_start = False
        self._paused: Offline | None = None

    # --- lifecycle -------------------------------------------------------------
    def start(self) -> FakeAPI:
        """Switch offline mode on until :meth:`stop`; returns ``api``.

        Re-running a notebook cell that calls ``start()`` replaces the earlier
        session instead of failing, because that is not a mistake.
        """
        active = Offline._active
        if active is not None and active is not self:
            if not active._from_start:
                raise OfflineError(
                    "lessonkit.offline() is already active (a `with lessonkit.offline()` block is "
                    "running); use the api it gave you instead of starting another"
                )
            active.stop()
        if self._router is None:
            self._from_start = True
            self._enter()
        return self.api

    def stop(self) -> None:
        """Switch offline mode off and restore the environment; safe to call twice."""
        if self._router is None:
            return
        self._router.stop(quiet=True)
        if self._fence is not None:
            self._fence.stop(quiet=True)
        self._router = self._fence = None
        if self._warp is not None:
            self._warp.stop()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}
        if Offline._active is self:
            Offline._active = None

    def __enter__(self) -> FakeAPI:
        """Start a session for a block.

        A session kept on with ``start()`` (a notebook's) is paused for the
        block and resumed after it, so checkers can run on a fresh API; a
        ``with`` inside another ``with`` is a mistake and raises.
        """
        active = Offline._active
        if active is not None and not active._from_start:
            raise OfflineError(
                "lessonkit.offline() is already active; nest nothing, and reuse the api you have "
                "(or call .stop() on the other session first)"
            )
        if active is not None:
            active.stop()
        self._paused = active
        self._enter()
        return self.api

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        paused, self._paused = self._paused, None
        if paused is not None and Offline._active is None:
            paused._enter()

    def __call__(self, func: F) -> F:
        """Decorate a function (sync or async) to run inside a fresh offline session."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with Offline(virtual_time=self._warp is not None):
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with Offline(virtual_time=self._warp is not None):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _enter(self) -> None:
        # Imported here, not at the top: pytest_httpx2 imports pytest (~0.1-0.3 s), which
        # `import lessonkit` (a kernel, the CLI) should not pay for.
        import pytest_httpx2  # noqa: F401  (registers respx's "httpcore2" mocker)
        import respx

        router = respx.mock(using="httpcore2", assert_all_called=False, assert_all_mocked=True)
        router.route(host=API_HOST).mock(side_effect=_side_effect(self._serve))
        router.route().mock(side_effect=self._refuse)
        for name, value in _ENV.items():
            self._saved_env[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        # Plain httpx (other libraries in the kernel) goes through httpcore: fence it too.
        fence = respx.mock(using="httpcore", assert_all_called=False, assert_all_mocked=True)
        fence.route().mock(side_effect=self._refuse)
        router.start()
        fence.start()
        self._router, self._fence = router, fence
        if self._warp is not None:
            self._warp.start()
        Offline._active = self

    # --- transport -------------------------------------------------------------
    def _serve(self, request: httpx.Request) -> httpx.Response:
        import httpcore2
        import httpx

        try:
            response = self.api.handle(to_api_request(request))
        except RequestTimedOut as err:  # api.timeout_next(): httpcore2's own read timeout
            raise httpcore2.ReadTimeout(str(err)) from None
        # With its request attached, respx hands the response on as is instead of cloning it.
        if isinstance(response.body, bytes):
            return httpx.Response(
                response.status, headers=response.headers, content=response.body, request=request
            )
        body = _body_type()(iter(response.body))
        return httpx.Response(
            response.status, headers=response.headers, stream=body, request=request
        )

    @staticmethod
    def _refuse(request: httpx.Request) -> httpx.Response:
        raise OfflineError(
            f"lessonkit.offline() blocked a request to {request.url}: offline mode only serves "
            f"https://{API_HOST}. Unset base_url (or ANTHROPIC_BASE_URL) to use the offline API."
        )

    def __repr__(self) -> str:
        state = "on" if self._router is not None else "off"
        return f"<lessonkit.offline {state}: {len(self.api.requests)} requests>"


def offline(api: FakeAPI | None = None, *, virtual_time: bool = True) -> Offline:
    """Run the real ``anthropic`` SDK against lessonkit's fake API.

    >>> import anthropic, lessonkit
    >>> with lessonkit.offline() as api:
    ...     client = anthropic.Anthropic()          # no key needed
    ...     api.reply("Hello!")
    ...     message = client.messages.create(model=lessonkit.models.DEFAULT, max_tokens=50,
    ...                                      messages=[{"role": "user", "content": "Hi"}])
    >>> [block.text for block in message.content if block.type == "text"]  # after a thinking block
    ['Hello!']

    In a notebook, ``api = lessonkit.offline().start()`` keeps it on for the
    following cells.
    """
    return Offline(api, virtual_time=virtual_time)
