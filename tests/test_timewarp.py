"""Virtual sleeping inside offline(): learners' sleeps and the SDK's, sync and async."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import anthropic
import anyio
import pytest

import lessonkit
from lessonkit import FakeAPI, models
from lessonkit.timewarp import REAL_SLEEP_MODULES

REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "Hi"}],
}
REAL = (time.sleep, asyncio.sleep, anyio.sleep)


def sources(api: FakeAPI) -> list[tuple[str, float]]:
    return [(s.source, s.seconds) for s in api.clock.sleeps]


class Recorder:
    """Stands in for the real ``time.sleep``: proves a wait never reached it."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def real_sleep(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """``time.sleep`` as found on entering offline mode (installed after lessonkit's import)."""
    recorder = Recorder()
    monkeypatch.setattr(time, "sleep", recorder)
    return recorder


def test_a_learners_minute_of_time_sleep_takes_no_time(real_sleep: Recorder) -> None:
    with lessonkit.offline() as api:
        time.sleep(60)
    assert real_sleep.calls == []
    assert api.clock.seconds == 60
    assert sources(api) == [("time.sleep", 60)]
    assert [w.reason for w in api.sleeps] == ["not a retry"]


def test_leaving_restores_the_sleep_found_at_entry_not_at_import(real_sleep: Recorder) -> None:
    with lessonkit.offline():
        assert time.sleep is not real_sleep
    assert time.sleep is real_sleep


def test_sleeps_that_stay_real_go_to_the_function_found_at_entry(real_sleep: Recorder) -> None:
    with lessonkit.offline() as api:
        time.sleep(0)
    assert real_sleep.calls == [0] and api.clock.sleeps == []


def test_asyncio_and_anyio_sleeps_are_virtual(lessonkit_api: FakeAPI) -> None:
    async def learner() -> None:
        await asyncio.sleep(60)
        await anyio.sleep(30)

    asyncio.run(learner())
    assert sources(lessonkit_api) == [("asyncio.sleep", 60), ("anyio.sleep", 30)]


def test_asyncio_sleep_keeps_its_result_argument(lessonkit_api: FakeAPI) -> None:
    assert asyncio.run(asyncio.sleep(5, result="done")) == "done"


def test_sdk_sleeps_are_virtual_sync_and_async(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.fail_next(429, retry_after=60)
    anthropic.Anthropic().messages.create(**REQUEST)
    lessonkit_api.fail_next(429, retry_after=60)
    asyncio.run(anthropic.AsyncAnthropic().messages.create(**REQUEST))
    assert sources(lessonkit_api) == [("time.sleep", 60), ("anyio.sleep", 60)]


def test_zero_and_negative_sleeps_behave_as_real_ones(lessonkit_api: FakeAPI) -> None:
    time.sleep(0)
    with pytest.raises(ValueError):
        time.sleep(-1)
    assert lessonkit_api.clock.sleeps == []


def test_kernel_housekeeping_sleeps_stay_real(lessonkit_api: FakeAPI) -> None:
    # ipykernel sleeps 0.5 ms after every cell on the cell's thread; it must not move the clock.
    assert "ipykernel" in REAL_SLEEP_MODULES
    namespace: dict[str, Any] = {"__name__": "ipykernel.kernelbase", "time": time}
    exec("def after_cell():\n    time.sleep(0.0005)\n", namespace)
    namespace["after_cell"]()
    assert lessonkit_api.clock.sleeps == []


def test_threads_older_than_the_warp_sleep_for_real() -> None:
    go, done = threading.Event(), threading.Event()

    def bystander() -> None:
        go.wait()
        time.sleep(0.01)
        done.set()

    thread = threading.Thread(target=bystander)
    thread.start()
    with lessonkit.offline() as api:
        go.set()
        assert done.wait(5)
        assert api.clock.sleeps == []
    thread.join()


def test_threads_started_inside_sleep_virtually(lessonkit_api: FakeAPI) -> None:
    thread = threading.Thread(target=time.sleep, args=(120,))
    thread.start()
    thread.join(5)
    assert not thread.is_alive()
    assert sources(lessonkit_api) == [("time.sleep", 120)]


def test_real_functions_are_restored_on_exit() -> None:
    with lessonkit.offline():
        assert (time.sleep, asyncio.sleep, anyio.sleep) != REAL
    assert (time.sleep, asyncio.sleep, anyio.sleep) == REAL


def test_virtual_time_can_be_switched_off() -> None:
    with lessonkit.offline(virtual_time=False) as api:
        assert time.sleep is REAL[0]
        time.sleep(0.001)
        assert api.clock.seconds == 0


def test_resuming_from_another_thread_keeps_the_starting_thread_virtual(
    real_sleep: Recorder,
) -> None:
    """A checker pauses the notebook's session in a worker thread and resumes it there."""
    outer = lessonkit.offline()
    api = outer.start()
    try:

        def checker() -> None:
            with lessonkit.offline():
                pass  # on exit, the notebook's session resumes from this thread

        worker = threading.Thread(target=checker)
        worker.start()
        worker.join()
        time.sleep(600)
        assert real_sleep.calls == [] and api.clock.seconds == 600
    finally:
        outer.stop()
