"""Pausing Python's cycle collector around work that makes many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector while parsing a body or checking or rendering a batch.

    Each makes many objects that reference counting alone frees or that form
    trees (a JSON document cannot hold a cycle), so every collector pass the
    allocations trigger finds nothing, yet walks every live object (the
    kernel's, the SDK's, the batch's own). A 10,000-request batch's body
    set off a full pass over the learner's kernel, a seventh of the fake's
    time; rendering its results, a tenth. A collector the caller had switched
    off stays off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
