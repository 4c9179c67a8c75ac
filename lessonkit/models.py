"""The one place lessons get model ids from.

Ids come from the installed SDK's public ``anthropic.types.ModelParam`` literal,
never typed by hand, so an SDK upgrade that adds or drops a model moves every
lesson with it, and ``tests/test_model_ids_lint.py`` keeps literal ids out of
everything else. Which id is "newest" is read from the id itself
(``claude-opus-5-5`` > ``claude-opus-5`` > ``claude-opus-4-8``), not from the
SDK's private deprecation table, which has already moved once between SDK
releases (a module constant up to 2.12, ``anthropic._data`` from 2.13).
Lesson defaults are picked only among models whose every fact is documented in
``fakeapi/model_facts.json``, so an SDK release that adds a model cannot move
the course onto rules nobody wrote down.

>>> from lessonkit import models
>>> models.DEFAULT in models.KNOWN
True
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping

from anthropic.types.model_param import ModelParam

from .fakeapi import facts

__all__ = [
    "CAPABLE",
    "DEFAULT",
    "FAST",
    "KNOWN",
    "SdkLayoutError",
    "current",
    "deprecated",
    "documented",
    "fallback_chain",
    "family",
    "undocumented",
    "version",
]


class SdkLayoutError(RuntimeError):
    """The installed SDK no longer has something lessonkit reads from it."""


def _literal_ids() -> tuple[str, ...]:
    for arg in typing.get_args(ModelParam):
        if typing.get_origin(arg) is typing.Literal:
            return tuple(typing.get_args(arg))
    raise SdkLayoutError(
        "anthropic.types.ModelParam no longer contains a Literal of model ids; "
        "update lessonkit/models.py::_literal_ids for the installed anthropic SDK"
    )


#: Every model id the installed SDK knows, in the SDK's order (newest first).
KNOWN: tuple[str, ...] = _literal_ids()

# claude-<family>-<major>[-<minor>][-<YYYYMMDD>]; anything else (previews) is never picked.
_ID = re.compile(
    r"^claude-(?P<family>[a-z]+)-(?P<major>\d+)(?:-(?P<minor>\d{1,2}))?(?P<date>-\d{8})?$"
)


def version(model: str) -> tuple[int, int] | None:
    """``(major, minor)`` of an undated alias (``"claude-opus-4-8"`` → ``(4, 8)``), else None."""
    match = _ID.match(model)
    if match is None or match["date"]:
        return None
    return int(match["major"]), int(match["minor"] or 0)


def current() -> tuple[str, ...]:
    """Known undated aliases with a version number, newest first within each family.

    Dated snapshots and previews are left out: lessons should name aliases.
    """
    versioned = [m for m in KNOWN if version(m) is not None]
    return tuple(sorted(versioned, key=lambda m: version(m) or (0, 0), reverse=True))


def documented() -> tuple[str, ...]:
    """:func:`current` ids whose facts-table row is complete (every value sourced, priced)."""
    return tuple(m for m in current() if facts.facts(m).complete)


def undocumented() -> tuple[str, ...]:
    """Ids the SDK knows but the facts table has no row for: served with the strictest rules."""
    return tuple(m for m in KNOWN if m not in facts.rows())


def family(name: str) -> str:
    """The newest documented id of a family: ``family("haiku")`` → ``"claude-haiku-…"``."""
    for model in documented():
        if model.startswith(f"claude-{name}-"):
            return model
    raise LookupError(
        f"the installed anthropic SDK lists no {name!r} model with a complete row in "
        "lessonkit/fakeapi/model_facts.json"
    )


def fallback_chain(preferred: str | None = None, *, length: int = 3) -> tuple[str, ...]:
    """``preferred`` (default :data:`DEFAULT`) then the next-newest ids of its family.

    What a production client tries, in order, when a model is retired (404
    ``not_found_error`` ``"model: <id>"``)::

        for model in models.fallback_chain():
            try:
                return client.messages.create(model=model, ...)
            except anthropic.NotFoundError as err:
                log.warning("model %s gone (request_id=%s)", model, err.request_id)
    """
    first = DEFAULT if preferred is None else preferred
    match = _ID.match(first)
    rest = [
        m for m in current() if m != first and match and m.startswith(f"claude-{match['family']}-")
    ]
    return (first, *rest)[: max(length, 1)]


def deprecated() -> Mapping[str, str]:
    """Model id → end-of-life date, from the table the SDK's ``messages.create`` warns with.

    That table is private and has moved between SDK releases, so this reads it
    where ``messages.create`` looks it up and fails with a clear message if it
    is gone. Only the fake's ``/v1/models`` lifecycle and fidelity tests use it;
    the registry above never does.
    """
    from anthropic.resources.messages import messages as sdk_messages

    table = getattr(sdk_messages, "DEPRECATED_MODELS", None)
    if not isinstance(table, Mapping):
        raise SdkLayoutError(
            "anthropic.resources.messages.messages.DEPRECATED_MODELS is gone in the installed "
            "anthropic SDK (it lived in anthropic._data in 2.14); find where messages.create now "
            "looks up deprecated models and update lessonkit/models.py::deprecated"
        )
    return dict(table)


#: The capable model lessons use by default.
CAPABLE: str = family("opus")
#: The fast, cheap model lessons use for bulk work (batches, classification).
FAST: str = family("haiku")
#: What ``messages.create`` examples use unless they say otherwise.
DEFAULT: str = CAPABLE
