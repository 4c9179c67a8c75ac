"""One environment, described four ways that must agree.

pyproject.toml states ranges; ``locks/test.txt`` and ``locks/runtime.txt`` pin
the tested set inside them; environment.yml (conda, Binder) repeats the runtime
pins; and the venv running these tests was installed from the test lock. A
release on PyPI can then never change what a workshop installs.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from lock import environment_yml, pins  # noqa: E402

#: Test tools a learner never needs; none may be in the runtime lock.
TEST_ONLY = {"pytest", "nbval", "hypothesis", "ruff", "mypy", "playwright", "pytest-xdist"}


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _locked(name: str) -> dict[str, tuple[Version, str]]:
    """name -> (version, marker) for the lines of one lock that apply on this machine."""
    found: dict[str, tuple[Version, str]] = {}
    for line in pins(ROOT / "locks" / name):
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{line!r} in locks/{name} is not an exact pin"
        found[canonicalize_name(requirement.name)] = (Version(spec.version), str(line))
    return found


def _direct(*, extras: bool) -> list[Requirement]:
    project = _pyproject()
    listed = list(project["dependencies"])
    if extras:
        for extra in project["optional-dependencies"].values():
            listed.extend(extra)
    return [Requirement(line) for line in listed]


@pytest.mark.parametrize(("lock", "extras"), [("runtime.txt", False), ("test.txt", True)])
def test_every_direct_dependency_is_pinned_inside_its_range(lock: str, extras: bool) -> None:
    locked = _locked(lock)
    for requirement in _direct(extras=extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is in pyproject.toml but not in locks/{lock}: make lock"
        version = locked[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"locks/{lock} pins {name}=={version}, outside pyproject's {requirement.specifier}: "
            "make lock"
        )


def test_runtime_lock_is_the_test_lock_without_the_test_tools() -> None:
    runtime, test = _locked("runtime.txt"), _locked("test.txt")
    differ = {
        n: (runtime[n][0], test.get(n, (None,))[0])
        for n in runtime
        if n not in test or runtime[n][0] != test[n][0]
    }
    assert not differ, f"runtime and test locks disagree (runtime, test): {differ}; make lock"
    assert not TEST_ONLY & runtime.keys(), (
        f"test tools in the learners' lock: {TEST_ONLY & runtime.keys()}"
    )


def test_environment_yml_is_generated_from_the_runtime_lock() -> None:
    python = _pyproject()["requires-python"]
    expected = environment_yml(pins(ROOT / "locks" / "runtime.txt"), python)
    assert (ROOT / "environment.yml").read_text() == expected, (
        "environment.yml is stale: run `make lock` (it regenerates it from locks/runtime.txt)"
    )
    loaded = yaml.safe_load(expected)
    assert f"python{python}" in loaded["dependencies"]


@pytest.mark.skipif(
    os.environ.get("LESSONKIT_LANE") == "latest", reason="the newest-versions lane is unlocked"
)
def test_this_environment_was_installed_from_the_test_lock() -> None:
    wrong = {}
    for name, (version, _) in _locked("test.txt").items():
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (str(version), str(installed))
    assert not wrong, f"installed versions differ from locks/test.txt (lock, installed): {wrong}"


def _excluded() -> set[str]:
    return {canonicalize_name(name) for name in pins(ROOT / "locks" / "excludes.txt")}


@pytest.mark.skipif(
    os.environ.get("LESSONKIT_LANE") == "latest", reason="the newest-versions lane is unlocked"
)
def test_excluded_packages_are_neither_locked_nor_installed() -> None:
    """locks/excludes.txt says why; the lock and every Makefile install must both use it."""
    excluded = _excluded()
    assert "rfc3987-syntax" in excluded
    for lock in ("runtime.txt", "test.txt"):
        locked = {canonicalize_name(Requirement(line).name) for line in pins(ROOT / "locks" / lock)}
        assert not excluded & locked, f"locks/{lock} pins an excluded package: run `make lock`"
        header = (ROOT / "locks" / lock).read_text().splitlines()[1]
        assert "--excludes locks/excludes.txt" in header, f"locks/{lock}: {header}"
    installed = {canonicalize_name(d.metadata["Name"]) for d in metadata.distributions()}
    assert not excluded & installed, "an excluded package is installed: see locks/excludes.txt"
    makefile = (ROOT / "Makefile").read_text()
    assert "--excludes locks/excludes.txt" in makefile.split("UV_PIP", 1)[1].splitlines()[0]


def test_every_dependency_has_an_upper_bound() -> None:
    for requirement in _direct(extras=True):
        assert any(s.operator in {"<", "<="} for s in requirement.specifier), (
            f"{requirement} has no upper bound; a major release could break every lesson"
        )


def test_locks_cover_every_supported_platform() -> None:
    """Universal locks: a Windows or macOS learner gets pins too, not a resolution error."""
    markers = [Requirement(line).marker for line in pins(ROOT / "locks" / "runtime.txt")]
    platforms = {m for m in map(str, filter(None, markers)) if "sys_platform" in m}
    assert any("win32" in m for m in platforms) and any("darwin" in m for m in platforms)
    floor = _pyproject()["requires-python"].removeprefix(">=")
    for lock in ("runtime.txt", "test.txt"):
        header = (ROOT / "locks" / lock).read_text().splitlines()[1]
        assert f"--universal --python-version {floor}" in header, f"locks/{lock}: {header}"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"\| run every test[^|]*\| `([^`]+)` \|", readme)
    assert commands, "README's two-commands table lost its test row"
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == commands, f".ci/run runs {ci}, README says {commands}"
