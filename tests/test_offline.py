"""``lessonkit.offline()``: nothing leaves the machine, and the session lifecycle is tidy."""

from __future__ import annotations

import asyncio
import importlib
import os
import threading
import time

import anthropic
import httpx
import httpx2
import pytest
from pytest_socket import disable_socket, enable_socket

import lessonkit
from lessonkit import PLACEHOLDER_KEY, FakeAPI, OfflineError, models

PROMPT = [{"role": "user", "content": "Hi"}]
ENV_NAMES = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN")


def _hello(client: anthropic.Anthropic) -> str:
    message = client.messages.create(model=models.DEFAULT, max_tokens=20, messages=PROMPT)  # type: ignore[arg-type]
    return "".join(block.text for block in message.content if block.type == "text")


@pytest.fixture(autouse=True)
def _no_session_left_behind() -> object:
    yield
    leaked = lessonkit.offline.current()
    if leaked is not None:
        leaked.stop()
        pytest.fail("a test left an offline session running")


# --- the fence --------------------------------------------------------------------------------


@pytest.mark.parametrize("max_retries", [0, 2])
def test_sdk_with_another_base_url_is_blocked(lessonkit_api: FakeAPI, max_retries: int) -> None:
    client = anthropic.Anthropic(base_url="http://example.invalid", max_retries=max_retries)
    with pytest.raises(anthropic.APIConnectionError) as caught:
        _hello(client)
    cause = caught.value.__cause__
    assert isinstance(cause, OfflineError)
    assert "http://example.invalid/v1/messages" in str(cause)
    assert "ANTHROPIC_BASE_URL" in str(cause)  # says how to fix it
    assert lessonkit_api.requests == []
    # connection errors are retried; the waits went on the virtual clock, not the wall clock
    assert len(lessonkit_api.clock.sleeps) == max_retries


@pytest.mark.parametrize(
    "call",
    [
        lambda: httpx.get("https://example.com"),
        lambda: httpx2.get("https://example.com"),
        lambda: httpx.Client().post("https://api.openai.com/v1/chat/completions", json={}),
        lambda: asyncio.run(httpx.AsyncClient().get("https://example.com")),
    ],
    ids=["httpx", "httpx2", "httpx-client", "httpx-async"],
)
def test_plain_http_clients_are_blocked(lessonkit_api: FakeAPI, call: object) -> None:
    with pytest.raises(OfflineError, match="blocked a request to https://"):
        call()  # type: ignore[operator]


def test_client_built_before_offline_is_intercepted() -> None:
    client = anthropic.Anthropic(api_key="sk-test-not-real")
    with lessonkit.offline() as api:
        api.reply("Offline hello")
        assert _hello(client) == "Offline hello"
    assert api.requests[0].headers["authorization"] == "[redacted]"


def test_after_stop_nothing_is_intercepted() -> None:
    """Off means off: the SDK reaches for a real socket again (which pytest-socket refuses here)."""
    with lessonkit.offline():
        pass
    disable_socket()
    try:
        client = anthropic.Anthropic(api_key="x", base_url="http://127.0.0.1:9", max_retries=0)
        with pytest.raises(anthropic.APIConnectionError) as caught:
            _hello(client)
    finally:
        enable_socket()
    assert not isinstance(caught.value.__cause__, OfflineError)


def _transport_methods() -> dict[str, object]:
    """Every method the offline mockers patch, on httpcore2 and on plain httpcore."""
    import httpcore
    import httpcore2

    classes = ("HTTPConnection", "ConnectionPool", "HTTPProxy")
    methods = [(cls, "handle_request") for cls in classes]
    methods += [(f"Async{cls}", "handle_async_request") for cls in classes]
    return {
        f"{package.__name__}.{cls}.{method}": getattr(getattr(package, cls), method)
        for package in (httpcore, httpcore2)
        for cls, method in methods
    }


def test_every_session_patches_the_transport_and_leaves_it_as_it_was() -> None:
    """The patches are made afresh for each session (they are not left in place between)."""
    before = _transport_methods()
    for _ in range(3):
        with lessonkit.offline() as api:
            during = _transport_methods()
            api.reply("Again")
            assert _hello(anthropic.Anthropic()) == "Again"
        assert all(during[name] is not before[name] for name in before)
        assert _transport_methods() == before


def test_a_respx_router_on_the_same_mocker_works_outside_offline_mode() -> None:
    """``respx.mock(using="httpcore2")`` (the benchmarks' floor) shares offline mode's mocker."""
    import respx

    with lessonkit.offline():
        pass  # registers the mocker
    before = _transport_methods()
    with respx.mock(using="httpcore2") as router:
        router.post("https://api.anthropic.com/v1/messages").respond(
            json={"id": "msg_1", "type": "message", "role": "assistant", "model": models.DEFAULT,
                  "content": [{"type": "text", "text": "From respx"}], "stop_reason": "end_turn",
                  "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 2}},
        )  # fmt: skip
        assert _hello(anthropic.Anthropic(api_key="x", max_retries=0)) == "From respx"
        with lessonkit.offline() as api:  # registered first, respx's router answers what it matches
            api.reply("From lessonkit")
            assert _hello(anthropic.Anthropic()) == "From respx"
            client = anthropic.Anthropic()
            tokens = client.messages.count_tokens(model=models.DEFAULT, messages=PROMPT)  # type: ignore[arg-type]
            assert tokens.input_tokens > 0 and len(api.requests) == 1  # the rest, the fake
        assert router.calls.call_count == 2
    assert _transport_methods() == before


def test_a_class_the_transport_lacks_is_skipped_as_respx_skips_it() -> None:
    """(``lessonkit doctor`` names it: requests through it would not be intercepted.)"""
    from lessonkit import _transport

    with lessonkit.offline():
        pass  # registers the mocker
    from respx.mocks import Mocker

    mocker = Mocker.registry[_transport.MOCKER]
    found = {(owner.__name__, method) for owner, method, _ in _transport._replacements(mocker)}
    assert ("HTTPConnection", "handle_request") in found and len(found) == 6

    gone = ["httpcore2._sync.connection.Gone", "httpcore2._sync.nowhere.HTTPConnection"]
    renamed = type("Renamed", (), {"targets": gone, "target_methods": mocker.target_methods})
    assert list(_transport._replacements(renamed)) == []


# --- environment ------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", [True, False], ids=["vars-set", "vars-unset"])
def test_environment_is_pinned_and_restored(monkeypatch: pytest.MonkeyPatch, preset: bool) -> None:
    before = {
        "ANTHROPIC_API_KEY": "sk-ant-real",
        "ANTHROPIC_BASE_URL": "http://proxy.local",
        "ANTHROPIC_AUTH_TOKEN": "t",
    }
    for name in ENV_NAMES:
        if preset:
            monkeypatch.setenv(name, before[name])
        else:
            monkeypatch.delenv(name, raising=False)
    with lessonkit.offline() as api:
        assert os.environ["ANTHROPIC_API_KEY"] == PLACEHOLDER_KEY
        assert "ANTHROPIC_BASE_URL" not in os.environ and "ANTHROPIC_AUTH_TOKEN" not in os.environ
        _hello(anthropic.Anthropic())  # reaches the fake API, not the proxy
        assert len(api.requests) == 1
    after = {name: os.environ.get(name) for name in ENV_NAMES}
    assert after == (before if preset else dict.fromkeys(ENV_NAMES))


def test_environment_is_restored_after_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-real")
    with pytest.raises(ZeroDivisionError), lessonkit.offline():
        1 / 0  # noqa: B018
    assert os.environ["ANTHROPIC_API_KEY"] == "sk-ant-real"
    assert lessonkit.offline.current() is None


def test_credentials_never_reach_the_request_log(lessonkit_api: FakeAPI) -> None:
    _hello(anthropic.Anthropic(api_key="sk-ant-secret"))
    headers = lessonkit_api.last.headers
    assert headers["authorization"] == "[redacted]"
    assert "sk-ant-secret" not in repr(lessonkit_api.requests)


# --- lifecycle --------------------------------------------------------------------------------


def test_nested_with_is_an_error() -> None:
    with lessonkit.offline() as outer:
        with pytest.raises(OfflineError, match="already active"), lessonkit.offline():
            pass  # pragma: no cover
        outer.reply("still the outer session")
        assert _hello(anthropic.Anthropic()) == "still the outer session"


def test_start_twice_replaces_the_earlier_session() -> None:
    first, second = lessonkit.offline(), lessonkit.offline()
    try:
        api1 = first.start()
        assert first.start() is api1  # re-running the same cell is harmless
        api2 = second.start()  # re-running `api = lessonkit.offline().start()` replaces it
        assert lessonkit.offline.current() is second
        assert repr(first).startswith("<lessonkit.offline off")
        _hello(anthropic.Anthropic())
        assert (len(api1.requests), len(api2.requests)) == (0, 1)
    finally:
        second.stop()
        second.stop()  # safe twice
    assert lessonkit.offline.current() is None


def test_start_inside_with_is_an_error() -> None:
    with lessonkit.offline(), pytest.raises(OfflineError, match="already active"):
        lessonkit.offline().start()


def test_with_inside_a_started_session_pauses_it() -> None:
    """A checker's ``with offline()`` in a notebook that called ``start()`` gets a fresh API."""
    session = lessonkit.offline()
    notebook_api = session.start()
    try:
        with lessonkit.offline() as checker_api:
            _hello(anthropic.Anthropic())
        _hello(anthropic.Anthropic())
        assert (len(checker_api.requests), len(notebook_api.requests)) == (1, 1)
        assert lessonkit.offline.current() is session
    finally:
        session.stop()


def test_own_api_object() -> None:
    api = FakeAPI(seed="mine")
    with lessonkit.offline(api) as got:
        assert got is api
        _hello(anthropic.Anthropic())
    assert api.requests[0].request_id.startswith("req_011C")


def test_decorator_on_a_sync_function() -> None:
    @lessonkit.offline()
    def lesson_cell() -> str:
        assert lessonkit.offline.current() is not None
        return _hello(anthropic.Anthropic())

    assert lesson_cell() == lesson_cell()  # each call gets a fresh session
    assert lesson_cell.__name__ == "lesson_cell"
    assert lessonkit.offline.current() is None


def test_decorator_on_an_async_function() -> None:
    @lessonkit.offline()
    async def lesson_cell() -> str:
        message = await anthropic.AsyncAnthropic().messages.create(
            model=models.DEFAULT,
            max_tokens=20,
            messages=PROMPT,  # type: ignore[arg-type]
        )
        return "".join(b.text for b in message.content if b.type == "text")

    assert asyncio.iscoroutinefunction(lesson_cell)
    assert lessonkit.offline.current() is None  # decorating starts nothing
    assert asyncio.run(lesson_cell())
    assert lessonkit.offline.current() is None


def test_decorator_runs_on_the_api_it_was_given() -> None:
    mine = FakeAPI(seed="mine")

    @lessonkit.offline(mine)
    def lesson_cell() -> str:
        session = lessonkit.offline.current()
        assert session is not None and session.api is mine
        mine.reply("scripted on my api")
        return _hello(anthropic.Anthropic())

    @lessonkit.offline(mine)
    async def async_cell() -> int:
        await anthropic.AsyncAnthropic().messages.create(
            model=models.DEFAULT,
            max_tokens=20,
            messages=PROMPT,  # type: ignore[arg-type]
        )
        return len(mine.requests)

    assert lesson_cell() == "scripted on my api"
    assert asyncio.run(async_cell()) == 2
    assert lessonkit.offline.current() is None


@pytest.mark.parametrize("virtual_time", [True, False])
def test_virtual_time_patches_sleep_only_while_on(
    monkeypatch: pytest.MonkeyPatch, virtual_time: bool
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # the "real" sleep, as found at entry
    with lessonkit.offline(virtual_time=virtual_time) as api:
        time.sleep(3600)
    assert slept == ([] if virtual_time else [3600])
    assert time.sleep == slept.append
    assert api.clock.seconds == (3600 if virtual_time else 0)


def test_current_reports_the_session_that_is_on() -> None:
    assert lessonkit.offline.current() is None
    with lessonkit.offline() as api:
        session = lessonkit.offline.current()
        assert session is not None and session.api is api
    assert lessonkit.offline.current() is None


def test_the_public_name_is_one_callable_not_a_module() -> None:
    from lessonkit import offline

    assert offline is lessonkit.offline and callable(offline) and offline.current() is None
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("lessonkit.offline")


def test_a_session_stopped_from_another_thread_ignores_its_own_late_exit() -> None:
    """How a checker reclaims offline mode from a thread it gave up on."""
    entered, leave = threading.Event(), threading.Event()
    session = lessonkit.offline()

    def abandoned() -> None:
        with session:
            entered.set()
            leave.wait()

    worker = threading.Thread(target=abandoned)
    worker.start()
    entered.wait()
    session.stop()
    with lessonkit.offline() as fresh:
        leave.set()
        worker.join()
        assert lessonkit.offline.current() is not None
        assert lessonkit.offline.current().api is fresh  # type: ignore[union-attr]
        _hello(anthropic.Anthropic())
        assert len(fresh.requests) == 1


def test_fixture_gives_an_active_fresh_api(lessonkit_api: FakeAPI) -> None:
    assert isinstance(lessonkit_api, FakeAPI)
    session = lessonkit.offline.current()
    assert session is not None and session.api is lessonkit_api
    assert lessonkit_api.requests == []
    assert "on: 0 requests" in repr(session)
