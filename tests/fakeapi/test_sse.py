"""sse.py: the event stream, checked against the SDK's own SSE decoder."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anthropic._streaming import SSEDecoder

from lessonkit.fakeapi import sse
from lessonkit.fakeapi.generation import Block, Generation


def _gen(
    *blocks: Block, stop_reason: str = "end_turn", details: dict[str, Any] | None = None
) -> Generation:
    return Generation(blocks, stop_reason, None, details, 5)


TEXT = Block("text", ("Hello", ",", " world"))
TOOL = Block(
    "tool_use",
    ("", '{"city": "Oslo",', ' "unit": "celsius"}'),
    "toolu_1",
    "get_weather",
    {"city": "Oslo", "unit": "celsius"},
)
REFUSAL = {"type": "refusal", "category": "cyber", "explanation": None}


def _events(gen: Generation) -> list[dict[str, Any]]:
    return list(sse.events(gen, message_id="msg_1", model="claude-x", input_tokens=9))


@pytest.mark.parametrize(
    ("gen", "types"),
    [
        (
            _gen(TEXT),
            ["message_start", "content_block_start", "ping"]
            + ["content_block_delta"] * 3
            + ["content_block_stop", "message_delta", "message_stop"],
        ),
        (
            _gen(TEXT, TOOL, stop_reason="tool_use"),
            ["message_start", "content_block_start", "ping"]
            + ["content_block_delta"] * 3
            + ["content_block_stop", "content_block_start"]
            + ["content_block_delta"] * 3
            + ["content_block_stop", "message_delta", "message_stop"],
        ),
        (
            _gen(stop_reason="refusal", details=REFUSAL),
            ["message_start", "message_delta", "message_stop"],
        ),
    ],
    ids=["text", "text+tool", "refusal"],
)
def test_event_order(gen: Generation, types: list[str]) -> None:
    events = _events(gen)
    assert [e["type"] for e in events] == types
    indexes = [e["index"] for e in events if "index" in e]
    assert indexes == sorted(indexes)


def test_message_start_and_delta_payloads() -> None:
    events = _events(_gen(TEXT, stop_reason="refusal", details=REFUSAL))
    start = events[0]["message"]
    assert (start["id"], start["model"], start["content"], start["stop_reason"]) == (
        "msg_1",
        "claude-x",
        [],
        None,
    )
    assert start["usage"]["input_tokens"] == 9 and start["usage"]["output_tokens"] == 1
    delta = events[-2]
    assert delta["delta"] == {
        "stop_reason": "refusal",
        "stop_sequence": None,
        "stop_details": REFUSAL,
    }
    # as in the real 2026 capture: cumulative counts, no service_tier/cache_creation/inference_geo
    assert delta["usage"] == {
        "input_tokens": 9,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 5,
    }


def test_block_payloads() -> None:
    events = _events(_gen(TEXT, TOOL))
    starts = [e["content_block"] for e in events if e["type"] == "content_block_start"]
    assert starts == [
        {"type": "text", "text": "", "citations": None},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
    ]
    deltas = [e["delta"] for e in events if e["type"] == "content_block_delta"]
    assert "".join(d["text"] for d in deltas if d["type"] == "text_delta") == TEXT.text
    partial = "".join(d["partial_json"] for d in deltas if d["type"] == "input_json_delta")
    assert json.loads(partial) == TOOL.input


def test_frames_decode_with_the_sdk_decoder() -> None:
    events = _events(_gen(TEXT, TOOL))
    frames = [sse.frame(e) for e in events]
    assert all(f.endswith(b"\n\n") and f.startswith(b"event: ") for f in frames)
    decoded = list(SSEDecoder().iter_bytes(iter(frames)))
    assert [d.event for d in decoded] == [e["type"] for e in events]
    assert [d.json() for d in decoded] == events


def test_frames_survive_any_chunking() -> None:
    """The HTTP layer may split bytes anywhere; the decoder must see the same events."""
    data = b"".join(sse.frame(e) for e in _events(_gen(TEXT)))
    for size in (1, 2, 7, 64):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert [d.json() for d in SSEDecoder().iter_bytes(iter(chunks))] == _events(_gen(TEXT))


def test_non_ascii_is_escaped_in_one_line() -> None:
    frame = sse.frame(
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ü\n✓"}}
    )
    assert frame.count(b"\n") == 3 and frame.isascii()


def test_error_event() -> None:
    event = sse.error_event("overloaded_error", "Overloaded", "req_1")
    assert event == {
        "type": "error",
        "error": {"details": None, "type": "overloaded_error", "message": "Overloaded"},
        "request_id": "req_1",
    }
    assert sse.frame(event).startswith(b"event: error\ndata: {")
