"""Checkers for exercises/04_retries.ipynb: a retry loop, an idempotent tool, a broken stream.

One module per exercise, because each plays a different world: fault plans
(:mod:`.backoff`), a retried tool-use turn (:mod:`.tools`), broken streams
(:mod:`.streams`).
"""

from __future__ import annotations

from .backoff import CallWithRetries, call_with_retries
from .streams import StreamRecovery, stream_with_recovery
from .tools import EMAIL_TOOL, IdempotentTool, MailServerDown, run_tool

__all__ = [
    "EMAIL_TOOL",
    "EXERCISES",
    "CallWithRetries",
    "IdempotentTool",
    "MailServerDown",
    "StreamRecovery",
    "call_with_retries",
    "run_tool",
    "stream_with_recovery",
]

EXERCISES = (CallWithRetries, IdempotentTool, StreamRecovery)
