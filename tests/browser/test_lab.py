"""JupyterLab in a real browser: widgets render as widgets, offline calls work, no cell errors.

A learner's first question in a workshop is "why does my slider show as
``IntSlider(value=3)``?" — the widget front end is missing. Only a browser
can tell, so this drives headless Debian Chromium through Playwright (its
own browser downloads are not used: ``playwright install`` is never run).
It runs a two-cell notebook of its own in this process's ``lessonkit lab``
(the ``notebook_lab`` fixture the notebook tests share: no server of its own).

Needs ``apt-get install chromium`` and ``pip install playwright``; skips,
saying which, when either is missing. Leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import nbformat
import pytest

from .jupyterlab import close_all, open_notebook, wait
from .learner import ARTIFACTS, LabPage

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

NAME = "widgets.ipynb"
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
#: The notebook on show (other tabs, if any, are hidden).
SHOWN = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def test_widgets_render_and_cells_run(notebook_lab: LabPage) -> None:
    from playwright import sync_api

    page, lab = notebook_lab.page, notebook_lab.lab
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]  # type: ignore[no-untyped-call]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, lab.work / NAME)  # type: ignore[no-untyped-call]
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        open_notebook(page, NAME)
        # Fire and forget: the command's promise outlives the run.
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        wait(
            page,
            f"() => [...document.querySelectorAll('{SHOWN} .jp-CodeCell .jp-InputPrompt')]"
            ".every(p => /\\[\\d+\\]/.test(p.textContent))",
        )
        try:
            page.wait_for_selector(f"{SHOWN} .jupyter-widgets.widget-slider", timeout=20_000)
            slider = True
        except sync_api.TimeoutError:
            slider = False
        page.screenshot(path=str(ARTIFACTS / "lab-widgets.png"), full_page=True)
        texts = "els => els.map(e => e.innerText)"
        outputs = "\n".join(page.eval_on_selector_all(f"{SHOWN} .jp-OutputArea-output", texts))
        errors = page.query_selector_all(
            f"{SHOWN} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
    finally:
        close_all(page)
        (lab.work / NAME).unlink()
    assert "IntSlider(value=" not in outputs, "the widget fell back to its text repr"
    assert slider, f"no slider widget (ipywidgets front end missing?); outputs:\n{outputs}"
    assert "hello from the browser test end_turn" in outputs
    assert "Traceback" not in outputs and not errors, outputs
