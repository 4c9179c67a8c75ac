"""pytest fixture ``lessonkit_api``: each test gets a fresh offline API.

Registered through the ``pytest11`` entry point, so any project that installs
lessonkit can write ``def test_x(lessonkit_api): ...``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._offline import offline
from .fakeapi.app import FakeAPI


@pytest.fixture
def lessonkit_api() -> Iterator[FakeAPI]:
    """A fresh :class:`FakeAPI` with offline mode on for the duration of the test."""
    with offline() as api:
        yield api
