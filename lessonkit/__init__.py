"""lessonkit: learn the Anthropic Messages API in production, offline, with the real SDK.

Start with ``api = lessonkit.offline().start()`` (or ``with lessonkit.offline() as
api:``); then ``anthropic.Anthropic()`` talks to the fake API. Widgets live in
``lessonkit.widgets`` and exercise checks in ``lessonkit.checks``, both imported
on first use so ``import lessonkit`` stays light.
"""

from __future__ import annotations

from . import batches, models
from ._cost import batch_savings, cost, price
from ._live import BudgetExceeded, LiveSession, live
from ._offline import PLACEHOLDER_KEY, Offline, OfflineError, offline
from .checks.progress import summary as progress
from .fakeapi.app import FakeAPI, RecordedRequest

__all__ = [
    "PLACEHOLDER_KEY",
    "BudgetExceeded",
    "FakeAPI",
    "LiveSession",
    "Offline",
    "OfflineError",
    "RecordedRequest",
    "batch_savings",
    "batches",
    "cost",
    "live",
    "models",
    "offline",
    "price",
    "progress",
]
__version__ = "0.1.0"
