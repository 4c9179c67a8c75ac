"""JupyterLab in a real browser: widgets render as widgets, offline calls work, no cell errors.

A learner's first question in a workshop is "why does my slider show as
``IntSlider(value=3)``?" — the widget front end is missing. Only a browser
can tell, so this drives headless Debian Chromium through Playwright (its
own browser downloads are not used: ``playwright install`` is never run).

Needs ``apt-get install chromium`` and ``pip install playwright``; skips,
saying which, when either is missing. Leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nbformat
import pytest

from .chromium import find_chromium, require_playwright

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CELLS = [
    "import ipywidgets as widgets\nwidgets.IntSlider(value=3, description='tokens')",
    "import anthropic, lessonkit\n"
    "with lessonkit.offline() as api:\n"
    "    api.reply('hello from the browser test')\n"
    "    message = anthropic.Anthropic().messages.create(\n"
    "        model=lessonkit.models.DEFAULT, max_tokens=20,\n"
    "        messages=[{'role': 'user', 'content': 'hi'}])\n"
    "print(*[b.text for b in message.content if b.type == 'text'], message.stop_reason)",
]


#: The notebook is the current widget and its kernel is connected and idle.
KERNEL_READY = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (never a Playwright download); skips, saying why, without it."""
    require_playwright()
    return find_chromium()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab on 127.0.0.1 serving a tiny notebook; yields (base URL, token)."""
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]  # type: ignore[no-untyped-call]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    course = tmp_path / "course"
    course.mkdir()
    nbformat.write(notebook, course / "widgets.ipynb")  # type: ignore[no-untyped-call]
    quiet = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    quiet.mkdir(parents=True)  # no "get Jupyter news?" toast over the screenshot
    (quiet / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    argv = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=course)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, token, server, tmp_path / "lab.log")
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _wait_until_up(base: str, token: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited:\n{log.read_text()[-3000:]}")
        try:
            status = httpx.get(f"{base}/api/status", params={"token": token}, timeout=2)
            if status.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"JupyterLab did not start in 90 s:\n{log.read_text()[-3000:]}")


def test_widgets_render_and_cells_run(chromium: str, lab: tuple[str, str]) -> None:
    from playwright import sync_api

    base, token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(90_000)
            page.goto(f"{base}/lab/tree/widgets.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            page.wait_for_function(KERNEL_READY)
            # Fire and forget: the command's promise outlives the run.
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
                ".every(p => /\\[\\d+\\]/.test(p.textContent))"
            )
            try:
                page.wait_for_selector(".jupyter-widgets.widget-slider", timeout=20_000)
                slider = True
            except sync_api.TimeoutError:
                slider = False
            page.screenshot(path=str(ARTIFACTS / "lab-widgets.png"), full_page=True)
            texts = "els => els.map(e => e.innerText)"
            outputs = "\n".join(page.eval_on_selector_all(".jp-OutputArea-output", texts))
            errors = page.query_selector_all(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            )
        finally:
            browser.close()
    assert "IntSlider(value=" not in outputs, "the widget fell back to its text repr"
    assert slider, f"no slider widget (ipywidgets front end missing?); outputs:\n{outputs}"
    assert "hello from the browser test end_turn" in outputs
    assert "Traceback" not in outputs and not errors, outputs
