"""Which notebook cell run is scripting the fake API: what makes scripting cells idempotent.

``api.fail_next(...)``, ``api.reply(...)`` and the other scripting methods ask
:func:`origin` who called them. In a Jupyter kernel, code typed into a cell
compiles to a file name that ipykernel derives from a hash of the cell's source
(``ipykernel.compiler.get_file_name``), and JupyterLab also sends the cell's id
with each run; so the first frame outside lessonkit tells the cell, and the
running cell's execution count tells which run of it. The fake API then drops
what an earlier run of the same cell scripted and nothing used yet.

Everywhere else (plain Python, pytest, a checker's worker thread, a function a
learner wrote in one cell and calls from another) this answers ``None`` and
scripting queues exactly as it always did. Only the scripting methods call
this; the request path never does.
"""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

from .fakeapi.faults import Origin

__all__ = ["origin"]

_PACKAGE = os.path.dirname(os.path.realpath(__file__)) + os.sep


def origin() -> Origin | None:
    """The cell run whose top-level code is calling lessonkit, or ``None`` outside a kernel."""
    ipython = sys.modules.get("IPython")  # never imported here: plain Python stays light
    shell: Any = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    running = getattr(shell.displayhook, "exec_result", None)  # set while a cell runs
    frame = _caller(sys._getframe(1))
    if running is None or frame is None or frame.f_code.co_name != "<module>":
        return None
    filename = frame.f_code.co_filename
    if shell.compile.format_code_name(filename) is None:  # not a cell's code (e.g. %run)
        return None
    cell_id = getattr(running.info, "cell_id", None)
    return Origin(cell_id or filename, running.execution_count)


def _caller(frame: FrameType | None) -> FrameType | None:
    """The first frame, from ``frame`` outwards, that is not lessonkit's own code."""
    while frame is not None and os.path.realpath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame = frame.f_back
    return frame
