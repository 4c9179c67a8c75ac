"""Drift canary: does the offline fake still look like the API it imitates?

Opt-in, needs a real key, never runs in CI. :func:`check` sends a few tiny
requests (a create, a stream, an invalid request, optionally a one-request
batch) to a target client and the same requests to lessonkit's fake, then
compares **shapes**, not values: JSON field names and value types, recursively;
the order of SSE event types (pings dropped, repeated deltas collapsed); the
``stop_reason`` and ``error.type`` values; the status; and which of the
headers lessons rely on are present. Text, ids and token counts differ on
every call, so they are never compared.

The cost is estimated (an upper bound) and checked against the budget before
anything is sent; over budget raises live mode's :class:`BudgetExceeded`.
Tests run it offline: fake against fake, and fake against a deliberately
altered fake.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import anthropic

from .. import labels, models
from .._live import BudgetExceeded
from .._offline import current
from .differences import Difference, DriftReport, compare
from .probes import MAX_TOKENS, PROBES, DriftError, fake_client, observe
from .shapes import Observation, shape

__all__ = [
    "PROBES",
    "BudgetExceeded",
    "Difference",
    "DriftError",
    "DriftReport",
    "Observation",
    "check",
    "compare",
    "drift_check_command",
    "estimate_cost",
    "fake_client",
    "observe",
    "shape",
]

#: USD per million tokens (input, output), above every current list price
#: (shared/API-FACTS.md §8), so the estimate is an upper bound whatever the model.
CEILING_PRICE = (15.0, 75.0)
#: Input tokens charged per probe, at most (the prompt is ~15 tokens).
CEILING_INPUT_TOKENS = 100
_PAID = {"create": 1.0, "stream": 1.0, "batch": 0.5, "invalid": 0.0}  # batch: 50% pricing


def estimate_cost(probes: Iterable[str]) -> float:
    """Upper bound in USD for running ``probes`` once (ceiling price, ceiling input)."""
    per_request = (
        CEILING_INPUT_TOKENS * CEILING_PRICE[0] + MAX_TOKENS * CEILING_PRICE[1]
    ) / 1_000_000
    return sum(per_request * _PAID[p] for p in probes)


def _spent(observations: Iterable[Observation]) -> float:
    total = 0.0
    for o in observations:
        inp = sum(v for k, v in o.usage.items() if k.endswith("input_tokens"))
        total += (
            _PAID.get(o.probe, 1.0)
            * (inp * CEILING_PRICE[0] + o.usage.get("output_tokens", 0) * CEILING_PRICE[1])
            / 1_000_000
        )
    return total


def check(
    client: anthropic.Anthropic,
    budget_usd: float = 0.05,
    *,
    include_batch: bool = False,
    model: str | None = None,
    reference: anthropic.Anthropic | None = None,
    target_label: str | None = None,
    say: Callable[[str], None] = print,
) -> DriftReport:
    """Compare ``client``'s answers with the fake's for the same small requests.

    >>> report = lessonkit.drift.check(anthropic.Anthropic(), budget_usd=0.05)   # doctest: +SKIP
    >>> print(report)                                                            # doctest: +SKIP
    """
    if current() is not None and reference is None:
        raise DriftError(
            "lessonkit.offline() is on, so the target would be the fake itself; stop it first"
        )
    probes = (*PROBES, "batch") if include_batch else PROBES
    estimate = estimate_cost(probes)
    if estimate > budget_usd:
        raise BudgetExceeded(
            f"the probes may cost up to ${estimate:.4f}, above the ${budget_usd:.4f} budget;"
            " nothing was sent"
        )
    chosen = model or models.FAST
    say(
        f"drift check: {len(probes)} probes ({', '.join(probes)}) on {chosen};"
        f" estimated cost at most ${estimate:.4f} (budget ${budget_usd:.2f})"
    )
    target = observe(client, probes, chosen)
    fake = observe(reference or fake_client(), probes, chosen)
    spent = _spent(target)
    return DriftReport(
        target_label or labels.live_label(str(client.base_url)),
        labels.simulated_label(),
        probes,
        estimate,
        spent,
        tuple(compare(fake, target)),
    )


def _target_client() -> anthropic.Anthropic:
    """The real API, as configured by the environment (a seam for tests)."""
    return anthropic.Anthropic()


def drift_check_command(
    budget_usd: float = 0.05,
    include_batch: bool = False,
    model: str | None = None,
    dry_run: bool = False,
) -> None:
    """What ``lessonkit drift-check`` runs: the cost first, then the check, then the exit code.

    Exits 0 when the fake matches, 1 on a difference, 2 when it cannot run
    (no key, in CI, budget too small).
    """
    probes = (*PROBES, "batch") if include_batch else PROBES
    print(
        f"drift check: estimated cost at most ${estimate_cost(probes):.4f}"
        f" for {', '.join(probes)} (budget ${budget_usd:.2f})"
    )
    if dry_run:
        return
    if os.environ.get("CI"):
        print("drift-check never runs in CI: it spends real money on the real API")
        raise SystemExit(2)
    if not os.environ.get("ANTHROPIC_API_KEY"):
        print("drift-check needs ANTHROPIC_API_KEY: it compares the real API with the offline fake")
        raise SystemExit(2)
    try:
        report = check(
            _target_client(),
            budget_usd,
            include_batch=include_batch,
            model=model,
            say=lambda _: None,
        )
    except (DriftError, BudgetExceeded) as err:
        print(f"drift-check: {err}")
        raise SystemExit(2) from None
    print(report)
    if not report.ok:
        raise SystemExit(report.exit_code)
