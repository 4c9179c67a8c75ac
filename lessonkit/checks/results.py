"""What a learner sees: verdicts, hints and solutions, as plain text and escaped HTML.

These objects are pure values. `display.show` decides how to render them; tests
compare them directly. Every string in them may come from a learner (an exception
message, a source line), so the HTML forms pass all of it through `html.escape`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from .._codespans import rendered


class Status(enum.Enum):
    """The four verdicts; only CORRECT counts as a pass."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"
    ERROR = "error"


_LABEL = {
    Status.CORRECT: ("✓", "Correct", "#1a7f37"),
    Status.INCORRECT: ("✗", "Incorrect", "#cf222e"),
    Status.NOT_ATTEMPTED: ("…", "Not attempted", "#6e7781"),
    Status.ERROR: ("⚠", "Error", "#9a6700"),
}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check: truthy only when correct.

    >>> bool(CheckResult(Status.CORRECT, "`add` passed every check."))
    True
    """

    status: Status
    message: str
    details: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.status is Status.CORRECT

    def __str__(self) -> str:
        symbol, label, _ = _LABEL[self.status]
        lines = [f"{symbol} {label}: {self.message}"]
        lines.extend(f"  {detail}" for detail in self.details)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        symbol, label, colour = _LABEL[self.status]
        items = "".join(f"<li><code>{escape(detail)}</code></li>" for detail in self.details)
        details = f'<ul style="margin:0.3em 0">{items}</ul>' if items else ""
        return (
            f'<div style="border-left:4px solid {colour};padding:0.2em 0.6em">'
            f'<strong style="color:{colour}">{symbol} {label}:</strong> '
            f"{rendered(self.message)}{details}</div>"
        )


@dataclass(frozen=True)
class Hint:
    """Hint `number` of `total`, as shown by `q.hint(n)`."""

    number: int
    total: int
    text: str

    def __str__(self) -> str:
        return f"Hint {self.number} of {self.total}: {self.text}"

    def _repr_html_(self) -> str:
        return (
            '<div style="border-left:4px solid #0969da;padding:0.2em 0.6em">'
            f"<strong>Hint {self.number} of {self.total}:</strong> {rendered(self.text)}</div>"
        )


@dataclass(frozen=True)
class Solution:
    """The source of a model solution, shown by `q.solution()` as a code block."""

    title: str
    source: str

    def __str__(self) -> str:
        return f"Solution: {self.title}\n\n{self.source.rstrip()}\n"

    def _repr_html_(self) -> str:
        return (
            f"<div><strong>Solution: {escape(self.title)}</strong>"
            f"<pre><code>{escape(self.source.rstrip())}</code></pre></div>"
        )
