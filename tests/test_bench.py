"""``python -m bench`` keeps results.json honest: nothing measured on an overloaded machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import too_busy
from bench.imports import cached_bytecode_env, import_once
from bench.timing import Measure, Result


def env(start: list[float], end: list[float] | None, cpus: int = 2) -> dict[str, Any]:
    return {"cpus": cpus, "load_average_at_start": start, "load_average_at_end": end}


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        ([0.4, 0.9, 1.2], [1.9, 1.0, 1.0], False),
        ([2.5, 0.9, 0.3], [0.4, 0.4, 0.4], True),  # busy when it began
        ([0.4, 0.4, 0.4], [3.1, 1.0, 0.5], True),  # something started during the run
        ([1.0, 1.0, 1.0], None, False),  # an OS without load averages
    ],
)
def test_results_are_refused_when_load_exceeds_the_cores(
    start: list[float], end: list[float] | None, refused: bool
) -> None:
    reason = too_busy(env(start, end))
    assert (reason is not None) == refused
    if reason:
        assert "above the 2 cores" in reason


def test_goals_are_ratios_to_the_same_runs_floor() -> None:
    fast_machine = Result("x", Measure(0.3, 0.3), Measure(0.2, 0.2), "floor", "ratio", 1.5)
    slow_machine = Result("x", Measure(3.0, 3.0), Measure(2.0, 2.0), "floor", "ratio", 1.5)
    assert fast_machine.passed and slow_machine.passed  # 10x slower, same verdict
    with pytest.raises(ValueError, match="unknown goal kind"):
        _ = Result("x", Measure(1, 1), Measure(1, 1), "floor", "seconds", 3.0).passed


def test_import_children_cache_bytecode_even_where_writing_it_is_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A learner's kernels import compiled modules; timing a recompile every run measures CI."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = cached_bytecode_env(str(tmp_path))
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["PYTHONPYCACHEPREFIX"] == str(tmp_path)
    import_once("json", env=env)
    import_once("bench.timing", env={**env, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert list(tmp_path.rglob("timing*.pyc"))
