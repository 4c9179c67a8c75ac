"""Show verdicts, hints and solutions: rich HTML in Jupyter, plain text elsewhere.

The only module of `lessonkit.checks` that talks to IPython, and only lazily,
so the checker core stays importable (and testable) without a kernel.
"""

from __future__ import annotations

import sys
from typing import Protocol


class Showable(Protocol):
    """Anything with a plain-text `__str__` and an escaped `_repr_html_`."""

    def _repr_html_(self) -> str: ...


def show(item: Showable | str) -> None:
    """Display `item` in the running Jupyter kernel, or print it.

    Both a text/plain and a text/html form are sent, so frontends that cannot
    render HTML (nbconvert to text, some consoles) still show the plain text.
    """
    if not _in_kernel():
        print(item)
        return
    from IPython.display import display

    bundle = {"text/plain": str(item)}
    if not isinstance(item, str):
        bundle["text/html"] = item._repr_html_()
    display(bundle, raw=True)  # type: ignore[no-untyped-call]


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (not in a terminal IPython or plain Python)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def cell_name(filename: str) -> str | None:
    """Where learner code came from, as a traceback would name it: ``Cell In[4]``.

    A pseudo-file (``<mutant …>``, ``<notebook cell f>``) is named as it is; None for
    real files and ``<string>``, whose line numbers speak for themselves. Looks at
    IPython only when something already imported it: without IPython there are no cells.
    """
    if filename.startswith("<"):
        return None if filename == "<string>" else filename
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    compiler = getattr(shell, "compile", None)
    name = compiler.format_code_name(filename) if compiler is not None else None
    return f"{name[0]} {name[1]}" if name else None
