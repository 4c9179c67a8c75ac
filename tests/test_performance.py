"""Offline mode costs little more than the thinnest possible mock of the same SDK call.

Baseline: respx on httpcore2 answering every request with one fixed Message
JSON. Offline: the full fake API (validation, generation, ids, request log).
Rounds alternate so that load from other processes hits both alike, and the
best round of each is compared. Run with ``-s`` to see the numbers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anthropic
import httpx
import pytest
import pytest_httpx2  # noqa: F401  (registers respx's "httpcore2" mocker)
import respx

import lessonkit
from lessonkit import models

CALLS = 1000
ROUNDS = 5
REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Tell me about retries"}],
}


def _timed(client: anthropic.Anthropic, calls: int) -> float:
    client.messages.create(**REQUEST)  # warm up
    started = time.perf_counter()
    for _ in range(calls):
        client.messages.create(**REQUEST)
    return time.perf_counter() - started


def _offline(calls: int) -> float:
    with lessonkit.offline():
        return _timed(anthropic.Anthropic(), calls)


def _bare(payload: dict[str, Any]) -> Callable[[int], float]:
    def run(calls: int) -> float:
        with respx.mock(using="httpcore2", base_url="https://api.anthropic.com") as router:
            router.post("/v1/messages").mock(
                return_value=httpx.Response(200, json=payload, headers={"request-id": "req_1"})
            )
            return _timed(anthropic.Anthropic(api_key="x"), calls)

    return run


@pytest.mark.slow
def test_offline_create_is_within_3x_of_a_bare_respx_route() -> None:
    with lessonkit.offline():
        payload = anthropic.Anthropic().messages.create(**REQUEST).to_dict()
    bare = _bare(payload)
    per_round = CALLS // ROUNDS
    offline_times, bare_times = [], []
    for _ in range(ROUNDS):
        offline_times.append(_offline(per_round))
        bare_times.append(bare(per_round))
    best = min(offline_times) / min(bare_times)
    total = sum(offline_times) / sum(bare_times)
    per_call = [1e6 * min(t) / per_round for t in (offline_times, bare_times)]
    print(
        f"\n{CALLS} create() calls: offline {sum(offline_times):.3f}s, "
        f"bare respx {sum(bare_times):.3f}s; ratio {total:.2f} overall, {best:.2f} best round "
        f"({per_call[0]:.0f} vs {per_call[1]:.0f} µs per call)"
    )
    assert best < 3, f"offline mode is {best:.1f}x slower than a bare respx route"
