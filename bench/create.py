"""1,000 ``messages.create()`` calls offline vs the same SDK against a bare respx route."""

from __future__ import annotations

import anthropic

import lessonkit

from .floor import ask, bare_route, message_bytes
from .timing import Measure, Result, interleave, timed

GOAL = 1.25
WARMUP = 20


def run(quick: bool = False) -> list[Result]:
    calls = 200 if quick else 1000
    rounds = 3 if quick else 5
    kwargs = ask()

    with lessonkit.offline() as api:
        anthropic.Anthropic(max_retries=0).messages.create(**kwargs)
        sent = api.last
    body, headers = message_bytes(sent.response), sent.response_headers

    def offline() -> Measure:
        with lessonkit.offline():
            client = anthropic.Anthropic(max_retries=0)
            for _ in range(WARMUP):
                client.messages.create(**kwargs)
            return timed(lambda: [client.messages.create(**kwargs) for _ in range(calls)])

    def floor() -> Measure:
        with bare_route(body, headers) as client:
            for _ in range(WARMUP):
                client.messages.create(**kwargs)
            return timed(lambda: [client.messages.create(**kwargs) for _ in range(calls)])

    mine, base = interleave(offline, floor, rounds)
    return [
        Result(
            name=f"{calls:,} messages.create()",
            mine=mine,
            base=base,
            floor="same SDK, bare respx route replaying the same response",
            kind="ratio",
            goal=GOAL,
            details={
                "calls": calls,
                "rounds": rounds,
                "cpu_us_per_call": round(mine.cpu / calls * 1e6),
            },
        )
    ]
