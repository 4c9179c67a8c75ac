"""Prices: every current model has one, with a source; costs are usage x price, batch at 50%."""

from __future__ import annotations

import re
import time
from typing import Any

import anthropic
import pytest

from lessonkit import FakeAPI, models
from lessonkit._cost import Cost, batch_savings, cost, price, priced_models
from lessonkit.fakeapi import facts


def test_every_current_sdk_model_has_a_price() -> None:
    missing = [m for m in models.current() if m not in priced_models()]
    unpriced = [m for m in missing if facts.source(m, "price").note]  # recorded as unknown
    assert missing == unpriced, f"add prices to lessonkit/fakeapi/model_facts.json: {missing}"


@pytest.mark.parametrize("model", priced_models())
def test_every_price_says_where_and_when_it_came_from(model: str) -> None:
    assert facts.table()["batch"]["multiplier"] == 0.5
    where = price(model)
    if where.source is None:  # an unsourced price must say why it is there
        assert where.note and where.note.startswith("no source"), model
    else:
        assert where.source.startswith("https://"), model
        assert where.date and re.fullmatch(r"\d{4}-\d\d-\d\d", where.date), model
    rates = where.rates
    assert 0 < rates.cache_read < rates.input < rates.cache_write_5m, model
    assert rates.cache_write_5m < rates.cache_write_1h, model
    assert rates.input < rates.output, model


def test_a_model_without_a_price_is_refused() -> None:
    unpriced = [m for m in facts.rows() if m not in priced_models()]
    assert unpriced, "the table records at least one model whose price nobody published"
    with pytest.raises(LookupError, match="has no price"):
        cost(u(1, 1), unpriced[0])


def u(inp: int, out: int, **extra: Any) -> dict[str, Any]:
    return {"input_tokens": inp, "output_tokens": out, **extra}


CACHED = u(
    100,
    0,
    cache_creation_input_tokens=1_000,
    cache_read_input_tokens=10_000,
    cache_creation={"ephemeral_5m_input_tokens": 800, "ephemeral_1h_input_tokens": 200},
)
HAIKU_5_5, OPUS_4_6 = "claude-haiku-5-5", "claude-opus-4-6"


@pytest.mark.parametrize(
    "usage, model, batch, dollars_in, dollars_out",
    [
        (u(1_000, 500), "claude-haiku-4-5", None, 0.001, 0.0025),
        (u(1_000, 500), "claude-haiku-4-5", True, 0.0005, 0.00125),
        (u(1_000_000, 1_000_000), OPUS_4_6, False, 5.0, 25.0),
        (u(2_000, 100, service_tier="batch"), "claude-sonnet-4-6", None, 0.003, 0.00075),
        # 100 plain + 1,000 written (200 of them for 1 h) + 10,000 read
        (CACHED, OPUS_4_6, False, (100 * 5 + 800 * 6.25 + 200 * 10 + 10_000 * 0.5) / 1e6, 0.0),
        # Haiku 5.5 prices the whole request higher once the prompt passes 100,000 tokens
        (u(100_000, 1_000), HAIKU_5_5, False, 0.01, 0.0005),
        (u(100_001, 1_000), HAIKU_5_5, False, 100_001 * 0.5 / 1e6, 0.0025),
        (u(10, 10), "claude-sonnet-4-5-20250929", False, 0.00003, 0.00015),
    ],
)
def test_cost_figures(
    usage: dict[str, Any], model: str, batch: bool | None, dollars_in: float, dollars_out: float
) -> None:
    found = cost(usage, model, batch=batch)
    assert found.input == pytest.approx(dollars_in) and found.output == pytest.approx(dollars_out)
    assert found.total == pytest.approx(dollars_in + dollars_out)


def test_cost_reads_sdk_objects_and_has_a_plain_repr(lessonkit_api: FakeAPI) -> None:
    message = anthropic.Anthropic().messages.create(
        model=models.FAST, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
    )
    from_message, from_usage = cost(message), cost(message.usage, message.model)
    assert from_message == from_usage and from_message.batch is False and from_message.total > 0
    assert repr(Cost("claude-haiku-4-5", 0.001, 0.0025, batch=True)) == (
        "Cost($0.00350 = input $0.00100 + output $0.00250; claude-haiku-4-5, batch -50%)"
    )
    total = from_message + from_message
    assert total.total == pytest.approx(2 * from_message.total) and total.model == message.model
    assert (from_message + Cost("other", 0, 0)).model == "several models"


def test_cost_errors_are_helpful() -> None:
    with pytest.raises(LookupError, match="no price for 'claude-nope-1'"):
        cost({"input_tokens": 1, "output_tokens": 1}, "claude-nope-1")
    with pytest.raises(TypeError, match="needs the model id"):
        cost({"input_tokens": 1, "output_tokens": 1})


def test_batch_savings_on_a_real_offline_batch(lessonkit_api: FakeAPI) -> None:
    client = anthropic.Anthropic()
    lessonkit_api.batch_outcome("r3", "errored")
    requests = [
        {"custom_id": f"r{i}", "params": {"model": models.FAST, "max_tokens": 100,
                                          "messages": [{"role": "user", "content": f"Ticket {i}"}]}}
        for i in range(6)
    ]  # fmt: skip
    batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    while batch.processing_status != "ended":
        time.sleep(60)
        batch = client.messages.batches.retrieve(batch.id)
    savings = batch_savings(client.messages.batches.results(batch.id))
    assert savings.billed == 5  # the errored request is free
    assert savings.batch.batch and savings.batch.total == pytest.approx(savings.standard.total / 2)
    assert savings.saved == pytest.approx(savings.batch.total)
    assert repr(savings).startswith("BatchSavings(batch $") and "for 5 billed requests" in repr(
        savings
    )
    assert "(50%)" in repr(savings)
    assert batch_savings([]).billed == 0
