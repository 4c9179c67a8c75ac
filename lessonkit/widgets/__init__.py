"""Views of the offline API: ``display(RetryTimeline(api))``, ``print(RequestLog(api))``.

Diagrams drawn from data as inline SVG: ``EventSequence(api)`` (a stream's
events), ``ErrorFlowchart(highlight=529)``, ``BatchStates(batch)``, and the
time axis of ``RetryTimeline(api)``.

Every view has a plain-text ``repr`` (terminals, CI, nbval's comparison), an
escaped HTML table, and an ipywidgets panel in a live kernel. Names resolve
lazily, so ``import lessonkit`` never imports ipywidgets.
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from .batch import BatchMonitor
    from .batchstates import BatchStates
    from .events import EventSequence
    from .flowchart import ErrorFlowchart
    from .requestlog import RequestLog
    from .retry import RetryTimeline

__all__ = [
    "BatchMonitor",
    "BatchStates",
    "ErrorFlowchart",
    "EventSequence",
    "RequestLog",
    "RetryTimeline",
]

_HOMES = {
    "BatchMonitor": ".batch",
    "BatchStates": ".batchstates",
    "ErrorFlowchart": ".flowchart",
    "EventSequence": ".events",
    "RequestLog": ".requestlog",
    "RetryTimeline": ".retry",
}


def __getattr__(name: str) -> typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
