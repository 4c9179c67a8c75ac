"""What the installed SDK knows, against what lessonkit handles.

Run in every venv of scripts/test-matrix.sh. Each list below is what lessonkit
was written against; when an SDK release adds a value, the test fails and its
message says what to add where, so the fake and the lessons never silently
fall behind the SDK learners install.
"""

from __future__ import annotations

import importlib
import typing
from typing import Any

import anthropic
import pytest
from anthropic.types import (
    ContentBlock,
    ModelLine,
    RawContentBlockDelta,
    RawMessageStreamEvent,
    StopReason,
)
from anthropic.types.shared import ErrorType

from lessonkit import FakeAPI, models
from lessonkit.fakeapi import errors, replies, schema

#: Stop reasons the fake can produce and lesson 02's dispatch covers.
STOP_REASONS = {
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "pause_turn",
    "refusal",
    "model_context_window_exceeded",
}
#: HTTP statuses the SDK maps to a class of their own that the fake never answers, and why.
NOT_SIMULATED_STATUSES = {
    412: "precondition failures come from beta resources lessons do not use",
    422: "unprocessable entity comes from beta resources lessons do not use",
    431: "header-size errors come from proxies in front of the API",
    499: "client-closed requests are reported by proxies, not answered",
    501: "not-implemented comes from beta resources lessons do not use",
}
#: ``error.type`` values the fake never sends (beta memory tool) and the one it sends the SDK lacks.
NOT_SIMULATED_ERROR_TYPES = {"memory_precondition_failed_error", "memory_path_conflict_error"}
DOCS_ONLY_ERROR_TYPES = {
    "request_too_large"
}  # the 413 type the docs name; SDK's ErrorType omits it
#: ``messages.create`` body fields lessonkit knows (validate.py checks some, accepts all).
CREATE_FIELDS = {
    "cache_control",
    "container",
    "diagnostics",
    "inference_geo",
    "max_tokens",
    "messages",
    "metadata",
    "model",
    "output_config",
    "service_tier",
    "speed",
    "stop_sequences",
    "stream",
    "system",
    "thinking",
    "tool_choice",
    "tools",
    "user_profile_id",
    "workspace_id",
}
#: SSE events the fake sends (sse.py), plus ``ping`` and ``error`` which the SDK handles untyped.
STREAM_EVENTS = {
    "message_start",
    "message_delta",
    "message_stop",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
}
#: Deltas the SDK knows; the fake sends the first two, the others belong to features not taught.
DELTAS = {"text_delta", "input_json_delta", "citations_delta", "thinking_delta", "signature_delta"}
#: Response content block types the fake renders; the rest come from server tools and thinking.
RENDERED_BLOCKS = {"text", "tool_use"}


def _unwrap(annotation: Any) -> tuple[Any, ...]:
    """Members of ``Annotated[Union[...], ...]`` / ``Union[...]``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return typing.get_args(annotation)


def _tags(union: Any) -> set[str]:
    """The ``type`` literal of every member class of a discriminated union."""
    tags: set[str] = set()
    for member in _unwrap(union):
        tags.update(typing.get_args(member.model_fields["type"].annotation))
    return tags


def _news(sdk: set[str], ours: set[str]) -> str:
    added, dropped = sorted(sdk - ours), sorted(ours - sdk)
    return f"anthropic {anthropic.__version__}: new {added}, gone {dropped}"


def test_stop_reasons() -> None:
    sdk = set(typing.get_args(StopReason))
    assert sdk == STOP_REASONS, (
        f"{_news(sdk, STOP_REASONS)}. Teach lessonkit/fakeapi/generation.py to produce each new "
        "stop reason (api.reply(stop_reason=...)), handle it in lesson 02's dispatch, then update "
        "STOP_REASONS in this test"
    )
    assert set(replies.STOP_REASONS) == sdk


@pytest.mark.parametrize("reason", sorted(STOP_REASONS))
def test_fake_produces_every_stop_reason(lessonkit_api: FakeAPI, reason: str) -> None:
    tool = {"name": "lookup", "input_schema": {"type": "object"}}
    calls = {"tool_use": {"name": "lookup", "input": {}}} if reason == "tool_use" else {}
    lessonkit_api.reply("Hello there.", stop_reason=reason, **calls)  # type: ignore[arg-type]
    message = anthropic.Anthropic().messages.create(
        model=models.DEFAULT,
        max_tokens=50,
        messages=[{"role": "user", "content": "Hi"}],
        tools=[tool],  # type: ignore[list-item]
    )
    assert message.stop_reason == reason


def test_error_classes_cover_every_status() -> None:
    try:
        error_classes = importlib.import_module("anthropic._error_classes").ERROR_CLASSES
    except (ImportError, AttributeError):
        pytest.fail(
            f"anthropic {anthropic.__version__} has no anthropic._error_classes.ERROR_CLASSES "
            "(added in 2.5); find how the SDK now picks an APIStatusError subclass and update "
            "this test"
        )
    sdk = {status for status, code in error_classes if code is None}
    ours = set(errors.ERROR_TYPES) | set(NOT_SIMULATED_STATUSES)
    assert sdk <= ours | {500}, (
        f"anthropic {anthropic.__version__} maps new HTTP statuses {sorted(sdk - ours)} to "
        "their own "
        "classes: add each to ERROR_TYPES in lessonkit/fakeapi/errors.py (error.type and the real "
        "message) and to the errors lesson, or to NOT_SIMULATED_STATUSES here with a reason"
    )
    assert not set(errors.ERROR_TYPES) & set(NOT_SIMULATED_STATUSES)


@pytest.mark.parametrize("status", sorted(errors.ERROR_TYPES))
def test_each_simulated_status_raises_its_own_sdk_class(
    lessonkit_api: FakeAPI, status: int
) -> None:
    error_classes = importlib.import_module("anthropic._error_classes").ERROR_CLASSES
    expected = error_classes.get(
        (status, None), anthropic.InternalServerError if status >= 500 else None
    )
    assert expected is not None, (
        f"anthropic {anthropic.__version__} has no class of its own for HTTP {status}, which the "
        "fake answers and the errors lesson teaches; raise pyproject's anthropic lower bound"
    )
    lessonkit_api.fail_next(status)
    with pytest.raises(anthropic.APIStatusError) as caught:
        anthropic.Anthropic(max_retries=0).messages.create(
            model=models.DEFAULT, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
        )
    assert type(caught.value) is expected
    assert caught.value.request_id == lessonkit_api.last.request_id


def test_error_types() -> None:
    sdk = set(typing.get_args(ErrorType))
    ours = {kind for kind, _ in errors.ERROR_TYPES.values()}
    assert sdk <= ours | NOT_SIMULATED_ERROR_TYPES, (
        f"{_news(sdk, ours | NOT_SIMULATED_ERROR_TYPES)} error.type values. Send each new one from "
        "lessonkit/fakeapi/errors.py ERROR_TYPES, or list it in NOT_SIMULATED_ERROR_TYPES here"
    )
    assert ours - sdk <= DOCS_ONLY_ERROR_TYPES


def test_create_fields() -> None:
    sdk = set(schema.create_fields())
    assert sdk == CREATE_FIELDS, (
        f"{_news(sdk, CREATE_FIELDS)} messages.create fields. Decide whether "
        "lessonkit/fakeapi/validate.py must check each new field (and generation.py honour it), "
        "then update CREATE_FIELDS in this test"
    )


def test_stream_events_and_deltas() -> None:
    events, deltas = _tags(RawMessageStreamEvent), _tags(RawContentBlockDelta)
    assert events == STREAM_EVENTS, (
        f"{_news(events, STREAM_EVENTS)} stream events: add them to lessonkit/fakeapi/sse.py and "
        "the streaming lesson, then to STREAM_EVENTS here"
    )
    assert deltas == DELTAS, (
        f"{_news(deltas, DELTAS)} deltas: decide whether lessonkit/fakeapi/sse.py must send them, "
        "then update DELTAS here"
    )


def test_rendered_content_blocks_are_ones_the_sdk_parses() -> None:
    assert RENDERED_BLOCKS <= _tags(ContentBlock)


def test_every_sdk_model_has_a_facts_row() -> None:
    lines = set(typing.get_args(ModelLine))
    families = {m.split("-")[1] for m in models.KNOWN if models.version(m) is not None}
    assert not models.undocumented(), (
        f"anthropic {anthropic.__version__} knows {list(models.undocumented())}, which "
        "lessonkit/fakeapi/model_facts.json has no row for: the fake serves them with the "
        "strictest rules; add a row per model, each value with its source page and date"
    )
    assert families <= lines, (
        f"model ids name families {sorted(families - lines)} the SDK's ModelLine lacks"
    )
