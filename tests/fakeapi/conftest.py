"""Shared fixtures: the real SDK client, inside a fresh offline session per test."""

from __future__ import annotations

import anthropic
import pytest

from lessonkit import FakeAPI


@pytest.fixture
def api(lessonkit_api: FakeAPI) -> FakeAPI:
    return lessonkit_api


@pytest.fixture
def client(lessonkit_api: FakeAPI) -> anthropic.Anthropic:
    """A real ``anthropic.Anthropic`` client, no retries, so each call is one request."""
    return anthropic.Anthropic(max_retries=0)
