"""Inline code in prose: a `span` in backticks becomes ``<code>`` in HTML, and stays as is in text.

Banks, verdicts and hints are written once as plain text with Markdown-style
backticks. Plain text keeps them (they mark code there too); HTML views show
the code font instead of raw backticks.
"""

from __future__ import annotations

import html
import re

__all__ = ["rendered"]

_SPAN = re.compile(r"`([^`\n]+)`")


def rendered(text: str) -> str:
    """``text`` as HTML: escaped first, then each `span` in backticks a ``<code>`` element.

    >>> rendered("call `lessonkit.offline()` <now>")
    'call <code>lessonkit.offline()</code> &lt;now&gt;'
    """
    return _SPAN.sub(r"<code>\1</code>", html.escape(text))
