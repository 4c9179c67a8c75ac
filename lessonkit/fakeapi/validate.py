"""Request validation: the 400s and 404s the real API answers malformed requests with.

Messages follow the real API's wording where it is known (shared/API-FACTS.md
§2): ``"<field>: Field required"``, ``"model: <id>"`` for an unknown model,
``"messages: at least one message is required"`` and so on.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from . import caching, rules, schema, shape, versions
from .errors import ApiError, invalid, not_an_object, not_found
from .facts import ModelFacts, facts

#: Shapes (see :mod:`.shape`; with the batch flag and betas) that passed every check of a
#: create except those that read the one turn; past this many the memory starts again.
_valid_shapes: set[tuple[str, bool, frozenset[str]]] = set()
_MAX_SHAPES = 256
#: Messages API request size limit (32 MB) — bigger bodies get a 413 before validation.
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_MESSAGES = 100_000
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
#: ``tool_choice`` types and ``tool_result`` content blocks (the SDK's ToolChoiceParam and
#: ToolResultBlockParam unions).
_TOOL_CHOICES = ("auto", "any", "tool", "none")
_TOOL_RESULT_TAGS = (
    "text",
    "image",
    "search_result",
    "document",
    "tool_reference",
    "browser_state",
)


def check_size(body: bytes) -> None:
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413)


def _require(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise invalid(f"{name}: Field required")
    return body[name]


def check_model(body: dict[str, Any], models: Collection[str]) -> str:
    model = _require(body, "model")
    if not isinstance(model, str):
        raise invalid("model: Input should be a valid string")
    if model not in models:
        raise not_found(f"model: {model}")
    return model


def check_extra_fields(body: dict[str, Any], allowed: Collection[str]) -> None:
    for name in body:
        if name not in allowed:
            raise invalid(f"{name}: Extra inputs are not permitted")


def check_max_tokens(body: dict[str, Any], model: ModelFacts, *, batch: bool = False) -> int:
    value = _require(body, "max_tokens")
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid("max_tokens: Input should be a valid integer")
    if value < 0:
        raise invalid("max_tokens: Input should be greater than or equal to 0")
    if value == 0:
        rules.check_zero_max_tokens(body, batch=batch)
    ceiling = model.max_output_tokens
    if value > ceiling:
        raise invalid(
            f"max_tokens: {value} > {ceiling}, which is the maximum allowed number of "
            f"output tokens for {model.model}"
        )
    return value


def _check_block(where: str, block: Any, tags: tuple[str, ...]) -> None:
    if not isinstance(block, dict):
        raise not_an_object(where)
    kind = block.get("type")
    if kind not in tags:
        expected = ", ".join(f"'{t}'" for t in tags)
        raise invalid(
            f"{where}: Input tag '{kind}' found using 'type' does not match any of the expected "
            f"tags: {expected}"
        )
    if kind == "text":
        if not isinstance(block.get("text"), str):
            # the real location names the union tag too: messages.0.content.1.text.text
            raise invalid(f"{where}.text.text: Input should be a valid string")
        _check_text(where.split(".")[0], block["text"])
    if kind == "tool_result":  # its content is a string or a list of blocks (found by fuzzing)
        inner = block.get("content", "")
        if isinstance(inner, list):
            for k, item in enumerate(inner):
                _check_block(f"{where}.tool_result.content.{k}", item, _TOOL_RESULT_TAGS)
        elif not isinstance(inner, str):
            raise invalid(f"{where}.tool_result.content: Input should be a valid string or list")


def _check_text(field: str, text: str) -> None:
    """``field`` is ``messages`` or ``system``, the prefix the API names."""
    if not text:
        raise invalid(f"{field}: text content blocks must be non-empty")
    if not text.strip():
        raise invalid(f"{field}: text content blocks must contain non-whitespace text")


def _tool_ids(content: Any, kind: str, key: str) -> list[str]:
    if not isinstance(content, list):
        return []
    return [b.get(key, "") for b in content if isinstance(b, dict) and b.get("type") == kind]


def _leading_results(content: Any) -> list[str]:
    """Ids of the ``tool_result`` blocks opening a user turn (text before them hides them)."""
    if not isinstance(content, list):
        return []
    ids = []
    for block in content:
        if not (isinstance(block, dict) and block.get("type") == "tool_result"):
            break
        ids.append(block.get("tool_use_id", ""))
    return ids


def check_messages(body: dict[str, Any], model: ModelFacts) -> list[dict[str, Any]]:
    messages = _require(body, "messages")
    if not isinstance(messages, list):
        raise invalid("messages: Input should be a valid list")
    if not messages:
        raise invalid("messages: at least one message is required")
    if len(messages) > MAX_MESSAGES:
        raise invalid(f"messages: a request may contain at most {MAX_MESSAGES} messages")
    tags = schema.content_block_types()
    for i, message in enumerate(messages):
        where = f"messages.{i}"
        if not isinstance(message, dict):
            raise invalid(f"{where}: Input should be a valid dictionary")
        role = message.get("role")
        if role == "system" and not model.system_messages:
            raise invalid(
                'messages: Unexpected role "system". The Messages API accepts a top-level '
                '`system` parameter, not "system" as an input message role.'
            )
        if role not in ("user", "assistant", "system"):
            raise invalid(f"{where}.role: Input should be 'user', 'assistant' or 'system'")
        if "content" not in message:
            raise invalid(f"{where}.content: Field required")
        content = message["content"]
        final_assistant = role == "assistant" and i == len(messages) - 1
        if isinstance(content, str):
            if content or not final_assistant:
                _check_text("messages", content)
        elif isinstance(content, list):
            if not content and not final_assistant:
                raise invalid(
                    f"{where}: all messages must have non-empty content except for the "
                    "optional final assistant message"
                )
            for j, block in enumerate(content):
                _check_block(f"{where}.content.{j}", block, tags)
        else:
            raise invalid(f"{where}.content: Input should be a valid string or list")
    _check_turn_order(messages)
    return messages


def _check_turn_order(messages: list[dict[str, Any]]) -> None:
    if messages[0]["role"] == "system":
        raise invalid("messages: a system message cannot be the first message")
    if messages[0]["role"] != "user":
        raise invalid('messages: first message must use the "user" role')
    for i, message in enumerate(messages):
        if message["role"] == "system" and messages[i - 1]["role"] != "user":
            raise invalid(f"messages.{i}: a system message must immediately follow a user turn")
        pending = (
            _tool_ids(message["content"], "tool_use", "id")
            if message["role"] == "assistant"
            else []
        )
        if pending and i + 1 < len(messages):
            answered = set(_leading_results(messages[i + 1]["content"]))
            missing = [t for t in pending if t not in answered]
            if missing:
                raise invalid(
                    "messages.{}: `tool_use` ids were found without `tool_result` blocks "
                    "immediately after: {}. Each `tool_use` block must have a corresponding "
                    "`tool_result` block "
                    "in the next message.".format(i + 1, ", ".join(missing))
                )
        if message["role"] == "user":
            previous = messages[i - 1] if i else None
            offered = (
                set(_tool_ids(previous["content"], "tool_use", "id"))
                if previous and previous["role"] == "assistant"
                else set()
            )
            for tool_use_id in _tool_ids(message["content"], "tool_result", "tool_use_id"):
                if tool_use_id not in offered:
                    raise invalid(
                        f"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` "
                        f"blocks: {tool_use_id}. Each `tool_result` block must have a "
                        "corresponding "
                        "`tool_use` block in the previous message."
                    )


def check_stop_sequences(body: dict[str, Any]) -> list[str]:
    value = body.get("stop_sequences")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise invalid("stop_sequences: Input should be a valid list of strings")
    if any(not s.strip() for s in value):
        raise invalid("stop_sequences: each stop sequence must contain non-whitespace")
    return value


def check_tools(body: dict[str, Any]) -> list[dict[str, Any]]:
    tools = body.get("tools")
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list")
    names: set[str] = set()
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise invalid(f"tools.{i}: Input should be a valid dictionary")
        if "type" in tool and tool["type"] not in schema.tool_types():
            # wording: a live 400, github.com/dirac-run/dirac/issues/57 (2026-04-30)
            expected = ", ".join(f"'{t}'" for t in schema.tool_types())
            raise invalid(
                f"tools.{i}: Input tag '{tool['type']}' found using 'type' does not match any "
                f"of the expected tags: {expected}"
            )
        name = tool.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise invalid(
                f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
            )
        if name in names:
            raise invalid("tools: Tool names must be unique.")
        names.add(name)
        if "type" not in tool or tool.get("type") == "custom":
            if not isinstance(tool.get("input_schema"), dict):
                raise invalid(f"tools.{i}.custom.input_schema: Field required")
            if tool["input_schema"].get("type") != "object":  # the SDK's Literal["object"]
                raise invalid(f"tools.{i}.custom.input_schema.type: Input should be 'object'")
    return tools


def check_tool_choice(body: dict[str, Any], model: ModelFacts) -> None:
    choice = body.get("tool_choice")
    if choice is None:
        return
    if not isinstance(choice, dict):
        raise not_an_object("tool_choice")
    if choice.get("type") not in _TOOL_CHOICES:
        expected = ", ".join(f"'{t}'" for t in _TOOL_CHOICES)
        raise invalid(
            f"tool_choice: Input tag '{choice.get('type')}' found using 'type' does not match any "
            f"of the expected tags: {expected}"
        )
    if choice["type"] == "tool" and not isinstance(choice.get("name"), str):
        raise invalid("tool_choice.tool.name: Field required")
    rules.check_forced_tool_choice(body, model)


def check_system(body: dict[str, Any]) -> None:
    system = body.get("system")
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise invalid("system: Input should be a valid string or list")
    for j, block in enumerate(system):
        _check_block(f"system.{j}", block, ("text",))


def _check_request(
    body: Any, fields: Collection[str], models: Collection[str]
) -> tuple[dict[str, Any], ModelFacts]:
    """What every Messages endpoint checks first, in the API's order: the body and its model."""
    if not isinstance(body, dict):
        raise not_an_object()
    check_extra_fields(body, fields)
    return body, facts(check_model(body, models))


def _check_conversation(checked: dict[str, Any], model: ModelFacts) -> None:
    """The checks create and count_tokens share, after ``max_tokens``."""
    messages = check_messages(checked, model)
    check_system(checked)
    check_tools(checked)
    caching.check_cache_control(checked)
    check_tool_choice(checked, model)
    rules.check_thinking(checked, model)
    rules.check_effort(checked)
    rules.check_prefill(messages, checked, model)


def check_create(
    body: Any,
    models: Collection[str],
    *,
    batch: bool = False,
    betas: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], int]:
    """Validate a ``POST /v1/messages`` body (or a batch item's ``params``), or raise ApiError.

    Returns the body and its input tokens, counted for the context-window check:
    the Message's usage reports the same count, so nothing counts it again.
    ``betas`` (the request's ``anthropic-beta`` values) unlock their beta-only body fields.
    """
    return check_keyed(body, shape.key(body), models, batch=batch, betas=betas)


def check_keyed(
    body: Any,
    shared: str | None,
    models: Collection[str],
    *,
    batch: bool = False,
    betas: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], int]:
    """:func:`check_create` for a caller that has made ``body``'s :func:`.shape.key` already."""
    known = shared is not None and (shared, batch, betas) in _valid_shapes
    if known:  # a batch's requests mostly differ in their turn alone: check just that
        model = facts(check_model(body, models))  # the API's models may have changed since
        # The key proved the one turn is a user's string: of check_messages, only this can fail.
        _check_text("messages", body["messages"][0]["content"])
        return body, rules.check_context_window(body, model)
    unlocked = versions.check_beta_fields(body, betas) if isinstance(body, dict) else frozenset()
    fields = schema.create_fields() | unlocked if unlocked else schema.create_fields()
    checked, model = _check_request(body, fields, models)
    if "stream" in checked and not isinstance(checked["stream"], bool):
        raise invalid("stream: Input should be a valid boolean")
    check_max_tokens(checked, model, batch=batch)
    check_stop_sequences(checked)
    _check_conversation(checked, model)
    counted = rules.check_context_window(checked, model)
    if shared is not None:
        if len(_valid_shapes) >= _MAX_SHAPES:
            _valid_shapes.clear()
        _valid_shapes.add((shared, batch, betas))
    return checked, counted


def check_count_tokens(body: Any, models: Collection[str]) -> dict[str, Any]:
    """Validate a ``POST /v1/messages/count_tokens`` body."""
    checked, model = _check_request(body, schema.count_tokens_fields(), models)
    _check_conversation(checked, model)
    return checked
