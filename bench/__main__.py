"""``python -m bench [NAME ...] [--quick] [--wall]``: run the benchmarks, print a table.

NAME is any of create, stream, batch, serve, notebooks, imports (default: all).
Every goal is a ratio to (or a margin over) a floor measured in the same run,
never absolute seconds. Verdicts use CPU time (robust on a busy machine;
``--wall`` for wall-clock); both are recorded in bench/results.json with the
machine's core count and load. Results measured while the 1-minute load
average exceeds the core count are printed but never written (exit status 2):
another process was competing for the CPU. A ``--quick`` smoke run writes
nothing. The exit status is 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from .timing import BASIS, Result

BENCHMARKS = ("create", "stream", "batch", "serve", "notebooks", "imports")
DEFAULT_OUT = Path(__file__).with_name("results.json")


def table(results: list[Result]) -> str:
    """A Markdown table of the results (pasteable into the README)."""
    rows = [
        f"| benchmark ({BASIS['value']} time) | lessonkit | floor | ratio | goal | result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        over = f" (+{r.over_ms:.0f} ms)" if r.kind == "over_ms" else ""
        rows.append(
            f"| {r.name} | {_seconds(r.seconds)} | {_seconds(r.floor_seconds)} | "
            f"{r.ratio:.2f}{over} | {r.goal_text} | {'pass' if r.passed else 'FAIL'} |"
        )
    return "\n".join(rows)


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def environment() -> dict[str, Any]:
    import anthropic

    return {
        "python": platform.python_version(),
        "anthropic": anthropic.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": load_average(),
    }


def load_average() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages (None where the OS has none)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def too_busy(env: dict[str, Any]) -> str | None:
    """Why these results must not be recorded, or None if the machine was quiet enough."""
    cpus = env["cpus"] or 1
    for when in ("load_average_at_start", "load_average_at_end"):
        load = env.get(when)
        if load and load[0] > cpus:
            moment = when.removeprefix("load_average_").replace("_", " ")
            return (
                f"1-minute load average {load[0]} {moment} is above "
                f"the {cpus} cores: other processes competed for the CPU, so the figures are "
                "not comparable. Rerun on a quieter machine."
            )
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)}")
    parser.add_argument(
        "--quick", action="store_true", help="fewer calls and rounds; writes no JSON"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the JSON alone")
    parser.add_argument(
        "--wall",
        action="store_true",
        help="judge on wall-clock time (default: CPU time, robust under load)",
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}")

    BASIS["value"] = "wall" if args.wall else "cpu"
    env = environment()
    results: list[Result] = []
    for name in args.names or BENCHMARKS:
        print(f"running {name}...", file=sys.stderr, flush=True)
        module = importlib.import_module(f".{name}", __package__)
        results.extend(module.run(quick=args.quick))
    print(table(results))
    env["load_average_at_end"] = load_average()
    refused = too_busy(env)
    if refused and not (args.no_write or args.quick):
        print(f"not writing {args.out}: {refused}", file=sys.stderr)
        return 2
    if not (args.no_write or args.quick):
        data = {
            "environment": env,
            "quick": args.quick,
            "basis": BASIS["value"],
            "results": [r.as_json() for r in results],
        }
        args.out.write_text(json.dumps(data, indent=2) + "\n")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
