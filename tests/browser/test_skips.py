"""The browser test skips, saying why, when Playwright or Chromium is missing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .chromium import find_chromium, require_playwright


def test_missing_chromium_skips_with_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        find_chromium(str(tmp_path))


def test_a_chromium_on_the_path_is_found(tmp_path: Path) -> None:
    browser = tmp_path / "chromium-browser"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    assert find_chromium(os.pathsep.join([str(tmp_path / "empty"), str(tmp_path)])) == str(browser)


def test_missing_playwright_skips_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import now fails
    with pytest.raises(pytest.skip.Exception, match="pip install playwright"):
        require_playwright()
