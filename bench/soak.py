"""Flake hunt: run the whole test suite N times and report every test that ever failed.

    python -m bench.soak              # 20 runs of `pytest` (the README's test command)
    python -m bench.soak --n 5 -- tests/reliability -x

Arguments after ``--`` go to pytest. Exit status 1 if any run failed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FAILED = re.compile(r"^(FAILED|ERROR) (\S+)")
_SUMMARY = re.compile(r"\d+ (passed|failed|errors?|skipped)")


def run_once(pytest_args: list[str]) -> tuple[int, list[str], str, float]:
    """One suite run: exit code, failed/errored test ids, pytest's last line, seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", *pytest_args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    lines = done.stdout.splitlines()
    failed = [m.group(2) for m in map(_FAILED.match, lines) if m]
    summary = next((line for line in reversed(lines) if _SUMMARY.search(line)), "(no summary)")
    if done.returncode not in (0, 5) and not failed:  # crashed before the summary
        failed = [f"<run crashed: exit {done.returncode}: {(done.stderr or done.stdout)[-300:]!r}>"]
    return done.returncode, failed, summary.strip("= "), seconds


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ours, theirs = argv, []
    if "--" in argv:
        split = argv.index("--")
        ours, theirs = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=20, help="how many runs (default 20)")
    parser.add_argument("--out", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(ours)

    failures: Counter[str] = Counter()
    runs = []
    for i in range(1, args.n + 1):
        code, failed, summary, seconds = run_once(theirs)
        failures.update(failed)
        runs.append(
            {
                "run": i,
                "exit": code,
                "seconds": round(seconds, 1),
                "summary": summary,
                "failed": failed,
            }
        )
        print(f"run {i}/{args.n}: exit {code} in {seconds:.0f} s: {summary}", flush=True)
        for test in failed:
            print(f"    {test}", flush=True)
    bad_runs = sum(1 for r in runs if r["failed"])
    print(f"\n{args.n} runs, {bad_runs} with failures, {len(failures)} distinct failing tests")
    for test, count in failures.most_common():
        print(f"  {count}/{args.n}  {test}")
    if args.out:
        report = {
            "n": args.n,
            "pytest_args": theirs,
            "runs_with_failures": bad_runs,
            "failures": dict(failures.most_common()),
            "runs": runs,
        }
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if bad_runs else 0


if __name__ == "__main__":
    sys.exit(main())
