"""What ``POST /v1/messages/batches`` checks up front, and what it leaves for later.

Only the envelope is checked when a batch is created: the ``requests`` list,
each ``custom_id`` and the params the Batch API never accepts (``stream``,
``speed``). Everything else in ``params`` is validated asynchronously, as the
API does: the batch is created and the request later comes back ``errored``
with the error a direct ``messages.create`` gets. Messages follow the API's
pydantic-style wording; where the real text is unknown it is ours.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from .. import validate
from ..errors import ApiError, invalid, not_an_object
from ..generation import generate
from ..ids import make_id
from ._job import Script

MAX_REQUESTS = 100_000
_CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_PATTERN = "String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"
_FIELDS = frozenset(("custom_id", "params"))


def check_envelope(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """The create-time checks; returns ``(custom_id, params)`` pairs."""
    if not isinstance(body, dict):
        raise not_an_object()
    validate.check_extra_fields(body, ("requests",))
    requests = body.get("requests")
    if requests is None:
        raise invalid("requests: Field required")
    if not isinstance(requests, list):
        raise invalid("requests: Input should be a valid list")
    if not requests:
        raise invalid("requests: List should have at least 1 item after validation, not 0")
    if len(requests) > MAX_REQUESTS:
        raise invalid(
            f"requests: List should have at most {MAX_REQUESTS} items after validation, "
            f"not {len(requests)}"
        )
    entries: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for i, entry in enumerate(requests):
        entries.append(_check_entry(f"requests.{i}", entry, seen))
    return entries


def _check_entry(where: str, entry: Any, seen: set[str]) -> tuple[str, dict[str, Any]]:
    if not isinstance(entry, dict):
        raise not_an_object(where)
    if not entry.keys() <= _FIELDS:  # the first extra one is named
        extra = next(name for name in entry if name not in _FIELDS)
        raise invalid(f"{where}.{extra}: Extra inputs are not permitted")
    custom_id, params = entry.get("custom_id"), entry.get("params")
    if not isinstance(custom_id, str) or not _CUSTOM_ID.match(custom_id):
        raise invalid(f"{where}.custom_id: {'Field required' if custom_id is None else _PATTERN}")
    if custom_id in seen:
        raise invalid(
            "requests: custom_id values must be unique within a batch; "
            f"'{custom_id}' is used more than once"
        )
    seen.add(custom_id)
    if not isinstance(params, dict):
        problem = "Field required" if params is None else "Input should be a valid dictionary"
        raise invalid(f"{where}.params: {problem}")
    if params.get("stream") is True:
        raise invalid(f"{where}.params.stream: streaming is not supported in Message Batches")
    if "speed" in params:
        raise invalid(f"{where}.params.speed: fast mode is not available in Message Batches")
    return custom_id, params


def async_error(
    params: dict[str, Any], shared: str | None, models: Collection[str], script: Script | None
) -> tuple[ApiError | None, int]:
    """What the API will report for these params once processed (found now, shown later).

    ``shared`` is their :func:`..shape.key`. With the error comes the prompt's
    input tokens (0 when it errs), counted while validating.
    """
    try:
        _, input_tokens = validate.check_keyed(params, shared, models, batch=True)
        if script is not None and script.reply is not None:  # a scripted tool call that won't fit
            generate(params, script.reply, lambda kind: make_id(kind, 0))
    except ApiError as err:
        return err, 0
    return None, input_tokens


def list_limit(raw: Any) -> int:
    """``limit`` of ``GET /v1/messages/batches``: 1-1000, default 20."""
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise invalid(
            "limit: Input should be a valid integer, unable to parse string as an integer"
        ) from None
    if limit < 1:
        raise invalid("limit: Input should be greater than or equal to 1")
    if limit > 1000:
        raise invalid("limit: Input should be less than or equal to 1000")
    return limit
