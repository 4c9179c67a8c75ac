"""``GET /v1/models`` and ``GET /v1/models/{id}``: the fake's model catalogue.

Shapes follow the SDK's ``ModelInfo`` and ``SyncPage`` types (``data``,
``has_more``, ``first_id``, ``last_id``; newest first; ``limit`` 1–1000,
default 20; ``lifecycle`` filter, retired models only when asked for). The
catalogue is :data:`lessonkit.models.KNOWN`; ``api.retire_model(id)`` turns an
entry ``retired``, and the SDK's own deprecation table marks ``deprecated``.

``max_input_tokens``, ``max_tokens``, ``created_at`` and ``capabilities`` come
from the model facts table (context window, output ceiling, release day, and
:mod:`.capabilities`). What we do not know we do not invent: a row without a
sourced release day gets the epoch, which the API documents for "release date
unknown".
"""

from __future__ import annotations

import re
import typing
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from anthropic.types.model_line import ModelLine

from .. import models
from .capabilities import capabilities
from .errors import invalid, not_found
from .facts import facts
from .http import ApiRequest, ApiResponse

PATH = "/v1/models"
LIFECYCLES = ("active", "deprecated", "retired")
_UNKNOWN_DATE = "1970-01-01T00:00:00Z"
_LINES = frozenset(typing.get_args(ModelLine))
_DATE_SUFFIX = re.compile(r"-(\d{4})(\d{2})(\d{2})$")
_EOL = re.compile(r"^(\w+) (\d+)\w*, (\d{4})$")  # "January 22nd, 2027", as the SDK words it


def display_name(model: str) -> str:
    """``claude-<line>-<major>-<minor>`` → ``Claude <Line> <major>.<minor>`` (dates dropped)."""
    words = _DATE_SUFFIX.sub("", model).split("-")
    numbers = [w for w in words[2:] if w.isdigit()]
    named = [w.capitalize() for w in words if not w.isdigit()]
    return " ".join(named + ([".".join(numbers)] if numbers else []))


def _released(model: str) -> str:
    """The row's release day; else the epoch, which the API documents for "release date unknown"."""
    day = facts(model).released
    return f"{day}T00:00:00Z" if day else _UNKNOWN_DATE


@lru_cache(maxsize=64)  # every request asks (retirement by date); strptime is slow
def _end_of_life(text: str) -> str | None:
    match = _EOL.match(text.strip())
    if match is None:
        return None
    day = datetime.strptime(f"{match[1]} {match[2]} {match[3]}", "%B %d %Y").replace(tzinfo=UTC)
    return day.strftime("%Y-%m-%dT%H:%M:%SZ")


def past_retirement(now: str) -> frozenset[str]:
    """Models whose scheduled retirement (the SDK's deprecation table) is at or before ``now``."""
    return frozenset(
        m for m, eol in models.deprecated().items() if (_end_of_life(eol) or "9999") <= now
    )


def info(model: str, *, retired: Collection[str], now: str) -> dict[str, Any]:
    """One ``ModelInfo`` object."""
    eol = models.deprecated().get(model)
    lifecycle = "retired" if model in retired else "deprecated" if eol is not None else "active"
    family = model.split("-")[1] if model.count("-") >= 2 else ""
    return {
        "type": "model",
        "id": model,
        "display_name": display_name(model),
        "created_at": _released(model),
        "lifecycle": lifecycle,
        "deprecated_at": now if lifecycle == "retired" else _UNKNOWN_DATE if eol else None,
        "retires_at": now if lifecycle == "retired" else _end_of_life(eol) if eol else None,
        "line": family if family in _LINES else None,
        "max_input_tokens": facts(model).context_window,
        "max_tokens": facts(model).max_output_tokens,
        "capabilities": capabilities(facts(model)),
    }


def _lifecycles(query: Mapping[str, str]) -> tuple[str, ...]:
    # The SDK sends arrays as ``lifecycle[]=a&lifecycle[]=b``; adapters keep one value per name.
    raw = query.get("lifecycle[]") or query.get("lifecycle")
    if raw is None:
        return ("active", "deprecated")
    if raw not in LIFECYCLES:
        raise invalid("lifecycle: Input should be 'active', 'deprecated' or 'retired'")
    return (raw,)


def _limit(raw: str) -> int:
    try:
        limit = int(raw)
    except ValueError:
        raise invalid(
            "limit: Input should be a valid integer, unable to parse string as an integer"
        ) from None
    if not 1 <= limit <= 1000:
        bound = "greater than or equal to 1" if limit < 1 else "less than or equal to 1000"
        raise invalid(f"limit: Input should be {bound}")
    return limit


def page(query: Mapping[str, str], *, retired: Collection[str], now: str) -> dict[str, Any]:
    """One page of ``GET /v1/models``."""
    limit = _limit(query.get("limit", "20"))
    before, after = query.get("before_id"), query.get("after_id")
    if before and after:
        raise invalid("before_id and after_id cannot be used together")
    wanted = _lifecycles(query)
    listed = [m for m in models.KNOWN if info(m, retired=retired, now=now)["lifecycle"] in wanted]
    cursor = before or after
    if cursor and cursor not in listed:
        raise invalid(f"{'before_id' if before else 'after_id'}: no model with id '{cursor}'")
    if after:
        candidates = listed[listed.index(after) + 1 :]
        chosen = candidates[:limit]
    elif before:
        candidates = listed[: listed.index(before)]
        chosen = candidates[-limit:]
    else:
        candidates = listed
        chosen = candidates[:limit]
    return {
        "data": [info(m, retired=retired, now=now) for m in chosen],
        "has_more": len(candidates) > limit,
        "first_id": chosen[0] if chosen else None,
        "last_id": chosen[-1] if chosen else None,
    }


def handle(request: ApiRequest, *, retired: Collection[str], now: str) -> ApiResponse:
    """Answer a request under ``/v1/models``."""
    if request.method != "GET":
        raise not_found()
    rest = request.path[len(PATH) :].strip("/")
    if not rest:
        return ApiResponse.json(200, page(request.query, retired=retired, now=now))
    if "/" in rest or rest not in models.KNOWN:
        raise not_found(f"model: {rest}")
    return ApiResponse.json(200, info(rest, retired=retired, now=now))
