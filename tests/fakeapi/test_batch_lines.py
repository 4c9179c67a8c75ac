"""A succeeded result line filled into its layout's frame is the general path's bytes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lessonkit.fakeapi.batches import _lines
from lessonkit.fakeapi.generation import Block, Generation
from lessonkit.fakeapi.jsonbytes import dumps

_TEXT = st.text()  # escapes, "%", DEL, lone surrogates, non-ASCII...
_COUNT = st.integers(min_value=0, max_value=10**6)


def _general(custom_id: str, gen: Generation, message_id: str, input_tokens: int) -> bytes:
    line = _lines.record(
        custom_id, gen, message_id=message_id, model="claude-x", input_tokens=input_tokens
    )
    return dumps(line, floats=gen.may_hold_floats)


@given(
    custom_id=st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True),
    thought=st.none() | st.tuples(_TEXT, _TEXT),
    text=st.none() | _TEXT,
    stop=st.sampled_from([("end_turn", None), ("max_tokens", None), ("stop_sequence", "%s")]),
    counts=st.tuples(_COUNT, _COUNT, _COUNT),
)
def test_a_framed_line_is_the_general_paths_bytes(
    custom_id: str,
    thought: tuple[str, str] | None,
    text: str | None,
    stop: tuple[str, str | None],
    counts: tuple[int, int, int],
) -> None:
    blocks = []
    if thought is not None:
        blocks.append(Block("thinking", (thought[0],), signature=thought[1]))
    if text is not None:
        blocks.append(Block("text", (text,)))
    input_tokens, output_tokens, thinking_tokens = counts
    gen = Generation(tuple(blocks), *stop, None, output_tokens, thinking_tokens)
    line = _lines.succeeded(
        custom_id, gen, message_id="msg_011Cx", model="claude-x", input_tokens=input_tokens
    )
    assert line == _general(custom_id, gen, "msg_011Cx", input_tokens)
    assert _lines._frame_of(gen, "claude-x") is not None  # it was framed, not encoded whole


def test_tool_calls_and_refusals_are_encoded_whole() -> None:
    call = Block("tool_use", ("", '{"a": 1.5}'), "toolu_1", "f", {"a": 1.5})
    refusal = {"type": "refusal", "category": None, "explanation": None}
    for gen in (
        Generation((call,), "tool_use", None, None, 9),
        Generation((Block("text", ("no",)),), "refusal", None, refusal, 1),
    ):
        assert _lines._frame_of(gen, "claude-x") is None
        line = _lines.succeeded("c", gen, message_id="m", model="claude-x", input_tokens=3)
        assert line == _general("c", gen, "m", 3)
