"""Same lesson, same bytes: each notebook run twice in fresh kernels gives identical outputs.

nbval compares a fresh run with the *saved* outputs; this compares two fresh
runs with each other, so nondeterminism (a wall-clock time, an object
address, a random id, dict or set order) shows up even in a cell whose saved
output was regenerated a minute ago. The sanitizers in notebooks/sanitize.cfg
(the same ones nbval uses) are applied first; nothing else is masked except
the random model id inside widget views, which is not output text.
"""

from __future__ import annotations

import asyncio
import configparser
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("*.ipynb"))
KERNELS_AT_ONCE = 2

pytestmark = [
    pytest.mark.soak,  # nbval already compares each fresh run with the saved outputs
    pytest.mark.slow,  # two fresh kernels per notebook: about a minute for the eight lessons
    pytest.mark.timeout(900),
    pytest.mark.skipif(not LESSONS, reason="notebooks/ has no lessons yet"),
]


def sanitizers() -> list[tuple[re.Pattern[str], str]]:
    """The ``[regexN]`` sections of notebooks/sanitize.cfg, in file order."""
    path = NOTEBOOKS / "sanitize.cfg"
    if not path.exists():
        return []
    config = configparser.ConfigParser()
    config.read(path)
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def _clean(value: Any, rules: list[tuple[re.Pattern[str], str]]) -> Any:
    if isinstance(value, str):
        for pattern, replace in rules:
            value = pattern.sub(replace, value)
        return value
    if isinstance(value, list):
        return [_clean(v, rules) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v, rules) for k, v in value.items()}
    return value


def outputs(nb: dict[str, Any], rules: list[tuple[re.Pattern[str], str]]) -> list[str]:
    """One comparable string per code cell: its outputs, sanitized, minus per-run bookkeeping."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        kept = []
        for out in copy.deepcopy(cell.get("outputs", [])):
            out.pop("execution_count", None)
            out.pop("metadata", None)
            view = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if isinstance(view, dict):
                view.pop("model_id", None)
            kept.append(_clean(out, rules))
        cells.append(json.dumps(_coalesced(kept), sort_keys=True, ensure_ascii=False))
    return cells


def _coalesced(outs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join adjacent stdout/stderr chunks: how print() output is split is up to the kernel's
    flush timing, not the lesson (nbval joins them too)."""
    joined: list[dict[str, Any]] = []
    for out in outs:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and out.get("output_type") == previous.get("output_type") == "stream"
            and out.get("name") == previous.get("name")
        ):
            previous["text"] = "".join([*previous["text"], *out["text"]])  # str or list
        else:
            joined.append(out)
    return joined


async def _execute(path: Path, gate: asyncio.Semaphore) -> dict[str, Any]:
    import nbformat
    from nbclient import NotebookClient

    async with gate:
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=300,
            resources={"metadata": {"path": str(path.parent)}},
        )
        await client.async_execute()
        return dict(nb)


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every lesson executed twice, each run in its own fresh kernel."""

    async def all_runs() -> list[dict[str, Any]]:
        gate = asyncio.Semaphore(KERNELS_AT_ONCE)
        jobs = [_execute(path, gate) for path in LESSONS for _ in range(2)]
        return list(await asyncio.gather(*jobs))

    done = asyncio.run(all_runs())
    return {path.name: (done[2 * i], done[2 * i + 1]) for i, path in enumerate(LESSONS)}


@pytest.mark.parametrize("name", [p.name for p in LESSONS])
def test_two_fresh_runs_give_identical_outputs(
    runs: dict[str, tuple[dict[str, Any], dict[str, Any]]], name: str
) -> None:
    rules = sanitizers()
    first, second = (outputs(nb, rules) for nb in runs[name])
    differing = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    detail = "\n".join(
        f"code cell {i}:\n  run 1: {first[i][:300]}\n  run 2: {second[i][:300]}"
        for i in differing[:3]
    )
    assert not differing, f"{name}: outputs differ between two fresh runs\n{detail}"
