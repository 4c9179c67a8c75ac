"""Per-model facts, read from ``model_facts.json``: the one place a model's rules live.

Models differ in ways that decide whether a request succeeds (prefill,
thinking modes, output ceilings, forced ``tool_choice``), so the fake serves
each model by its own row. Every value in the file names the doc page it came
from and when that was checked; a value nobody could source says so and takes
the stricter behaviour, so offline never accepts what live may refuse. A model
without a row gets the table's ``strictest`` facts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

__all__ = ["FIELDS", "ModelFacts", "Source", "capability", "facts", "rows", "source", "table"]

#: Every fact a complete row has (the keys of each row in ``model_facts.json``).
FIELDS = (
    "context_window",
    "max_output_tokens",
    "thinking_enabled",
    "thinking_adaptive",
    "thinking_default",
    "thinking_display",
    "prefill",
    "forced_tool_choice",
    "system_messages",
    "cache_min_tokens",
    "price",
    "released",
)


@dataclass(frozen=True)
class Source:
    """Where one value came from: a doc page and the day it was read (None = no source)."""

    url: str | None
    checked: str | None
    note: str | None = None


@dataclass(frozen=True)
class ModelFacts:
    """One model's rules, as the fake enforces them."""

    model: str
    context_window: int
    max_output_tokens: int
    thinking_enabled: bool  #: ``{"type": "enabled", "budget_tokens": N}`` accepted
    thinking_adaptive: bool  #: ``{"type": "adaptive"}`` accepted
    thinking_default: Literal["off", "on", "always"]  #: "always": ``disabled`` is a 400
    thinking_display: Literal["omitted", "summarized"]  #: what thinking blocks show by default
    prefill: bool  #: a final ``assistant`` message is accepted
    forced_tool_choice: bool  #: ``tool_choice`` ``any``/``tool`` accepted
    system_messages: bool  #: ``role: "system"`` messages accepted
    cache_min_tokens: int
    price: Mapping[str, Any] | None  #: rates per MTok (see :mod:`lessonkit.cost`)
    released: str | None  #: release day (YYYY-MM-DD), the Models API's ``created_at``
    unsourced: tuple[str, ...]  #: fields whose value is the stricter guess, not a documented fact
    in_table: bool = True  #: False: the model has no row and gets the strictest facts

    @property
    def complete(self) -> bool:
        """Every fact written down (sourced, or a recorded stricter choice) and a price known.

        Only such models may become a lesson default.
        """
        return self.in_table and self.price is not None


@cache
def table() -> dict[str, Any]:
    """The whole parsed ``model_facts.json``."""
    text = resources.files("lessonkit.fakeapi").joinpath("model_facts.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def rows() -> Mapping[str, Mapping[str, Any]]:
    """Model id → raw row, aliases (dated snapshots) resolved to their alias's row."""
    raw = table()["models"]
    return {m: raw[r["alias"]] if "alias" in r else r for m, r in raw.items()}


def source(model: str, field: str) -> Source:
    """Where ``model``'s ``field`` came from."""
    entry = rows()[model][field]
    if entry["source"] is None:
        return Source(None, None, entry.get("note"))
    page = table()["sources"][entry["source"]]
    return Source(page["url"], entry.get("checked", page["checked"]), entry.get("note"))


def capability(name: str) -> bool:
    """Whether every model has capability ``name`` (the table's shared ``capabilities``)."""
    value: bool = table()["capabilities"][name]["value"]
    return value


@cache
def facts(model: str) -> ModelFacts:
    """``model``'s facts; a model the table lacks gets the strictest ones, all unsourced."""
    row = rows().get(model)
    if row is None:
        strictest = table()["strictest"]
        values = {f: strictest[f] for f in FIELDS}
        return ModelFacts(model, **values, unsourced=FIELDS, in_table=False)
    values = {f: row[f]["value"] for f in FIELDS}
    unsourced = tuple(f for f in FIELDS if row[f]["source"] is None)
    return ModelFacts(model, **values, unsourced=unsourced)
