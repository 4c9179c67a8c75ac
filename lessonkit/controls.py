"""The ``/_lessonkit/<name>`` control calls of ``lessonkit serve``, checked before they run.

A control body is JSON keyword arguments for a :class:`FakeAPI` method. A
body that is not JSON, not an object, or does not fit the method's signature
and type hints is the caller's mistake: :class:`ControlError` carries a
message naming it (the server answers 400), instead of a traceback (500) or a
bad value stored now that breaks a later request.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable
from typing import Any

__all__ = ["CONTROLS", "ControlError", "call", "parse"]

#: FakeAPI methods the control endpoint may call, ``POST /_lessonkit/<name>`` with JSON kwargs.
CONTROLS = (
    "reply",
    "fail_next",
    "timeout_next",
    "fail_stream",
    "drop_stream",
    "retire_model",
    "scenario",
    "clear_faults",
    "batch_outcome",
    "batch_delay",
)


class ControlError(ValueError):
    """A malformed control request; the message says what is wrong."""


def parse(raw: bytes) -> dict[str, Any]:
    """The keyword arguments in a control body (empty body: none)."""
    if not raw.strip():
        return {}
    try:
        payload = json.loads(raw)
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
        raise ControlError(f"the body is not JSON ({err})") from None
    if not isinstance(payload, dict):
        raise ControlError(
            f"the body must be a JSON object of keyword arguments, not {_json_type(payload)}"
        )
    return payload


def call(method: Callable[..., object], kwargs: dict[str, Any]) -> None:
    """Call ``method(**kwargs)`` if the arguments fit its signature and types."""
    name = getattr(method, "__name__", "control")
    try:
        inspect.signature(method).bind(**kwargs)
    except TypeError as err:
        raise ControlError(f"{name}: {err}") from None
    hints = typing.get_type_hints(method)
    for key, value in kwargs.items():
        hint = hints.get(key, Any)
        if not _fits(value, hint):
            raise ControlError(
                f"{name}: {key!r} must be {_hint_text(hint)}, not {_json_type(value)} {value!r}"
            )
    try:
        method(**kwargs)
    except (TypeError, ValueError, LookupError) as err:
        raise ControlError(f"{name}: {type(err).__name__}: {err}") from None


def _fits(value: object, hint: Any) -> bool:
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if _is_union(hint):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    origin = typing.get_origin(hint) or hint
    return isinstance(origin, type) and isinstance(value, origin)


def _is_union(hint: Any) -> bool:
    return isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union


def _hint_text(hint: Any) -> str:
    if hint is type(None):
        return "null"
    if _is_union(hint):
        return " | ".join(_hint_text(option) for option in typing.get_args(hint))
    return getattr(hint, "__name__", str(hint))


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")
