"""lessonkit.server: the fake API over real HTTP, driven by the real SDKs and curl.

Every server here listens on 127.0.0.1 on a free port and is stopped by its
fixture; every client has a timeout, so nothing can hang the suite.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import httpx
import httpx2
import pytest

from lessonkit import FakeAPI, models
from lessonkit.server import CONTROLS, BindRefused, RunningServer, check_bind, serve_in_thread

HELLO: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 60,
    "messages": [{"role": "user", "content": "Hi"}],
}
TS_DIR = Path(__file__).parent / "ts"
#: For the servers' plain-HTTP loopback addresses: there is no TLS, so no CA bundle to load
#: (each new httpx client spends ~30 ms of CPU loading one).
PLAIN_HTTP: dict[str, Any] = {"timeout": 5, "verify": False}


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with serve_in_thread(FakeAPI()) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=server.base_url, api_key="placeholder", timeout=10) as sdk:
        yield sdk


def control(server: RunningServer, endpoint: str, /, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{server.base_url}/_lessonkit/{endpoint}", json=kwargs, **PLAIN_HTTP)


def test_create_returns_the_message_and_its_request_id(
    server: RunningServer, client: anthropic.Anthropic
) -> None:
    control(server, "reply", text="Served over HTTP")
    message = client.messages.create(**HELLO)
    assert "".join(b.text for b in message.content if b.type == "text") == "Served over HTTP"
    assert message._request_id == server.api.last.request_id
    assert server.api.last.headers["authorization"] == "[redacted]"


def test_stream_matches_create(client: anthropic.Anthropic) -> None:
    created = client.messages.create(**HELLO)
    with client.messages.stream(**HELLO) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert [b.type for b in created.content] == [b.type for b in final.content]
    created_text, final_text = (
        "".join(b.text for b in m.content if b.type == "text") for m in (created, final)
    )
    assert text == created_text == final_text
    assert stream.request_id and stream.request_id != created._request_id
    assert final.usage.output_tokens == created.usage.output_tokens


def test_error_carries_the_request_id(server: RunningServer, client: anthropic.Anthropic) -> None:
    control(server, "fail_next", status=404)
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(**HELLO)
    assert caught.value.request_id == server.api.last.request_id
    assert caught.value.type == "not_found_error"


def test_sdk_retries_a_planned_overload(server: RunningServer, client: anthropic.Anthropic) -> None:
    assert control(server, "fail_next", status=529, retry_after_ms=20).json() == {"ok": True}
    message = client.messages.create(**HELLO)
    assert message.stop_reason == "end_turn"
    assert [(r.status, r.retry_count) for r in server.api.requests] == [(529, 0), (200, 1)]


def test_mid_stream_error_event_reaches_the_sdk(
    server: RunningServer, client: anthropic.Anthropic
) -> None:
    control(server, "fail_stream", after_events=3, error_type="overloaded_error")
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(**HELLO) as stream:
            "".join(stream.text_stream)
    assert caught.value.status_code == 200
    assert caught.value.type == "overloaded_error"


def test_dropped_stream_aborts_the_connection(
    server: RunningServer, client: anthropic.Anthropic
) -> None:
    control(server, "drop_stream", after_events=3)
    with pytest.raises((httpx2.RemoteProtocolError, anthropic.APIConnectionError)):
        with client.messages.stream(**HELLO) as stream:
            "".join(stream.text_stream)
    # the server is still fine afterwards
    assert client.messages.create(**HELLO).stop_reason == "end_turn"


def test_timeout_next_times_the_client_out(server: RunningServer) -> None:
    control(server, "timeout_next")
    with anthropic.Anthropic(
        base_url=server.base_url, api_key="placeholder", timeout=0.5, max_retries=0
    ) as impatient:
        with pytest.raises(anthropic.APITimeoutError):
            impatient.messages.create(**HELLO)


def test_count_tokens_is_routed_to_the_core(client: anthropic.Anthropic) -> None:
    counted = client.messages.count_tokens(model=models.DEFAULT, messages=HELLO["messages"])
    assert counted.input_tokens > 0


def test_batch_results_url_points_at_the_server(
    server: RunningServer, client: anthropic.Anthropic
) -> None:
    request: Any = {"custom_id": "a", "params": HELLO}
    batch = client.messages.batches.create(requests=[request])
    control(server, "advance", seconds=24 * 3600)
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.results_url and ended.results_url.startswith(server.base_url)
    results = list(client.messages.batches.results(batch.id))
    assert [(r.custom_id, r.result.type) for r in results] == [("a", "succeeded")]


def test_control_endpoints(server: RunningServer, client: anthropic.Anthropic) -> None:
    client.messages.create(**HELLO)
    seen = httpx.get(f"{server.base_url}/_lessonkit/requests", **PLAIN_HTTP).json()
    assert [(r["path"], r["status"], r["retry_count"]) for r in seen] == [("/v1/messages", 200, 0)]
    assert control(server, "nonsense").status_code == 404
    assert control(server, "fail_next", status=200).status_code == 400
    assert control(server, "reply", no_such_argument=1).status_code == 400
    assert control(server, "scenario", name="no-such-scenario").status_code == 400
    assert control(server, "reset").json() == {"ok": True}
    assert server.api.requests == []


#: One argument of the wrong JSON type for each control endpoint.
WRONG_TYPES: dict[str, tuple[dict[str, Any], str]] = {
    "reply": ({"text": 5}, "'text' must be str | null, not number 5"),
    "fail_next": ({"status": "529"}, "'status' must be int, not string '529'"),
    "timeout_next": ({"times": 1.5}, "'times' must be int, not number 1.5"),
    "fail_stream": ({"after_events": "3"}, "'after_events' must be int"),
    "drop_stream": ({"after_events": None}, "'after_events' must be int, not null"),
    "retire_model": ({"model": ["x"]}, "'model' must be str, not array"),
    "scenario": ({"name": {}}, "'name' must be str, not object"),
    "clear_faults": ({"now": True}, "unexpected keyword argument 'now'"),
    "batch_outcome": ({"custom_id": 1, "outcome": "errored"}, "'custom_id' must be str"),
    "batch_delay": ({"hours": True}, "'hours' must be float, not boolean"),
    "advance": ({"minutes": "5"}, "'minutes' must be float, not string"),
}


def test_every_control_endpoint_has_a_malformed_case() -> None:
    assert sorted(WRONG_TYPES) == sorted([*CONTROLS, "advance"])


@pytest.mark.parametrize("name", sorted(WRONG_TYPES))
def test_malformed_control_requests_get_a_400_naming_the_problem(
    server: RunningServer, name: str
) -> None:
    url = f"{server.base_url}/_lessonkit/{name}"
    wrong_type, message = WRONG_TYPES[name]
    cases = [
        (b"{not json", "the body is not JSON"),
        (b"[1, 2]", "must be a JSON object of keyword arguments, not array"),
        (json.dumps({"no_such_argument": 1}).encode(), "argument"),  # unexpected, or one missing
        (json.dumps(wrong_type).encode(), message),
    ]
    now = server.api.clock.now()
    for body, expected in cases:
        answer = httpx.post(url, content=body, **PLAIN_HTTP)
        assert answer.status_code == 400, (body, answer.text)
        assert expected in answer.json()["error"], (body, answer.json())
    assert not server.api.faults.pending and server.api.clock.now() == now  # nothing applied


def test_scenario_control_plans_faults(server: RunningServer) -> None:
    from lessonkit.fakeapi import scenarios

    name = sorted(scenarios.SCENARIOS)[0]
    assert control(server, "scenario", name=name).json() == {"ok": True}
    assert server.api.faults.pending


def test_unpacks_and_restores_base_url() -> None:
    api = FakeAPI()
    base_url, stop = serve_in_thread(api)
    assert base_url.startswith("http://127.0.0.1:")
    assert api.base_url == base_url
    stop()
    stop()  # twice is fine
    assert api.base_url == "https://api.anthropic.com"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/_lessonkit/requests", timeout=2)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.5", "::1", "localhost"])
def test_loopback_is_allowed(host: str) -> None:
    check_bind(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_other_addresses_are_refused_unless_forced(host: str) -> None:
    with pytest.raises(BindRefused, match="--force-bind"):
        check_bind(host)
    check_bind(host, force=True)


# --- curl ----------------------------------------------------------------------------


def _curl(server: RunningServer, body: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    return subprocess.run(
        ["curl", "-sS", "-N", "--max-time", "10", f"{server.base_url}/v1/messages",
         "-H", "x-api-key: placeholder", "-H", "anthropic-version: 2023-06-01",
         "-H", "content-type: application/json", "-d", json.dumps(body)],
        capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip


def _events(output: str) -> list[str]:
    return [line[len("event: ") :] for line in output.splitlines() if line.startswith("event:")]


def test_curl_streams_server_sent_events(server: RunningServer) -> None:
    done = _curl(server, {**HELLO, "stream": True})
    assert done.returncode == 0, done.stderr
    events = _events(done.stdout)
    assert events[0] == "message_start" and events[-1] == "message_stop"
    assert "content_block_delta" in events


def test_curl_sees_each_event_before_a_drop(server: RunningServer) -> None:
    """Events are flushed one by one: the three sent before the drop arrive, then curl errors."""
    control(server, "drop_stream", after_events=3)
    done = _curl(server, {**HELLO, "stream": True})
    assert done.returncode == 18, (done.returncode, done.stderr)  # CURLE_PARTIAL_FILE
    assert len(_events(done.stdout)) == 3


# --- the official TypeScript SDK -----------------------------------------------------


def install_ts_sdk(folder: Path) -> Path:
    """Install @anthropic-ai/sdk (pinned in ``folder``'s package files), or skip saying why.

    No node/npm, or an npm that cannot install (offline, registry down), is the
    machine's limit, not a lessonkit bug: the test skips with npm's own words.
    """
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed: the TypeScript SDK check cannot run")
    if not (folder / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
        command = "ci" if (folder / "package-lock.json").exists() else "install"
        try:
            done = subprocess.run(
                ["npm", command, "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=folder, timeout=300, capture_output=True, text=True, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.skip(f"`npm {command}` did not finish in 300 s (no registry access?)")
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()[-3:]
            pytest.skip(
                f"`npm {command}` could not install the TypeScript SDK "
                f"(exit {done.returncode}): {' '.join(said)}"
            )
    return folder


@pytest.fixture(scope="session")
def ts_sdk() -> Path:
    """Install the TypeScript SDK once per machine (kept in tests/ts/node_modules)."""
    return install_ts_sdk(TS_DIR)


def _fake_tools(folder: Path, npm_says: str) -> str:
    """A PATH holding a working ``node`` stand-in and an ``npm`` that fails like an offline one."""
    folder.mkdir()
    for name, script in {"node": "exit 0", "npm": f"echo '{npm_says}' >&2; exit 1"}.items():
        tool = folder / name
        tool.write_text(f"#!/bin/sh\n{script}\n")
        tool.chmod(0o755)
    return str(folder)


def test_typescript_check_skips_when_npm_cannot_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline_npm = "npm error code ENOTFOUND registry.npmjs.org"
    monkeypatch.setenv("PATH", _fake_tools(tmp_path / "bin", offline_npm))
    project = tmp_path / "ts"
    project.mkdir()
    (project / "package.json").write_text((TS_DIR / "package.json").read_text())
    with pytest.raises(pytest.skip.Exception, match="could not install.*ENOTFOUND"):
        install_ts_sdk(project)


def test_typescript_check_skips_without_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.skip.Exception, match="node/npm are not installed"):
        install_ts_sdk(tmp_path)


@pytest.mark.slow
def test_typescript_sdk_streams_and_reads_request_ids(server: RunningServer, ts_sdk: Path) -> None:
    done = subprocess.run(
        ["node", str(ts_sdk / "stream_check.mjs"), server.base_url, models.DEFAULT],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "".join(result["texts"]) == result["text"] == "Hello from the fake API"
    assert result["stop_reason"] == "end_turn"
    assert result["usage"]["output_tokens"] > 0
    error = result["error"]
    assert (error["name"], error["status"]) == ("OverloadedError", 529)
    assert error["type"] == "overloaded_error"
    assert error["requestID"] == server.api.last.request_id
