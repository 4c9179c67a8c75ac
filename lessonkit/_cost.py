"""What a call costs: its ``usage`` priced with the model facts table.

Prices live in one data file (``fakeapi/model_facts.json``, beside every other
per-model fact), each with the page it came from and the date it was read,
because prices change and a constant in code silently falsifies every figure
computed from it. Batch usage costs half (the Batch API's 50% rule).

>>> import lessonkit
>>> usage = {"input_tokens": 1_000, "output_tokens": 500}
>>> lessonkit.cost(usage, lessonkit.models.FAST)  # doctest: +ELLIPSIS
Cost($0.000... = input $0.000... + output $0.000...; claude-...)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .fakeapi import facts

__all__ = [
    "BatchSavings",
    "Cost",
    "Price",
    "Rates",
    "batch_savings",
    "cost",
    "price",
    "priced_models",
]

_MTOK = 1_000_000
_DATED = re.compile(r"-\d{8}$")


@dataclass(frozen=True)
class Rates:
    """Dollars per million tokens of each kind."""

    input: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    output: float


@dataclass(frozen=True)
class Price:
    """One model's price in the model facts table (``source`` None: an unsourced guess)."""

    model: str
    rates: Rates
    source: str | None
    date: str | None
    long_prompt: Rates | None = None  #: rates when the prompt exceeds ``above_tokens``
    above_tokens: int | None = None
    note: str | None = None

    def for_prompt(self, prompt_tokens: int) -> Rates:
        """The rates that apply to a request with this many input tokens (all kinds)."""
        if (
            self.long_prompt is not None
            and self.above_tokens is not None
            and prompt_tokens > self.above_tokens
        ):
            return self.long_prompt
        return self.rates


def _usd(amount: float) -> str:
    """Dollars with at least three significant figures, so tiny per-call costs stay readable."""
    if amount == 0:
        return "$0.00"
    digits = max(2, 2 - math.floor(math.log10(abs(amount))))
    return f"${amount:,.{digits}f}"


@dataclass(frozen=True)
class Cost:
    """Dollars for one call (or a sum of calls). ``input`` includes cache reads and writes."""

    model: str
    input: float
    output: float
    batch: bool = False

    @property
    def total(self) -> float:
        return self.input + self.output

    def __add__(self, other: Cost) -> Cost:
        model = self.model if self.model == other.model else "several models"
        return Cost(
            model, self.input + other.input, self.output + other.output, self.batch and other.batch
        )

    def __repr__(self) -> str:
        tier = ", batch -50%" if self.batch else ""
        parts = f"input {_usd(self.input)} + output {_usd(self.output)}"
        return f"Cost({_usd(self.total)} = {parts}; {self.model}{tier})"


@dataclass(frozen=True)
class BatchSavings:
    """The same usage priced as a batch and as standard calls."""

    batch: Cost
    standard: Cost
    billed: int  #: results that cost anything (errored, canceled and expired ones are free)

    @property
    def saved(self) -> float:
        return self.standard.total - self.batch.total

    def __repr__(self) -> str:
        share = f" ({self.saved / self.standard.total:.0%})" if self.standard.total else ""
        return (
            f"BatchSavings(batch {_usd(self.batch.total)} vs standard {_usd(self.standard.total)} "
            f"for {self.billed:,} billed requests: saved {_usd(self.saved)}{share})"
        )


def _rates(entry: Mapping[str, Any]) -> Rates:
    return Rates(
        *(
            float(entry[k])
            for k in ("input", "cache_write_5m", "cache_write_1h", "cache_read", "output")
        )
    )


def priced_models() -> tuple[str, ...]:
    """Every model id the facts table has a price for."""
    return tuple(m for m, row in facts.rows().items() if row["price"]["value"] is not None)


def price(model: str) -> Price:
    """The price of ``model`` (a dated snapshot id has its alias's price)."""
    rows = facts.rows()
    model = model if model in rows else _DATED.sub("", model)
    entry = rows.get(model, {}).get("price", {}).get("value")
    if entry is None:
        raise LookupError(
            f"lessonkit/fakeapi/model_facts.json has no price for {model!r}; "
            f"priced: {', '.join(priced_models())}"
        )
    long = entry.get("long_prompt")
    where = facts.source(model, "price")
    return Price(
        model,
        _rates(entry),
        where.url,
        where.checked,
        _rates(long) if long else None,
        int(long["above_tokens"]) if long else None,
        where.note,
    )


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def cost(usage: Any, model: str | None = None, *, batch: bool | None = None) -> Cost:
    """Price one call's ``usage`` (an SDK ``Usage``, a dict, or a whole ``Message``).

    ``model`` defaults to the message's own; ``batch`` defaults to whether
    ``usage.service_tier`` is ``"batch"``. Pass ``batch=False`` to price batch
    usage as if it had been sent as ordinary calls.
    """
    if _field(usage, "usage") is not None:  # a Message
        model = model or _field(usage, "model")
        usage = _field(usage, "usage")
    if not model:
        raise TypeError("cost() needs the model id: cost(message.usage, message.model)")
    if batch is None:
        batch = _field(usage, "service_tier") == "batch"
    plain = int(_field(usage, "input_tokens") or 0)
    written = int(_field(usage, "cache_creation_input_tokens") or 0)
    read = int(_field(usage, "cache_read_input_tokens") or 0)
    split = _field(usage, "cache_creation")
    written_1h = int(_field(split, "ephemeral_1h_input_tokens") or 0) if split is not None else 0
    rates = price(model).for_prompt(plain + written + read)
    dollars_in = (
        plain * rates.input
        + (written - written_1h) * rates.cache_write_5m
        + written_1h * rates.cache_write_1h
        + read * rates.cache_read
    ) / _MTOK
    dollars_out = int(_field(usage, "output_tokens") or 0) * rates.output / _MTOK
    share = facts.table()["batch"]["multiplier"] if batch else 1.0
    return Cost(model, dollars_in * share, dollars_out * share, batch)


def _billed_message(item: Any) -> Any:
    """The Message inside a batch result line, a Message itself, or None if not billed."""
    result = _field(item, "result")
    if result is None:
        return item
    return _field(result, "message") if _field(result, "type") == "succeeded" else None


def batch_savings(results: Iterable[Any]) -> BatchSavings:
    """Total a batch's results at batch and at standard prices.

    Takes what ``client.messages.batches.results(id)`` yields (or Messages).
    Only succeeded requests are billed.
    """
    batch_total = standard_total = None
    billed = 0
    for item in results:
        message = _billed_message(item)
        if message is None:
            continue
        billed += 1
        as_batch, as_standard = cost(message, batch=True), cost(message, batch=False)
        batch_total = as_batch if batch_total is None else batch_total + as_batch
        standard_total = as_standard if standard_total is None else standard_total + as_standard
    if batch_total is None or standard_total is None:
        return BatchSavings(
            Cost("no billed requests", 0.0, 0.0, True), Cost("no billed requests", 0.0, 0.0), 0
        )
    return BatchSavings(batch_total, standard_total, billed)
