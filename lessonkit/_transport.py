"""The respx adapter: real SDK requests in, :meth:`FakeAPI.handle` answers out.

The SDK sends HTTP through httpx2/httpcore2. We register a respx mocker for
httpcore2 (the one pytest-httpx2 ships, without importing pytest) and start a
router on it that sends ``api.anthropic.com`` to the fake and refuses every
other host, so a mock that stops matching fails loudly instead of making a
live, billed call. Plain httpx (other libraries in the kernel) is fenced the
same way. The mocker patches httpcore2's connection classes, so clients
created before offline mode started are intercepted too.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

# httpx, httpcore2 and respx load when offline mode first starts (~0.1 s; plain httpx
# also imports rich and click for its CLI), not on `import lessonkit`.
if TYPE_CHECKING:
    import httpx
    import httpx2

from .fakeapi.app import FakeAPI
from .fakeapi.faults import RequestTimedOut
from .fakeapi.http import API_HOST, ApiRequest, StreamDropped

__all__ = [
    "MOCKER",
    "OfflineError",
    "intercept",
    "missing_targets",
    "register_mocker",
    "to_api_request",
]

#: The respx mocker that patches httpcore2 (the name pytest-httpx2 also registers).
MOCKER = "httpcore2"
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
    """Register respx's ``"httpcore2"`` mocker, unless pytest-httpx2 already did.

    Its class has the same targets, so either serves. respx refuses a second
    class under one name, so pytest-httpx2, where used, must be imported before
    offline mode first starts (pytest loads it at startup).
    """
    from respx.mocks import HTTPCoreMocker, Mocker

    if MOCKER in Mocker.registry:
        return

    class HTTPCore2Mocker(HTTPCoreMocker):
        name = MOCKER
        targets = list(_MOCKER_TARGETS)


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
    import respx

    register_mocker()
    router = respx.mock(using=MOCKER, assert_all_called=False, assert_all_mocked=True)
    router.route(host=API_HOST).mock(side_effect=_side_effect(functools.partial(_serve, api)))
    router.route().mock(side_effect=_refuse)
    fence = respx.mock(using="httpcore", assert_all_called=False, assert_all_mocked=True)
    fence.route().mock(side_effect=_refuse)
    with ExitStack() as stack:
        for mock in (router, fence):
            mock.start()
            stack.callback(mock.stop, quiet=True)
        yield


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


def _serve(api: FakeAPI, request: httpx.Request) -> httpx.Response:
    import httpcore2
    import httpx

    try:
        response = api.handle(to_api_request(request))
    except RequestTimedOut as err:  # api.timeout_next(): httpcore2's own read timeout
        raise httpcore2.ReadTimeout(str(err)) from None
    # With its request attached, respx hands the response on as is instead of cloning it.
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
