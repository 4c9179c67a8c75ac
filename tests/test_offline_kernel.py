"""The offline kernel: a stranger's notebook, unchanged, runs with no key and no network.

The notebooks here are written the way cookbooks write them (a plain
``anthropic.Anthropic()`` and a literal model id, nothing from lessonkit) and run
through nbclient and through nbval with ``--lessonkit-offline``, in fresh kernels.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest
from typer.testing import CliRunner

import lessonkit
from lessonkit import kernel, models
from lessonkit.cli import app
from lessonkit.scenario import ScenarioAPI

MODEL = models.FAST
STRANGER = [
    "import os, anthropic\nclient = anthropic.Anthropic()",
    f"message = client.messages.create(model={MODEL!r}, max_tokens=300,\n"
    "    messages=[{'role': 'user', 'content': 'What is the capital of France?'}])\n"
    "print([b.text for b in message.content if b.type == 'text'])",
    "print(os.environ['ANTHROPIC_API_KEY'][:9])",
    "import httpx\ntry:\n    httpx.get('https://example.com')\n"
    "except Exception as error:\n    print(type(error).__name__)",
]


def _notebook(path: Path, sources: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(notebook, path)
    return path


def _run(path: Path, kernel_name: str) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        notebook, kernel_name=kernel_name, timeout=120,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()  # fmt: skip
    return ["".join(o.get("text", "") for o in cell.outputs) for cell in notebook.cells]


def test_spec_boots_offline_before_the_first_cell() -> None:
    argv = kernel.spec("/py")["argv"]
    assert argv[:3] == ["/py", "-m", "ipykernel_launcher"]
    assert argv[-1] == f"--IPKernelApp.exec_lines={kernel.BOOT_LINE}"


def test_install_run_uninstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    prefix = tmp_path / "prefix"
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    monkeypatch.setenv("LESSONKIT_NOTEBOOK", str(tmp_path / "stranger.ipynb"))
    installed = runner.invoke(
        app, ["kernel", "install", "--name", "lk-test", "--prefix", str(prefix)]
    )
    assert installed.exit_code == 0, installed.output
    spec = json.loads((prefix / "share/jupyter/kernels/lk-test/kernel.json").read_text())
    assert spec == kernel.spec()
    (tmp_path / "stranger.lessonkit.yaml").write_text(
        "replies:\n  - match: capital\n    text: Paris.\n"
    )
    outputs = _run(_notebook(tmp_path / "stranger.ipynb", STRANGER), "lk-test")
    # the scripted answer, the placeholder key (not a real one), every other host refused
    assert outputs[1:] == ["['Paris.']\n", "lessonkit\n", "OfflineError\n"]
    removed = runner.invoke(app, ["kernel", "uninstall", "--name", "lk-test"])
    assert removed.exit_code == 0, removed.output
    assert not (prefix / "share/jupyter/kernels/lk-test").exists()
    assert runner.invoke(app, ["kernel", "uninstall", "--name", "lk-test"]).exit_code == 1


def test_install_options_are_exclusive() -> None:
    result = CliRunner().invoke(app, ["kernel", "install", "--user", "--sys-prefix"])
    assert result.exit_code == 2


def test_pytest_option_runs_nbval_on_the_offline_kernel(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "stranger.ipynb", STRANGER)
    notebook = nbformat.read(path, as_version=4)
    for count, cell in enumerate(notebook.cells, start=1):
        cell.execution_count = count
    for n, text in ((1, "['Paris.']\n"), (2, "lessonkit\n"), (3, "OfflineError\n")):
        notebook.cells[n].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nbformat.write(notebook, path)
    (tmp_path / "s.yaml").write_text("replies:\n  - match: capital\n    text: Paris.\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "LESSONKIT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "lessonkit",
         "-o", "addopts=", "--nbval", "--lessonkit-offline", "--lessonkit-scenario", "s.yaml",
         "stranger.ipynb"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert "4 passed" in done.stdout


@pytest.mark.parametrize(
    ("content", "kind"), [(None, "FakeAPI"), ("replies: []\n", "ok"), ("replys: []\n", "problem")]
)
def test_boot_seals_the_network_even_with_a_broken_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None, kind: str
) -> None:
    for name in ("LESSONKIT_SCENARIO", "LESSONKIT_NOTEBOOK", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    if content is not None:
        (tmp_path / "s.yaml").write_text(content)
        monkeypatch.setenv("LESSONKIT_SCENARIO", str(tmp_path / "s.yaml"))
    api = kernel.boot()
    try:
        assert lessonkit.offline.current() is not None
        assert os.environ["ANTHROPIC_API_KEY"] == lessonkit.PLACEHOLDER_KEY
        if kind == "FakeAPI":
            assert not isinstance(api, ScenarioAPI)
        else:
            assert isinstance(api, ScenarioAPI) and (api.problem is None) == (kind == "ok")
    finally:
        current = lessonkit.offline.current()
        assert current is not None
        current.stop()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [(["--user"], (True, None)), (["--sys-prefix"], (False, sys.prefix)), ([], (False, None))],
)
def test_install_places(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: tuple[bool, str | None]
) -> None:
    seen: list[tuple[str, bool, str | None]] = []

    def fake_install(name: str, *, user: bool = False, prefix: str | None = None) -> Path:
        seen.append((name, user, prefix))
        return Path("/somewhere")

    monkeypatch.setattr(kernel, "install", fake_install)
    result = CliRunner().invoke(app, ["kernel", "install", *flags])
    assert result.exit_code == 0, result.output
    assert seen == [("claude-offline", *expected)]


class _Options:
    lessonkit_offline = True
    lessonkit_scenario = "s.yaml"
    nbval_kernel_name = None
    nbval_current_env = True


class _Config:
    """The slice of ``pytest.Config`` the plugin's hooks use."""

    def __init__(self) -> None:
        self.option = _Options()
        self.stash = pytest.Stash()

    def getoption(self, name: str, default: object = None) -> object:
        return getattr(self.option, name, default)


def test_plugin_points_nbval_at_a_throwaway_kernel_and_restores_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lessonkit import pytest_plugin

    monkeypatch.delenv("LESSONKIT_SCENARIO", raising=False)
    monkeypatch.delenv("LESSONKIT_NOTEBOOK", raising=False)
    monkeypatch.setenv("JUPYTER_PATH", "/before")
    config = _Config()
    pytest_plugin.pytest_configure(config)  # type: ignore[arg-type]
    try:
        assert config.option.nbval_kernel_name.startswith("claude-offline-pytest-")
        assert config.option.nbval_current_env is False
        spec_dir = Path(os.environ["JUPYTER_PATH"].split(os.pathsep)[0])
        assert (spec_dir / "kernels" / config.option.nbval_kernel_name / "kernel.json").is_file()
        assert os.environ["LESSONKIT_SCENARIO"] == str(Path("s.yaml").resolve())
        item = type("Item", (), {"config": config, "path": Path("/x/nb.ipynb")})()
        pytest_plugin.pytest_runtest_setup(item)  # type: ignore[arg-type]
        assert os.environ["LESSONKIT_NOTEBOOK"] == "/x/nb.ipynb"
    finally:
        pytest_plugin.pytest_unconfigure(config)  # type: ignore[arg-type]
    assert os.environ["JUPYTER_PATH"] == "/before"
    assert "LESSONKIT_SCENARIO" not in os.environ and "LESSONKIT_NOTEBOOK" not in os.environ


NETWORK = [
    "import socket, urllib.request\n"
    "def attempt(call):\n"
    "    try:\n        call()\n"
    "    except Exception as error:\n"
    "        print(type(error).__name__, 'lessonkit offline mode refuses' in str(error))",
    "attempt(lambda: urllib.request.urlopen('https://example.com', timeout=60))",
    "import requests\nattempt(lambda: requests.get('https://example.com/data.csv', timeout=60))",
    "attempt(lambda: socket.create_connection(('93.184.216.34', 80), timeout=60))",
    "server = socket.create_server(('127.0.0.1', 0))\n"
    "with socket.create_connection(server.getsockname()) as near:\n"
    "    print('loopback', near.getpeername()[0])\n"
    "server.close()",
]


def test_the_kernel_seals_every_socket_not_only_the_sdks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """urllib, requests and a raw socket get offline mode's own error, raised before any
    lookup or connection is tried (so never a hang); loopback still connects."""
    pytest.importorskip("requests")
    for name in ("LESSONKIT_SCENARIO", "LESSONKIT_NOTEBOOK"):
        monkeypatch.delenv(name, raising=False)
    with kernel.temporary("lk-sealed-test") as name:
        outputs = _run(_notebook(tmp_path / "fetches.ipynb", NETWORK), name)
    assert outputs[1:] == [
        "URLError True\n",
        "ConnectionError True\n",
        "NetworkSealed True\n",
        "loopback 127.0.0.1\n",
    ]
