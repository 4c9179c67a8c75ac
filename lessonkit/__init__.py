"""lessonkit: learn the Anthropic Messages API in production, offline, with the real SDK.

Start with ``api = lessonkit.offline().start()`` (or ``with lessonkit.offline() as
api:``); then ``anthropic.Anthropic()`` talks to the fake API. Widgets live in
``lessonkit.widgets`` and exercise checks in ``lessonkit.checks``, both imported
on first use so ``import lessonkit`` stays light.
"""

from __future__ import annotations

from . import batches, models
from ._offline import PLACEHOLDER_KEY, Offline, OfflineError, offline
from .checks.progress import summary as progress
from .cost import cost
from .fakeapi.app import FakeAPI, RecordedRequest
from .live import BudgetExceeded, LiveSession, live

__all__ = [
    "PLACEHOLDER_KEY",
    "BudgetExceeded",
    "FakeAPI",
    "LiveSession",
    "Offline",
    "OfflineError",
    "RecordedRequest",
    "batches",
    "cost",
    "live",
    "models",
    "offline",
    "progress",
]
__version__ = "0.1.0"
