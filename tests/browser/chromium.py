"""Find what the browser test needs, or skip saying what is missing and how to get it."""

from __future__ import annotations

import shutil

import pytest

#: Debian's package is ``chromium``; Ubuntu's older one ``chromium-browser``.
NAMES = ("chromium", "chromium-browser")


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
