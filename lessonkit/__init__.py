"""lessonkit: learn the Anthropic Messages API in production, offline, with the real SDK.

Start with ``api = lessonkit.offline().start()`` (or ``with lessonkit.offline() as
api:``); then ``anthropic.Anthropic()`` talks to the fake API. Widgets live in
``lessonkit.widgets`` and exercise checks in ``lessonkit.checks``, both imported
on first use so ``import lessonkit`` stays light.
"""

from __future__ import annotations

import importlib
import typing

from . import batches, models
from ._cost import batch_savings, cost, price
from ._offline import PLACEHOLDER_KEY, Offline, OfflineError, offline
from .fakeapi.app import FakeAPI, RecordedRequest

if typing.TYPE_CHECKING:
    from ._live import BudgetExceeded, LiveSession, live
    from .checks.progress import summary as progress

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

#: Names a first offline request never needs, imported when first used: ``progress`` brings
#: every checker module and ``live`` the metering session (~50 ms of a cold ``import lessonkit``).
_LAZY = {
    "BudgetExceeded": ("._live", "BudgetExceeded"),
    "LiveSession": ("._live", "LiveSession"),
    "live": ("._live", "live"),
    "progress": (".checks.progress", "summary"),
}


def __getattr__(name: str) -> typing.Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home[0], __name__), home[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
