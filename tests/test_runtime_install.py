"""``pip install .`` with runtime dependencies only gives a working course.

JupyterHub admins and learners install lessonkit without its test extras, so
nothing outside ``[project.dependencies]`` may be needed at run time (pytest in
particular). This builds such an environment from ``locks/runtime.txt`` plus a
real (non-editable) install of the package, then runs an offline create, a
stream, the widgets' text fallback and one exercise check in it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SMOKE = """
import importlib.util
import sys
assert importlib.util.find_spec("pytest") is None, "pytest leaked into the runtime environment"

import anthropic
import lessonkit
from lessonkit.exercises import ex01_streaming
from lessonkit.widgets import RequestLog

with lessonkit.offline() as api:
    client = anthropic.Anthropic()
    params = dict(
        model=lessonkit.models.DEFAULT,
        max_tokens=60,
        messages=[{"role": "user", "content": "Say hello"}],
    )
    message = client.messages.create(**params)
    with client.messages.stream(**params) as stream:
        streamed = "".join(stream.text_stream)
    assert message.stop_reason and streamed, (message, streamed)
    assert "POST messages" in str(RequestLog(api))
    assert lessonkit.__file__.startswith(sys.prefix), lessonkit.__file__

exercise = ex01_streaming.EXERCISES[0]
verdict = exercise.evaluate(exercise.reference)
assert verdict, str(verdict)
print("runtime-only install OK:", verdict)
"""


def _run(*command: object, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=600, cwd=cwd
    )
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_runtime_only_install_runs_the_course(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (`make test` installs it into .venv)")
    venv = tmp_path / "runtime"
    python = venv / "bin" / "python"
    _run(uv, "venv", "--quiet", "--python", sys.executable, venv)
    _run(uv, "pip", "install", "--quiet", "--python", python, "-r", ROOT / "locks" / "runtime.txt",
         "--excludes", ROOT / "locks" / "excludes.txt")  # fmt: skip  # as `make lab` does
    _run(uv, "pip", "install", "--quiet", "--python", python, "--no-deps", ROOT)
    out = _run(python, "-c", SMOKE, cwd=tmp_path)  # not ROOT: `-c` would import the checkout
    assert "runtime-only install OK: ✓" in out
