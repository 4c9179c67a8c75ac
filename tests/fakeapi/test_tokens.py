"""tokens.py: a stable, lossless token split and the input count built on it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessonkit.fakeapi import tokens

from .helpers import WEATHER_TOOL


@given(st.text())
def test_split_is_lossless(text: str) -> None:
    assert "".join(tokens.split(text)) == text


#: What a token is, written plainly; tokens.py compiles a faster equivalent.
_DEFINITION = re.compile(r"\s*(?:\w{1,6}|[^\w\s])|\s+$")
_SPACEY = st.text(st.sampled_from(" \t\n\r\x0b\x0c\xa0\u2003\u3000ab1é日_-.,!…✓"))


@given(st.one_of(st.text(), _SPACEY))
def test_split_follows_the_definition(text: str) -> None:
    assert tokens.split(text) == _DEFINITION.findall(text)


@given(st.text(st.sampled_from(" \t\n\xa0\u3000"), max_size=3), st.one_of(st.text(), _SPACEY))
def test_led_is_the_split_with_white_space_in_front(space: str, text: str) -> None:
    assert tokens.led(space, text) == tuple(tokens.split(space + text))


@given(st.text(), st.text())
def test_joining_texts_never_adds_tokens(a: str, b: str) -> None:
    assert tokens.count_text(a + b) <= tokens.count_text(a) + tokens.count_text(b)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("", []),
        ("Hi", ["Hi"]),
        ("Hello, world!", ["Hello", ",", " world", "!"]),
        ("internationalization", ["intern", "ationa", "lizati", "on"]),
        ("a  b", ["a", "  b"]),
        ("end  ", ["end", "  "]),
        ("日本語", ["日本語"]),
        ("✓ done", ["✓", " done"]),
    ],
)
def test_split_examples(text: str, pieces: list[str]) -> None:
    assert tokens.split(text) == pieces
    assert tokens.count_text(text) == len(pieces)


def _count(**fields: Any) -> int:
    return tokens.count_input({"messages": [{"role": "user", "content": "Hi"}], **fields})


def test_count_input_parts() -> None:
    base = _count()
    assert base == tokens.REQUEST_OVERHEAD + tokens.MESSAGE_OVERHEAD + 1
    assert _count(system="Be terse.") == base + tokens.count_text("Be terse.")
    assert _count(system=[{"type": "text", "text": "Be terse."}]) == base + tokens.count_text(
        "Be terse."
    )
    assert _count(tools=[WEATHER_TOOL]) > base
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
    }
    with_image = tokens.count_input({"messages": [{"role": "user", "content": [image]}]})
    assert with_image == tokens.REQUEST_OVERHEAD + tokens.MESSAGE_OVERHEAD + tokens.count_text(
        "[image] " * 8
    )


def test_count_input_reads_tool_turns() -> None:
    use = {"type": "tool_use", "id": "t", "name": "get_weather", "input": {"city": "Oslo"}}
    result = {
        "type": "tool_result",
        "tool_use_id": "t",
        "content": [{"type": "text", "text": "4 degrees"}],
    }
    body = {
        "messages": [
            {"role": "user", "content": "?"},
            {"role": "assistant", "content": [use]},
            {"role": "user", "content": [result]},
        ]
    }
    assert tokens.count_input(body) == (
        tokens.REQUEST_OVERHEAD
        + 3 * tokens.MESSAGE_OVERHEAD
        + 1
        + tokens.count_text('get_weather{"city": "Oslo"}')
        + tokens.count_text("4 degrees")
    )


def test_count_input_ignores_generation_settings() -> None:
    assert _count(max_tokens=10, stop_sequences=["x"], stream=True) == _count()
