"""lessonkit: learn the Anthropic Messages API in production, offline, with the real SDK."""

from __future__ import annotations

from . import models
from .fakeapi.app import FakeAPI, RecordedRequest
from .offline import PLACEHOLDER_KEY, Offline, OfflineError, offline

__all__ = [
    "PLACEHOLDER_KEY",
    "FakeAPI",
    "Offline",
    "OfflineError",
    "RecordedRequest",
    "models",
    "offline",
]
__version__ = "0.1.0"
