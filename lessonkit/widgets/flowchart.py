"""``ErrorFlowchart``: a failed call's path — retried by the SDK, fixed by you, or surfaced (stub)."""

from __future__ import annotations

__all__ = ["ErrorFlowchart"]


class ErrorFlowchart:
    """Status -> retry / fix your request / surface to the user: ``ErrorFlowchart(highlight=529)``."""

    def __init__(self, highlight: int | None = None) -> None:
        self.highlight = highlight

    def __str__(self) -> str:
        return "Error flowchart (stub)"

    __repr__ = __str__
