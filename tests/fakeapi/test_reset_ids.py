"""``api.reset()`` forgets requests and time but never hands out an id it gave before."""

from __future__ import annotations

import anthropic

from lessonkit import FakeAPI, models

from .helpers import batch_requests


def test_ids_keep_counting_across_a_reset(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    def made() -> tuple[str, str, str]:
        batch = client.messages.batches.create(requests=batch_requests(2))  # type: ignore[arg-type]
        message = client.messages.create(
            model=models.DEFAULT, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
        )
        return batch.id, message.id, lessonkit_api.last.request_id

    before = made()
    lessonkit_api.reset()
    after = made()
    assert lessonkit_api.requests and len(lessonkit_api.requests) == 2  # reset forgot the rest
    assert all(a != b for a, b in zip(before, after, strict=True)), (before, after)
