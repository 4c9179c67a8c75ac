"""The fake model's thinking: when a request thinks, how much, and what the block shows.

Whether a request thinks is the model's row plus the request's ``thinking``
(:func:`.rules.thinks`). Thinking comes first in the content, is paid for out
of ``max_tokens`` and billed as output, and carries a ``signature`` the API
checks when the block is sent back. With ``display: "omitted"`` (the default
on newer models) the block's text is empty but its tokens are still counted.
"""

from __future__ import annotations

import binascii
import hashlib
from typing import Any, NamedTuple

from . import tokens
from .facts import ModelFacts
from .rules import thinks

__all__ = ["Thought", "plan"]


class Thought(NamedTuple):
    """A thinking block's content: what it shows, what it costs, and its signature."""

    shown: tuple[str, ...]  #: thinking text pieces (empty when display is "omitted")
    tokens: int  #: thinking tokens spent, shown or not
    signature: str
    cut: bool  #: the budget ran out while thinking


def _display(body: dict[str, Any], facts: ModelFacts) -> str:
    config = body.get("thinking")
    chosen = config.get("display") if isinstance(config, dict) else None
    return chosen or facts.thinking_display


def _budget(body: dict[str, Any], max_tokens: int) -> int:
    config = body.get("thinking")
    if isinstance(config, dict) and config.get("type") == "enabled":
        return min(max_tokens, int(config["budget_tokens"]))
    return max_tokens


def _default_thought(prompt: str) -> str:
    words = prompt.split()
    gist = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
    return f"Asked: {gist} Answer directly."


def signature(text: str) -> str:
    """A deterministic stand-in for the API's opaque signature (base64, like the real one)."""
    return binascii.b2a_base64(hashlib.sha256(text.encode()).digest() * 2, newline=False).decode()


def plan(
    body: dict[str, Any], facts: ModelFacts, prompt: str, scripted: str | None, max_tokens: int
) -> Thought | None:
    """The thinking of this request, or None if it does not think.

    ``scripted`` (``api.reply(thinking=...)``) is the thinking text to use;
    a request that would not think ignores it, as the model would.
    """
    if max_tokens == 0 or not thinks(body, facts):
        return None
    text = scripted if scripted is not None else _default_thought(prompt)
    pieces = tokens.pieces(text)
    budget = _budget(body, max_tokens)
    spent = pieces[:budget]
    shown = spent if _display(body, facts) == "summarized" else ()
    return Thought(shown, len(spent), signature(text), len(spent) >= max_tokens)
