"""The respx adapter: real SDK requests in, :meth:`FakeAPI.handle` answers out.

The SDK sends HTTP through httpx2/httpcore2. We register a respx mocker for
httpcore2 (the one pytest-httpx2 ships, without importing pytest) and, while
offline mode is on, register a router on it that sends ``api.anthropic.com``
to the fake and refuses every other host, so a mock that stops matching fails
loudly instead of making a live, billed call. Plain httpx (other libraries in
the kernel) is fenced by a second mocker on httpcore. The mockers patch the
connection classes, so clients created before offline mode started are
intercepted too.

The routers are lessonkit's own two-line ones, not ``respx.mock()``: a respx
router builds its routes, call lists and snapshots on every start and records
every request it answers, which made switching offline mode on cost ~3 ms (a
checker switches it on for each scenario it runs) and kept every request and
response of a session in memory.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any
from unittest import mock

# httpx, httpcore2 and respx load when offline mode first starts (~0.1 s; plain httpx
# also imports rich and click for its CLI), not on `import lessonkit`.
if TYPE_CHECKING:
    import httpx
    import httpx2

from .fakeapi.app import FakeAPI
from .fakeapi.faults import RequestTimedOut
from .fakeapi.http import API_HOST, ApiRequest, StreamDropped

__all__ = [
    "FENCE",
    "MOCKER",
    "OfflineError",
    "intercept",
    "missing_targets",
    "register_mocker",
    "to_api_request",
]

#: The respx mocker that patches httpcore2 (the name pytest-httpx2 also registers).
MOCKER = "httpcore2"
#: lessonkit's respx mocker on plain httpcore, which refuses every request.
FENCE = "lessonkit-httpcore-fence"
_MOCKER_TARGETS = [
    "httpcore2._sync.connection.HTTPConnection",
    "httpcore2._sync.connection_pool.ConnectionPool",
    "httpcore2._sync.http_proxy.HTTPProxy",
    "httpcore2._async.connection.AsyncHTTPConnection",
    "httpcore2._async.connection_pool.AsyncConnectionPool",
    "httpcore2._async.http_proxy.AsyncHTTPProxy",
]


class OfflineError(RuntimeError):
    """Offline mode refused something: a request to another host, or misuse of ``offline()``."""


def register_mocker() -> None:
    """Register respx's ``"httpcore2"`` mocker, unless pytest-httpx2 already did, and the fence.

    Its class has the same targets, so either serves. respx refuses a second
    class under one name, so pytest-httpx2, where used, must be imported before
    offline mode first starts (pytest loads it at startup).
    """
    from respx.mocks import HTTPCoreMocker, Mocker

    if MOCKER not in Mocker.registry:

        class HTTPCore2Mocker(_StartsQuickly, HTTPCoreMocker):
            name = MOCKER
            targets = list(_MOCKER_TARGETS)

    if FENCE not in Mocker.registry:

        class HTTPCoreFence(_StartsQuickly, HTTPCoreMocker):
            name = FENCE
            targets = list(HTTPCoreMocker.targets)


class _StartsQuickly:
    """respx's ``Mocker.start``, with each target resolved once per process.

    respx finds every target by its import path and reads each method's
    signature on every start; the patches this makes are the same.
    """

    @classmethod
    def start(cls: Any) -> None:
        if cls._patches:  # on already (another router is registered)
            return
        for owner, method, replacement in _replacements(cls):
            patch = mock.patch.object(owner, method, replacement)
            patch.start()
            cls._patches.append(patch)


def _replacements(mocker: Any) -> Iterator[tuple[type, str, Callable[..., Any]]]:
    """Each (class, method, stand-in) the mocker patches; a target it cannot find is skipped,
    as respx skips it (``lessonkit doctor`` reports one)."""
    for target in mocker.targets:
        try:
            owner = _resolve(target)
        except (ImportError, AttributeError):
            continue
        for method in mocker.target_methods:
            original = getattr(owner, method, None)
            if original is not None:
                yield owner, method, _stand_in(mocker.mock, original)


@functools.cache
def _resolve(target: str) -> type:
    owner: type = pkgutil.resolve_name(target)
    return owner


@functools.cache
def _stand_in(
    make: Callable[[Callable[..., Any]], Callable[..., Any]], original: Callable[..., Any]
) -> Callable[..., Any]:
    """respx's replacement for `original` (made again only if `original` changes)."""
    return make(original)


class _Router:
    """The part of a respx router its mocker calls: every request goes to `answer`.

    Its answer is final, as a respx router's catch-all route is, and nothing is recorded.
    """

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = answer

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        return self.handler(request)


def missing_targets() -> list[str]:
    """The httpcore2 classes the mocker patches that this httpcore2 does not have."""
    missing = []
    for target in _MOCKER_TARGETS:
        module, _, name = target.rpartition(".")
        if not hasattr(importlib.import_module(module), name):
            missing.append(target)
    return missing


@contextmanager
def intercept(api: FakeAPI) -> Iterator[None]:
    """While inside: ``api.anthropic.com`` is served by ``api``, every other host refused."""
    from respx.mocks import Mocker

    register_mocker()
    routers = {MOCKER: _Router(functools.partial(_answer, api)), FENCE: _Router(_refuse)}
    with ExitStack() as stack:
        for name, router in routers.items():
            mocker = Mocker.registry[name]
            mocker.register(router)  # type: ignore[arg-type]
            stack.callback(_release, mocker, router)
            mocker.start()
        yield


def _release(mocker: Any, router: _Router) -> None:
    """What stopping a respx router does: unregister it; the last one out removes the patches."""
    mocker.unregister(router)
    mocker.stop()


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


def _answer(api: FakeAPI, request: httpx.Request) -> httpx.Response:
    """``api``'s answer to a request for its host; any other host is refused."""
    if request.url.host != API_HOST:
        return _refuse(request)
    return _serve(api, request)


def _serve(api: FakeAPI, request: httpx.Request) -> httpx.Response:
    import httpcore2
    import httpx

    try:
        response = api.handle(to_api_request(request))
    except RequestTimedOut as err:  # api.timeout_next(): httpcore2's own read timeout
        raise httpcore2.ReadTimeout(str(err)) from None
    if isinstance(response.body, bytes):
        return httpx.Response(
            response.status, headers=response.headers, content=response.body, request=request
        )
    body = _body_type()(iter(response.body))
    return httpx.Response(response.status, headers=response.headers, stream=body, request=request)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise OfflineError(
        f"lessonkit.offline() blocked a request to {request.url}: offline mode only serves "
        f"https://{API_HOST}. Unset base_url (or ANTHROPIC_BASE_URL) to use the offline API."
    )
