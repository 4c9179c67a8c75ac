"""The fake API over real HTTP, for curl, the TypeScript SDK and anything not in-process.

The same :class:`~lessonkit.fakeapi.app.FakeAPI` core that ``offline()`` uses,
behind starlette + uvicorn: every route goes to ``FakeAPI.handle`` (so what the
core learns — batches, faults, count_tokens — the server serves for free), and
``/_lessonkit/*`` control endpoints script the fake from outside Python::

    curl -X POST localhost:8765/_lessonkit/fail_next -d '{"status": 529}'

It binds loopback only: the fake accepts any key, so it must not be reachable
from the room's network unless an instructor insists (``force_bind``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Send

from .controls import CONTROLS, ControlError, call, parse
from .fakeapi.app import FakeAPI
from .fakeapi.faults import RequestTimedOut
from .fakeapi.http import ApiRequest, ApiResponse, StreamDropped

__all__ = [
    "CONTROLS",
    "BindRefused",
    "RunningServer",
    "check_bind",
    "make_app",
    "serve",
    "serve_in_thread",
]

#: Attribute through which the core learns its own public address (batch ``results_url``).
BASE_URL_ATTR = "base_url"
_DROP_LOG = "ASGI callable returned without completing response."


class BindRefused(ValueError):
    """The server was asked to listen on a non-loopback address without ``force_bind``."""


def check_bind(host: str, *, force: bool = False) -> None:
    """Refuse anything but loopback unless ``force``: the fake takes any key from anyone."""
    if force or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise BindRefused(
            f"refusing to serve the fake API on {host!r}: it accepts any API key, so it only "
            "listens on 127.0.0.1. Pass --force-bind (force_bind=True) if you really mean it."
        )


class _SSEResponse(StreamingResponse):
    """Sends each chunk as it comes; a planned ``StreamDropped`` abandons the response.

    Returning without the final empty body makes uvicorn close the socket
    mid-body, which clients see exactly as a real dropped connection.
    """

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        try:
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except StreamDropped:
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _QuietDrops(logging.Filter):
    """Planned drops are the lesson, not a server error: keep them out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_LOG


def _paced(chunks: Iterator[bytes], delay: float) -> Iterator[bytes]:
    for index, chunk in enumerate(chunks):
        if index and delay > 0:
            time.sleep(delay)
        yield chunk


def make_app(api: FakeAPI, *, event_delay: float = 0.0) -> Starlette:
    """A starlette app serving ``api``; ``event_delay`` seconds between stream chunks."""

    async def proxy(request: Request) -> Response:
        api_request = ApiRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            query=dict(request.query_params),
        )
        try:
            answer: ApiResponse = await run_in_threadpool(api.handle, api_request)
        except RequestTimedOut as err:
            # Say nothing until the client has given up, as a hung upstream would.
            await anyio.sleep(err.seconds + 1)
            return Response(status_code=504)
        if isinstance(answer.body, bytes):
            return Response(answer.body, answer.status, headers=answer.headers)
        return _SSEResponse(
            _paced(iter(answer.body), event_delay), answer.status, headers=answer.headers
        )

    async def control(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "reset":
            api.reset()
            return JSONResponse({"ok": True})
        if name == "requests":
            return JSONResponse([_recorded(r) for r in api.requests])
        if name != "advance" and name not in CONTROLS:
            return JSONResponse(
                {"error": f"no control {name!r}; try one of {sorted(CONTROLS)}"}, 404
            )
        method = api.clock.advance if name == "advance" else getattr(api, name)
        try:
            call(method, parse(await request.body()))
        except ControlError as err:
            return JSONResponse({"error": str(err)}, 400)
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/_lessonkit/{name}", control, methods=["GET", "POST"]),
            Route("/{path:path}", proxy, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]
    )


def _recorded(record: Any) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    data["retry_count"] = record.retry_count
    return data


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


@contextmanager
def _published(api: FakeAPI, sock: socket.socket) -> Iterator[str]:
    """Tell the core its public address while serving (batch ``results_url``), then undo it."""
    host, port = sock.getsockname()[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    previous = vars(api).get(BASE_URL_ATTR)
    setattr(api, BASE_URL_ATTR, url)
    try:
        yield url
    finally:
        if previous is None:
            vars(api).pop(BASE_URL_ATTR, None)
        else:
            setattr(api, BASE_URL_ATTR, previous)


def _server(api: FakeAPI, event_delay: float, log_level: str) -> uvicorn.Server:
    errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in errors.filters):
        errors.addFilter(_QuietDrops())
    config = uvicorn.Config(
        make_app(api, event_delay=event_delay),
        log_level=log_level,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


class RunningServer:
    """A server on a background thread. Unpacks as ``(base_url, stop)`` and is a context manager."""

    def __init__(self, api: FakeAPI, sock: socket.socket, event_delay: float) -> None:
        self.api = api
        self._sock = sock
        self._published = _published(api, sock)
        self.base_url: str = self._published.__enter__()
        self._server = _server(api, event_delay, "warning")
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            daemon=True,
            name="lessonkit-server",
        )

    def _start(self, timeout: float) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the lessonkit fake API server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the thread (at most a few seconds); safe to call twice."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._sock.close()
        self._published.__exit__(None, None, None)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.base_url, self.stop))

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._thread.is_alive() else "stopped"
        return f"<lessonkit server {self.base_url} {state}>"


def serve_in_thread(
    api: FakeAPI | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    event_delay: float = 0.0,
    force_bind: bool = False,
) -> RunningServer:
    """Serve ``api`` on a background thread; ``port=0`` picks a free port.

    >>> with serve_in_thread(FakeAPI()) as server:                # doctest: +SKIP
    ...     client = anthropic.Anthropic(base_url=server.base_url, api_key="x")
    >>> base_url, stop = serve_in_thread(api)                    # doctest: +SKIP
    """
    check_bind(host, force=force_bind)
    running = RunningServer(api if api is not None else FakeAPI(), _bind(host, port), event_delay)
    running._start(timeout=10)
    return running


def serve(
    api: FakeAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    force_bind: bool = False,
    event_delay: float = 0.0,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``api`` in the foreground until Ctrl-C (what ``lessonkit serve`` runs)."""
    check_bind(host, force=force_bind)
    sock = _bind(host, port)
    try:
        with _published(api, sock) as url:
            if on_ready is not None:
                on_ready(url)
            _server(api, event_delay, "info").run(sockets=[sock])
    finally:
        sock.close()
