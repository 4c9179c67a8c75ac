"""No secrets: nothing key-shaped is committed or printed, and a real key never shows.

A learner's real ``ANTHROPIC_API_KEY`` may be set in the environment of the
kernel that runs the lessons. Offline mode must neither send it anywhere nor
let it surface in a repr, a request log, a widget or a saved output.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

import lessonkit
from lessonkit import PLACEHOLDER_KEY, FakeAPI, models

ROOT = Path(__file__).resolve().parents[2]
KEY_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}")
# Key-shaped values, assembled at run time so that this file itself stays clean.
FAKE_KEY = "sk-ant-" + "api03-" + "Lk7fQ2" * 15 + "-AA"
FAKE_TOKEN = "sk-ant-" + "oat01-" + "Tq3mW8" * 10
ASK: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 40,
    "messages": [{"role": "user", "content": "Hello"}],
}


def _tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git work tree")
    return [ROOT / name for name in listed.decode().split("\0") if name]


def _hits(text: str) -> list[str]:
    return [f"line {text.count(chr(10), 0, m.start()) + 1}" for m in KEY_SHAPE.finditer(text)]


def test_no_tracked_file_holds_a_key_shaped_string() -> None:
    found = {}
    for path in _tracked_files():
        if path.is_file() and ".venv" not in path.parts:
            hits = _hits(path.read_bytes().decode("utf-8", errors="replace"))
            if hits:
                found[str(path.relative_to(ROOT))] = hits
    assert not found, (
        f"key-shaped strings (sk-ant-…) in tracked files: {found}. Use an obviously fake value "
        "that is not key-shaped, or build it at run time as this test does."
    )


def _notebooks() -> Iterator[Path]:
    for folder in ("notebooks", "exercises"):
        yield from sorted((ROOT / folder).rglob("*.ipynb"))


def test_no_notebook_output_holds_a_key() -> None:
    """Saved outputs (tracked or not yet) are what a learner shares: scan every one."""
    found = {}
    for path in _notebooks():
        cells = json.loads(path.read_text()).get("cells", [])
        outputs = json.dumps([c.get("outputs", []) for c in cells])
        if KEY_SHAPE.search(outputs):
            found[str(path.relative_to(ROOT))] = len(KEY_SHAPE.findall(outputs))
    assert not found, f"notebook outputs with key-shaped strings: {found}"


def test_the_placeholder_key_is_obviously_fake() -> None:
    assert not KEY_SHAPE.search(PLACEHOLDER_KEY)
    assert not PLACEHOLDER_KEY.startswith("sk-")
    assert "not-a-real-key" in PLACEHOLDER_KEY and "placeholder" in PLACEHOLDER_KEY


def test_recorded_requests_redact_credentials() -> None:
    with lessonkit.offline() as api:
        anthropic.Anthropic(api_key=FAKE_KEY, max_retries=0).messages.create(**ASK)
        by_token = anthropic.Anthropic(auth_token=FAKE_TOKEN, api_key=None, max_retries=0)
        by_token.messages.create(**ASK)
    for record in api.requests:  # SDK 2.x sends either credential as `authorization`
        assert record.headers["authorization"] == "[redacted]"
        assert record.headers.get("x-api-key", "[redacted]") == "[redacted]"
        dumped = repr(record) + json.dumps(vars(record), default=str)
        assert FAKE_KEY not in dumped and FAKE_TOKEN not in dumped


def _everything_printable(api: FakeAPI, session: lessonkit.Offline, batch_id: str) -> list[str]:
    """Every repr/str a learner or a saved notebook can see after a busy offline session."""
    texts = [repr(api), str(api), repr(session), str(session), repr(api.requests)]
    texts += [repr(vars(r)) for r in api.requests]
    texts += [repr(api.sleeps), repr(api.clock), repr(api.last)]
    from lessonkit import widgets

    for view in (widgets.RequestLog(api), widgets.RetryTimeline(api)):
        texts += [str(view), repr(view), view._repr_html_()]
    texts += [str(widgets.BatchMonitor(api, batch_id))]
    return texts


def test_a_key_in_the_environment_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", FAKE_TOKEN)
    session = lessonkit.offline()
    with session as api:
        default = anthropic.Anthropic()  # offline mode pinned the environment to the placeholder
        explicit = anthropic.Anthropic(api_key=FAKE_KEY)  # a learner pasting their key anyway
        for client in (default, explicit):
            api.fail_next(529)  # a retry, for the timeline
            client.messages.create(**ASK)
            with client.messages.stream(**ASK) as stream:
                stream.get_final_message()
        api.fail_next(401)
        with pytest.raises(anthropic.AuthenticationError) as caught:
            explicit.messages.create(**ASK)
        one: Any = {"custom_id": "one", "params": ASK}
        batch = default.messages.batches.create(requests=[one])
        api.clock.advance(hours=1)
        list(default.messages.batches.results(batch.id))
        texts = _everything_printable(api, session, batch.id)
    texts += [str(caught.value), repr(caught.value.body)]
    assert all(r.headers["authorization"] == "[redacted]" for r in api.requests)
    leaks = [t[:200] for t in texts if FAKE_KEY in t or FAKE_TOKEN in t or KEY_SHAPE.search(t)]
    assert not leaks


def test_the_live_session_repr_hides_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    session = lessonkit.live(budget_usd=0.01, opt_in=True)
    try:
        texts = [repr(session), str(session), repr(vars(session).get("calls"))]
        client = session.client()
        texts.append(repr(session))
        assert client.api_key == FAKE_KEY  # the key is used, only never shown
    finally:
        session.close()
    assert not [t for t in texts if FAKE_KEY in t or KEY_SHAPE.search(t)]
