"""Saved widget state is byte-stable: ids renamed in an order the kernel's timing cannot change."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "execute_notebooks.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("execute_notebooks", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook(order: list[int]) -> tuple[Any, list[str]]:
    """A VBox holding an HTML and a Button, each with a layout; state saved in ``order``."""
    ids = [uuid.uuid4().hex for _ in range(5)]
    box, html, button, html_layout, button_layout = ids
    models = [
        {"model_name": "VBoxModel",
         "state": {"children": [f"IPY_MODEL_{html}", f"IPY_MODEL_{button}"]}},
        {"model_name": "HTMLModel", "state": {"layout": f"IPY_MODEL_{html_layout}", "value": "q"}},
        {"model_name": "ButtonModel", "state": {"layout": f"IPY_MODEL_{button_layout}"}},
        {"model_name": "LayoutModel", "state": {"width": None}},
        {"model_name": "LayoutModel", "state": {"width": "auto"}},
    ]  # fmt: skip
    nb = nbformat.v4.new_notebook()
    view = {"model_id": box, "version_major": 2, "version_minor": 0}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "quiz",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/plain": "quiz", "application/vnd.jupyter.widget-view+json": view},
                )
            ],
        )
    ]
    nb.cells[0].id = "quiz"  # nbformat makes a random cell id
    state = {ids[n]: models[n] for n in order}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state}}
    return nb, ids


def test_the_same_widgets_get_the_same_ids_whatever_the_message_order() -> None:
    script = _script()
    texts = []
    for order in ([0, 1, 2, 3, 4], [4, 2, 3, 0, 1]):
        nb, _ = _notebook(order)
        text = script._stable_widget_ids(nbformat.writes(nb), nb, "01_x")
        texts.append(nbformat.writes(nbformat.reads(text, as_version=4)))
    assert texts[0] == texts[1]


def test_views_come_first_then_what_they_refer_to() -> None:
    script = _script()
    nb, ids = _notebook([3, 4, 2, 1, 0])
    box, html, button, html_layout, button_layout = ids
    assert script._widget_ids(nb) == [box, html, html_layout, button, button_layout]
