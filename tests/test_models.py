"""The model registry, and the retirement drill a production client must survive."""

from __future__ import annotations

import logging
import typing
from typing import Any

import anthropic
import pytest
from anthropic.resources.messages import messages as sdk_messages
from anthropic.types.model_param import ModelParam

from lessonkit import FakeAPI, models
from lessonkit.fakeapi import models_api

PROMPT = [{"role": "user", "content": "Hi"}]


def test_known_is_the_sdk_literal() -> None:
    literal = next(a for a in typing.get_args(ModelParam) if typing.get_origin(a) is typing.Literal)
    assert models.KNOWN == typing.get_args(literal)


@pytest.mark.parametrize("name", ["DEFAULT", "CAPABLE", "FAST"])
def test_lesson_models_are_current_aliases_the_sdk_does_not_deprecate(name: str) -> None:
    model = getattr(models, name)
    assert model in models.current()
    assert models.version(model) is not None
    assert model not in models.deprecated(), (
        f"anthropic {anthropic.__version__} deprecates models.{name} = {model!r}: every lesson "
        "would print a DeprecationWarning; make lessonkit/models.py pick a newer id"
    )


def test_fallback_chain_steps_down_one_family_without_deprecated_ids() -> None:
    chain = models.fallback_chain()
    assert chain[0] == models.DEFAULT and len(chain) == 3 and len(set(chain)) == 3
    family = models.DEFAULT.split("-")[1]
    assert all(m.startswith(f"claude-{family}-") for m in chain)
    versions = [models.version(m) for m in chain]
    assert versions == sorted(versions, reverse=True)  # type: ignore[type-var]
    assert not set(chain) & set(models.deprecated())
    assert models.fallback_chain(models.FAST, length=1) == (models.FAST,)


@pytest.mark.parametrize(
    "model, expected",
    [
        ("claude-opus-4-8", (4, 8)),
        ("claude-opus-5", (5, 0)),
        ("claude-haiku-4-5-20251001", None),
        ("claude-mythos-preview", None),
        ("gpt-4", None),
    ],
)
def test_version_reads_the_id(model: str, expected: tuple[int, int] | None) -> None:
    assert models.version(model) == expected


def test_family_without_a_current_model_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="no 'nonesuch' model with a complete row"):
        models.family("nonesuch")


def test_a_moved_sdk_model_literal_fails_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(models, "ModelParam", str)
    with pytest.raises(models.SdkLayoutError, match="update lessonkit/models.py"):
        models._literal_ids()


def test_a_moved_deprecation_table_fails_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(sdk_messages, "DEPRECATED_MODELS")
    with pytest.raises(models.SdkLayoutError, match="lessonkit/models.py::deprecated"):
        models.deprecated()


# --- the retirement drill, end to end through the real SDK ------------------------------------

log = logging.getLogger("lesson.fallback")


def create_with_fallback(client: anthropic.Anthropic, **request: Any) -> anthropic.types.Message:
    """What lesson 03 asks learners to write."""
    for model in models.fallback_chain():
        try:
            message: anthropic.types.Message = client.messages.create(model=model, **request)
            return message
        except anthropic.NotFoundError as err:
            log.warning("model %s is gone (request_id=%s); trying the next", model, err.request_id)
    raise RuntimeError("every model in the fallback chain is gone")


def test_retired_default_falls_back_and_logs_the_request_id(
    lessonkit_api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    lessonkit_api.retire_model(models.DEFAULT)
    client = anthropic.Anthropic()
    with caplog.at_level(logging.WARNING, logger="lesson.fallback"):
        message = create_with_fallback(client, max_tokens=50, messages=PROMPT)

    assert message.model == models.fallback_chain()[1]
    first, second = lessonkit_api.requests  # a 404 is not retried
    assert (first.status, first.error_type, second.status) == (404, "not_found_error", 200)
    assert [r.getMessage() for r in caplog.records] == [
        f"model {models.DEFAULT} is gone (request_id={first.request_id}); trying the next"
    ]


def test_retired_model_error_looks_like_the_real_one(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.retire_model(models.DEFAULT)
    with pytest.raises(anthropic.NotFoundError) as caught:
        anthropic.Anthropic().messages.create(model=models.DEFAULT, max_tokens=50, messages=PROMPT)  # type: ignore[arg-type]
    body: Any = caught.value.body
    assert (body["type"], body["error"]["type"]) == ("error", "not_found_error")
    assert body["error"]["message"] == f"model: {models.DEFAULT}"
    assert body["request_id"] == caught.value.request_id == lessonkit_api.last.request_id


def test_whole_chain_retired_is_an_error_not_a_loop(lessonkit_api: FakeAPI) -> None:
    for model in models.fallback_chain():
        lessonkit_api.retire_model(model)
    with pytest.raises(RuntimeError, match="every model"):
        create_with_fallback(anthropic.Anthropic(), max_tokens=50, messages=PROMPT)
    assert len(lessonkit_api.requests) == 3


# --- the lesson ids against the SDK's own deprecation warning ---------------------------------


@pytest.mark.parametrize("name", ["DEFAULT", "CAPABLE", "FAST"])
def test_lesson_models_are_sdk_literals_outside_its_deprecated_table(name: str) -> None:
    # The table lived in resources/messages/messages.py up to 2.12 and in anthropic._data
    # from 2.13; models.deprecated() reads it where messages.create looks it up.
    literal = next(a for a in typing.get_args(ModelParam) if typing.get_origin(a) is typing.Literal)
    model = getattr(models, name)
    assert model in typing.get_args(literal)
    assert model not in models.deprecated()
    assert models.deprecated() == dict(vars(sdk_messages)["DEPRECATED_MODELS"])  # create() uses it


@pytest.mark.parametrize("name", ["DEFAULT", "CAPABLE", "FAST"])
def test_lesson_models_raise_no_deprecation_warning(lessonkit_api: FakeAPI, name: str) -> None:
    """pytest runs with filterwarnings=error, so any SDK warning here fails the test."""
    client = anthropic.Anthropic()
    model = getattr(models, name)
    assert client.messages.create(model=model, max_tokens=20, messages=PROMPT).model == model  # type: ignore[arg-type]
    with client.messages.stream(model=model, max_tokens=20, messages=PROMPT) as stream:  # type: ignore[arg-type]
        stream.until_done()


def test_a_deprecated_model_warns_but_still_answers(lessonkit_api: FakeAPI) -> None:
    """The SDK warns on every call with a deprecated id; the API serves it until retirement."""
    retired = models_api.past_retirement(lessonkit_api.clock.isoformat())
    deprecated = next(m for m in models.KNOWN if m in models.deprecated() and m not in retired)
    client = anthropic.Anthropic()
    with pytest.warns(DeprecationWarning, match=f"The model '{deprecated}' is deprecated"):
        message = client.messages.create(model=deprecated, max_tokens=20, messages=PROMPT)  # type: ignore[arg-type]
    assert message.model == deprecated
    with (
        pytest.warns(DeprecationWarning, match="deprecated"),
        client.messages.stream(
            model=deprecated,
            max_tokens=20,
            messages=PROMPT,  # type: ignore[arg-type]
        ) as stream,
    ):
        stream.until_done()
