"""Honest labels: every view of a response says where it came from.

A learner looking at a widget or a repr must be able to tell a simulated
answer from a real one, and which SDK produced it, without reading code.

>>> simulated_label()                                   # doctest: +SKIP
'simulated offline by lessonkit 0.1.0 · anthropic 2.14.0'
"""

from __future__ import annotations

import anthropic

from .fakeapi.http import API_BASE

__all__ = ["live_label", "simulated_label"]


def _lessonkit_version() -> str:
    from . import __version__  # at call time: lessonkit/__init__ may import this module

    return __version__


def simulated_label() -> str:
    """For anything the offline fake produced."""
    return (
        f"simulated offline by lessonkit {_lessonkit_version()} · anthropic {anthropic.__version__}"
    )


def live_label(base_url: str = API_BASE) -> str:
    """For anything a real API produced; names the host when it is not Anthropic's."""
    where = "the real Anthropic API" if base_url.rstrip("/") == API_BASE else base_url.rstrip("/")
    return (
        f"live from {where} · anthropic {anthropic.__version__} · lessonkit {_lessonkit_version()}"
    )
