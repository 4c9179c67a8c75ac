"""Registers the ``browser`` marker here, so this folder works before pyproject.toml lists it."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in a real headless Chromium (tests/browser/)"
    )
