"""A learner's session in a real browser leaves the course pristine and their answers intact.

Issue 19's "Done when", done as a learner would, in a copy of the course:
``lessonkit lab`` opens the workspace in headless Chromium (first screen
screenshotted to test-artifacts/first-screen.png); the learner answers
exercise 04 (a wrong answer first, then a right one), re-running its try-it
cell; then ``lessonkit update`` and ``lessonkit release`` run. The learner's
answer must still be in their notebook, and the course's files must be
exactly as committed (``git status`` clean), so ``make test`` passes on that
checkout. (Running and saving every lesson, and re-running lesson 04's
scripting cells, is test_notebooks.py's pass over every notebook, which ends
with the same checks: one pass over the lessons, not two.)
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .chromium import find_chromium, require_playwright
from .test_lab import ARTIFACTS, CHROMIUM_ARGS, KERNEL_READY, _free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
LESSONKIT = str(Path(sys.executable).parent / "lessonkit")  # the learner's command
EXERCISE = "exercises/exercise-04-retries.ipynb"
STUB, TRY_IT, CHECK = 5, 6, 7  # cell indexes in exercises/04_retries.ipynb

_RETRY_LOOP = '''\
def call_with_retries(call, *, sleep, max_attempts=4, base_delay=0.5, max_delay=8.0):
    """Retry transient failures with capped exponential backoff."""
    for number in range(max_attempts):
        try:
            return call()
        except (anthropic.APIConnectionError, anthropic.APIStatusError) as error:
            status = getattr(error, "status_code", None)
            if status is not None and status < 500 and status not in (408, 409, 429):
                raise
            if number == max_attempts - 1:
                raise
            asked = error.response.headers.get("retry-after") if status else None
            sleep(float(asked) if asked else {delay})
'''
WRONG = _RETRY_LOOP.format(delay="min(max_delay, base_delay * 2**number)")  # no jitter
RIGHT = _RETRY_LOOP.format(
    delay="min(max_delay, base_delay * 2**number) * (1 - 0.25 * random.random())"
)

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


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (never a Playwright download); skips, saying why, without it."""
    require_playwright()
    return find_chromium()


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of this checkout's tracked files, committed, so ``git status`` shows any change."""
    copy = tmp_path / "course"
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():  # a tracked file deleted in the work tree is skipped
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "--no-verify", "-m", "course as committed")
    return copy


def git(where: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *identity, *args], cwd=where, check=True, capture_output=True)
    return done.stdout.decode()


def learner_env(tmp_path: Path) -> dict[str, str]:
    """The environment, with Jupyter's and lessonkit's per-user state kept in `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if k != "LESSONKIT_WORKSPACE"}
    return {
        **env,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "LESSONKIT_PROGRESS": str(tmp_path / "progress.json"),
    }


@pytest.fixture
def lab(course: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``lessonkit lab --no-browser`` on a workspace; yields (the URL it printed, the process)."""
    port, token = _free_port(), secrets.token_hex(16)
    argv = [
        LESSONKIT, "lab", "--no-browser", "--workspace", str(tmp_path / "work"),
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    log_path = tmp_path / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            argv, cwd=course, env=learner_env(tmp_path), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield _printed_url(log_path, server, token), server
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.send_signal(signal.SIGTERM)  # lessonkit kills on the second
                    server.wait(timeout=30)


def _printed_url(log: Path, server: subprocess.Popen[bytes], token: str) -> str:
    """The URL the learner copies from the terminal, once the server answers on it.

    Jupyter masks a token it was given (``?token=...``), so ours is put back.
    """
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"lessonkit lab exited:\n{log.read_text()[-3000:]}")
        found = re.search(r"http://127\.0\.0\.1:\d+/\S*\?token=", log.read_text())
        if found:
            url = found[0] + token
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    return url
            except httpx.TransportError:
                pass
        time.sleep(0.25)
    pytest.fail(f"lessonkit lab printed no working URL in 120 s:\n{log.read_text()[-3000:]}")


def _text(outputs: list[dict[str, Any]]) -> str:
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


def test_a_learners_session_leaves_the_course_pristine_and_their_answers_intact(
    chromium: str, lab: tuple[str, subprocess.Popen[bytes]], course: Path, tmp_path: Path
) -> None:
    from playwright import sync_api

    url, server = lab
    work = tmp_path / "work"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(120_000)
            first_screen(page, url)
            tries, verdicts = answer_exercise(page)
        finally:
            browser.close()

    try_stub, try_right, try_again = tries
    assert "NotAttempted" in try_stub or "not attempted" in try_stub.lower(), try_stub
    assert "3 attempts, 2 waits" in try_right, try_right
    # Run again alone, the cell counts only the requests of that run (issue #19).
    assert "OverloadedError" not in try_again and "3 attempts, 2 waits" in try_again, try_again
    wrong, right = verdicts
    assert "✗" in wrong and "random jitter" in wrong, wrong
    assert "✓ Correct" in right, right

    server.send_signal(signal.SIGTERM)  # what Ctrl-C in the terminal does
    assert server.wait(timeout=60) == 0
    env = learner_env(tmp_path)
    lessonkit = [LESSONKIT, "update", "--workspace", str(work)], [LESSONKIT, "release"]
    for argv in lessonkit:
        done = subprocess.run(argv, cwd=course, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    saved = json.loads((work / EXERCISE).read_text())
    assert "".join(saved["cells"][STUB]["source"]) == RIGHT
    assert git(course, "status", "--porcelain", "--untracked-files=all") == ""


def first_screen(page: Any, url: str) -> None:
    """The learner opens the printed URL: lesson 00, beside it the workspace root, nothing else."""
    page.goto(url)
    page.wait_for_function(KERNEL_READY)
    listing = page.locator(".jp-DirListing-content .jp-DirListing-itemName")
    page.locator(".jp-DirListing-itemName", has_text="exercises").wait_for()
    page.screenshot(path=str(ARTIFACTS / "first-screen.png"))
    current = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert current == "lessons/lesson-00-setup.ipynb"
    tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").all_inner_texts()
    assert tabs == ["lesson-00-setup.ipynb"], tabs
    popups = page.locator(".jp-Notification-Toast, .Toastify__toast, .jp-Dialog")
    assert popups.count() == 0, popups.all_inner_texts()
    assert sorted(listing.all_inner_texts()) == ["exercises", "lessons"]  # no solutions, no dev
    listing.filter(has_text="lessons").dblclick()
    page.locator(".jp-DirListing-itemName", has_text="lesson-00-setup.ipynb").wait_for()
    lessons = listing.all_inner_texts()
    assert lessons and all(re.fullmatch(r"lesson-0\d[a-z]?-[a-z-]+\.ipynb", n) for n in lessons)
    assert len(lessons) == len(list(REPO.glob("notebooks/*.ipynb")))
    page.locator(".jp-BreadCrumbs-home").click()
    page.locator(".jp-DirListing-itemName", has_text="exercises").wait_for()


def answer_exercise(page: Any) -> tuple[tuple[str, str, str], tuple[str, str]]:
    """Open exercise 04 from the file browser; Run All, then answer wrong, then right.

    Returns the try-it cell's outputs (stub, answered, run again) and the two verdicts.
    """
    page.locator(".jp-DirListing-item", has_text="exercises").dblclick()
    page.locator(".jp-DirListing-item", has_text="exercise-04-retries").dblclick()
    page.wait_for_function(
        f"() => window.jupyterapp.shell.currentWidget?.context?.path === '{EXERCISE}'"
    )
    page.wait_for_function(KERNEL_READY)
    page.evaluate(RUN_ALL)
    page.wait_for_function(ALL_RAN)
    try_stub = run(page, TRY_IT)
    type_into(page, STUB, WRONG)
    run(page, STUB)
    wrong = run(page, CHECK)
    type_into(page, STUB, RIGHT)
    run(page, STUB)
    try_right, try_again = run(page, TRY_IT), run(page, TRY_IT)
    right = run(page, CHECK)
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
    page.evaluate(SAVE_AND_CLOSE)
    return (try_stub, try_right, try_again), (wrong, right)


def type_into(page: Any, index: int, text: str) -> None:
    """Replace cell `index`'s source as a learner pasting an answer over the stub."""
    page.evaluate(
        "(index) => { const nb = window.jupyterapp.shell.currentWidget.content;"
        " nb.activeCellIndex = index; nb.mode = 'edit'; }",
        index,
    )
    page.wait_for_selector(".jp-Cell.jp-mod-active .cm-editor.cm-focused")
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    source = page.evaluate(
        "(index) => window.jupyterapp.shell.currentWidget.content.widgets[index]"
        ".model.sharedModel.getSource()",
        index,
    )
    assert source == text


def run(page: Any, index: int) -> str:
    """Run cell `index` of the current notebook; the text of its outputs."""
    before = page.evaluate(RUN_CELL, index)
    page.wait_for_function(CELL_DONE, arg=[index, before])
    return _text(page.evaluate(OUTPUTS, index))
