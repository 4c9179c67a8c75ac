"""The cycle collector stays out of the fake's biggest allocations, and is left as it was."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator

import pytest

from lessonkit.fakeapi.gcpause import no_cycle_collection
from lessonkit.fakeapi.http import ApiRequest


@pytest.fixture
def parsing_collections() -> Iterator[list[int]]:
    """The generation of every collection run inside the JSON decoder, with one due at every
    allocation."""
    ran: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != json.decoder.__file__:
            frame = frame.f_back
        if phase == "start" and frame is not None:
            ran.append(info["generation"])

    threshold = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    gc.callbacks.append(note)
    try:
        yield ran
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*threshold)


def test_parsing_a_big_body_runs_no_collection(parsing_collections: list[int]) -> None:
    body = json.dumps({"requests": [{"custom_id": str(i), "params": {}} for i in range(2000)]})
    json.loads(body)
    assert parsing_collections  # the probe sees them where the collector is on
    parsing_collections.clear()
    parsed = ApiRequest("POST", "/v1/messages/batches", {}, body.encode()).json()
    assert parsing_collections == []
    assert len(parsed["requests"]) == 2000
    assert gc.isenabled()


def test_a_collector_switched_off_stays_off() -> None:
    gc.disable()
    try:
        with no_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), no_cycle_collection():
        raise ValueError
    assert gc.isenabled()
