"""End-to-end smoke: the real SDK against offline mode, create and stream."""

from __future__ import annotations

import anthropic

from lessonkit import FakeAPI, models


def test_create_and_stream_agree(lessonkit_api: FakeAPI) -> None:
    client = anthropic.Anthropic()
    request = dict(
        model=models.DEFAULT, max_tokens=200, messages=[{"role": "user", "content": "Hi"}]
    )
    message = client.messages.create(**request)  # type: ignore[call-overload]
    with client.messages.stream(**request) as stream:  # type: ignore[arg-type]
        streamed = "".join(stream.text_stream)
    assert message.stop_reason == "end_turn"
    assert [b.type for b in message.content] == ["thinking", "text"]  # thinking comes first
    assert streamed == "".join(b.text for b in message.content if b.type == "text")
    assert message._request_id == lessonkit_api.requests[0].request_id
