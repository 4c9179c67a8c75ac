"""RetryTimeline and RequestLog: readable text, escaped HTML, a widget, always marked simulated."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import anthropic
import httpx2
import pytest

from lessonkit import PLACEHOLDER_KEY, FakeAPI, __version__, models
from lessonkit.widgets import RequestLog, RetryTimeline
from lessonkit.widgets.requestlog import endpoint, short_model

REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
}
FOOTER = f"simulated by lessonkit {__version__}, anthropic {anthropic.__version__}"


@pytest.fixture(scope="module")
def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=PLACEHOLDER_KEY)


def test_timeline_of_a_call_that_recovered(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.scenario("overloaded_then_ok")
    client.messages.create(**REQUEST)
    text = str(RetryTimeline(lessonkit_api))
    lines = text.splitlines()
    assert lines[0] == "Retry timeline — call_1: POST /v1/messages"
    assert re.match(
        r"^1 +\+0\.000 s +0 +529 overloaded_error +wait 0\.\d\d s \(backoff\)$", lines[3]
    )
    assert re.match(r"^3 +\+\d\.\d{3} s +2 +200$", lines[5])
    assert "Outcome: succeeded on attempt 3." in text
    assert "no real time passed" in text
    assert lines[-1].startswith(FOOTER)
    assert repr(RetryTimeline(lessonkit_api)) == text


def test_timeline_names_the_header_behind_each_wait(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.scenario("rate_limited")
    client.messages.create(**REQUEST)
    assert "wait 2.00 s (retry-after header)" in str(RetryTimeline(lessonkit_api))


@pytest.mark.parametrize(
    ("plan", "words"),
    [
        (
            lambda api: api.scenario("overloaded"),
            "gave up after 3 attempts (529 overloaded_error, "
            "retries exhausted) → anthropic.OverloadedError",
        ),
        (
            lambda api: api.fail_next(401),
            "401 authentication_error is not retried → "
            "anthropic.AuthenticationError raised at once",
        ),
        (lambda api: api.timeout_next(times=3), "anthropic.APITimeoutError after 3 attempts"),
        (lambda api: api.fail_next(529, should_retry=False), "529 overloaded_error is not retried"),
    ],
)
def test_timeline_outcome_names_the_exception(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic, plan: Any, words: str
) -> None:
    plan(lessonkit_api)
    with pytest.raises(anthropic.APIError):
        client.messages.create(**REQUEST)
    assert words in str(RetryTimeline(lessonkit_api))


@pytest.mark.parametrize(
    ("plan", "error", "words"),
    [
        (
            lambda api: api.fail_stream(5),
            anthropic.APIStatusError,
            "anthropic.APIStatusError (status_code 200) while iterating",
        ),
        (lambda api: api.drop_stream(5), httpx2.RemoteProtocolError, "httpx2.RemoteProtocolError"),
    ],
)
def test_timeline_of_a_broken_stream(
    lessonkit_api: FakeAPI,
    client: anthropic.Anthropic,
    plan: Any,
    error: type[Exception],
    words: str,
) -> None:
    plan(lessonkit_api)
    with pytest.raises(error), client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    text = str(RetryTimeline(lessonkit_api))
    assert words in text and "the SDK does not retry it" in text


def test_timeline_can_pin_a_call(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    lessonkit_api.fail_next(500)
    client.messages.create(**REQUEST)
    client.messages.create(**REQUEST)
    assert "call_2" in str(RetryTimeline(lessonkit_api))
    pinned = str(RetryTimeline(lessonkit_api, call_id="call_1"))
    assert "call_1" in pinned and "succeeded on attempt 2" in pinned


def test_empty_views_still_say_they_are_simulated(lessonkit_api: FakeAPI) -> None:
    for view in (RetryTimeline(lessonkit_api), RequestLog(lessonkit_api)):
        assert "(no requests yet)" in str(view)
        assert FOOTER in str(view) and FOOTER in view._repr_html_()


def test_request_log_has_the_recommended_fields(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(529)
    message = client.messages.create(**REQUEST)
    first, second = RequestLog(lessonkit_api).records()
    assert second["request_id"] == message._request_id
    assert second["timestamp"] == lessonkit_api.clock.isoformat()[:-4] + "Z"
    assert re.match(r"^2026-11-02T09:00:00\.\d{3}Z$", second["timestamp"])
    assert (second["model"], second["status"], second["stop_reason"]) == (
        models.DEFAULT,
        200,
        "end_turn",
    )
    assert second["input_tokens"] == message.usage.input_tokens
    assert second["output_tokens"] == message.usage.output_tokens
    assert second["simulated"] is True and second["latency_s"] > 0.3
    assert (first["status"], first["error_type"], first["latency_s"]) == (
        529,
        "overloaded_error",
        0.05,
    )
    assert (first["call_id"], first["attempt"], second["attempt"]) == ("call_1", 1, 2)
    log = RequestLog(lessonkit_api)
    assert "attempt: 2" in log.detail(1) and "latency_s: 0.05" in log.detail(0)
    page = log._repr_html_()
    assert "<details><summary>Every field</summary>" in page
    assert "latency*" in page and "latency is simulated" in page and FOOTER in page
    assert "call_1#2" in page and message._request_id in page  # in full, behind the summary


def test_request_log_fits_80_columns(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    lessonkit_api.fail_next(529)
    message = client.messages.create(**REQUEST)
    lessonkit_api.fail_stream(after_events=9)
    with pytest.raises(anthropic.APIStatusError), client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    client.messages.count_tokens(model=models.DEFAULT, messages=REQUEST["messages"])
    lessonkit_api.drop_stream(after_events=4)
    with pytest.raises(httpx2.TransportError), client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    text = str(RequestLog(lessonkit_api))
    lines = text.splitlines()
    short = re.sub(r"-\d{8}$", "", models.DEFAULT)
    assert lines[0] == f"Request log — 5 request(s), 2026-11-02 UTC, {short}"  # one model
    assert lines[1].split() == ["#", "time", "endpoint", "status", "result", "request_id"]
    request_id = lessonkit_api.requests[0].request_id
    assert lines[3].split()[2:] == ["POST", "messages", "529", "overloaded", "…" + request_id[-6:]]
    assert re.fullmatch(r"09:00:00\.\d", lines[3].split()[1])
    assert lines[4].split()[4:6] == ["200", "end_turn"]
    assert message._request_id not in text  # abbreviated: the full id is one .detail() away
    assert "overloaded mid-stream" in lines[5]
    assert "POST count_tokens" in lines[6]
    assert "dropped mid-stream" in lines[7]
    assert max(len(line) for line in lines) <= 80


def test_request_log_shows_models_when_they_differ(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    client.messages.create(**REQUEST)
    client.messages.create(**{**REQUEST, "model": models.FAST})
    lines = str(RequestLog(lessonkit_api)).splitlines()
    assert lines[0] == "Request log — 2 request(s), 2026-11-02 UTC"
    assert lines[1].split()[3] == "model"
    assert re.sub(r"-\d{8}$", "", models.FAST) in lines[4]
    assert "<th style='text-align:left'>model</th>" in RequestLog(lessonkit_api)._repr_html_()


def test_request_log_abbreviations() -> None:
    assert short_model("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert short_model("claude-opus-4-1") == "claude-opus-4-1"
    assert short_model(None) == "-"
    assert endpoint("GET", "/v1/messages/batches/msgbatch_011CKm71XjFHUwaJuGkkqJZQ/results") == (
        "GET batches/…/results"
    )
    assert endpoint("GET", "/v1/models") == "GET models"


def test_request_log_detail_is_every_field(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    client.messages.create(**REQUEST)
    client.messages.create(**REQUEST)
    log = RequestLog(lessonkit_api, last=1)
    assert log.detail(0).splitlines()[0] == "index: 0"  # any request, not only the shown ones
    assert f"request_id: {lessonkit_api.requests[0].request_id}" in log.detail(0)
    assert log.detail(-1) == log.detail(1) and "index: 1" in log.detail(-1)
    with pytest.raises(IndexError, match="no request 2 \\(2 seen\\)"):
        log.detail(2)


def test_request_log_last_n(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    for _ in range(3):
        client.messages.create(**REQUEST)
    assert len(RequestLog(lessonkit_api, last=2).records()) == 2
    with pytest.raises(ValueError, match="last="):
        RequestLog(lessonkit_api, last=0)


def test_timeouts_show_the_clients_timeout_as_latency(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.timeout_next()
    client.with_options(timeout=45).messages.create(**REQUEST)
    first = RequestLog(lessonkit_api).records()[0]
    assert (first["status"], first["latency_s"]) == ("timeout", 45)


def test_html_escapes_what_the_learner_sent(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(**{**REQUEST, "model": "<b>claude</b>"})
    page = RequestLog(lessonkit_api)._repr_html_()
    assert "&lt;b&gt;claude&lt;/b&gt;" in page and "<b>claude</b>" not in page


def test_widget_panel_refreshes(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    import ipywidgets

    view = RequestLog(lessonkit_api)
    panel = view.widget()
    assert isinstance(panel, ipywidgets.VBox)
    html_part, button = panel.children
    assert "(no requests yet)" in html_part.value
    client.messages.create(**REQUEST)
    button.click()
    assert "end_turn" in html_part.value


def test_display_uses_text_and_html(lessonkit_api: FakeAPI) -> None:
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(RetryTimeline(lessonkit_api))
    assert set(data) == {"text/plain", "text/html"}
    assert data["text/plain"] == str(RetryTimeline(lessonkit_api))


@pytest.mark.slow
def test_importing_lessonkit_and_the_views_does_not_import_ipywidgets() -> None:
    code = (
        "import sys, lessonkit, lessonkit.widgets, lessonkit.recall\n"
        "from lessonkit.widgets import RequestLog, RetryTimeline, EventSequence, ErrorFlowchart\n"
        "from lessonkit.widgets import BatchStates\n"
        "str(ErrorFlowchart(highlight=529)), str(BatchStates())\n"
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize(
    ("plan", "error", "label", "status"),
    [
        (
            lambda api: api.fail_stream(after_events=6),
            anthropic.APIStatusError,
            "#1 200 → overloaded_error",
            "200, then stream error: overloaded_error",
        ),
        (
            lambda api: api.drop_stream(after_events=4),
            httpx2.TransportError,
            "#1 200 → dropped",
            "200, then the connection dropped",
        ),
    ],
)
def test_a_stream_that_broke_after_200_is_drawn_as_failed(
    lessonkit_api: FakeAPI,
    client: anthropic.Anthropic,
    plan: Any,
    error: type[Exception],
    label: str,
    status: str,
) -> None:
    plan(lessonkit_api)
    with pytest.raises(error), client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    timeline = RetryTimeline(lessonkit_api)
    figure = timeline.figure()
    assert label in figure and "#1a7f37" not in figure  # not the success green
    assert timeline.rows()[0][3] == status


def test_request_log_title_says_how_many_of_all_it_shows(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    for _ in range(3):
        client.messages.create(**REQUEST)
    assert str(RequestLog(lessonkit_api, last=2)).startswith("Request log — last 2 of 3 request(s)")
    assert str(RequestLog(lessonkit_api, last=3)).startswith("Request log — 3 request(s)")
