"""Print, as JSON, what the installed SDK knows that lessonkit depends on.

    .venv/bin/python scripts/sdk_facts.py

``scripts/test_latest.py`` runs it in the locked and the newest environment and
reports the difference: new or dropped model ids, stop reasons, error classes,
``messages.create`` fields and stream events.
"""

from __future__ import annotations

import importlib
import inspect
import json
import typing
from typing import Any

import anthropic
from anthropic.types import RawMessageStreamEvent, StopReason
from anthropic.types.model_param import ModelParam


def _literals(annotation: Any) -> list[str]:
    """Every string literal inside a (possibly nested) Union/Literal/Annotated annotation."""
    found: list[str] = []
    pending = [annotation]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        else:
            pending.extend(typing.get_args(item))
    return sorted(set(found))


def _event_types() -> list[str]:
    tags: set[str] = set()
    for member in _union_members(RawMessageStreamEvent):
        tags.update(typing.get_args(member.model_fields["type"].annotation))
    return sorted(tags)


def _union_members(annotation: Any) -> list[type]:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return [a for a in typing.get_args(annotation) if inspect.isclass(a)]


def facts() -> dict[str, Any]:
    """The SDK's version and the value sets lessonkit mirrors."""
    error_classes = importlib.import_module("anthropic._error_classes").ERROR_CLASSES
    create = inspect.signature(anthropic.resources.Messages.create).parameters
    return {
        "anthropic": anthropic.__version__,
        "models": _literals(ModelParam),
        "stop_reasons": _literals(StopReason),
        "error_classes": sorted(
            f"{status} {code or '-'} {cls.__name__}"
            for (status, code), cls in error_classes.items()
        ),
        "create_parameters": sorted(
            name for name in create if name not in {"self", "extra_headers", "extra_query"}
        ),
        "stream_events": _event_types(),
    }


if __name__ == "__main__":
    print(json.dumps(facts(), indent=1))
