"""lessonkit: learn the Anthropic Messages API in production, offline, with the real SDK.

Start with ``api = lessonkit.offline().start()`` (or ``with lessonkit.offline() as
api:``); then ``anthropic.Anthropic()`` talks to the fake API. Widgets live in
``lessonkit.widgets`` and exercise checks in ``lessonkit.checks``, both imported
on first use so ``import lessonkit`` stays light.
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
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

#: Every public name, imported when first used. The offline API needs the SDK (~3 s of
#: CPU to import on a slow machine); the command line, the dashboard and the grader's
#: network guard do not, so a bare ``import lessonkit`` (as ``lessonkit lab`` does)
#: must not pay for it. ``progress`` brings every checker module, ``live`` the metering.
_LAZY = {
    "PLACEHOLDER_KEY": ("._offline", "PLACEHOLDER_KEY"),
    "Offline": ("._offline", "Offline"),
    "OfflineError": ("._offline", "OfflineError"),
    "offline": ("._offline", "offline"),
    "FakeAPI": (".fakeapi.app", "FakeAPI"),
    "RecordedRequest": (".fakeapi.app", "RecordedRequest"),
    "batch_savings": ("._cost", "batch_savings"),
    "cost": ("._cost", "cost"),
    "price": ("._cost", "price"),
    "BudgetExceeded": ("._live", "BudgetExceeded"),
    "LiveSession": ("._live", "LiveSession"),
    "live": ("._live", "live"),
    "progress": (".checks.progress", "summary"),
    "batches": (".batches", None),
    "models": (".models", None),
}


def __getattr__(name: str) -> typing.Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(home[0], __name__)
    value = module if home[1] is None else getattr(module, home[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
