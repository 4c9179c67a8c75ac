"""``GET /v1/models`` and ``/v1/models/{id}`` through the real SDK."""

from __future__ import annotations

import anthropic
import pytest
from anthropic.types import ModelCapabilities, ThinkingConfigParam

from lessonkit import FakeAPI, models
from lessonkit.fakeapi import capabilities, models_api
from lessonkit.fakeapi import facts as facts_module
from lessonkit.fakeapi.facts import facts

from .helpers import SERVED, ask


def test_list_pages_through_every_non_retired_model(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.retire_model(models.DEFAULT)
    gone = models_api.past_retirement(api.clock.isoformat()) | {models.DEFAULT}
    served = [m for m in models.KNOWN if m not in gone]
    first = client.models.list(limit=5)
    assert [m.id for m in first.data] == served[:5]
    assert first.has_more and first.last_id == first.data[-1].id
    every = [m.id for m in client.models.list(limit=5)]  # auto-pagination follows after_id
    assert every == served


def test_retired_models_are_listed_only_when_asked(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.retire_model(models.FAST)
    retired = client.models.list(lifecycle=["retired"])
    by_date = models_api.past_retirement(api.clock.isoformat())
    expected = [m for m in models.KNOWN if m == models.FAST or m in by_date]
    assert [(m.id, m.lifecycle) for m in retired.data] == [(m, "retired") for m in expected]
    info = client.models.retrieve(models.FAST)
    assert info.lifecycle == "retired" and info.retires_at is not None


def test_retrieve_describes_a_model_from_its_row(client: anthropic.Anthropic) -> None:
    info = client.models.retrieve(models.DEFAULT)
    assert (info.id, info.type, info.lifecycle) == (models.DEFAULT, "model", "active")
    assert info.line == models.DEFAULT.split("-")[1]
    assert info.display_name.startswith("Claude ")
    assert info.max_input_tokens == facts(info.id).context_window
    assert info.max_tokens == facts(info.id).max_output_tokens


@pytest.mark.parametrize("model", SERVED)
def test_created_at_is_the_rows_release_day(client: anthropic.Anthropic, model: str) -> None:
    released = client.models.retrieve(model).created_at
    day = facts(model).released
    if day is None:  # no sourced release day: the epoch the API documents for "unknown"
        assert released.year == 1970 and "released" in facts(model).unsourced
    else:
        assert released.date().isoformat() == day


@pytest.mark.parametrize("model", SERVED)
def test_capabilities_are_the_full_tree(client: anthropic.Anthropic, model: str) -> None:
    """Every capability the SDK types is present ("keys are always present")."""
    capabilities = client.models.retrieve(model).capabilities
    assert capabilities is not None
    tree = capabilities.model_dump()
    assert ModelCapabilities.model_validate(tree) == capabilities
    assert set(tree) == set(ModelCapabilities.model_fields)


@pytest.mark.filterwarnings("ignore:Using Claude with .* 'thinking.type=enabled' is deprecated")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # calls to deprecated models
@pytest.mark.parametrize("model", SERVED)
def test_thinking_capabilities_predict_what_the_fake_accepts(
    client: anthropic.Anthropic, model: str
) -> None:
    """A learner who filters on ``thinking.types`` gets the answer messages.create then gives."""
    capabilities = client.models.retrieve(model).capabilities
    assert capabilities is not None
    configs: dict[str, ThinkingConfigParam] = {
        "enabled": {"type": "enabled", "budget_tokens": 1024},
        "adaptive": {"type": "adaptive"},
        "disabled": {"type": "disabled"},
    }
    for kind, config in configs.items():
        supported = getattr(capabilities.thinking.types, kind).supported
        request = ask(model=model, max_tokens=2048, thinking=config)
        if supported:
            client.messages.create(**request)
        else:
            with pytest.raises(anthropic.BadRequestError):
                client.messages.create(**request)


def test_deprecated_models_carry_their_end_of_life(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    retired = models_api.past_retirement(api.clock.isoformat())
    for model, eol in models.deprecated().items():
        if model in models.KNOWN and model not in retired:
            info = client.models.retrieve(model)
            assert info.lifecycle == "deprecated" and info.retires_at is not None, (model, eol)


def test_unknown_model_is_404(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError, match="model: claude-nope-1"):
        client.models.retrieve("claude-nope-1")


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "x"},
        {"lifecycle[]": "gone"},
        {"after_id": "a", "before_id": "b"},
        {"after_id": "nope"},
    ],
)
def test_bad_queries_are_400(client: anthropic.Anthropic, query: dict[str, str]) -> None:
    with pytest.raises(anthropic.BadRequestError):
        client.models.list(extra_query=query)


@pytest.mark.parametrize(
    "model, name",
    [
        ("claude-opus-4-8", "Claude Opus 4.8"),
        ("claude-haiku-4-5-20251001", "Claude Haiku 4.5"),
        ("claude-mythos-preview", "Claude Mythos Preview"),
        ("claude-opus-5", "Claude Opus 5"),
    ],
)
def test_display_name(model: str, name: str) -> None:
    assert models_api.display_name(model) == name


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("model", sorted(models.deprecated()))
def test_a_model_past_its_retirement_date_answers_404(api: FakeAPI, model: str) -> None:
    client = anthropic.Anthropic(max_retries=0)
    retires = models_api.past_retirement("9999-12-31T00:00:00Z")
    assert model in retires
    while model not in models_api.past_retirement(api.clock.isoformat()):
        api.clock.advance(hours=24 * 30)
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(
            model=model, max_tokens=5, messages=[{"role": "user", "content": "Hi"}]
        )
    assert client.models.retrieve(model).lifecycle == "retired"


def test_a_capability_the_table_does_not_describe_is_not_advertised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A newer SDK's capability shows up, unsupported, until a row's source says otherwise."""
    table = facts_module.table()
    shared = {k: v for k, v in table["capabilities"].items() if k != "citations"}
    monkeypatch.setattr(capabilities, "table", lambda: {**table, "capabilities": shared})
    tree = capabilities.capabilities(facts(models.DEFAULT))
    assert tree["citations"] == {"supported": False}
    assert tree["batch"] == {"supported": True}
