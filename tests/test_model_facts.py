"""The model facts table: a sourced row per SDK model, and what lessonkit picks from it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from lessonkit import models
from lessonkit.fakeapi import facts

ROWS = sorted(facts.rows())


def test_every_sdk_model_has_a_row() -> None:
    assert not models.undocumented()
    assert set(models.KNOWN) <= set(ROWS)


@pytest.mark.parametrize("model", ROWS)
def test_every_value_has_a_source_and_date_or_says_it_has_none(model: str) -> None:
    row = facts.rows()[model]
    assert set(row) == set(facts.FIELDS), model
    for field in facts.FIELDS:
        where = facts.source(model, field)
        if where.url is None:
            assert where.note and where.note.startswith("no source"), (model, field)
        else:
            assert where.url.startswith("https://"), (model, field)
            assert where.checked and re.fullmatch(r"\d{4}-\d\d-\d\d", where.checked)


def test_aliases_point_at_rows() -> None:
    raw = facts.table()["models"]
    for model, row in raw.items():
        if "alias" in row:
            assert "alias" not in raw[row["alias"]], model
            assert facts.facts(model) == replace(facts.facts(row["alias"]), model=model)


def test_unknown_models_get_the_strictest_rules() -> None:
    strict = facts.facts("claude-unlisted-9")
    assert not strict.complete and strict.unsourced == facts.FIELDS
    rows = [facts.facts(m) for m in ROWS]
    assert strict.context_window == min(r.context_window for r in rows)
    assert strict.max_output_tokens == min(r.max_output_tokens for r in rows)
    assert strict.cache_min_tokens == max(r.cache_min_tokens for r in rows)
    assert not (strict.prefill or strict.forced_tool_choice or strict.thinking_enabled)
    assert strict.thinking_default == "always" and strict.price is None


@pytest.mark.parametrize("name", ["DEFAULT", "FAST"])
def test_lesson_models_have_complete_rows(name: str) -> None:
    assert facts.facts(getattr(models, name)).complete


def test_a_model_the_table_lacks_never_becomes_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    newer = ("claude-opus-9", "claude-haiku-9", *models.KNOWN)  # lessonkit: allow-model-id
    monkeypatch.setattr(models, "KNOWN", newer)
    assert models.undocumented() == newer[:2]
    assert models.family("opus") == models.DEFAULT
    assert models.family("haiku") == models.FAST
