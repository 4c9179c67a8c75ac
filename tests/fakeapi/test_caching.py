"""Prompt caching through the real SDK: counters per the model's minimum, cache_control checks."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from lessonkit import FakeAPI, models
from lessonkit.fakeapi.caching import MAX_BREAKPOINTS
from lessonkit.fakeapi.facts import facts

from .helpers import ask

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: One served model per distinct cache minimum in the table (the rule depends on nothing else).
BY_MINIMUM = list({facts(m).cache_min_tokens: m for m in reversed(models.KNOWN)}.values())


def _system(words: int, **control: Any) -> list[dict[str, Any]]:
    block = {"type": "text", "text": "word " * words, "cache_control": {"type": "ephemeral"}}
    block["cache_control"].update(control)
    return [block]


def _usage(client: anthropic.Anthropic, model: str, system: Any) -> anthropic.types.Usage:
    return client.messages.create(**ask(model=model, system=system)).usage


@pytest.mark.parametrize("model", BY_MINIMUM)
def test_a_repeated_prefix_above_the_minimum_is_written_then_read(
    client: anthropic.Anthropic, model: str
) -> None:
    system = _system(facts(model).cache_min_tokens)
    first, second = _usage(client, model, system), _usage(client, model, system)
    assert first.cache_creation_input_tokens >= facts(model).cache_min_tokens
    assert first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0
    assert second.input_tokens == first.input_tokens  # only what follows the breakpoint


@pytest.mark.parametrize("model", BY_MINIMUM)
def test_a_prefix_below_the_minimum_is_not_cached(client: anthropic.Anthropic, model: str) -> None:
    system = _system(facts(model).cache_min_tokens // 2)
    for _ in range(2):
        usage = _usage(client, model, system)
        assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)


def test_a_cache_entry_expires_after_its_ttl_on_the_virtual_clock(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    model = models.DEFAULT
    system = _system(facts(model).cache_min_tokens, ttl="1h")
    first = _usage(client, model, system)
    assert first.cache_creation.ephemeral_1h_input_tokens == first.cache_creation_input_tokens
    api.clock.advance(3599)
    assert _usage(client, model, system).cache_read_input_tokens
    api.clock.advance(3601)  # the hit refreshed the entry: an hour after it, not the write
    assert _usage(client, model, system).cache_read_input_tokens == 0


def test_the_stream_reports_the_same_cache_counters(client: anthropic.Anthropic) -> None:
    system = _system(facts(models.DEFAULT).cache_min_tokens)
    created = _usage(client, models.DEFAULT, system).cache_creation_input_tokens
    with client.messages.stream(**ask(system=system)) as stream:
        assert stream.get_final_message().usage.cache_read_input_tokens == created


def test_more_than_four_breakpoints_are_refused(client: anthropic.Anthropic) -> None:
    system = _system(3) * (MAX_BREAKPOINTS + 1)
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**ask(system=system))
    assert caught.value.api_message == (
        "A maximum of 4 blocks with cache_control may be provided. Found 5."
    )


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ({"ttl": "2h"}, "system.0.cache_control.ttl: Input should be '5m' or '1h'"),
        ({"type": "persistent"}, "system.0.cache_control.type: Input should be 'ephemeral'"),
    ],
)
def test_a_bogus_ttl_or_cache_type_is_refused(
    client: anthropic.Anthropic, control: dict[str, str], message: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**ask(system=_system(3, **control)))
    assert caught.value.api_message == message


@pytest.mark.parametrize(
    ("first", "second", "accepted"),
    [
        ({"ttl": "1h"}, {"ttl": "5m"}, True),  # longer first: the documented order
        ({"ttl": "1h"}, {}, True),  # no ttl is 5 minutes
        ({"ttl": "5m"}, {"ttl": "1h"}, False),
        ({}, {"ttl": "1h"}, False),
    ],
)
def test_a_1h_breakpoint_may_not_follow_a_5m_one(
    client: anthropic.Anthropic, first: dict[str, str], second: dict[str, str], accepted: bool
) -> None:
    system = _system(3, **first)
    control = {"type": "ephemeral", **first}
    tools = [{"name": "t", "input_schema": {"type": "object"}, "cache_control": control}]
    content = [{"type": "text", "text": "Hi", "cache_control": {"type": "ephemeral", **second}}]
    request = ask(system=system, messages=[{"role": "user", "content": content}])
    if accepted:
        client.messages.create(**request)
        client.messages.create(**{**request, "system": "plain", "tools": tools})
        return
    for later in (request, {**request, "system": "plain", "tools": tools}):
        with pytest.raises(anthropic.BadRequestError) as caught:
            client.messages.create(**later)
        assert caught.value.api_message == (
            "messages.0.content.0.cache_control.ttl: a ttl='1h' cache_control block must not "
            "come after a ttl='5m' cache_control block. Note that blocks are processed in the "
            "following order: `tools`, `system`, `messages`."
        )
