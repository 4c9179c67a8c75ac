"""Committed notebooks carry the widget state their views need, so static viewers draw them.

A widget output stores only a model id; the models themselves live in the
notebook's ``metadata.widgets`` (written by ``scripts/execute_notebooks.py``,
``store_widget_state=True``). A static viewer (nbviewer, nbconvert's HTML with
the widget manager) draws the view from that state, or, missing a model,
shows "Error displaying widget: model not found". So every view's model, and
every model it references (children, layout, style: ``IPY_MODEL_<id>``), must
be in the state, and the state holds nothing no view shows (bytes for nobody).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")])
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


def views(notebook: dict[str, Any]) -> list[tuple[int, str]]:
    """(cell index, model id) of every widget output."""
    return [
        (index, out["data"][VIEW]["model_id"])
        for index, cell in enumerate(notebook["cells"])
        for out in cell.get("outputs", [])
        if VIEW in out.get("data", {})
    ]


def reachable(state: dict[str, Any], roots: list[str]) -> set[str]:
    """The models `roots` show, directly or through references, that are in `state`."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        model = todo.pop()
        if model in seen or model not in state:
            continue
        seen.add(model)
        todo += REFERENCE.findall(json.dumps(state[model]["state"]))
    return seen


def missing(state: dict[str, Any], roots: list[str]) -> set[str]:
    """Models that a view or a reachable model refers to but `state` lacks."""
    referred = set(roots)
    for model in reachable(state, roots):
        referred.update(REFERENCE.findall(json.dumps(state[model]["state"])))
    return referred - set(state)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_every_widget_view_has_its_models_saved(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    shown = views(notebook)
    saved = notebook["metadata"].get("widgets", {}).get(STATE)
    if not shown:
        assert saved is None, "widget state saved, but no cell shows a widget"
        return
    assert saved is not None, f"cells {[i for i, _ in shown]} show widgets; no widget state saved"
    assert saved["version_major"] == 2, saved["version_major"]
    state = saved["state"]
    lost = missing(state, [model for _, model in shown])
    assert not lost, f"models referred to but not saved: {sorted(lost)}"
    unused = set(state) - reachable(state, [model for _, model in shown])
    assert not unused, f"{len(unused)} saved models that no view shows"
    # scripts/execute_notebooks.py writes the state sorted by its stable ids, so a re-run
    # gives the same bytes; another order means the notebook was saved some other way
    assert list(state) == sorted(state), "widget state not in id order: re-run the script"


def test_the_check_finds_a_missing_model_and_an_unused_one() -> None:
    child, layout, stray = "1" * 32, "2" * 32, "3" * 32
    state = {
        child: {"state": {"children": [f"IPY_MODEL_{layout}"]}},
        stray: {"state": {}},
    }
    assert missing(state, [child]) == {layout}
    assert reachable(state, [child]) == {child}
    assert missing(state, ["4" * 32]) == {"4" * 32}
