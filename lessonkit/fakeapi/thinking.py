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

__all__ = ["Mode", "Thought", "mode", "plan"]


class Thought(NamedTuple):
    """A thinking block's content: what it shows, what it costs, and its signature."""

    shown: tuple[str, ...]  #: thinking text pieces (empty when display is "omitted")
    tokens: int  #: thinking tokens spent, shown or not
    signature: str
    cut: bool  #: the budget ran out while thinking


class Mode(NamedTuple):
    """How a request thinks, which its prompt never changes: decided once per request shape."""

    budget: int | None  #: ``thinking.budget_tokens`` when set, else None (all of ``max_tokens``)
    summarized: bool  #: the block shows its text (else it is "omitted": counted, not shown)


def mode(body: dict[str, Any], facts: ModelFacts) -> Mode | None:
    """How this request thinks, or None if it does not."""
    if not thinks(body, facts):
        return None
    config = body.get("thinking")
    config = config if isinstance(config, dict) else {}
    budget = int(config["budget_tokens"]) if config.get("type") == "enabled" else None
    return Mode(budget, (config.get("display") or facts.thinking_display) == "summarized")


#: The tokens of the default thought's fixed words, before and after the prompt's first words.
_ASKED = tokens.pieces("Asked:")
_DIRECTLY = tokens.pieces(" Answer directly.")


def _default_thought(prompt: str) -> tuple[str, tuple[str, ...]]:
    """The thought about ``prompt``, and its tokens.

    Its first words are most often the default answer's topic too, whose
    tokens are remembered (see :func:`.tokens.led`): the thought splits only
    what the answer did not.
    """
    words = prompt.split()
    gist = " ".join(words[:6])
    more = len(words) > 6
    text = f"Asked: {gist}{' …' if more else ''} Answer directly."
    if not gist:
        return text, tokens.pieces(text)
    return text, _ASKED + tokens.led(" ", gist) + ((" …",) if more else ()) + _DIRECTLY


def signature(text: str) -> str:
    """A deterministic stand-in for the API's opaque signature (base64, like the real one)."""
    return binascii.b2a_base64(hashlib.sha256(text.encode()).digest() * 2, newline=False).decode()


def plan(how: Mode | None, prompt: str, scripted: str | None, max_tokens: int) -> Thought | None:
    """The thinking of this request (``how`` it thinks, from :func:`mode`), or None.

    ``scripted`` (``api.reply(thinking=...)``) is the thinking text to use;
    a request that would not think ignores it, as the model would.
    """
    if max_tokens == 0 or how is None:
        return None
    if scripted is None:
        text, pieces = _default_thought(prompt)
    else:
        text, pieces = scripted, tokens.pieces(scripted)
    spent = pieces[: max_tokens if how.budget is None else min(max_tokens, how.budget)]
    shown = spent if how.summarized else ()
    return Thought(shown, len(spent), signature(text), len(spent) >= max_tokens)
