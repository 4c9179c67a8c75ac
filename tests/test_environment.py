"""environment.yml (conda/Binder) and pyproject.toml (pip) install the same packages."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _environment() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "environment.yml").read_text())
    return loaded


def _pip_section() -> list[str]:
    pips = [d["pip"] for d in _environment()["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pips) == 1, "environment.yml should have exactly one pip: section"
    return list(pips[0])


def _normalised(lines: list[str]) -> dict[str, str]:
    """name -> specifier, with names normalised the way pip compares them."""
    found: dict[str, str] = {}
    for line in lines:
        req = Requirement(line)
        name = req.name.lower().replace("_", "-")
        assert name not in found, f"{name} is listed twice"
        found[name] = str(req.specifier)
    return found


def _pyproject_requirements() -> dict[str, str]:
    project = _pyproject()
    everything = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        everything.extend(extra)
    return _normalised(everything)


def test_same_packages_and_bounds() -> None:
    conda = _normalised([line for line in _pip_section() if not line.startswith("-e")])
    pip = _pyproject_requirements()
    only_pip = {n: pip[n] for n in pip.keys() - conda.keys()}
    only_conda = {n: conda[n] for n in conda.keys() - pip.keys()}
    differ = {n: (pip[n], conda[n]) for n in pip.keys() & conda.keys() if pip[n] != conda[n]}
    assert not (only_pip or only_conda or differ), (
        f"environment.yml and pyproject.toml disagree: only in pyproject {only_pip}, "
        f"only in environment.yml {only_conda}, "
        f"different bounds (pyproject, environment.yml) {differ}"
    )


def test_environment_installs_the_package_itself() -> None:
    assert "-e ." in _pip_section()


def test_same_python() -> None:
    conda = [
        d for d in _environment()["dependencies"] if isinstance(d, str) and d.startswith("python")
    ]
    assert conda == [f"python{_pyproject()['requires-python']}"]


def test_every_dependency_has_an_upper_bound() -> None:
    for name, spec in _pyproject_requirements().items():
        assert "<" in spec, (
            f"{name} {spec!r} has no upper bound; a major release could break every lesson"
        )
