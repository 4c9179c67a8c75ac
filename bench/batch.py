"""A Message Batch of 10,000 requests, create → poll → results, through the SDK.

Goal: at most 1.5 × the floor, at 1,000 and at 10,000 (``growth`` ≈ 10 shows
the work is linear). The floor is the same SDK calls against bare respx routes
replaying the exact bytes lessonkit gave (create, polls, the JSONL results),
so it is what the SDK itself costs: encoding 10,000 params, decoding 10,000
JSONL results. The ratio is what lessonkit adds on top.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anthropic
import httpx
import respx

import lessonkit
from lessonkit import models
from lessonkit.fakeapi.http import ApiRequest, ApiResponse

from .floor import BASE_URL, KEY
from .timing import Measure, Result, interleave, timed

GOAL = 1.5
POLL_SECONDS = 60.0


def requests(n: int) -> list[dict[str, Any]]:
    """``n`` distinct batch requests, shaped like lesson 05's."""
    return [
        {
            "custom_id": f"ticket-{i}",
            "params": {
                "model": models.DEFAULT,
                "max_tokens": 100,
                "messages": [
                    {"role": "user", "content": f"Summarise support ticket {i} in one line"}
                ],
            },
        }
        for i in range(n)
    ]


def workload(
    client: anthropic.Anthropic, batch: list[dict[str, Any]], wait: Callable[[float], None]
) -> int:
    """Create, poll until ended, read every result; returns how many succeeded."""
    created = client.messages.batches.create(requests=batch)  # type: ignore[arg-type]
    while client.messages.batches.retrieve(created.id).processing_status != "ended":
        wait(POLL_SECONDS)
    return sum(r.result.type == "succeeded" for r in client.messages.batches.results(created.id))


def _record(n: int) -> list[tuple[ApiRequest, ApiResponse]]:
    """Run the workload offline once and keep every exchange (bodies read into bytes)."""
    exchanges: list[tuple[ApiRequest, ApiResponse]] = []
    with lessonkit.offline() as api:
        handle = api.handle

        def keep(request: ApiRequest) -> ApiResponse:
            response = handle(request)
            body = b"".join(response.chunks())
            exchanges.append((request, ApiResponse(response.status, dict(response.headers), body)))
            return ApiResponse(response.status, response.headers, body)

        api.handle = keep  # type: ignore[method-assign]
        workload(anthropic.Anthropic(max_retries=0), requests(n), time.sleep)
    return exchanges


@contextmanager
def _replay(exchanges: list[tuple[ApiRequest, ApiResponse]]) -> Iterator[anthropic.Anthropic]:
    """Bare respx routes that answer the recorded exchanges in order."""
    answers = iter(exchanges)

    def answer(request: httpx.Request) -> httpx.Response:
        recorded, response = next(answers)
        assert (recorded.method, recorded.path) == (request.method, request.url.path)
        assert isinstance(response.body, bytes)
        return httpx.Response(response.status, headers=response.headers, content=response.body)

    with respx.mock(using="httpcore2", base_url=BASE_URL) as router:
        router.route().mock(side_effect=answer)
        yield anthropic.Anthropic(api_key=KEY, max_retries=0)


def _one(n: int, rounds: int) -> tuple[Measure, Measure]:
    batch = requests(n)
    exchanges = _record(n)

    def offline() -> Measure:
        with lessonkit.offline():
            client = anthropic.Anthropic(max_retries=0)
            return timed(lambda: workload(client, batch, time.sleep))  # sleep is virtual

    def floor() -> Measure:
        with _replay(exchanges) as client:
            return timed(lambda: workload(client, batch, lambda seconds: None))

    return interleave(offline, floor, rounds)


def run(quick: bool = False) -> list[Result]:
    rounds = 2 if quick else 3
    small, small_floor = _one(1_000, rounds)
    large, large_floor = _one(10_000, rounds)
    growth = Measure(large.wall / small.wall, large.cpu / small.cpu)
    return [
        Result(
            name="batch 1,000: create → results",
            mine=small,
            base=small_floor,
            floor="same SDK calls, bare respx routes replaying the responses",
            kind="ratio",
            goal=GOAL,
            details={"rounds": rounds},
        ),
        Result(
            name="batch 10,000: create → results",
            mine=large,
            base=large_floor,
            floor="same SDK calls, bare respx routes replaying the responses",
            kind="ratio",
            goal=GOAL,
            details={
                "rounds": rounds,
                "growth_10k_over_1k": {"wall": round(growth.wall, 2), "cpu": round(growth.cpu, 2)},
            },
        ),
    ]
