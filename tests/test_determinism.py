"""Same lesson, same bytes: every session produces identical outputs, ids included.

Saved notebook outputs stay stable only if every id, token count and
timestamp is a pure function of what the lesson did. Two sessions in one
process run in ``make test``; fresh processes with other hash seeds are a
``soak`` test (nbval already replays every notebook in a fresh kernel).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import anthropic, lessonkit
    from lessonkit import models
    from lessonkit.fakeapi.facts import facts

    out = {}
    prompt = [{"role": "user", "content": "Tell me about retries"}]
    ask = dict(model=models.DEFAULT, max_tokens=60, messages=prompt)
    weather = {"type": "object", "properties": {"city": {"type": "string"}}}
    tool = {"name": "get_weather", "input_schema": weather}
    with lessonkit.offline() as api:
        client = anthropic.Anthropic()
        message = client.messages.create(**ask)
        out["create"] = message.to_dict()
        out["create_request_id"] = message._request_id
        with client.messages.stream(**ask) as stream:
            out["stream_text"] = list(stream.text_stream)
            out["stream_final"] = stream.get_final_message().to_dict()
            out["stream_request_id"] = stream.request_id
        with client.messages.with_streaming_response.create(**ask, stream=True) as raw:
            out["sse_lines"] = list(raw.iter_lines())
        any_tool = {"type": "any"}
        forcing = next(m for m in models.current() if facts(m).forced_tool_choice)
        tool_ask = {**ask, "model": forcing, "tools": [tool], "tool_choice": any_tool}
        out["tool"] = client.messages.create(**tool_ask).to_dict()
        try:
            client.messages.create(**{**ask, "messages": []})
        except anthropic.BadRequestError as err:
            out["error"] = {"status": err.status_code, "body": err.body, "id": err.request_id}
        count = client.messages.count_tokens(model=models.DEFAULT, messages=prompt)
        out["count"] = count.input_tokens
        out["log"] = [
            {"path": r.path, "json": r.json, "at": r.at, "status": r.status, "id": r.request_id}
            for r in api.requests
        ]
        out["now"] = api.clock.isoformat()
    json.dump(out, sys.stdout, sort_keys=True)
    """
)


def _run(hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def _in_process() -> str:
    """SCRIPT's output from a fresh offline() session in this process."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(SCRIPT, {})
    return buffer.getvalue()


def test_two_sessions_in_one_process_give_the_same_bytes() -> None:
    """No state leaks between sessions: ids, clock and log restart with each offline()."""
    first = _in_process()
    assert first == _in_process()
    out = json.loads(first)
    assert out["create"]["id"].startswith("msg_011C")
    assert out["create_request_id"].startswith("req_011C")
    assert out["create"]["id"] != out["stream_final"]["id"]
    assert out["error"]["status"] == 400
    assert len(out["log"]) == 6 and "event: ping" in out["sse_lines"]


@pytest.mark.soak
def test_fresh_processes_match_this_one() -> None:
    """Different hash seeds and fresh imports change nothing (no set/dict-of-str order leaks)."""
    assert _run("1") == _run("2") == _in_process().encode()
