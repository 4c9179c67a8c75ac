"""The Makefile's guards, run for real with ``make -n`` on stand-in interpreters.

A stand-in "python" is a shell script that answers the two questions the
Makefile asks (its version, and whether it is new enough) as a given version
would; nothing is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _fake_python(path: Path, version: tuple[int, int]) -> Path:
    new_enough = version >= (3, 11)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        'case "$2" in\n'
        f'  *">="*) echo {new_enough} ;;\n'
        f"  *) echo {version[0]}.{version[1]} ;;\n"
        "esac\n"
    )
    path.chmod(0o755)
    return path


def _make(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "Makefile", cwd / "Makefile")
    shutil.copytree(ROOT / "locks", cwd / "locks", dirs_exist_ok=True)
    shutil.copy(ROOT / "pyproject.toml", cwd / "pyproject.toml")
    return subprocess.run(
        ["make", "-n", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_too_old_python_fails_before_anything_is_created(tmp_path: Path) -> None:
    old = _fake_python(tmp_path / "bin" / "python3.10", (3, 10))
    done = _make(tmp_path, "lab", f"PYTHON={old}")
    assert done.returncode != 0
    assert "needs Python 3.11 or newer" in done.stderr and "PYTHON=python3.12" in done.stderr
    assert not (tmp_path / ".venv").exists()


def test_a_venv_from_another_interpreter_is_rebuilt(tmp_path: Path) -> None:
    _fake_python(tmp_path / ".venv" / "bin" / "python", (3, 11))
    new = _fake_python(tmp_path / "bin" / "python3.12", (3, 12))
    done = _make(tmp_path, "lab", f"PYTHON={new}")
    assert "made by Python 3.11, not" in done.stdout
    assert not (tmp_path / ".venv").exists()
    assert f"{new} -m venv --without-pip .venv" in done.stdout  # made anew by the named Python


def test_a_venv_from_the_same_interpreter_is_kept(tmp_path: Path) -> None:
    _fake_python(tmp_path / ".venv" / "bin" / "python", (3, 12))
    same = _fake_python(tmp_path / "bin" / "python3.12", (3, 12))
    done = _make(tmp_path, "lab", f"PYTHON={same}")
    assert "rebuilding" not in done.stdout
    assert (tmp_path / ".venv" / "bin" / "python").exists()
