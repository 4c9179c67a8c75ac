"""Shared fixtures: the real SDK client, inside a fresh offline session per test."""

from __future__ import annotations

import anthropic
import pytest

from lessonkit import FakeAPI
from lessonkit.exercises import harness


@pytest.fixture
def api(lessonkit_api: FakeAPI) -> FakeAPI:
    return lessonkit_api


@pytest.fixture
def client(lessonkit_api: FakeAPI) -> anthropic.Anthropic:
    """A real ``anthropic.Anthropic`` client, no retries, so each call is one request.

    Built as the checkers build theirs, on one shared TLS context: ``anthropic.Anthropic()``
    loads the CA bundle (~25 ms of CPU), which made this fixture a tenth of the suite's work.
    """
    return harness.client(max_retries=0)
