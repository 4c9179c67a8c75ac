"""End-to-end smoke: the real SDK against offline mode, create and stream."""

from __future__ import annotations

import subprocess
import sys

import anthropic
import pytest

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


RUNTIME_ONLY = """
import sys
sys.modules["pytest"] = None  # a runtime-only install: importing pytest fails
import anthropic, lessonkit
from lessonkit.exercises.ex01_streaming import CollectStream
request = dict(model=lessonkit.models.DEFAULT, max_tokens=50,
               messages=[{"role": "user", "content": "Hi"}])
with lessonkit.offline() as api:
    client = anthropic.Anthropic()
    created = "".join(b.text for b in client.messages.create(**request).content if b.type == "text")
    with client.messages.stream(**request) as stream:
        streamed = "".join(stream.text_stream)
verdict = CollectStream.evaluate(CollectStream.reference)
print(created == streamed, verdict.status.name, "pytest_httpx2" in sys.modules)
"""


@pytest.mark.slow  # a subprocess: a clean interpreter is the only honest check
def test_offline_mode_and_checks_work_without_pytest() -> None:
    """``pip install lessonkit`` (no test extras) must not need pytest or pytest-httpx2."""
    out = subprocess.run(
        [sys.executable, "-c", RUNTIME_ONLY], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "CORRECT", "False"]
