"""``python -m bench [NAME ...] [--quick] [--wall]``: run the benchmarks, print a table.

NAME is any of create, stream, batch, notebooks, imports (default: all).
Verdicts use CPU time (robust on a busy machine; ``--wall`` for wall-clock);
both are recorded in bench/results.json (a ``--quick`` smoke run writes
nothing). The exit status is 1 when a goal is missed.
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

BENCHMARKS = ("create", "stream", "batch", "notebooks", "imports")
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

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "anthropic": anthropic.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


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
