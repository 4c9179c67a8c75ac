"""``BatchStates``: a Message Batch's processing states, in_progress -> canceling -> ended (stub)."""

from __future__ import annotations

from typing import Any

__all__ = ["BatchStates"]


class BatchStates:
    """The batch state diagram, highlighting ``batch.processing_status`` when given."""

    def __init__(self, batch: Any = None) -> None:
        self.batch = batch

    def __str__(self) -> str:
        return "in_progress -> canceling -> ended"

    __repr__ = __str__
