"""The result line of a succeeded request, filled into a frame encoded once per layout.

A batch's results are thousands of Messages alike but for a few values: the
custom_id, the message id, each block's text (and signature) and the token
counts. Encoding every one whole was the largest share of the fake's time
in reading results. So the first line of each layout (model, stop reason and
sequence, block types, whether it thought) goes through the general path,
:func:`record` and :func:`..jsonbytes.dumps`, with a marker in each varying
place; the markers become ``%s`` fields that every later line of the layout
fills in, its strings escaped by the json module's own escaper. The bytes are
the general path's exactly (tests/fakeapi/test_batch_lines.py).
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _string
from operator import attrgetter
from typing import Any

from .. import render
from ..generation import Block, Generation
from ..jsonbytes import dumps

#: Layouts remembered; past this many the memory starts again (a batch has a handful).
_MAX_LAYOUTS = 256
_FRAMED = ("text", "thinking")  # blocks whose only varying parts are strings
_type = attrgetter("type")

_frames: dict[tuple[Any, ...], str | None] = {}


def record(
    custom_id: str, gen: Generation, *, message_id: str, model: str, input_tokens: int
) -> dict[str, Any]:
    """A succeeded request's result record: ``gen`` as a Message of the batch service tier."""
    message = render.message(
        gen,
        message_id=message_id,
        model=model,
        input_tokens=input_tokens,
        service_tier="batch",
    )
    return {"custom_id": custom_id, "result": {"type": "succeeded", "message": message}}


def succeeded(
    custom_id: str, gen: Generation, *, message_id: str, model: str, input_tokens: int
) -> bytes:
    """The JSON line of a succeeded request whose turn is ``gen`` (batch service tier)."""
    frame = _frame_of(gen, model)
    if frame is None:  # a tool call or a refusal: encoded whole
        whole = record(
            custom_id, gen, message_id=message_id, model=model, input_tokens=input_tokens
        )
        return dumps(whole, floats=gen.may_hold_floats)
    return (frame % _fields(custom_id, gen, message_id, input_tokens)).encode()


def _fields(custom_id: str, gen: Generation, message_id: str, input_tokens: int) -> tuple[str, ...]:
    """The varying values of a line, encoded, in the order they appear in it."""
    fields = [_string(custom_id), _string(message_id)]
    for block in gen.blocks:
        fields.append(_string(block.text))
        if block.signature is not None:
            fields.append(_string(block.signature))
    fields += (str(input_tokens), str(gen.output_tokens))
    if gen.thinking_tokens:
        fields.append(str(gen.thinking_tokens))
    return tuple(fields)


def _frame_of(gen: Generation, model: str) -> str | None:
    """The frame of ``gen``'s layout (made on first use), or None if it has none."""
    if gen.stop_details is not None:  # a refusal's details
        return None
    layout = (
        model,
        gen.stop_reason,
        gen.stop_sequence,
        tuple(map(_type, gen.blocks)),
        gen.thinking_tokens > 0,
    )
    if layout not in _frames:
        if len(_frames) >= _MAX_LAYOUTS:
            _frames.clear()
        _frames[layout] = _frame(gen, model)
    return _frames[layout]


def _frame(gen: Generation, model: str) -> str | None:
    """The line of ``gen``'s layout with a ``%s`` in place of each of its :func:`_fields`.

    Made from a line whose varying values are markers. None if it has a block
    that is not plain text or thinking, a thinking block without a signature,
    or a marker that is not found once and in its place.
    """
    blocks = []
    for k, block in enumerate(gen.blocks):
        if block.type not in _FRAMED or (block.type == "thinking" and block.signature is None):
            return None
        signature = None if block.signature is None else f"\0s{k}\0"
        blocks.append(Block(block.type, (f"\0b{k}\0",), signature=signature))
    # Token counts are marked by numbers no count reaches.
    marked = gen._replace(
        blocks=tuple(blocks),
        output_tokens=-(10**18) - 1,
        thinking_tokens=-(10**18) - 2 if gen.thinking_tokens else 0,
    )
    custom_id, message_id, input_tokens = "\0c\0", "\0i\0", -(10**18) - 3
    line = record(custom_id, marked, message_id=message_id, model=model, input_tokens=input_tokens)
    text = dumps(line, floats=False).decode().replace("%", "%%")
    fields = _fields(custom_id, marked, message_id, input_tokens)
    places = [text.find(field) for field in fields]
    if any(text.count(field) != 1 for field in fields) or places != sorted(places):
        return None
    for field in fields:
        text = text.replace(field, "%s")
    return text
