"""Registers the ``browser`` marker (until pyproject.toml lists it) and skips without chromium."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in a real headless Chromium (tests/browser/)"
    )
