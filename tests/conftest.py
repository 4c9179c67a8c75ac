"""Suite-wide test tools: the ``soak`` lane and a recorder for real sleeps.

``soak`` tests (fresh processes, every notebook twice) repeat work nbval and
the in-process checks already cover, so ``make test`` skips them; they run
with ``pytest -m soak`` (``make soak``).
"""

from __future__ import annotations

import time

import pytest

from lessonkit import timewarp


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "soak: slow repeat-runs (fresh processes/kernels); run with -m soak"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "soak" in (config.option.markexpr or ""):
        return  # the soak lane asked for them by name
    skip = pytest.mark.skip(reason="soak test: run with `pytest -m soak` (make soak)")
    for item in items:
        if item.get_closest_marker("soak"):
            item.add_marker(skip)


@pytest.fixture
def real_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every *real* ``time.sleep`` of positive length made during the test.

    Virtual time hands real sleeps to the sleep it saved at import; recording
    there proves "nothing actually waited" without timing anything. Zero-length
    sleeps (a thread yield) are not waits and are left out.
    """
    slept: list[float] = []
    real = timewarp._real_time_sleep

    def record(seconds: float) -> None:
        if seconds > 0:
            slept.append(seconds)
        real(seconds)

    monkeypatch.setattr(timewarp, "_real_time_sleep", record)
    # Stopping virtual time assigns the saved sleep back to time.sleep: undo that too.
    monkeypatch.setattr(time, "sleep", time.sleep)
    return slept
