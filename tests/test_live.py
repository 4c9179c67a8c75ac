"""lessonkit.live: opt-in, budgets and metering, with "live" simulated by the local server.

Nothing here reaches the real API: every session is pointed at
``serve_in_thread`` on 127.0.0.1 (CI has no key, and must never need one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

import lessonkit
from lessonkit import FakeAPI, models
from lessonkit._cost import cost
from lessonkit._live import BudgetExceeded, LiveError, LiveSession, LiveStopped, estimate_cost, live
from lessonkit.server import RunningServer, serve_in_thread

SECRET = "sk-ant-" + "api03-DO-NOT-PRINT-ME-1234"  # split: no key-shaped literal in the repo
HELLO: dict[str, Any] = {
    "model": models.FAST,
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LESSONKIT_LIVE", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with serve_in_thread(FakeAPI()) as running:
        yield running


@pytest.fixture
def session(server: RunningServer) -> Iterator[LiveSession]:
    with live(
        budget_usd=0.05, max_requests=5, api_key=SECRET, base_url=server.base_url, opt_in=True
    ) as s:
        yield s


def test_needs_an_opt_in() -> None:
    with pytest.raises(LiveError, match="LESSONKIT_LIVE=1"):
        live(api_key=SECRET)


def test_needs_a_key_and_never_echoes_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LESSONKIT_LIVE", "1")
    with pytest.raises(LiveError, match="ANTHROPIC_API_KEY"):
        live()


def test_env_vars_switch_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LESSONKIT_LIVE", "1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    with live(budget_usd=0.25) as session:
        assert session.budget_usd == 0.25


def test_refused_while_offline_is_on() -> None:
    with lessonkit.offline():
        with pytest.raises(LiveError, match="offline"):
            live(opt_in=True)  # offline mode put its placeholder key in the environment


@pytest.mark.parametrize("kwargs", [{"budget_usd": 0}, {"max_requests": 0}])
def test_rejects_empty_budgets(kwargs: dict[str, Any]) -> None:
    with pytest.raises(LiveError):
        live(api_key=SECRET, opt_in=True, **kwargs)


def test_key_appears_in_no_repr(session: LiveSession) -> None:
    session.client().messages.create(**HELLO)
    shown = " ".join([repr(session), str(session), repr(session.calls)])
    assert SECRET not in shown and SECRET[-4:] not in shown
    assert "key set" in repr(session)


def test_meters_real_usage_of_create_and_stream(
    server: RunningServer, session: LiveSession
) -> None:
    client = session.client()
    created = client.messages.create(**HELLO)
    with client.messages.stream(**HELLO) as stream:
        streamed = stream.get_final_message()
    assert session.requests == 2
    assert [(c.input_tokens, c.output_tokens) for c in session.calls] == [
        (created.usage.input_tokens, created.usage.output_tokens),
        (streamed.usage.input_tokens, streamed.usage.output_tokens),
    ]
    assert 0 < session.spent_usd < estimate_cost(HELLO) * 2


def test_refuses_before_sending_a_request_that_could_overrun(
    server: RunningServer, session: LiveSession
) -> None:
    with pytest.raises(BudgetExceeded, match="max_tokens=20000"):
        session.client().messages.create(**{**HELLO, "model": models.CAPABLE, "max_tokens": 20000})
    assert server.api.requests == []  # nothing was sent
    assert session.requests == 0


def test_stops_at_max_requests_and_is_not_retried(
    server: RunningServer, session: LiveSession
) -> None:
    client = session.client()
    for _ in range(5):
        client.messages.create(**HELLO)
    with pytest.raises(BudgetExceeded, match="all 5 requests") as caught:
        client.messages.create(**HELLO)
    assert not isinstance(caught.value, anthropic.APIConnectionError)
    assert len(server.api.requests) == 5


def test_retries_count_as_requests_and_errors_cost_nothing(
    server: RunningServer, session: LiveSession
) -> None:
    server.api.fail_next(529, retry_after_ms=10)
    session.client().messages.create(**HELLO)
    assert session.requests == 2
    assert [c.status for c in session.calls] == [529, 200]
    assert session.calls[0].cost_usd == 0


def test_dropped_stream_is_charged_for_what_arrived(
    server: RunningServer, session: LiveSession
) -> None:
    server.api.drop_stream(after_events=4)
    with pytest.raises(Exception):  # noqa: B017 - the transport's own error type
        with session.client(max_retries=0).messages.stream(**HELLO) as stream:
            "".join(stream.text_stream)
    assert session.calls[-1].input_tokens > 0


def test_an_ended_session_refuses(session: LiveSession) -> None:
    client = session.client()
    session.close()
    with pytest.raises(LiveStopped, match="ended"):
        client.messages.create(**HELLO)
    with pytest.raises(LiveStopped):
        session.client()


def test_estimate_grows_with_max_tokens_and_halves_in_batches() -> None:
    small, large = estimate_cost(HELLO), estimate_cost({**HELLO, "max_tokens": 1000})
    assert 0 < small < large
    assert estimate_cost(HELLO, batch=True) == pytest.approx(small / 2)


def test_charges_what_lessonkit_cost_says(session: LiveSession) -> None:
    message = session.client().messages.create(**HELLO)
    assert session.spent_usd == pytest.approx(cost(message.usage, message.model).total)


def test_refuses_a_model_it_cannot_price(session: LiveSession) -> None:
    with pytest.raises(LiveStopped, match="no price"):
        session.client().messages.create(**{**HELLO, "model": "claude-unpriced-9"})
