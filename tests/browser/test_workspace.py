"""A learner's session in a real browser leaves the course pristine and their answers intact.

Issue 19's "Done when", done as a learner would, in a copy of the course:
``lessonkit lab`` opens the workspace in headless Chromium (first screen
screenshotted to test-artifacts/first-screen.png); the learner answers
exercise 04 (a wrong answer first, then a right one), re-running its try-it
cell; then ``lessonkit update`` and ``lessonkit release`` run. The learner's
answer must still be in their notebook, and the course's files must be
exactly as committed (``git status`` clean), so ``make test`` passes on that
checkout. (Running and saving every lesson, and re-running lesson 04's
scripting cells, is test_notebooks.py's job: one test per notebook, each
ending with the same checks, so the lessons are run once, not twice.)
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .chromium import new_page
from .jupyterlab import (
    ALL_RAN,
    CURRENT,
    KERNEL_READY,
    RUN_ALL,
    SAVE_AND_CLOSE,
    run,
    wait,
)
from .learner import ARTIFACTS, LESSONKIT, REPO, Lab, copy_course, git, learner_env, lessonkit_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

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


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """A fresh course copy and ``lessonkit lab`` on a new workspace (a first start)."""
    with lessonkit_lab(copy_course(tmp_path / "course"), tmp_path) as running:
        yield running


def test_a_learners_session_leaves_the_course_pristine_and_their_answers_intact(
    browser: Any, lab: Lab, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page(browser)
    try:
        first_screen(page, lab.url)
        tries, verdicts = answer_exercise(page)
    finally:
        page.close()

    try_stub, try_right, try_again = tries
    assert "NotAttempted" in try_stub or "not attempted" in try_stub.lower(), try_stub
    assert "3 attempts, 2 waits" in try_right, try_right
    # Run again alone, the cell counts only the requests of that run (issue #19).
    assert "OverloadedError" not in try_again and "3 attempts, 2 waits" in try_again, try_again
    wrong, right = verdicts
    assert "✗" in wrong and "random jitter" in wrong, wrong
    assert "✓ Correct" in right, right

    lab.process.send_signal(signal.SIGTERM)  # what Ctrl-C in the terminal does
    assert lab.process.wait(timeout=60) == 0
    env = learner_env(tmp_path)
    lessonkit = [LESSONKIT, "update", "--workspace", str(lab.work)], [LESSONKIT, "release"]
    for argv in lessonkit:
        done = subprocess.run(argv, cwd=lab.course, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    saved = json.loads((lab.work / EXERCISE).read_text())
    assert "".join(saved["cells"][STUB]["source"]) == RIGHT
    assert git(lab.course, "status", "--porcelain", "--untracked-files=all") == ""


def first_screen(page: Any, url: str) -> None:
    """The learner opens the printed URL: lesson 00, beside it the workspace root, nothing else."""
    page.goto(url)
    wait(page, KERNEL_READY)
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
    wait(page, CURRENT, EXERCISE)
    wait(page, KERNEL_READY)
    page.evaluate(RUN_ALL)
    wait(page, ALL_RAN)
    try_stub = run(page, TRY_IT)
    type_into(page, STUB, WRONG)
    run(page, STUB)
    wrong = run(page, CHECK)
    type_into(page, STUB, RIGHT)
    run(page, STUB)
    try_right, try_again = run(page, TRY_IT), run(page, TRY_IT)
    right = run(page, CHECK)
    page.keyboard.press("Control+s")
    wait(page, "() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
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
