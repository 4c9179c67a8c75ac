"""The seal: offline mode answers api.anthropic.com itself and lets nothing else out.

Two angles. Requests to any other host through the SDK, httpx or httpx2 are
refused with :class:`lessonkit.OfflineError` (the SDK wraps it as the cause of
an ``APIConnectionError``, as it wraps every transport failure). And with
pytest-socket refusing every non-unix socket, offline create and stream calls
still work, which proves lessonkit never opens a real connection.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anthropic
import httpx
import httpx2
import pytest
from anthropic.types import MessageParam
from pytest_socket import (
    SocketBlockedError,
    SocketConnectBlockedError,
    disable_socket,
    enable_socket,
)

import lessonkit
from lessonkit import FakeAPI, OfflineError, models

PROMPT: list[MessageParam] = [{"role": "user", "content": "Say hello"}]
OUTSIDE = "https://example.com/v1/messages"


ASK: dict[str, Any] = {"model": models.DEFAULT, "max_tokens": 30, "messages": PROMPT}


def _create(client: anthropic.Anthropic) -> anthropic.types.Message:
    return client.messages.create(model=models.DEFAULT, max_tokens=30, messages=PROMPT)


@pytest.fixture
def no_sockets() -> Iterator[None]:
    """Only unix sockets (asyncio's self-pipe) may open; any TCP/UDP socket raises."""
    disable_socket(allow_unix_socket=True)
    try:
        yield
    finally:
        enable_socket()


# --- other hosts are refused -------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "https://example.com",
        "http://localhost:8080",
        "https://api.anthropic.com.evil.example",  # a look-alike host is another host
        "https://anthropic.com",
    ],
)
def test_the_sdk_pointed_elsewhere_is_refused(lessonkit_api: FakeAPI, base_url: str) -> None:
    client = anthropic.Anthropic(base_url=base_url, max_retries=0)
    with pytest.raises(anthropic.APIConnectionError) as caught:
        _create(client)
    cause = caught.value.__cause__
    assert isinstance(cause, OfflineError)
    assert f"blocked a request to {base_url}" in str(cause)
    assert "only serves https://api.anthropic.com" in str(cause)
    assert lessonkit_api.requests == []


def test_an_async_sdk_pointed_elsewhere_is_refused(lessonkit_api: FakeAPI) -> None:
    async def call() -> None:
        async with anthropic.AsyncAnthropic(
            base_url="https://example.com", max_retries=0
        ) as client:
            await client.messages.create(model=models.DEFAULT, max_tokens=30, messages=PROMPT)

    with pytest.raises(anthropic.APIConnectionError) as caught:
        asyncio.run(call())
    assert isinstance(caught.value.__cause__, OfflineError)


def test_base_url_set_in_the_environment_after_start_is_refused(
    lessonkit_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://proxy.example.net")
    with pytest.raises(anthropic.APIConnectionError) as caught:
        _create(anthropic.Anthropic(max_retries=0))
    assert isinstance(caught.value.__cause__, OfflineError)


async def _httpx_async() -> None:
    async with httpx.AsyncClient() as client:
        await client.get(OUTSIDE)


async def _httpx2_async() -> None:
    async with httpx2.AsyncClient() as client:
        await client.get(OUTSIDE)


@pytest.mark.parametrize(
    "call",
    [
        lambda: httpx.get(OUTSIDE),
        lambda: httpx.Client().post(OUTSIDE, json={}),
        lambda: asyncio.run(_httpx_async()),
        lambda: httpx2.get(OUTSIDE),
        lambda: httpx2.Client().post(OUTSIDE, json={}),
        lambda: asyncio.run(_httpx2_async()),
    ],
    ids=["httpx", "httpx-client", "httpx-async", "httpx2", "httpx2-client", "httpx2-async"],
)
def test_plain_http_clients_are_refused(lessonkit_api: FakeAPI, call: Callable[[], object]) -> None:
    with pytest.raises(
        OfflineError, match=r"blocked a request to https://example\.com/v1/messages"
    ):
        call()
    assert lessonkit_api.requests == []


# --- no real socket is ever opened --------------------------------------------------------------


def test_offline_create_and_stream_need_no_socket(no_sockets: None) -> None:
    with lessonkit.offline() as api:
        client = anthropic.Anthropic(max_retries=0)
        api.reply("Hello from the fake API.")
        assert [b.type for b in _create(client).content] == ["thinking", "text"]
        api.reply("Streamed without a socket.")
        with client.messages.stream(**ASK) as stream:
            text = "".join(stream.text_stream)
        assert text == "Streamed without a socket."
        assert client.messages.count_tokens(model=models.DEFAULT, messages=PROMPT).input_tokens > 0
    assert [r.status for r in api.requests] == [200, 200, 200]


def test_offline_async_calls_need_no_socket(no_sockets: None) -> None:
    async def calls(api: FakeAPI) -> str:
        async with anthropic.AsyncAnthropic(max_retries=0) as client:
            api.reply("Async, offline.")
            message = await client.messages.create(
                model=models.DEFAULT, max_tokens=30, messages=PROMPT
            )
            assert [b.type for b in message.content] == ["thinking", "text"]
            api.reply("Async stream.")
            async with client.messages.stream(
                model=models.DEFAULT, max_tokens=30, messages=PROMPT
            ) as stream:
                return "".join([piece async for piece in stream.text_stream])

    with lessonkit.offline() as api:
        assert asyncio.run(calls(api)) == "Async stream."


def test_retries_and_a_batch_need_no_socket(no_sockets: None) -> None:
    with lessonkit.offline() as api:
        client = anthropic.Anthropic()
        api.fail_next(529, times=2)
        _create(client)  # the SDK's own retries, on the virtual clock
        batch = client.messages.batches.create(
            requests=[
                {
                    "custom_id": "a",
                    "params": {"model": models.DEFAULT, "max_tokens": 20, "messages": PROMPT},
                }
            ]
        )
        api.clock.advance(hours=1)
        results = list(client.messages.batches.results(batch.id))
    assert [r.custom_id for r in results] == ["a"]


def test_the_guard_would_catch_the_sdk_going_out(no_sockets: None) -> None:
    """Control: without offline() the SDK reaches for a socket, and the guard stops it."""
    client = anthropic.Anthropic(api_key="not-a-key", base_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(anthropic.APIConnectionError) as caught:
        _create(client)
    assert "tried to use socket" in repr(caught.value.__cause__)


@pytest.mark.parametrize("address", [("93.184.215.14", 443), ("127.0.0.1", 9), ("::1", 9)])
def test_the_guard_refuses_a_socket_to_the_outside(
    no_sockets: None, address: tuple[str, int]
) -> None:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with _refused():
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.connect(address)


def test_the_guard_holds_inside_offline_mode_too(no_sockets: None) -> None:
    """offline() fences HTTP clients; a raw socket is still refused by the guard, not opened."""
    with lessonkit.offline(), _refused():
        socket.create_connection(("93.184.215.14", 443), timeout=1)


@contextmanager
def _refused() -> Iterator[None]:
    # pytest-socket also warns as it raises; the suite turns warnings into errors.
    with pytest.raises(SocketBlockedError), pytest.warns(UserWarning, match="tried to use socket"):
        yield


def test_the_whole_suite_runs_behind_the_guard(request: pytest.FixtureRequest) -> None:
    """pyproject's addopts fence every test, not only these: loopback is all they may reach."""
    allowed = request.config.getoption("allow_hosts")
    assert allowed, "add --allow-hosts=127.0.0.1,::1,localhost to pytest's addopts"
    assert set(allowed.split(",")) <= {"127.0.0.1", "::1", "localhost"}
    with (
        pytest.raises(SocketConnectBlockedError),
        pytest.warns(UserWarning, match="tried to use socket"),
        socket.socket() as sock,
    ):
        sock.connect(("192.0.2.1", 9))  # TEST-NET-1: refused before any packet leaves
