"""``lessonkit lab`` for real: the server shows the workspace, and SIGTERM leaves nothing running.

Starts the real console script on a workspace in ``tmp_path``, talks to
JupyterLab's HTTP API and a terminal's websocket with the token, then stops it
as a process manager (SIGTERM) or a learner (Ctrl-C) would and looks for any process left behind
(server, kernel, terminal shell). Linux only: it reads ``/proc``.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import answers, free_port, running

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc"),
]


def _processes_mentioning(marker: str) -> list[str]:
    """Command lines of live processes whose command line or environment holds `marker`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if marker.encode() in cmdline or marker.encode() in (proc / "environ").read_bytes():
                found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # gone, or not ours
            continue
    return found


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, dict[str, str]]]:
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "LESSONKIT_TEST_MARKER": str(tmp_path),  # finds the server's children later
    }
    argv = [
        sys.executable, "-m", "lessonkit.cli", "lab", "--no-browser",
        "--root", str(ROOT), "--workspace", str(tmp_path / "work"),
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {token}"}
    ready = answers(f"{base}/api/status", headers=headers)
    log = tmp_path / "lab.log"
    with running(argv, log=log, ready=ready, name="lessonkit lab", env=env) as process:
        yield process, base, headers


async def _terminal_says(base: str, token: str, name: str, command: str, want: str) -> str:
    from tornado.websocket import websocket_connect

    url = f"{base.replace('http', 'ws')}/terminals/websocket/{name}?token={token}"
    socket_ = await websocket_connect(url)
    socket_.write_message(json.dumps(["stdin", command + "\r"]))
    seen = ""
    while want not in seen:
        message = await asyncio.wait_for(socket_.read_message(), timeout=60)
        assert message is not None, f"terminal closed; it said: {seen}"
        kind, *payload = json.loads(message)
        seen += payload[0] if kind == "stdout" else ""
    socket_.close()
    while await asyncio.wait_for(socket_.read_message(), timeout=30) is not None:
        pass  # until the server answers the close: then the socket is closed, not leaked
    return seen


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_lab_shows_the_workspace_and_stops_cleanly(
    lab: tuple[subprocess.Popen[bytes], str, dict[str, str]], tmp_path: Path, stop: int
) -> None:
    process, base, headers = lab
    root = httpx.get(f"{base}/api/contents/", headers=headers, timeout=10).json()
    assert sorted(item["name"] for item in root["content"]) == ["exercises", "lessons"]
    lessons = httpx.get(f"{base}/api/contents/lessons", headers=headers, timeout=10).json()
    assert "lesson-00-setup.ipynb" in {item["name"] for item in lessons["content"]}
    news = httpx.get(
        f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification",
        headers=headers,
        timeout=10,
    ).json()
    assert news["settings"]["fetchNews"] == "false"
    layout = httpx.get(f"{base}/lab/api/workspaces/default", headers=headers, timeout=10).json()
    assert layout["data"]["file-browser-filebrowser:cwd"] == {"path": ""}
    assert layout["data"]["notebook:lessons/lesson-00-setup.ipynb"]["data"]["path"] == (
        "lessons/lesson-00-setup.ipynb"
    )

    kernel = httpx.post(f"{base}/api/kernels", headers=headers, json={"name": "python3"}).json()
    assert kernel["name"] == "python3"
    terminal = httpx.post(f"{base}/api/terminals", headers=headers, timeout=10).json()
    token = headers["Authorization"].split()[1]
    lessonkit = str(Path(sys.executable).parent / "lessonkit")
    asking = _terminal_says(base, token, terminal["name"], "command -v lessonkit", lessonkit)
    assert lessonkit in asyncio.run(asking)

    process.send_signal(stop)
    assert process.wait(timeout=60) == 0
    left: list[str] = []
    for _ in range(60):  # the server may still be reaping its kernel
        left = _processes_mentioning(str(tmp_path))
        if not left:
            break
        time.sleep(0.5)
    assert left == []
