"""The batch timing model's size term: the fast count of a turn's characters is exact."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lessonkit.fakeapi.batches._job import _chars

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_role = st.sampled_from(["user", "assistant"]) | st.text()
_turn = st.one_of(
    st.fixed_dictionaries({"role": _role, "content": st.text()}),
    st.fixed_dictionaries({"content": st.text(), "role": _role}),  # the other key order
    st.fixed_dictionaries({"role": _json, "content": _json}),
    st.dictionaries(st.sampled_from(["role", "content", "x"]), _json, max_size=3),
)


@given(st.lists(_turn, max_size=2) | _json)
def test_chars_is_the_length_of_the_messages_as_a_string(messages: Any) -> None:
    assert _chars(messages) == len(str(messages))


@given(st.text())
def test_a_lone_user_turn_is_counted_exactly(text: str) -> None:
    messages = [{"role": "user", "content": text}]
    assert _chars(messages) == len(str(messages)) == 31 + len(repr(text))
