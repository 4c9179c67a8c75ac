"""``import lessonkit`` vs ``import anthropic``, each in a fresh interpreter.

The child times only the import (wall and CPU clocks around it), so
interpreter start-up stays out; the two kinds of child alternate, and the
median of each is compared. The child also reports which heavy optional modules the
import dragged in (they must load lazily, when a lesson first needs them).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from .timing import Measure, Result

GOAL_MS = 150.0
#: Modules ``import lessonkit`` must not import (each costs 0.1–3 s in a Jupyter env).
HEAVY = (
    "pytest",
    "IPython",
    "ipywidgets",
    "jsonschema",
    "nbformat",
    "nbclient",
    "uvicorn",
    "starlette",
    "rich",
    "typer",
)

_CHILD = """
import sys, time, json
wall, cpu = time.perf_counter(), time.process_time()
import {module}
{then}
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
loaded = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps({{"wall": wall, "cpu": cpu, "loaded": loaded}}))
"""


def import_once(module: str, then: str = "") -> tuple[Measure, list[str]]:
    """How long ``import module`` (and ``then``) takes in a fresh interpreter.

    Also returns the heavy modules it loaded.
    """
    code = _CHILD.format(module=module, then=then, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Measure(float(data["wall"]), float(data["cpu"])), list(data["loaded"])


def run(quick: bool = False) -> list[Result]:
    rounds = 5 if quick else 11
    import_once("anthropic")  # warm the OS file cache and .pyc files
    import_once("lessonkit")
    mine: list[Measure] = []
    base: list[Measure] = []
    started: list[Measure] = []
    loaded: list[str] = []
    for _ in range(rounds):
        base.append(import_once("anthropic")[0])
        measure, loaded = import_once("lessonkit")
        mine.append(measure)
        started.append(import_once("lessonkit", "lessonkit.offline().start()")[0])
    return [
        Result(
            name="import lessonkit",
            mine=_median(mine),
            base=_median(base),
            floor="import anthropic (fresh interpreters, median)",
            kind="over_ms",
            goal=GOAL_MS,
            details={
                "rounds": rounds,
                "lessonkit_cpu_s": sorted(round(m.cpu, 3) for m in mine),
                "anthropic_cpu_s": sorted(round(m.cpu, 3) for m in base),
                "heavy_modules_loaded": loaded,
                # What a lesson's first cell pays: the transport loads on first start().
                "import_and_offline_start_over_ms": round(
                    (_median(started).cpu - _median(base).cpu) * 1000
                ),
            },
        )
    ]


def _median(runs: list[Measure]) -> Measure:
    return Measure(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs))
