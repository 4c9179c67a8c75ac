"""The newest-versions lane: run the suite on the newest allowed dependencies and say what moved.

    make test-latest                       # newest versions pyproject.toml allows
    ANTHROPIC=2.10.0 make test-latest      # the same, with one pinned SDK (e.g. the lowest)

The default lane (``make test``) installs the locks, so a release on PyPI can
never break a workshop. This lane builds ``.venv-latest`` from pyproject.toml's
ranges instead and reports, before running the tests: which packages differ
from ``locks/test.txt``, and what the SDK gained or lost (model ids, stop
reasons, error classes, ``messages.create`` parameters, stream events; see
``scripts/sdk_facts.py``). Tests that see the difference fail with a message
saying what to update (``tests/test_sdk_matrix_facts.py``). Exit status is
pytest's, so a scheduled job notices; the default lane is untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LOCKED, LATEST = ROOT / ".venv", ROOT / ".venv-latest"
UV = LOCKED / "bin" / "uv"
#: Installed beside the locks, not from them: the course itself and the installers.
TOOLING = {"lessonkit", "uv", "pip", "setuptools"}


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in requirement:
            name, version = requirement.split("==", 1)
            pins[name.lower().replace("_", "-")] = version
    return pins


def _freeze(venv: Path) -> list[str]:
    """What is installed in `venv` (the lock as it applies on this platform, for .venv)."""
    return subprocess.run(
        [UV, "pip", "freeze", "--python", venv / "bin" / "python"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()


def _facts(venv: Path) -> dict[str, Any]:
    out = subprocess.run(
        [venv / "bin" / "python", ROOT / "scripts" / "sdk_facts.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    loaded: dict[str, Any] = json.loads(out)
    return loaded


def report(
    locked: dict[str, str], latest: dict[str, str], before: dict[str, Any], after: dict[str, Any]
) -> str:
    """What changed between the locked and the newest environment, as text."""
    lines = ["== packages that differ from the locked .venv (locks/test.txt)"]
    changed = [
        f"  {name}: {locked.get(name, '(not locked)')} -> {latest.get(name, '(gone)')}"
        for name in sorted(locked.keys() | latest.keys())
        if name not in TOOLING and locked.get(name) != latest.get(name)
    ]
    lines += changed or ["  none"]
    lines.append(f"== SDK facts: anthropic {before['anthropic']} -> {after['anthropic']}")
    moved = [
        f"  {key}: new {sorted(set(after[key]) - set(before[key]))}, "
        f"gone {sorted(set(before[key]) - set(after[key]))}"
        for key in sorted(before.keys() - {"anthropic"})
        if set(before[key]) != set(after.get(key, ()))
    ]
    lines += moved or ["  no change"]
    return "\n".join(lines)


def main() -> int:
    subprocess.run(["make", "--no-print-directory", ".venv/.test-installed"], cwd=ROOT, check=True)
    if not (LATEST / "bin" / "python").exists():
        subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, LATEST], check=True)
    pinned = [f"anthropic=={os.environ['ANTHROPIC']}"] if os.environ.get("ANTHROPIC") else []
    subprocess.run(
        [
            UV,
            "pip",
            "install",
            "--quiet",
            "--upgrade",
            "--python",
            LATEST / "bin" / "python",
            "-e",
            ".[test]",
            *pinned,
        ],
        cwd=ROOT,
        check=True,
    )
    subprocess.run(
        [
            LATEST / "bin" / "python",
            "-m",
            "ipykernel",
            "install",
            "--sys-prefix",
            "--name",
            "python3",
            "--display-name",
            "Python 3 (lessonkit, latest)",
        ],
        check=True,
        capture_output=True,
    )
    locked, latest = _pins(_freeze(LOCKED)), _pins(_freeze(LATEST))
    print(report(locked, latest, _facts(LOCKED), _facts(LATEST)), flush=True)
    env = {**os.environ, "LESSONKIT_LANE": "latest"}
    tests = subprocess.run(
        [
            LATEST / "bin" / "python",
            "-m",
            "pytest",
            "-n",
            "auto",
            "--dist",
            "load",
            "-q",
            "-rf",
            "--no-header",
        ],
        cwd=ROOT,
        env=env,
    )
    print(f"== test-latest: pytest exited {tests.returncode}")
    return tests.returncode


if __name__ == "__main__":
    sys.exit(main())
