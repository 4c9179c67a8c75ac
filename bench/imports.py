"""``import lessonkit`` (and its offline API) vs ``import anthropic``, each in a fresh interpreter.

A bare ``import lessonkit`` loads nothing heavy, not even the SDK (the command
line needs none of it); the figure compared with the floor is what a lesson's
first cell pays before any request: ``import lessonkit`` then ``lessonkit.offline``.

The child times only the import (wall and CPU clocks around it), so
interpreter start-up stays out; the two kinds of child alternate, and the
median of each is compared. Children may cache bytecode (in a temporary
``PYTHONPYCACHEPREFIX``, even where ``PYTHONDONTWRITEBYTECODE`` is set, as on CI
boxes): a learner's kernels import compiled modules after the first start, and
without the cache an editable install would be timed compiling lessonkit's
source on every run. The child also reports which heavy optional modules the
import dragged in (they must load lazily, when a lesson first needs them).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping

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


def import_once(
    module: str, then: str = "", env: Mapping[str, str] | None = None
) -> tuple[Measure, list[str]]:
    """How long ``import module`` (and ``then``) takes in a fresh interpreter.

    Also returns the heavy modules it loaded.
    """
    code = _CHILD.format(module=module, then=then, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Measure(float(data["wall"]), float(data["cpu"])), list(data["loaded"])


def cached_bytecode_env(cache_dir: str) -> dict[str, str]:
    """This environment with bytecode written to, and read from, ``cache_dir``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def run(quick: bool = False) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-pyc-") as cache_dir:
        return _run(quick, cached_bytecode_env(cache_dir))


def _run(quick: bool, env: Mapping[str, str]) -> list[Result]:
    rounds = 5 if quick else 11
    import_once("anthropic", env=env)  # warm the OS file cache and .pyc files
    import_once("lessonkit", env=env)
    bare: list[Measure] = []
    mine: list[Measure] = []
    base: list[Measure] = []
    started: list[Measure] = []
    loaded: list[str] = []
    for _ in range(rounds):
        base.append(import_once("anthropic", env=env)[0])
        measure, loaded = import_once("lessonkit", env=env)
        bare.append(measure)
        mine.append(import_once("lessonkit", "lessonkit.offline", env=env)[0])
        started.append(import_once("lessonkit", "lessonkit.offline().start()", env=env)[0])
    return [
        Result(
            name="import lessonkit; lessonkit.offline",
            mine=_median(mine),
            base=_median(base),
            floor="import anthropic (fresh interpreters, median)",
            kind="over_ms",
            goal=GOAL_MS,
            details={
                "rounds": rounds,
                "bytecode": "cached after the first import",
                "lessonkit_cpu_s": sorted(round(m.cpu, 3) for m in mine),
                "bare_import_lessonkit_cpu_s": sorted(round(m.cpu, 3) for m in bare),
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
