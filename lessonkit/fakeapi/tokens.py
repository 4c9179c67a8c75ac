"""Deterministic token counting for the fake model.

Not Claude's tokenizer (which is not public): a word-and-punctuation split
that is stable, cheap and roughly the right size (about 1.3 tokens a word).
The same split drives output, so ``max_tokens=5`` cuts after five pieces and
every streamed ``text_delta`` is one token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# A token is a run of up to 6 word characters, or one other visible
# character, together with the white space in front of it: r"\s*(?:\w{1,6}|[^\w\s])|\s+$".
# Every prompt, answer and thought is split, so the pattern below finds the same tokens
# faster: after the white space comes a word character or another visible one (``\S``
# for ``[^\w\s]``), and backtracking into white space never matches (possessive
# quantifiers). tests/fakeapi/test_tokens.py holds it to the plain pattern.
_TOKEN = re.compile(r"\s*+(?:\w{1,6}+|\S)|\s++$")

#: Fixed cost the API adds around every request (role markers and the like).
REQUEST_OVERHEAD = 7
#: Per-message framing cost.
MESSAGE_OVERHEAD = 3


#: Texts up to this long have their split remembered: prompts and answers repeat a lot
#: (a lesson re-running a cell), and the regex is most of the cost of counting them.
CACHED_CHARS = 4096


def split(text: str) -> list[str]:
    """Split ``text`` into tokens whose concatenation is exactly ``text``."""
    return _TOKEN.findall(text)


def pieces(text: str) -> tuple[str, ...]:
    """:func:`split` as a tuple, remembered for short texts."""
    if len(text) <= CACHED_CHARS:
        return _cached_pieces(text)
    return tuple(_TOKEN.findall(text))


@lru_cache(maxsize=1024)
def _cached_pieces(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text))


def led(space: str, text: str) -> tuple[str, ...]:
    """:func:`pieces` of ``space + text`` (``space`` is white space), from ``text``'s own.

    White space in front of a visible character joins its token and changes no
    other, so a text's tokens (often remembered already) serve it with a space
    in front too: the answer's topic, and the thought about the same words.
    """
    found = pieces(text)
    if not space:
        return found
    if not found or found[0][0].isspace():
        return pieces(space + text)
    return (space + found[0], *found[1:])


def count_text(text: str) -> int:
    """Number of tokens in ``text``."""
    return len(pieces(text))


def _content_text(content: Any) -> Iterable[str]:
    """Every string in a message's content that the model would read."""
    if isinstance(content, str):
        yield content
        return
    for block in content or ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            yield str(block.get("text", ""))
        elif kind == "tool_use":
            yield str(block.get("name", "")) + json.dumps(block.get("input", {}), sort_keys=True)
        elif kind == "tool_result":
            yield from _content_text(block.get("content", ""))
        else:  # images, documents...: a fixed charge keeps counts stable
            yield f"[{kind}] " * 8


def count_input(body: dict[str, Any]) -> int:
    """Input tokens for a Messages request body (system, messages and tools)."""
    total = REQUEST_OVERHEAD
    system = body.get("system")
    if system:
        total += sum(count_text(t) for t in _content_text(system))
    for message in body.get("messages") or ():
        content = message.get("content")
        total += MESSAGE_OVERHEAD + (
            count_text(content)  # the usual turn, without a generator per message
            if isinstance(content, str)
            else sum(count_text(t) for t in _content_text(content))
        )
    for tool in body.get("tools") or ():
        total += count_text(json.dumps(tool, sort_keys=True))
    return total
