"""A real JupyterHub on 127.0.0.1, configured by deploy/jupyterhub/jupyterhub_config.py.

The proxy is configurable-http-proxy from npm, installed once into tests/hub/proxy/
(git-ignored ``node_modules``, versions pinned by its package-lock.json); without
node/npm or a reachable registry the hub tests skip and say why.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROXY_DIR = Path(__file__).resolve().parent / "proxy"
INSTRUCTOR = "teacher"
#: Only the test's own driver may create users, start servers and mint tokens.
TEST_CONFIG = """\
load_subconfig({config!r})
c.JupyterHub.services.append({{"name": "test-driver", "api_token": {token!r}}})
c.JupyterHub.load_roles.append(
    {{"name": "test-driver", "scopes": ["admin:users", "admin:servers", "tokens"],
      "services": ["test-driver"]}}
)
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hub: starts a real JupyterHub on 127.0.0.1 (tests/hub/)")


def install_proxy(folder: Path = PROXY_DIR) -> Path:
    """The ``configurable-http-proxy`` bin folder, installed by npm if needed; or skip."""
    bin_dir = folder / "node_modules" / ".bin"
    if (bin_dir / "configurable-http-proxy").exists():
        return bin_dir
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed: JupyterHub's proxy cannot run")
    try:
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder, timeout=300, capture_output=True, text=True, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip("`npm ci` did not finish in 300 s (no registry access?)")
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        pytest.skip(f"`npm ci` could not install configurable-http-proxy: {said}")
    return bin_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Hub:
    """A running hub: its public URL, the driver's admin token, its process and files."""

    url: str
    token: str
    process: subprocess.Popen[bytes]
    state: Path
    log: Path

    def api(self, token: str | None = None) -> httpx.Client:
        """An HTTP client for the hub's public URL, sending `token` (default: the driver's)."""
        headers = {"Authorization": f"token {token or self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    pytest.importorskip("jupyterhub", reason="pip install -r locks/test.txt (jupyterhub)")
    proxy_bin = install_proxy()
    state = tmp_path_factory.mktemp("hub")
    token = secrets.token_hex(32)
    config = state / "test_config.py"
    config.write_text(TEST_CONFIG.format(config=str(CONFIG), token=token))
    port = free_port()
    env = {
        **os.environ,
        "PATH": os.pathsep.join(
            [str(proxy_bin), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
        "LESSONKIT_HUB_AUTHENTICATOR": "dummy",
        "LESSONKIT_HUB_SPAWNER": "simple",
        "LESSONKIT_HUB_STATE": str(state),
        "LESSONKIT_HUB_PORT": str(port),
        "LESSONKIT_HUB_API_PORT": str(free_port()),
        "LESSONKIT_PROXY_API_PORT": str(free_port()),
        "LESSONKIT_DASHBOARD_PORT": str(free_port()),
        "LESSONKIT_INSTRUCTORS": INSTRUCTOR,
        "LESSONKIT_COURSE": str(REPO),
    }
    for name in (
        "LESSONKIT_PROGRESS",
        "LESSONKIT_LEARNER",
        "LESSONKIT_WORKSPACE",
        "JUPYTERHUB_API_TOKEN",
    ):
        env.pop(name, None)
    log = state / "hub.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Hub(f"http://127.0.0.1:{port}", token, process, state, log)
    try:
        _wait_until_up(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(hub: Hub, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    with hub.api() as client:
        while time.monotonic() < deadline:
            if hub.process.poll() is not None:
                pytest.fail(
                    f"jupyterhub exited {hub.process.returncode}:\n{hub.log.read_text()[-3000:]}"
                )
            try:
                if (
                    client.get("/hub/api/").status_code == 200
                    and client.get("/services/lessonkit/progress/nobody").status_code != 503
                ):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    pytest.fail(f"jupyterhub did not answer in {timeout} s:\n{hub.log.read_text()[-3000:]}")
