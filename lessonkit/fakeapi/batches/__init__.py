"""Message Batches on the fake API: ``/v1/messages/batches…``, progressing on the virtual clock.

Batch params are validated asynchronously, as the API does: a create with a
bad ``params`` succeeds and the request comes back ``errored`` with the very
``invalid_request_error`` a direct ``messages.create`` would get. Only the
envelope (``requests``, ``custom_id``, ``stream``, size) is checked at create.

Scripted replies (``api.reply``) are for ``/v1/messages`` only and are never
consumed by batch requests, so a lesson mixing direct calls and a batch gets
the replies where it expects them; script batch results with
``api.batch_outcome(custom_id, "succeeded", text=...)`` instead.

One concept, one package; :class:`BatchStore` is all the rest of the core uses:

    ``_store``      BatchStore: the batches of one fake API and their endpoints
    ``_checks``     what creation checks up front, and the errors found for later
    ``_job``        one batch progressing on the virtual clock (the timing model)
    ``_jsonl``      results as JSON Lines, as strict as the SDK's decoder
    ``_lines``      a succeeded result's line, filled into a frame encoded once per layout
"""

from __future__ import annotations

from ._store import PATH, BatchStore

__all__ = ["PATH", "BatchStore"]
