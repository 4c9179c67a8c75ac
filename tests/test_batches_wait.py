"""``lessonkit.batches.wait`` sleeps with what it is given and reads the fake it is given."""

from __future__ import annotations

from typing import Any

import anthropic

import lessonkit
import lessonkit.batches
from lessonkit import FakeAPI, models

ROWS: Any = [
    {
        "custom_id": f"row-{i}",
        "params": {"model": models.FAST, "max_tokens": 20,
                   "messages": [{"role": "user", "content": f"Row {i}"}]},
    }
    for i in range(3)
]  # fmt: skip


def test_wait_sleeps_with_the_given_function(lessonkit_api: FakeAPI) -> None:
    client = anthropic.Anthropic()
    batch = client.messages.batches.create(requests=ROWS)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        lessonkit_api.clock.sleep(seconds, "injected sleep")

    ended = lessonkit.batches.wait(client, batch.id, poll=30, sleep=sleep)
    assert ended.processing_status == "ended"
    assert waits and set(waits) == {30}
    assert {s.source for s in lessonkit_api.clock.sleeps} == {"injected sleep"}


def test_snapshot_reads_the_given_api_not_a_global() -> None:
    """With ``api=``, the simulation's progress comes from that fake, whichever session is on."""
    with lessonkit.offline() as api:
        client = anthropic.Anthropic()
        batch_id = client.messages.batches.create(requests=ROWS).id
        other = FakeAPI()
        shown = lessonkit.batches.snapshot(client, batch_id, api=api)
        assert shown.simulated and shown.total == 3
        assert not lessonkit.batches.snapshot(client, batch_id, api=other).simulated
