"""The diagrams: EventSequence, ErrorFlowchart, BatchStates and RetryTimeline's time axis.

What each shows for a given state of the offline API, that the same state gives
the same bytes, and that nothing a learner sent reaches the HTML unescaped.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types.messages import MessageBatch

import lessonkit
from lessonkit import PLACEHOLDER_KEY, FakeAPI, models
from lessonkit.batches import Snapshot
from lessonkit.fakeapi import retries
from lessonkit.widgets import BatchStates, ErrorFlowchart, EventSequence, RetryTimeline
from lessonkit.widgets.events import rows
from lessonkit.widgets.retry import tick_step
from lessonkit.widgets.svg import STRONG

REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 200,
    "messages": [{"role": "user", "content": "Tell me about streaming"}],
}


@pytest.fixture(scope="module")
def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=PLACEHOLDER_KEY)


def stream(client: anthropic.Anthropic, **extra: Any) -> None:
    with client.messages.stream(**{**REQUEST, **extra}) as events:
        events.until_done()


# --- EventSequence ----------------------------------------------------------------------


def test_events_of_the_latest_stream(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    lessonkit_api.reply("Hello there, streaming world. " * 3)
    stream(client)
    client.messages.create(**REQUEST)  # not streamed: the view keeps the latest stream
    view = EventSequence(lessonkit_api)
    sent = [e["type"] for e in lessonkit_api.requests[0].events]
    assert sent[0] == "message_start" and sent[-2:] == ["message_delta", "message_stop"]
    text = str(view)
    lines = text.splitlines()
    assert lines[0] == (
        f"SSE events — request 0 ({lessonkit_api.requests[0].request_id[:12]}…), "
        f"{len(sent)} event(s)"
    )
    assert lines[3].split()[:2] == ["1", "message_start"]
    first = next(line for line in lines if "◀ first token" in line)
    assert re.match(r"^\d+ +content_block_delta +\[\d\] text_delta '", first)
    assert f"Time to first token: event {first.split()[0]} of {len(sent)}" in text
    assert re.search(r"… +\d+ more deltas", text)  # a long run is folded
    assert "stop_reason end_turn" in text
    assert max(len(line) for line in lines) <= 80


def test_events_of_a_chosen_request(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    client.messages.create(**REQUEST)
    stream(client)
    assert "request 1" in EventSequence(lessonkit_api).title()
    assert "(request 0 was not streamed: it has no events)" in str(
        EventSequence(lessonkit_api, request=0)
    )
    assert EventSequence(lessonkit_api, request=-1).title() == EventSequence(lessonkit_api).title()
    with pytest.raises(IndexError, match="request=5: api.requests holds 2 request"):
        str(EventSequence(lessonkit_api, request=5))
    with pytest.raises(TypeError, match="request= must be an index"):
        EventSequence(lessonkit_api, request="1")  # type: ignore[arg-type]


def test_events_before_any_stream(lessonkit_api: FakeAPI) -> None:
    view = EventSequence(lessonkit_api)
    assert str(view).splitlines()[:2] == [
        "SSE events",
        "(no streamed request yet: stream a message first)",
    ]
    assert "<svg" not in view._repr_html_()


def test_an_error_event_ends_the_sequence(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_stream(after_events=9)
    with pytest.raises(anthropic.APIStatusError):
        stream(client)
    events = lessonkit_api.requests[0].events
    assert len(events) == 10 and events[-1]["type"] == "error"
    text = str(EventSequence(lessonkit_api))
    assert re.search(r"\n10 +error +overloaded_error: Overloaded\n", text)
    assert "The stream ended with an error event after HTTP 200: no message_stop." in text


def test_a_dropped_stream_says_so(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    lessonkit_api.drop_stream(after_events=4)
    with pytest.raises(httpx2.TransportError):
        stream(client)
    assert len(lessonkit_api.requests[0].events) == 4
    assert "The connection dropped before message_stop." in str(EventSequence(lessonkit_api))


def test_rows_mark_no_first_token_without_text() -> None:
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": {"id": "msg_1", "usage": {"input_tokens": 3}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use"}},
        *(
            {"type": "content_block_delta", "index": 0,
             "delta": {"type": "input_json_delta", "partial_json": "{}"}}
            for _ in range(4)
        ),
        {"type": "content_block_stop", "index": 0},
    ]  # fmt: skip
    table = rows(events)
    assert not any(r.first_token for r in table)
    assert [r.number for r in table] == [1, 2, 3, 4, 5, 6, 7]  # a run of 4 is not folded
    assert [r.block for r in table] == [None, 0, 0, 0, 0, 0, 0]
    folded = rows([*events[:2], *[events[2]] * 9])
    assert [r.number for r in folded][2:] == [3, 4, 5, None, 11]
    assert folded[5].detail == "5 more deltas"


def test_the_first_token_is_drawn_in_red(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    stream(client)
    page = EventSequence(lessonkit_api)._repr_html_()
    assert page.count(f"stroke='{STRONG}'") == 1  # one arrow: the first text delta
    assert "◀ first token" in page and page.count("<svg") == 1


def test_learner_text_is_escaped_in_the_diagram(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.reply("<script>alert(1)</script>")
    stream(client)
    page = EventSequence(lessonkit_api)._repr_html_()
    assert "<script" not in page and "text_delta &#x27;&lt;&#x27;" in page


def test_event_diagram_widget_refreshes(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    panel, button = EventSequence(lessonkit_api).widget().children
    assert "no streamed request yet" not in panel.value  # text lines are not in the HTML
    assert "<svg" not in panel.value
    stream(client)
    button.click()
    assert "<svg" in panel.value


# --- determinism ------------------------------------------------------------------------


def _session_views() -> list[str]:
    client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY)
    with lessonkit.offline() as api:
        api.scenario("rate_limited")
        client.messages.create(**REQUEST)
        stream(client)
        views: list[Any] = [EventSequence(api), RetryTimeline(api, call_id="call_1")]
        views += [ErrorFlowchart(highlight=429), BatchStates()]
        assert all(repr(view) == str(view) for view in views)
        return [f"{view}\n{view._repr_html_()}" for view in views]


def test_same_state_same_bytes() -> None:
    assert _session_views() == _session_views()


# --- ErrorFlowchart ---------------------------------------------------------------------


def _lane(chart: ErrorFlowchart, key: int | str) -> str:
    text = str(chart)
    heading = ""
    for line in text.splitlines():
        if line.endswith(":") and "—" in line:
            heading = line
        if line.split()[:1] == [str(key)] or line.split()[:2] == ["▶", str(key)]:
            return heading
    raise AssertionError(f"{key} is not on the chart")


@pytest.mark.parametrize(
    ("key", "lane"),
    [
        (529, "Retried by the SDK"),
        (429, "Retried by the SDK"),
        (500, "Retried by the SDK"),
        ("timeout", "Retried by the SDK"),
        (400, "Fix your request"),
        (404, "Fix your request"),
        (413, "Fix your request"),
        ("mid-stream", "Surface it"),
    ],
)
def test_each_failure_is_in_its_lane(key: int | str, lane: str) -> None:
    assert _lane(ErrorFlowchart(), key).startswith(lane)


def test_the_chart_follows_the_retry_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    real = retries.after_failure

    def retries_400(status: int | None, *args: Any, **kwargs: Any) -> retries.RetryPlan:
        plan = real(status, *args, **kwargs)
        return retries.RetryPlan(True, *list(vars(plan).values())[1:]) if status == 400 else plan

    monkeypatch.setattr(retries, "after_failure", retries_400)
    assert _lane(ErrorFlowchart(), 400).startswith("Retried by the SDK")


def test_highlight_names_the_path() -> None:
    chart = ErrorFlowchart(highlight=529)
    text = str(chart)
    assert "  ▶ 529      overloaded_error   OverloadedError" in text
    assert "529 (overloaded_error, OverloadedError): retried by the SDK — 2 retries" in text
    page = chart._repr_html_()
    assert "#ffebe9" in page and page.count(f"stroke='{STRONG}'") >= 2
    assert "▶" not in str(ErrorFlowchart()) and "#ffebe9" not in ErrorFlowchart()._repr_html_()
    with pytest.raises(ValueError, match="highlight=418 is not on the chart; choose from 408, 409"):
        ErrorFlowchart(highlight=418)


def test_every_exception_on_the_chart_is_the_sdks() -> None:
    names = re.findall(r"→ (\w+)</text>", ErrorFlowchart()._repr_html_())
    assert len(names) >= 14
    for name in names:
        assert issubclass(getattr(anthropic, name), anthropic.APIError)


# --- BatchStates ------------------------------------------------------------------------


def test_states_come_from_the_sdk() -> None:
    annotation = MessageBatch.model_fields["processing_status"].annotation
    text = str(BatchStates())
    assert [line.strip() for line in text.splitlines()[1:4]] == list(typing.get_args(annotation))
    assert "in_progress → canceling    you called batches.cancel(id)" in text
    assert "Request counts" not in text and "#ffebe9" not in BatchStates()._repr_html_()


def _batch(client: anthropic.Anthropic) -> MessageBatch:
    requests: Any = [
        {"custom_id": f"r{i}", "params": {**REQUEST, "max_tokens": 20}} for i in range(3)
    ]
    return client.messages.batches.create(requests=requests)


@pytest.mark.parametrize(
    ("act", "state", "counts"),
    [
        (lambda c, api, b: b, "in_progress", "processing 3, succeeded 0"),
        (lambda c, api, b: c.messages.batches.cancel(b.id), "canceling", "processing 3,"),
        (
            lambda c, api, b: (api.clock.advance(hours=2), c.messages.batches.retrieve(b.id))[1],
            "ended",
            "processing 0, succeeded 3",
        ),
    ],
)
def test_a_batch_is_highlighted_in_its_state(
    lessonkit_api: FakeAPI,
    client: anthropic.Anthropic,
    act: Callable[[anthropic.Anthropic, FakeAPI, MessageBatch], MessageBatch],
    state: str,
    counts: str,
) -> None:
    batch = act(client, lessonkit_api, _batch(client))
    view = BatchStates(batch)
    text = str(view)
    assert text.splitlines()[0] == f"Batch states — {batch.id} is {state}"
    assert f"▶ {state}" in text and text.count("▶") == 1
    assert f"Request counts: {counts}" in text
    assert f"font-weight='bold'>{state}</text>" in view._repr_html_()


def test_a_snapshot_works_too() -> None:
    snap = Snapshot("msgbatch_x", "ended", {"succeeded": 2, "errored": 1}, datetime.now(UTC))
    text = str(BatchStates(snap))
    assert "▶ ended" in text and "succeeded 2, errored 1" in text


def test_anything_else_is_refused() -> None:
    with pytest.raises(TypeError, match="takes a MessageBatch .* got dict"):
        BatchStates({"processing_status": "ended"})


# --- RetryTimeline's time axis ----------------------------------------------------------


def test_the_time_axis_has_a_bar_per_attempt_and_a_gap_per_wait(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.scenario("overloaded_then_ok")
    client.messages.create(**REQUEST)
    view = RetryTimeline(lessonkit_api)
    figure = view.figure()
    assert figure.startswith("<svg") and figure in view._repr_html_()
    assert [m for m in re.findall(r">#(\d) (\w+)<", figure)] == [
        ("1", "529"), ("2", "529"), ("3", "200")
    ]  # fmt: skip
    waits = [a.wait_after for a in lessonkit_api.requests if a.wait_after]
    for wait in waits:
        assert f"wait {wait.seconds:.2f} s (backoff)" in figure
    assert figure.count("fill='#d0d7de'") == len(waits) == 2
    assert ">0 s<" in figure


def test_a_timeout_is_a_long_bar(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    lessonkit_api.timeout_next()
    client.with_options(timeout=30).messages.create(**REQUEST)
    figure = RetryTimeline(lessonkit_api).figure()
    assert ">#1 timeout<" in figure and "fill='#fb8c00'" in figure
    assert ">30 s<" in figure


def test_no_attempts_no_axis(lessonkit_api: FakeAPI) -> None:
    assert RetryTimeline(lessonkit_api).figure() == ""


@pytest.mark.parametrize(
    ("span", "step"), [(0.01, 0.05), (1.3, 0.2), (2.0, 0.5), (5.4, 1), (60, 10), (1e5, 14400)]
)
def test_tick_steps(span: float, step: float) -> None:
    assert tick_step(span) == step


def test_the_live_timeline_scrubs_through_the_attempts(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.scenario("rate_limited")
    client.messages.create(**REQUEST)
    title, picture, slider, detail = RetryTimeline(lessonkit_api).widget().children
    assert "call_1" in title.value and (slider.min, slider.max, slider.value) == (1, 2, 1)
    assert "stroke='#24292f' stroke-width='3'" in picture.value
    assert "Attempt 1 at +0.000 s (x-stainless-retry-count 0): 429 rate_limit_error" in detail.value
    assert "Then: wait 2.00 s (retry-after header)" in detail.value
    assert "Headers the SDK read: retry-after: 2" in detail.value
    client.messages.create(**REQUEST)  # a later call does not move a built widget
    slider.value = 2
    assert "Attempt 2 at +2.000 s (x-stainless-retry-count 1): 200" in detail.value
    assert "Then: nothing more: the call ended here" in detail.value
    assert picture.value == RetryTimeline(lessonkit_api, call_id="call_1").figure(selected=2)


def test_a_single_attempt_gets_the_plain_panel(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    client.messages.create(**REQUEST)
    html_part, button = RetryTimeline(lessonkit_api).widget().children
    assert "succeeded on attempt 1" in html_part.value and button.description == "Refresh"
