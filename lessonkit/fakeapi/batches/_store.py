"""The batch store: every batch of one fake API, and the ``/v1/messages/batches…`` endpoints.

Shapes follow the SDK's types and the docs (shared/API-FACTS.md §4). Where the
real wording of an error is unknown (cancelling an ended batch, deleting or
fetching results of an unfinished one) the status and ``error.type`` follow
the API's conventions and the message is ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any

from .. import shape
from ..clock import VirtualClock
from ..errors import KNOWN_ERROR_TYPES, ApiError, default_message, error_body, invalid, not_found
from ..faults import Origin
from ..gcpause import no_cycle_collection
from ..generation import generate
from ..http import ApiRequest, ApiResponse
from ..ids import IdSource, make_id
from ..jsonbytes import dumps as encode
from ..replies import make_reply
from . import _jsonl, _lines
from ._checks import async_error, check_envelope, list_limit
from ._job import ARCHIVED_AFTER, NEVER, OUTCOMES, Batch, Item, Script, finish_times

PATH = "/v1/messages/batches"
#: Where ``results_url`` points unless the API is served elsewhere (``api.base_url``).
#: "256 MB per batch"; bigger bodies get 413 request_too_large.
MAX_BATCH_BYTES = 256 * 1024 * 1024
_ROUTE = re.compile(r"^/v1/messages/batches(?:/(?P<id>[^/]+)(?:/(?P<action>cancel|results))?)?/?$")


class BatchStore:
    """Every batch of one fake API, plus the scripts for batches not yet created."""

    def __init__(
        self,
        clock: VirtualClock,
        ids: IdSource,
        models: Callable[[], Collection[str]],
        base_url: Callable[[], str],
    ) -> None:
        self.clock = clock
        self.ids = ids
        self._models = models
        self._base_url = base_url
        self._batches: dict[str, Batch] = {}  # creation order
        self._scripts: dict[str, Script] = {}
        self._delays: list[tuple[float, Origin | None]] = []

    # --- scripting -----------------------------------------------------------------
    def script(
        self,
        custom_id: str,
        outcome: str,
        *,
        error_type: str = "api_error",
        message: str | None = None,
        origin: Origin | None = None,
        **reply: Any,
    ) -> None:
        """Fix the outcome of ``custom_id`` in the next batch that contains it."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome={outcome!r}: use one of {OUTCOMES}")
        if error_type not in KNOWN_ERROR_TYPES:
            raise ValueError(
                f"error_type={error_type!r} is not an API error type; "
                f"use one of {sorted(KNOWN_ERROR_TYPES)}"
            )
        if reply and outcome != "succeeded":
            raise ValueError(
                f"{sorted(reply)} script what a 'succeeded' request says, not an {outcome!r} one"
            )
        made = make_reply(**reply) if reply else None
        self._scripts[custom_id] = Script(outcome, error_type, message, made, origin)

    def delay(self, seconds: float, origin: Origin | None = None) -> None:
        """Hold the next batch in the queue ``seconds`` longer (past 24 h, its requests expire)."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        self._delays.append((seconds, origin))

    def forget(self, origin: Origin) -> None:
        """Drop the unused outcomes and delays an earlier run of ``origin``'s cell scripted."""
        self._scripts = {
            custom_id: script
            for custom_id, script in self._scripts.items()
            if not origin.replaces(script.origin)
        }
        self._delays = [entry for entry in self._delays if not origin.replaces(entry[1])]

    def reset(self) -> None:
        self._batches.clear()
        self._scripts.clear()
        self._delays.clear()

    # --- reading (for widgets and tests; no HTTP involved) ------------------------
    def get(self, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None or batch.deleted:
            raise not_found(f"message_batch_id: no message batch with id '{batch_id}'")
        return batch

    def view(self, batch: Batch) -> dict[str, Any]:
        """The MessageBatch object as the API would show it right now."""
        now = self.clock.seconds
        status = batch.status(now)
        ended = status == "ended"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": batch.counts(now),
            "ended_at": self._stamp(batch.end) if ended else None,
            "created_at": self._stamp(batch.created),
            "expires_at": self._stamp(batch.expires),
            "cancel_initiated_at": self._stamp(batch.cancel_at)
            if batch.cancel_at is not None
            else None,
            "archived_at": self._stamp(batch.created + ARCHIVED_AFTER)
            if batch.archived(now)
            else None,
            "results_url": f"{self._base_url()}{PATH}/{batch.id}/results" if ended else None,
        }

    def _stamp(self, seconds: float) -> str:
        return self.clock.isoformat(
            self.clock.now() + timedelta(seconds=seconds - self.clock.seconds)
        )

    # --- serving -------------------------------------------------------------------
    def handle(self, request: ApiRequest, body: Any) -> ApiResponse:
        """Answer any request under ``/v1/messages/batches``."""
        match = _ROUTE.match(request.path)
        if match is None:
            raise not_found()
        batch_id, action, method = match["id"], match["action"], request.method
        if batch_id is None and method == "POST":
            with no_cycle_collection():
                created = self._create(request, body)
            return ApiResponse.json(200, self.view(created))
        if batch_id is None and method == "GET":
            return ApiResponse.json(200, self._list(request.query))
        if batch_id is None:
            raise not_found()
        batch = self.get(batch_id)
        if (method, action) == ("GET", None):
            return ApiResponse.json(200, self.view(batch))
        if (method, action) == ("POST", "cancel"):
            return ApiResponse.json(200, self.view(self._cancel(batch)))
        if (method, action) == ("DELETE", None):
            return ApiResponse.json(200, self._delete(batch))
        if (method, action) == ("GET", "results"):
            return ApiResponse(200, {"content-type": _jsonl.CONTENT_TYPE}, self._results(batch))
        raise not_found()

    def _create(self, request: ApiRequest, body: Any) -> Batch:
        if len(request.body) > MAX_BATCH_BYTES:
            raise ApiError(
                413,
                "Request exceeds the maximum allowed number of bytes (256 MB for a Message Batch).",
            )
        entries = check_envelope(body)
        models = self._models()
        times = finish_times(entries, sum(seconds for seconds, _ in self._delays))
        items = []
        for index, ((custom_id, params), finish) in enumerate(zip(entries, times, strict=True)):
            script = self._scripts.pop(custom_id, None)
            item = Item(
                index,
                custom_id,
                params,
                NEVER if script and script.outcome == "expired" else finish,
                script,
                shape_key=shape.key(params),
            )
            item.error, item.input_tokens = async_error(params, item.shape_key, models, script)
            items.append(item)
        batch = Batch(self.ids.next("batch"), self.clock.seconds, items)
        self._batches[batch.id] = batch
        self._delays.clear()
        return batch

    def _list(self, query: Any) -> dict[str, Any]:
        limit = list_limit(query.get("limit", "20"))
        before, after = query.get("before_id"), query.get("after_id")
        if before and after:
            raise invalid("before_id and after_id cannot be used together")
        newest_first = list(reversed(self._batches.values()))  # deleted ones still anchor cursors
        ids = [b.id for b in newest_first]
        cursor = before or after
        if cursor and cursor not in ids:
            raise invalid(
                f"{'before_id' if before else 'after_id'}: no message batch with id '{cursor}'"
            )
        if after:
            candidates = [b for b in newest_first[ids.index(after) + 1 :] if not b.deleted]
            page = candidates[:limit]
        elif before:
            candidates = [b for b in newest_first[: ids.index(before)] if not b.deleted]
            page = candidates[-limit:]
        else:
            candidates = [b for b in newest_first if not b.deleted]
            page = candidates[:limit]
        return {
            "data": [self.view(b) for b in page],
            "has_more": len(candidates) > limit,
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
        }

    def _cancel(self, batch: Batch) -> Batch:
        if batch.status(self.clock.seconds) == "ended":
            raise invalid(
                f"Message batch '{batch.id}' has already ended and can no longer be canceled."
            )
        batch.cancel(self.clock.seconds)
        return batch

    def _delete(self, batch: Batch) -> dict[str, str]:
        if batch.status(self.clock.seconds) != "ended":
            raise invalid(
                f"Message batch '{batch.id}' is still processing; cancel it and wait until it "
                "has ended before deleting it."
            )
        batch.deleted = True
        return {"id": batch.id, "type": "message_batch_deleted"}

    def _results(self, batch: Batch) -> bytes:
        now = self.clock.seconds
        if batch.status(now) != "ended":
            raise invalid(
                f"Message batch '{batch.id}' has not finished processing; results are available "
                "once processing_status is 'ended'."
            )
        if batch.archived(now):
            raise not_found(
                f"The results of message batch '{batch.id}' were archived and are no longer "
                "available."
            )
        if batch.results is None:
            seed = f"{self.ids.seed}:{batch.id}"
            with no_cycle_collection():
                batch.results = _jsonl.dumps(self._line(batch, item, seed) for item in batch.order)
        return batch.results

    def _line(self, batch: Batch, item: Item, seed: str) -> bytes:
        """The result line of ``item``; ``seed`` is the API's seed and the batch id, ``seed:id``.

        Ids derive from (batch, request), not the API's counters: fetching results
        twice, or in another order, gives the same ids and shifts no other id.
        """
        outcome = batch.outcome(item)
        if outcome == "succeeded":
            item_seed = f"{seed}:{item.custom_id}"
            counter = iter(range(1, 1_000_000))
            gen = generate(
                item.params,
                item.script.reply if item.script else None,
                lambda k: make_id(k, next(counter), item_seed),
                shape.shaped(item.params, item.shape_key),
            )
            return _lines.succeeded(
                item.custom_id,
                gen,
                message_id=make_id("message", item.index + 1, seed),
                model=item.params["model"],
                input_tokens=item.input_tokens,
            )
        result: dict[str, Any] = {"type": outcome}
        if outcome == "errored":
            script = item.script or Script("errored")
            if item.error is not None:
                kind, text = item.error.error_type, item.error.message
            else:
                kind, text = script.error_type, script.message or default_message(script.error_type)
            result["error"] = error_body(kind, text, None)
        return encode({"custom_id": item.custom_id, "result": result}, floats=False)
