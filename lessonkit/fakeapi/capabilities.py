"""The Models API's ``capabilities`` tree for one model, built from the facts table.

The API returns "the full capability tree for every model", ``supported`` at
each leaf. The tree's shape is read from the SDK's ``ModelCapabilities`` type,
so a capability the SDK adds appears here too (as unsupported until the table
says otherwise). Leaves that differ by model come from the model's row:
``thinking.types`` from its thinking facts. The rest come from the table's
shared ``capabilities`` block, which reports what the fake itself serves
where no page says more: a learner who filters models by capability gets the
answer the fake will then act on.
"""

from __future__ import annotations

from typing import Any

from anthropic.types import ModelCapabilities, ThinkingTypes
from pydantic import BaseModel

from . import schema, server_tools
from .facts import ModelFacts, capability, table

__all__ = ["capabilities"]


def _leaf(supported: bool) -> dict[str, bool]:
    return {"supported": supported}


def _thinking_types(facts: ModelFacts) -> dict[str, bool]:
    """Which ``thinking.type`` values :mod:`.rules` accepts for this model."""
    accepted = {
        "enabled": facts.thinking_enabled,
        "adaptive": facts.thinking_adaptive,
        "between_tools": facts.thinking_adaptive,  # checked like adaptive
        "disabled": facts.thinking_default != "always",
    }
    return {t: accepted.get(t, False) and t in schema.thinking_types() for t in accepted}


def _tree(model_type: type[BaseModel], leaves: dict[str, bool], supported: bool) -> dict[str, Any]:
    """Every field of ``model_type``: ``supported`` itself, and a leaf per other field."""
    node: dict[str, Any] = {}
    for name in model_type.model_fields:
        node[name] = supported if name == "supported" else _leaf(leaves.get(name, False))
    return node


def capabilities(facts: ModelFacts) -> dict[str, Any]:
    """``ModelInfo.capabilities`` for the model these facts describe.

    A capability the table does not describe yet (one a newer SDK added) is reported
    unsupported: the catalogue never advertises what nobody wrote down.
    """
    shared = table()["capabilities"]
    tree: dict[str, Any] = {}
    for name, field in ModelCapabilities.model_fields.items():
        kind: type[BaseModel] = field.annotation  # type: ignore[assignment]  # each a model
        if name == "thinking":
            types = _tree(ThinkingTypes, _thinking_types(facts), True)
            tree[name] = {"supported": True, "types": types}
        elif name == "effort":
            tree[name] = _tree(kind, dict.fromkeys(schema.effort_levels(), True), True)
        elif name == "server_tools":
            runnable = dict.fromkeys(server_tools.SCRIPTABLE, capability(name))
            tree[name] = _tree(kind, runnable, capability(name))
        else:
            tree[name] = _tree(kind, {}, name in shared and capability(name))
    return tree
