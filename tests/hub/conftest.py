"""A real JupyterHub on 127.0.0.1, configured by deploy/jupyterhub/jupyterhub_config.py.

The proxy is configurable-http-proxy from npm, installed once into tests/hub/proxy/
(git-ignored ``node_modules``, versions pinned by its package-lock.json); without
node/npm or a reachable registry the hub tests skip and say why.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, running

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
    url = f"http://127.0.0.1:{port}"
    log = state / "hub.log"
    argv = [sys.executable, "-m", "jupyterhub", "-f", str(config)]
    with (
        httpx.Client(base_url=url, headers={"Authorization": f"token {token}"}) as client,
        running(argv, log=log, ready=_answers(client), name="jupyterhub", env=env, cwd=state,
                timeout=90) as process,
    ):  # fmt: skip
        yield Hub(url, token, process, state, log)


def _answers(client: httpx.Client) -> Callable[[], bool]:
    """Ready: the hub's API answers, and its progress service is up behind the proxy."""

    def ready() -> bool:
        try:
            return (
                client.get("/hub/api/").status_code == 200
                and client.get("/services/lessonkit/progress/nobody").status_code != 503
            )
        except httpx.TransportError:
            return False

    return ready
