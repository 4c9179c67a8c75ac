"""Bad input never breaks the fake API: malformed ``POST /v1/messages`` bodies, fuzzed.

Bodies go through the real SDK with ``client.post(..., cast_to=Message)``, which
skips the typed parameters, so anything JSON can express reaches the fake.
Every malformed body must get the API's ``400 invalid_request_error`` or
``404 not_found_error`` (or the SDK's own client-side TypeError/ValueError);
a body that happens to be valid may succeed. Never a 5xx, never a transport
error (an exception inside lessonkit), never a hang.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anthropic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lessonkit
from lessonkit import FakeAPI, models
from lessonkit.fakeapi import schema

pytestmark = [pytest.mark.timeout(120), pytest.mark.property]  # its @given functions are inner
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REQUIRED = ("model", "max_tokens", "messages")
GOOD: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "Hello"}],
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
not_str = json_values.filter(lambda v: not isinstance(v, str))
not_list = json_values.filter(lambda v: not isinstance(v, list))
not_int = json_values.filter(lambda v: not isinstance(v, int) or isinstance(v, bool))


def _with(**fields: Any) -> dict[str, Any]:
    return {**GOOD, **fields}


def _without(name: str) -> dict[str, Any]:
    return {k: v for k, v in GOOD.items() if k != name}


def _tool_round_trip(result_content: Any) -> list[dict[str, Any]]:
    """A tool_use answered by a tool_result whose content is ``result_content``."""
    call = {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": result_content}
    return [
        {"role": "user", "content": "Look it up"},
        {"role": "assistant", "content": [call]},
        {"role": "user", "content": [result]},
    ]


# Bodies that are malformed by construction: each must be refused.
malformed = st.one_of(
    json_values.filter(lambda v: not isinstance(v, dict)),  # not an object at all
    st.sampled_from(REQUIRED).map(_without),  # a required field missing
    not_str.map(lambda v: _with(model=v)),
    st.text(max_size=30).filter(lambda m: m not in models.KNOWN).map(lambda m: _with(model=m)),
    not_int.map(lambda v: _with(max_tokens=v)),
    st.integers(max_value=-1).map(lambda v: _with(max_tokens=v)),  # 0 pre-warms the cache
    st.integers(min_value=10**6).map(lambda v: _with(max_tokens=v)),
    not_list.map(lambda v: _with(messages=v)),
    st.just(_with(messages=[])),
    json_values.filter(lambda v: not isinstance(v, dict)).map(lambda v: _with(messages=[v])),
    json_values.filter(lambda v: v not in ("user", "assistant", "system")).map(
        lambda role: _with(messages=[{"role": role, "content": "Hi"}])
    ),
    json_values.filter(lambda v: not isinstance(v, str | list)).map(
        lambda content: _with(messages=[{"role": "user", "content": content}])
    ),
    st.tuples(st.text(min_size=1, max_size=12), json_values)
    .filter(lambda kv: kv[0] not in schema.create_fields())
    .map(lambda kv: _with(**{kv[0]: kv[1]})),  # an unknown field
    json_values.filter(lambda v: not isinstance(v, bool)).map(lambda v: _with(stream=v)),
    json_values.filter(lambda v: v is not None and not isinstance(v, str | list)).map(
        lambda v: _with(system=v)
    ),
    json_values.filter(lambda v: v is not None and not isinstance(v, list)).map(
        lambda v: _with(stop_sequences=v)
    ),
    json_values.filter(lambda v: v is not None and not isinstance(v, list)).map(
        lambda v: _with(tools=v)
    ),
    json_values.filter(lambda v: v is not None and not isinstance(v, dict)).map(
        lambda v: _with(tool_choice=v)
    ),
    json_values.filter(lambda v: v not in ("auto", "any", "tool", "none")).map(
        lambda v: _with(tool_choice={"type": v})
    ),
    json_values.filter(lambda v: v != "object").map(
        lambda v: _with(tools=[{"name": "lookup", "input_schema": {"type": v}}])
    ),
    json_values.filter(lambda v: not isinstance(v, str | list) or v == [5]).map(
        lambda v: _with(messages=_tool_round_trip(v))
    ),
)

# Plausible-looking structure with random insides: valid or not, never a crash.
block_types = st.sampled_from([*schema.content_block_types(), "bogus"]) | json_values
blocks = st.fixed_dictionaries(
    {"type": block_types},
    optional={
        key: json_values | st.text(max_size=12)
        for key in ("text", "id", "tool_use_id", "name", "input", "content", "source", "is_error")
    },
)
messages = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(["user", "assistant", "system"]) | json_values,
            "content": st.text(max_size=20) | st.lists(blocks, max_size=3) | json_values,
        }
    ),
    min_size=1,
    max_size=4,
)
schema_keys = ["type", "properties", "required", "items", "enum", "$ref", "anyOf", "minItems"]
schema_keys += ["minLength", "maxLength", "minimum", "exclusiveMinimum", "const", "default"]
json_schemas = st.recursive(
    st.fixed_dictionaries({"type": st.sampled_from(["object", "array", "string", "integer"])}),
    lambda inner: st.dictionaries(st.sampled_from(schema_keys), inner | json_values, max_size=4),
    max_leaves=8,
)
tools = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["get_weather", "lookup"]), "input_schema": json_schemas},
        optional={"description": json_values},
    )
    | st.fixed_dictionaries(
        {"name": st.sampled_from(["get_weather", "lookup"]) | json_values},
        optional={"input_schema": json_values, "type": json_values, "description": json_values},
    ),
    max_size=2,
)
tool_choices = st.fixed_dictionaries(
    {"type": st.sampled_from(["auto", "any", "tool", "none"]) | json_values},
    optional={"name": st.sampled_from(["get_weather", "lookup"]) | json_values},
)
optional_fields = {
    name: json_values for name in ("system", "stop_sequences", "metadata", "thinking")
}
optional_fields["tool_choice"] = tool_choices | json_values
optional_fields["output_config"] = (
    st.fixed_dictionaries(
        {"format": st.fixed_dictionaries({"type": st.just("json_schema"), "schema": json_schemas})}
    )
    | json_values
)
chaotic = st.fixed_dictionaries(
    {
        "model": st.just(models.DEFAULT),
        "max_tokens": st.integers(1, 300),
        "messages": messages | st.just([{"role": "user", "content": "use get_weather or lookup"}]),
    },
    optional={"tools": tools, **optional_fields},
)


def _send(client: anthropic.Anthropic, api: FakeAPI, body: Any) -> str:
    """POST the body; returns "ok", "refused" (400/404) or "client" (the SDK refused to send)."""
    before = len(api.requests)
    try:
        client.post("/v1/messages", body=body, cast_to=anthropic.types.Message)
    except (anthropic.BadRequestError, anthropic.NotFoundError) as err:
        assert isinstance(err.body, dict) and err.body.get("type") == "error", err.body
        assert err.body["error"]["type"] in ("invalid_request_error", "not_found_error")
        assert err.body["error"]["message"], "an error must say what is wrong"
        return "refused"
    except (TypeError, ValueError):
        assert len(api.requests) == before, (
            "TypeError/ValueError must come from the SDK, before sending"
        )
        return "client"
    return "ok"


def _fuzz(strategy: st.SearchStrategy[Any], check: Callable[[str, Any], None]) -> None:
    with lessonkit.offline() as api:
        client = anthropic.Anthropic(max_retries=0)

        @SETTINGS
        @given(strategy)
        def one(body: Any) -> None:
            check(_send(client, api, body), body)

        one()


def test_malformed_bodies_are_refused_with_400_or_404() -> None:
    def check(outcome: str, body: Any) -> None:
        assert outcome in ("refused", "client"), f"accepted a malformed body: {body!r}"

    _fuzz(malformed, check)


def test_odd_but_well_formed_bodies_never_break_the_fake() -> None:
    _fuzz(chaotic, lambda outcome, body: None)  # any crash surfaces as an unexpected exception


def test_raw_bytes_get_a_json_400() -> None:
    with lessonkit.offline():
        http = anthropic.Anthropic(max_retries=0)._client  # the SDK's httpx2 client, raw bytes

        @SETTINGS
        @given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
        def one(raw: bytes) -> None:
            response = http.post(
                "https://api.anthropic.com/v1/messages",
                content=raw,
                headers={"x-api-key": "fuzz", "anthropic-version": "2023-06-01"},
            )
            assert response.status_code == 400, response.text
            assert response.json()["error"]["type"] == "invalid_request_error"

        one()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deep-list"),
        pytest.param(b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, id="deep-object"),
        pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
        pytest.param(b'{"model": "\\ud800", "max_tokens": 5}', id="lone-surrogate"),
    ],
)
def test_pathological_json_gets_a_4xx(raw: bytes) -> None:
    with lessonkit.offline():
        client = anthropic.Anthropic(max_retries=0)
        response = client._client.post(  # the SDK's own httpx2 client: raw bytes, no encoding
            "https://api.anthropic.com/v1/messages",
            content=raw,
            headers={"x-api-key": "fuzz", "anthropic-version": "2023-06-01"},
        )
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["type"] in ("invalid_request_error", "not_found_error")
