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
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.servers import answers, free_port, running

from .chromium import new_page
from .jupyterlab import KERNEL_READY, wait
from .learner import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

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
    port, token = free_port(), secrets.token_hex(16)
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
    base = f"http://127.0.0.1:{port}"
    ready = answers(f"{base}/api/status", params={"token": token})
    log = tmp_path / "lab.log"
    with running(argv, log=log, ready=ready, name="JupyterLab", env=env, cwd=course):
        yield base, token


def test_widgets_render_and_cells_run(browser: Any, lab: tuple[str, str]) -> None:
    from playwright import sync_api

    base, token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page(browser, timeout_ms=90_000)
    try:
        page.goto(f"{base}/lab/tree/widgets.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        wait(page, KERNEL_READY)
        # Fire and forget: the command's promise outlives the run.
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        wait(
            page,
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
            ".every(p => /\\[\\d+\\]/.test(p.textContent))",
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
        page.close()
    assert "IntSlider(value=" not in outputs, "the widget fell back to its text repr"
    assert slider, f"no slider widget (ipywidgets front end missing?); outputs:\n{outputs}"
    assert "hello from the browser test end_turn" in outputs
    assert "Traceback" not in outputs and not errors, outputs
