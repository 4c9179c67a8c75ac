"""clock.py: virtual time that moves only when told to."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lessonkit.fakeapi.clock import EPOCH, Sleep, VirtualClock


def test_starts_at_the_fixed_epoch() -> None:
    clock = VirtualClock()
    assert clock.seconds == 0.0
    assert clock.now() == EPOCH == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert clock.isoformat() == "2026-11-02T09:00:00.000000Z"


@pytest.mark.parametrize(
    ("kwargs", "seconds"),
    [
        ({"seconds": 1.5}, 1.5),
        ({"minutes": 2}, 120),
        ({"hours": 1, "minutes": 1, "seconds": 1}, 3661),
        ({}, 0),
    ],
)
def test_advance(kwargs: dict[str, float], seconds: float) -> None:
    clock = VirtualClock()
    assert clock.advance(**kwargs) == EPOCH + timedelta(seconds=seconds)
    assert clock.seconds == seconds
    assert clock.sleeps == [Sleep(0.0, seconds, "advance")]


def test_never_goes_back() -> None:
    clock = VirtualClock()
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    clock.sleep(-5)  # a (buggy) negative wait is recorded as zero, never as time travel
    assert clock.seconds == 0


def test_sleep_records_waits_and_reset_forgets_them() -> None:
    clock = VirtualClock()
    clock.sleep(0.5)
    clock.sleep(2, "anyio.sleep")
    assert clock.sleeps == [Sleep(0.0, 0.5, "time.sleep"), Sleep(0.5, 2.0, "anyio.sleep")]
    assert "+2.5s, 2 waits" in repr(clock)
    clock.reset()
    assert (clock.seconds, clock.sleeps) == (0.0, [])


def test_isoformat_of_any_time_is_utc_with_z() -> None:
    clock = VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    clock.advance(0.25)
    assert clock.isoformat() == "2026-01-01T00:00:00.250000Z"
    other = datetime(2026, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=1)))
    assert clock.isoformat(other) == "2026-01-01T01:00:00.000000Z"


def test_thread_safe() -> None:
    clock = VirtualClock()

    def work() -> None:
        for _ in range(1000):
            clock.sleep(0.001)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(clock.sleeps) == 4000
    assert clock.seconds == pytest.approx(4.0)


def test_each_move_is_reported_as_it_happens() -> None:
    seen: list[tuple[Sleep, float]] = []
    clock = VirtualClock(on_move=lambda move: seen.append((move, clock.seconds)))
    clock.sleep(2, "anyio.sleep")
    clock.advance(minutes=1)
    assert seen == [(Sleep(0.0, 2.0, "anyio.sleep"), 2.0), (Sleep(2.0, 60.0, "advance"), 62.0)]
