"""The rules that depend on the model: each reads the model's row in the facts table.

Wording is the real API's where a source quotes it (shared/API-FACTS.md §10);
where none does, the message follows the API's ``<field>: <problem>`` style.
"""

from __future__ import annotations

from typing import Any

from . import schema, tokens
from .errors import invalid, not_an_object
from .facts import ModelFacts

__all__ = [
    "MIN_BUDGET_TOKENS",
    "check_context_window",
    "check_effort",
    "check_forced_tool_choice",
    "check_prefill",
    "check_thinking",
    "check_zero_max_tokens",
    "thinks",
]

#: Smallest ``thinking.budget_tokens`` (SDK ``ThinkingConfigEnabledParam``: "Must be ≥1024").
MIN_BUDGET_TOKENS = 1024
PREFILL_REFUSED = (
    "This model does not support assistant message prefill. "
    "The conversation must end with a user message."
)
ENABLED_REFUSED = (
    '"thinking.type.enabled" is not supported for this model. '
    'Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
)
BUDGET_TOO_BIG = (
    "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
    "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
    "#max-tokens-and-context-window-size"
)
#: A live 400 on Fable 5 / Mythos 5 (github.com/ex-machina-co/opencode-anthropic-auth/issues/159,
#: 2026-06-09). Its advice to use "enabled" is the API's, though those models refuse that too.
DISABLED_REFUSED = (
    '"thinking.type.disabled" is not supported for this model. Thinking defaults to adaptive '
    'mode when not specified; use "thinking.type.enabled" with "budget_tokens" for extended '
    "thinking."
)
FORCED_TOOL_REFUSED = 'tool_choice: type "tool" and "any" are not supported for this model.'
_FORCED = ("any", "tool")


def _thinking_type(body: dict[str, Any]) -> str | None:
    config = body.get("thinking")
    return config.get("type") if isinstance(config, dict) else None


def thinks(body: dict[str, Any], facts: ModelFacts) -> bool:
    """Whether ``model`` thinks for this request (explicitly asked, or by its default)."""
    kind = _thinking_type(body)
    if kind is None:
        return facts.thinking_default != "off"
    return kind != "disabled"


def check_thinking(body: dict[str, Any], facts: ModelFacts) -> None:
    """``thinking``: a type the SDK knows, that this model accepts, with a valid budget."""
    config = body.get("thinking")
    if config is None:
        return
    if not isinstance(config, dict):
        raise not_an_object("thinking")
    kind = config.get("type")
    if kind not in schema.thinking_types():
        expected = ", ".join(f"'{t}'" for t in schema.thinking_types())
        raise invalid(
            f"thinking: Input tag '{kind}' found using 'type' does not match any of the "
            f"expected tags: {expected}"
        )
    if kind == "disabled" and facts.thinking_default == "always":
        raise invalid(DISABLED_REFUSED)
    if kind in ("adaptive", "between_tools") and not facts.thinking_adaptive:
        raise invalid("adaptive thinking is not supported on this model")
    if kind == "enabled":
        if not facts.thinking_enabled:
            raise invalid(ENABLED_REFUSED)
        budget = config.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            raise invalid("thinking.enabled.budget_tokens: Field required")
        if budget < MIN_BUDGET_TOKENS:  # wording: github.com/danny-avila/LibreChat/issues/8346
            raise invalid(
                "thinking.enabled.budget_tokens: Input should be greater than or equal to "
                f"{MIN_BUDGET_TOKENS}"
            )
        if "max_tokens" in body and budget >= body["max_tokens"]:
            raise invalid(BUDGET_TOO_BIG)


def check_effort(body: dict[str, Any]) -> None:
    """``output_config.effort`` is one of the SDK's levels."""
    config = body.get("output_config")
    effort = config.get("effort") if isinstance(config, dict) else None
    if effort is not None and effort not in schema.effort_levels():
        levels = schema.effort_levels()
        words = ", ".join(f"'{e}'" for e in levels[:-1]) + f" or '{levels[-1]}'"
        raise invalid(f"output_config.effort: Input should be {words}")


def _paused(message: dict[str, Any]) -> bool:
    """A turn that stopped with ``pause_turn`` mid server-tool loop: resent as-is to resume."""
    content = message.get("content")
    return isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "server_tool_use" for b in content
    )


def check_prefill(messages: list[dict[str, Any]], body: dict[str, Any], facts: ModelFacts) -> None:
    """A final ``assistant`` turn: refused on 4.6+ models, and while thinking on any model.

    Resuming a ``pause_turn`` (the paused content sent back unchanged) is not prefill.
    """
    if messages[-1].get("role") != "assistant" or _paused(messages[-1]):
        return
    if not facts.prefill or thinks(body, facts):
        raise invalid(PREFILL_REFUSED)


def check_zero_max_tokens(body: dict[str, Any], *, batch: bool) -> None:
    """``max_tokens: 0`` pre-warms the cache on a plain create; everything else needs >= 1."""
    output_config = body.get("output_config")
    choice = body.get("tool_choice")
    refused = (
        batch
        or body.get("stream") is True
        or _thinking_type(body) == "enabled"
        or (isinstance(output_config, dict) and output_config.get("format") is not None)
        or (isinstance(choice, dict) and choice.get("type") in _FORCED)
    )
    if refused:
        raise invalid("max_tokens: Input should be greater than or equal to 1")


def check_forced_tool_choice(body: dict[str, Any], facts: ModelFacts) -> None:
    """``tool_choice`` needs ``tools``; ``any``/``tool`` only where the model allows forcing."""
    choice = body.get("tool_choice")
    if choice is None:
        return
    if not body.get("tools"):
        raise invalid("tool_choice may only be specified while providing tools.")
    if choice.get("type") in _FORCED and not facts.forced_tool_choice:
        raise invalid(FORCED_TOOL_REFUSED)


def check_context_window(body: dict[str, Any], facts: ModelFacts) -> int:
    """The prompt alone must fit the window (prompt + ``max_tokens`` over it is accepted)."""
    prompt = tokens.count_input(body)
    if prompt > facts.context_window:  # wording: github.com/earendil-works/pi/issues/102
        raise invalid(f"prompt is too long: {prompt} tokens > {facts.context_window} maximum")
    return prompt
