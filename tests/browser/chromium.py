"""Find what the browser tests need, or skip saying what is missing and how to get it; launch it.

One headless Debian Chromium per pytest process (an xdist worker, or the
whole serial run) serves every browser test: a browser start costs more CPU
than a page, so each test opens its own page and closes it.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

#: Debian's package is ``chromium``; Ubuntu's older one ``chromium-browser``.
NAMES = ("chromium", "chromium-browser")
#: Nothing a test does not look at: no GPU process, extensions, sync, updates or audio.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-breakpad",
    "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
    "--mute-audio",
    "--no-first-run",
    "--disable-sync",
]
#: Page options: a laptop-sized window; no CSS animations or transitions to draw.
PAGE = {"viewport": {"width": 1280, "height": 900}, "reduced_motion": "reduce"}


def require_playwright() -> None:
    """Skip unless Playwright's Python API imports (its own browser downloads are never used)."""
    pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (never `playwright install`)"
    )


def find_chromium(search_path: str | None = None) -> str:
    """The system Chromium on ``search_path`` (default: $PATH), or skip saying how to install it."""
    for name in NAMES:
        found = shutil.which(name, path=search_path)
        if found:
            return found
    pytest.skip("no Chromium: `apt-get install -y chromium` to run the browser check")


def new_page(browser: Any, timeout_ms: float = 120_000) -> Any:
    """A fresh page (its own context: cookies, storage) in `browser`; close it when done."""
    page = browser.new_page(**PAGE)
    page.set_default_timeout(timeout_ms)
    return page
