"""The one place lessons get model ids from.

Ids are taken from the installed SDK (``anthropic.types.ModelParam``), never
typed by hand, and never from the SDK's deprecated list, so an SDK upgrade that
retires a model fails a test here instead of breaking every notebook.
"""

from __future__ import annotations

import re
import typing

from anthropic._data import DEPRECATED_MODELS
from anthropic.types.model_param import ModelParam

__all__ = ["CAPABLE", "DEFAULT", "FAST", "KNOWN", "current", "family"]


def _literal_ids() -> tuple[str, ...]:
    literal = next(a for a in typing.get_args(ModelParam) if typing.get_origin(a) is typing.Literal)
    return tuple(typing.get_args(literal))


#: Every model id the installed SDK knows, in the SDK's order (newest first).
KNOWN: tuple[str, ...] = _literal_ids()

_DATED = re.compile(r"-\d{8}$")


def current() -> tuple[str, ...]:
    """Known ids that are neither deprecated nor dated snapshots (aliases only)."""
    return tuple(m for m in KNOWN if m not in DEPRECATED_MODELS and not _DATED.search(m))


def family(name: str) -> str:
    """The newest current id of a family: ``family("haiku")`` → ``"claude-haiku-…"``."""
    for model in current():
        if model.startswith(f"claude-{name}-"):
            return model
    raise LookupError(f"the installed anthropic SDK lists no current {name!r} model")


#: The capable model lessons use by default.
CAPABLE: str = family("opus")
#: The fast, cheap model lessons use for bulk work (batches, classification).
FAST: str = family("haiku")
#: What ``messages.create`` examples use unless they say otherwise.
DEFAULT: str = CAPABLE
