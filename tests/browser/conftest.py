"""Browser fixtures: one Chromium and one ``lessonkit lab`` per run of this folder.

Under pytest-xdist, ``make test`` hands this whole folder to one worker (the
root conftest.py's scheduler), so one server and one browser serve every test,
as they do serially (``-p no:xdist``).
Both are package-scoped: they stop when the process goes on to tests outside
this folder, because sync Playwright keeps an asyncio loop running in the main
thread, and every later ``asyncio.run`` in that process would fail.
Also registers the ``browser`` marker, so this folder works before pyproject lists it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .chromium import ARGS, find_chromium, new_page, require_playwright
from .jupyterlab import close_all
from .learner import LabPage, copy_course, lessonkit_lab


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in a real headless Chromium (tests/browser/)"
    )


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium (never a Playwright download); skips, saying why, without it."""
    require_playwright()
    executable = find_chromium()
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="package")
def notebook_lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabPage]:
    """This process's course copy, ``lessonkit lab`` on its workspace, and a page showing it.

    The page stays open between tests: JupyterLab loads once per process, not per
    notebook. It shows a JupyterLab workspace of its own (``/lab/workspaces/tests``),
    so the learner's first layout does not open lesson 00 and start a kernel that no
    test uses; each test starts from an empty dock.
    """
    home = tmp_path_factory.mktemp("learner")
    with lessonkit_lab(copy_course(home / "course"), home) as lab:
        page = new_page(browser)
        try:
            url = urlsplit(lab.url)
            close_all(page, url._replace(path="/lab/workspaces/tests").geturl())
            yield LabPage(lab, page)
        finally:
            page.close()
