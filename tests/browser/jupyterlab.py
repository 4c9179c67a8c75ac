"""Drive JupyterLab from Playwright: the JavaScript each browser test runs, and waits that idle.

The front end is reached through ``window.jupyterapp`` (the server runs with
``--LabApp.expose_app_in_browser=True``). Every wait checks its condition
every :data:`POLL` ms: Playwright's default, every animation frame, spends
the browser's CPU on asking instead of on running the notebook.
"""

from __future__ import annotations

from typing import Any

#: Milliseconds between two checks of a waited-for condition.
POLL = 250

#: The notebook is the current widget and its kernel is connected and idle.
KERNEL_READY = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
#: The current widget is the document at `path`.
CURRENT = "(path) => window.jupyterapp.shell.currentWidget?.context?.path === path"
#: The current widget is no longer the document at `path` (its tab closed).
NOT_CURRENT = "(path) => window.jupyterapp.shell.currentWidget?.context?.path !== path"
#: Open `path` in the running JupyterLab (fire and forget; the caller waits for it).
OPEN = "(path) => { window.jupyterapp.commands.execute('docmanager:open', {path}); }"
#: The current notebook's cell `index`: run it (fire and forget) and return its old count.
RUN_CELL = """(index) => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  const before = notebook.widgets[index].model.executionCount;
  notebook.activeCellIndex = index;
  notebook.mode = 'command';
  window.jupyterapp.commands.execute('notebook:run-cell');
  return before;
}"""
#: That cell ran again and the kernel is idle: its outputs are complete.
CELL_DONE = """([index, before]) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const count = panel.content.widgets[index].model.executionCount;
  return count !== null && count !== before
    && panel.sessionContext.session.kernel.status === 'idle';
}"""
OUTPUTS = """(index) =>
  window.jupyterapp.shell.currentWidget.content.widgets[index].model.outputs.toJSON()"""
#: Clear the current notebook's outputs and counts, then Run All (fire and forget).
RUN_ALL = """async () => {
  await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
  window.jupyterapp.commands.execute('notebook:run-all-cells');
}"""
#: Every code cell of the current notebook has run since and the kernel is idle.
ALL_RAN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.every(c => c.model.type !== 'code' || c.model.executionCount)
    && panel.sessionContext.session.kernel.status === 'idle';
}"""
#: Save the current notebook and wait for it; then stop its kernel and close the tab.
SAVE_AND_CLOSE = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await window.jupyterapp.commands.execute('docmanager:save');
  await panel.sessionContext.shutdown();
  panel.close();
}"""
#: Close every tab in the main area, unsaved and with its kernel stopped: an empty dock.
CLOSE_ALL = """async () => {
  await window.jupyterapp.restored;
  for (const widget of [...window.jupyterapp.shell.widgets('main')]) {
    if (widget.sessionContext) {
      await widget.sessionContext.shutdown();
      widget.context.model.dirty = false;
    }
    widget.close();
  }
}"""


def wait(page: Any, condition: str, arg: Any = None, timeout_ms: float | None = None) -> None:
    """Until the JavaScript `condition` (called with `arg`) is true, checked every POLL ms."""
    options: dict[str, Any] = {"arg": arg, "polling": POLL}
    if timeout_ms is not None:
        options["timeout"] = timeout_ms
    page.wait_for_function(condition, **options)


def close_all(page: Any, url: str | None = None) -> None:
    """Leave the page on an empty dock; first load `url` afresh, if given (a broken page)."""
    if url is not None:
        page.goto(url)
        wait(page, "() => !!window.jupyterapp")
    page.evaluate(CLOSE_ALL)
    wait(page, "() => !window.jupyterapp.shell.currentWidget?.sessionContext")


def open_notebook(page: Any, path: str) -> None:
    """Open the workspace notebook `path`; return once its kernel is ready."""
    page.evaluate(OPEN, path)
    wait(page, CURRENT, path)
    wait(page, KERNEL_READY)


def run(page: Any, index: int) -> str:
    """Run cell `index` of the current notebook; the text of its outputs."""
    before = page.evaluate(RUN_CELL, index)
    wait(page, CELL_DONE, [index, before])
    return text(page.evaluate(OUTPUTS, index))


def text(outputs: list[dict[str, Any]]) -> str:
    """What the learner reads in a cell's outputs (tracebacks left out: they name In[n])."""
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif out["output_type"] == "error":
            parts.append(f"{out['ename']}: {out['evalue']}\n")
        else:
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join("".join(part) if isinstance(part, list) else part for part in parts)
