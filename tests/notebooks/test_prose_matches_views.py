"""What a lesson says about a view (its columns, its numbering) is what the view shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from lessonkit.widgets import RequestLog

LESSONS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
_COLUMN = re.compile(r"`?([#\w][\w*]*)`? column\b")


def _prose_before_request_logs(path: Path) -> list[str]:
    cells: list[Any] = nbformat.read(path, as_version=4).cells  # type: ignore[no-untyped-call]
    return [
        cells[i - 1].source
        for i, cell in enumerate(cells)
        if cell.cell_type == "code" and "RequestLog(" in cell.source and i
    ]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_request_log_prose_names_only_columns_it_has(path: Path) -> None:
    shown = set(RequestLog.columns)
    expandable = {name.rstrip("*") for name in RequestLog.every_field}
    for prose in _prose_before_request_logs(path):
        for name in _COLUMN.findall(prose):
            hidden = name in expandable and "Every field" in prose
            assert name in shown or hidden, f"{path.name}: prose names a {name!r} column: {prose}"


def test_lesson_event_tables_number_events_as_event_sequence_does() -> None:
    from lessonkit.widgets.events import rows

    first_number = rows([{"type": "message_stop"}])[0].number
    nb = nbformat.read(LESSONS[0].parent / "01_streaming.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    tables = [c for c in nb.cells if c.cell_type == "code" and "enumerate(events" in c.source]
    assert tables, "lesson 01 lost its event table"
    for cell in tables:
        text = "".join(out.get("text", "") for out in cell.outputs)
        first_row = text.splitlines()[1].split()
        assert first_row[:2] == [str(first_number), "message_start"], text
