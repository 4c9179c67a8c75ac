"""The fast JSON path gives exactly the json module's bytes, or hands over to it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lessonkit.fakeapi.jsonbytes import dumps

_SCALARS = st.none() | st.booleans() | st.integers() | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _reference(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@given(_VALUES)
def test_a_value_without_floats_encodes_as_the_json_module_does(value: Any) -> None:
    assert dumps(value, floats=False) == _reference(value)


@given(st.recursive(_SCALARS | st.floats(), lambda inner: st.lists(inner, max_size=4)))
def test_a_value_that_may_hold_floats_encodes_as_the_json_module_does(value: Any) -> None:
    assert dumps(value) == _reference(value)


def test_the_cases_the_fast_encoder_gets_wrong_go_to_the_json_module() -> None:
    assert dumps({"del": "a\x7fb"}, floats=False) == b'{"del":"a\\u007fb"}'
    assert dumps(["\ud800"], floats=False) == b'["\\ud800"]'  # a lone surrogate
    assert dumps([1e-07]) == b"[1e-07]"
