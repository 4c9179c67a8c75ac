"""The fake model: turns a validated request (and maybe a scripted reply) into output.

Pure and deterministic: the same request and script give the same blocks,
stop reason and token counts, in any process. Both the JSON response and the
SSE stream are rendered from one :class:`Generation`, so streamed text always
equals non-streamed text.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from . import contracts, server_tools, thinking, tokens
from .errors import ApiError
from .replies import Reply, ToolCall
from .server_tools import server_tool_types
from .shape import Shape, last_tool_results, shape_of

#: The documented prompt that makes the real API refuse (for testing refusal handling).
REFUSAL_TRIGGER = (
    "ANTHROPIC_MAGIC_STRING_TRIGGER_REFUSAL_"
    "1FAEFB6177B4672DEE07F9D3AFC62588CCD2631EDCF22E8CCC1FB35B501C9C86"
)

_SENTENCES = (
    "{Topic} comes down to a few habits that are easy to state and easy to forget.",
    "Start with the simplest version that works, then measure before changing it.",
    "Most problems with {topic} show up only under load, so test with realistic traffic.",
    "Keep the happy path short and make every failure path explicit.",
    "Log enough context to explain any single call after the fact.",
    "When in doubt, prefer the boring, well-documented option.",
    "A small amount of structure now saves a long debugging session later.",
    "Write down the limits you rely on, and check them in a test.",
)


class Block(NamedTuple):
    """One output content block, already cut into the pieces a stream would send.

    Named tuples, not frozen dataclasses, for the values made per turn: as
    immutable, and about six times cheaper to make (a frozen dataclass sets
    each field through ``object.__setattr__``), which a batch does by the ten thousand.
    """

    type: str  #: "thinking", "text", "tool_use" or "server_tool_use"
    pieces: tuple[str, ...]  #: thinking or text tokens, or partial-JSON chunks of a tool input
    id: str | None = None
    name: str | None = None
    input: dict[str, Any] | None = None
    signature: str | None = None  #: thinking blocks only
    whole: dict[str, Any] | None = None  #: a server tool's result: sent whole, never in deltas

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def as_content(self) -> dict[str, Any]:
        """The block as it appears in a non-streamed Message."""
        if self.type == "text":
            return {"type": "text", "text": self.text, "citations": None}
        if self.type == "thinking":
            return {"type": "thinking", "thinking": self.text, "signature": self.signature}
        if self.whole is not None:
            return self.whole
        return {"type": self.type, "id": self.id, "name": self.name, "input": self.input}


class Generation(NamedTuple):
    """The model's turn: its blocks, why it stopped and what it cost (see :class:`Block`)."""

    blocks: tuple[Block, ...]
    stop_reason: str
    stop_sequence: str | None
    stop_details: dict[str, Any] | None
    output_tokens: int
    thinking_tokens: int = 0

    @property
    def may_hold_floats(self) -> bool:
        """Whether its Message may hold a float: only tool inputs and server results can."""
        return any(block.type not in ("text", "thinking") for block in self.blocks)


def default_text(body: dict[str, Any]) -> str:
    """A deterministic, readable answer derived from the prompt."""
    return "".join(_default_pieces(last_tool_results(body), contracts.last_user_text(body)))


def _default_pieces(results: tuple[str, ...], text: str) -> tuple[str, ...]:
    """:func:`default_text`, already cut into tokens, from the tool results and the user text."""
    if results:
        return tokens.pieces(
            "Based on the tool result: " + "; ".join(r.strip() or "(empty)" for r in results) + "."
        )
    return _cached_answer(text) if len(text) <= tokens.CACHED_CHARS else _answer(text)


class _Answer:
    """:func:`default_text` of one request, made on first use and then remembered.

    A turn may ask for it twice (a contract wraps it, or it is the reply itself);
    a batch of distinct prompts would otherwise make every answer twice.
    """

    def __init__(self, results: tuple[str, ...], prompt: str) -> None:
        self._results, self._prompt = results, prompt
        self._pieces: tuple[str, ...] | None = None
        self._text: str | None = None

    def pieces(self) -> tuple[str, ...]:
        if self._pieces is None:
            self._pieces = _default_pieces(self._results, self._prompt)
        return self._pieces

    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.pieces())
        return self._text


def _answer(text: str) -> tuple[str, ...]:
    """The tokens of the default answer to a prompt whose last user text is ``text``."""
    prompt = text.strip().rstrip(".?!")
    words = prompt.split()
    if "about" in words:
        words = words[words.index("about") + 1 :]
    topic = " ".join(words[:6]) or "this"
    seed = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "big")
    # The opening sentence, then 2-4 picked by 3-bit slices of the seed (a repeat said once).
    n = len(_SENTENCES) - 1
    picks = (0, 1 + seed % n, 1 + (seed >> 3) % n, 1 + (seed >> 6) % n, 1 + (seed >> 9) % n)
    fields = {"topic": topic, "Topic": topic[:1].upper() + topic[1:]}
    out: list[str] = []
    for pick in dict.fromkeys(picks[: 3 + seed % 3]):
        for part in _SENTENCE_PARTS[pick]:
            out.extend(
                tokens.led(part.space, fields[part.name]) if isinstance(part, _Field) else part
            )
    return tuple(out)


class _Field(NamedTuple):
    """A field of a sentence: the white space before it and its name."""

    space: str
    name: str


def _parts(sentence: str) -> tuple[tuple[str, ...] | _Field, ...]:
    """``sentence`` cut before each field, the white space before a field kept with it.

    Literal parts come as their tokens, fields as :class:`_Field`. Every part
    after the first starts with white space and every part (and every field's
    value) ends in a visible character, so no token spans two parts: an answer's
    tokens are its parts' tokens in a row, and only the fields are split anew.
    """
    parts = [part for part in re.split(r"(\s*\{\w+\})", sentence) if part]
    return tuple(
        _Field(part[: part.index("{")], part.strip()[1:-1])
        if "{" in part
        else tuple(tokens.split(part))
        for part in parts
    )


#: Every sentence after the first follows a space.
_SENTENCE_PARTS = tuple(_parts(s if i == 0 else " " + s) for i, s in enumerate(_SENTENCES))

#: Lessons send the same prompts again and again (a re-run cell, a benchmark loop).
_cached_answer = lru_cache(maxsize=256)(_answer)


_HINTS = re.compile(r"\{(\w+: [^{}]*)\}$")


def _hinted(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` plus the constraints the SDK moved into its description for structured outputs.

    The SDK's ``transform_schema`` turns e.g. ``minimum: 3`` into a description
    suffix ``{minimum: 3}`` that the model "might" follow; the fake model does.
    """
    found = _HINTS.search(str(schema.get("description", "")))
    if found is None:
        return schema
    hints: dict[str, Any] = {}
    for pair in found.group(1).split(", "):
        key, _, value = pair.partition(": ")
        try:
            hints[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            hints[key] = value
    return {**hints, **schema}


#: Caps on generated examples: ``"minItems": 10**9`` (or nested arrays) must not exhaust memory.
_MAX_EXAMPLE_SIZE = 1000
_MAX_EXAMPLE_NODES = 5000


def _example_value(
    schema: dict[str, Any], root: dict[str, Any] | None = None, budget: list[int] | None = None
) -> Any:
    """A small value that satisfies ``schema`` (a tool's input_schema or an output format)."""
    root = schema if root is None else root
    budget = [_MAX_EXAMPLE_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("the example for this schema is too large")
    schema = _hinted(schema)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return _example_value(target, root, budget)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _example_value(schema[key][0], root, budget)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {
            k: _example_value(props.get(k, {}), root, budget)
            for k in schema.get("required", list(props))
        }
    if kind == "array":
        return [
            _example_value(schema.get("items") or {}, root, budget)
            for _ in range(min(schema.get("minItems", 0), _MAX_EXAMPLE_SIZE))
        ]
    if kind in ("integer", "number"):
        low = (
            schema["exclusiveMinimum"] + 1
            if "exclusiveMinimum" in schema
            else schema.get("minimum", 1)
        )
        return int(low) if kind == "integer" else float(low)
    if kind == "string":
        length = min(schema.get("minLength", 0), _MAX_EXAMPLE_SIZE)
        return "example".ljust(length, "e")[: schema.get("maxLength")]
    return {"boolean": True, "null": None}.get(str(kind), "example")


def _safe_example(schema: Any) -> Any:
    """:func:`_example_value`, or ``{}`` for a schema it cannot satisfy (never a 500)."""
    try:
        return _example_value(schema) if isinstance(schema, dict) else {}
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError):
        return {}  # e.g. "minItems": "3", a "$ref" cycle (found by fuzzing)


def _forced_tool(body: dict[str, Any], how: Shape, prompt: str) -> dict[str, Any] | None:
    """The tool the model must or plausibly would call, if any."""
    tools = [t for t in body["tools"] if t.get("type") not in server_tool_types()]
    choice = body.get("tool_choice") or {"type": "auto"}
    if not tools or choice.get("type") == "none" or how.tool_results:
        return None
    if choice.get("type") == "tool":
        return next((t for t in tools if t.get("name") == choice.get("name")), None)
    if choice.get("type") == "any":
        first: dict[str, Any] = tools[0]
        return first
    words = set(re.findall(r"[\w-]+", prompt.lower()))
    return next((t for t in tools if _mentioned(t["name"].lower(), words)), None)


def _mentioned(name: str, words: set[str]) -> bool:
    """A tool fires under ``auto`` when the prompt names it as a whole word (or its words)."""
    parts = name.replace("-", "_").split("_")
    return name in words or (len(parts) > 1 and all(p in words for p in parts))


def _check_tool_call(call: ToolCall, body: dict[str, Any]) -> None:
    offered = {t.get("name"): t for t in body.get("tools") or []}
    if call.name not in offered:
        raise ApiError(
            500,
            f"lessonkit: the scripted tool_use {call.name!r} names a tool this request did not "
            "offer "
            f"(offered: {sorted(offered) or 'none'})",
            headers={"x-should-retry": "false"},
        )
    check = _input_check(json.dumps(offered[call.name].get("input_schema"), sort_keys=True))
    if check is None:
        return
    import fastjsonschema

    try:
        check(dict(call.input))
    except fastjsonschema.JsonSchemaValueException as err:
        where = "input" + err.message.removeprefix("data")  # "input.city must be string"
        raise ApiError(
            500,
            f"lessonkit: the scripted input for tool {call.name!r} does not match its "
            f"input_schema: {where}",
            headers={"x-should-retry": "false"},
        ) from None


@lru_cache(maxsize=64)
def _input_check(schema_json: str) -> Callable[[Any], Any] | None:
    """A compiled check of a tool's ``input_schema`` (as sorted JSON), or None if it has none.

    fastjsonschema, not jsonschema: importing jsonschema imports every format
    checker Jupyter's extras install, one of which builds a parser for RFC 3987
    at import, ~1.5 s of CPU in each kernel whose first scripted tool call
    paid it (a checker's time limit included). Formats are not checked (as
    ``jsonschema.validate`` does not), defaults are not filled in, and a schema
    it cannot compile, or that refers outside itself (which it would fetch
    over the network), is not checked: the API judges schemas, not this.
    """
    schema = json.loads(schema_json)
    if not isinstance(schema, dict) or not _refers_only_to_itself(schema):
        return None
    import fastjsonschema

    try:
        return fastjsonschema.compile(schema, use_default=False, use_formats=False)
    except (fastjsonschema.JsonSchemaDefinitionException, re.error, TypeError, ValueError):
        return None


def _refers_only_to_itself(schema: Any) -> bool:
    """Every ``$ref`` in ``schema`` is a JSON pointer into the same document (``#/...``)."""
    if isinstance(schema, list):
        return all(_refers_only_to_itself(item) for item in schema)
    if not isinstance(schema, dict):
        return True
    ref = schema.get("$ref")
    if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
        return False
    return all(_refers_only_to_itself(value) for value in schema.values())


def _json_pieces(value: dict[str, Any]) -> tuple[str, ...]:
    """Partial-JSON chunks the way the API streams a tool input: "" first, then a key at a time."""
    text = json.dumps(value)
    pieces = [""]
    start = 0
    for index, char in enumerate(text):
        if char == "," and index > start:
            pieces.append(text[start : index + 1])
            start = index + 1
    pieces.append(text[start:])
    return tuple(p for i, p in enumerate(pieces) if p or i == 0)


def _cut_text(
    text: str, budget: int, stops: Sequence[str], split: tuple[str, ...] | None = None
) -> tuple[tuple[str, ...], str | None, str | None]:
    """Apply stop sequences and the token budget; returns pieces, stop reason, matched sequence.

    ``split`` is ``text``'s tokens when the caller already has them.
    """
    hits = [(text.find(s), s) for s in stops if s in text]
    sequence = min(hits)[1] if hits else None
    if sequence is not None:
        text = text[: text.find(sequence)]
    pieces = tokens.pieces(text) if split is None or sequence is not None else split
    if len(pieces) > budget:
        return pieces[:budget], "max_tokens", None
    return pieces, ("stop_sequence" if sequence else None), sequence


def _server_call(body: dict[str, Any], how: Shape, prompt: str) -> ToolCall | None:
    """The server tool an unscripted turn runs: an offered one a prompt word names."""
    offered = server_tools.offered(body)
    if not offered or how.tool_results:
        return None
    words = set(re.findall(r"[\w-]+", prompt.lower()))
    for name in offered:
        if any(part in words for part in name.split("_")):  # "search", "code"...
            return ToolCall(name, server_tools.default_input(name, prompt))
    return None


def _server_blocks(
    call: ToolCall, new_id: Callable[[str], str], *, paused: bool, body: dict[str, Any]
) -> list[Block]:
    """``server_tool_use`` and (unless paused before it ran) the tool's result block."""
    tool_input = dict(call.input)
    use_id = new_id("server_tool_use")
    use = Block("server_tool_use", _json_pieces(tool_input), use_id, call.name, tool_input)
    if paused:
        return [use]
    names = [str(t.get("name")) for t in body.get("tools") or [] if "input_schema" in t]
    result = server_tools.result_block(call.name, use_id, tool_input, names)
    return [use, Block(result["type"], (), whole=result)]


def generate(
    body: dict[str, Any],
    reply: Reply | None,
    new_id: Callable[[str], str],
    how: Shape | None = None,
) -> Generation:
    """Produce the model's turn for a validated Messages request (of shape ``how``, if known)."""
    how = shape_of(body) if how is None else how
    prompt = contracts.last_user_text(body)
    if (
        reply is None
        and how.key is not None
        and not how.tools
        and len(prompt) <= tokens.CACHED_CHARS
        and REFUSAL_TRIGGER not in prompt
    ):
        return _remembered(how, prompt)
    return _generate(body, how, prompt, reply, new_id)


@lru_cache(maxsize=256)
def _remembered(how: Shape, prompt: str) -> Generation:
    """:func:`generate` for a keyed shape without tools: it reads only the shape and prompt.

    Lessons send the same prompt again and again (a re-run cell, a benchmark
    loop). Its output has no ids (no tools) and nothing mutable (a refusal's
    ``stop_details`` dict is never remembered), so every caller can share it.
    """
    return _generate({}, how, prompt, None, _no_ids)


def _no_ids(kind: str) -> str:
    raise AssertionError(f"a request without tools asked for a {kind} id")  # pragma: no cover


def _unscripted(
    body: dict[str, Any], how: Shape, prompt: str
) -> tuple[Reply, tuple[str, ...] | None]:
    """What the model says unprompted (a server tool, a contract, a tool call, JSON or prose),
    and its text's tokens when making the text came with them.

    ``body`` is read only where ``how`` says it offers tools.
    """
    answer = _Answer(how.tool_results, prompt)  # made once, however many times it is asked for
    if how.tools and (server := _server_call(body, how, prompt)) is not None:
        return Reply(text=answer.text(), server_tool=server), None
    if how.contracts:
        contracted = contracts.reply_for(
            body, prompt, how.prefill, _safe_example, answer.text, tools=how.tools
        )
        if contracted is not None:
            return contracted, None
    if how.tools and (forced := _forced_tool(body, how, prompt)):
        example = _safe_example(forced.get("input_schema", {}))
        example = example if isinstance(example, dict) else {}
        return Reply(tool_calls=(ToolCall(forced["name"], example),)), None
    if how.output_schema is not None:  # structured outputs: JSON that matches the schema
        return Reply(text=json.dumps(_safe_example(how.output_schema))), None
    return Reply(text=answer.text()), answer.pieces()


def _generate(
    body: dict[str, Any],
    how: Shape,
    prompt: str,
    reply: Reply | None,
    new_id: Callable[[str], str],
) -> Generation:
    budget = how.max_tokens
    if budget == 0:  # a cache pre-warm: no output at all
        return Generation((), "max_tokens", None, None, 0)
    stops = how.stops
    split = None  # the reply's tokens, when making its text came with them
    if reply is None and REFUSAL_TRIGGER in prompt:
        reply = Reply(stop_reason="refusal")
    if reply is not None:  # only scripted calls can be wrong; ours come from the schema
        for call in reply.tool_calls:
            _check_tool_call(call, body)
    else:
        reply, split = _unscripted(body, how, prompt)

    blocks: list[Block] = []
    stop_reason, sequence = reply.stop_reason, None
    thought = (
        None
        if stop_reason == "refusal" and not reply.text
        else thinking.plan(how.thinking, prompt, reply.thinking, budget)
    )
    thought_tokens = used = thought.tokens if thought else 0
    if thought is not None:
        blocks.append(Block("thinking", thought.shown, signature=thought.signature))
        if thought.cut:  # the budget ran out while thinking: no answer at all
            return Generation(tuple(blocks), "max_tokens", None, None, budget, thought_tokens)
    if reply.server_tool is not None:
        blocks.extend(
            _server_blocks(reply.server_tool, new_id, paused=stop_reason == "pause_turn", body=body)
        )
        if stop_reason == "pause_turn":
            return Generation(tuple(blocks), stop_reason, None, None, max(used, 1), thought_tokens)
    if reply.text:
        pieces, cut_reason, sequence = _cut_text(reply.text, budget - used, stops, split)
        used += len(pieces)
        blocks.append(Block("text", pieces))
        if cut_reason:
            stop_reason = cut_reason
    if stop_reason not in ("max_tokens", "stop_sequence"):
        for call in reply.tool_calls:
            pieces = _json_pieces(dict(call.input))
            cost = tokens.count_text(call.name) + sum(tokens.count_text(p) for p in pieces)
            if used + cost > budget:  # the call does not fit: cut off, as the API does
                stop_reason = "max_tokens"
                break
            used += cost
            blocks.append(
                Block("tool_use", pieces, new_id("tool_use"), call.name, dict(call.input))
            )
    if stop_reason == "pause_turn":  # paused mid server-tool loop: the search not yet run
        call = ToolCall("web_search", {"query": prompt[:200]})
        blocks.extend(_server_blocks(call, new_id, paused=True, body=body))
    if stop_reason is None:
        stop_reason = "tool_use" if reply.tool_calls else "end_turn"
    if stop_reason == "max_tokens":  # the API stops *because* the budget is spent
        used = budget
    if stop_reason == "stop_sequence" and sequence is None and stops:
        sequence = stops[0]  # a scripted stop_sequence still names the sequence that matched
    details = None
    if stop_reason == "refusal":
        details = {
            "type": "refusal",
            "category": reply.refusal_category,
            "explanation": reply.explanation,
        }
        if not blocks:  # refused before any output: the API reports 0 output tokens
            return Generation((), stop_reason, None, details, 0)
    return Generation(tuple(blocks), stop_reason, sequence, details, max(used, 1), thought_tokens)
