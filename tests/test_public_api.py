"""The public API is pinned: a change to ``lessonkit.__all__`` must be a decision, made here.

``__all__`` is checked the way encode/httpx checks its own
(``tests/test_exported_members.py``): it equals every public name in the
package's namespace, both ways, so a leaked import and an ``__all__`` entry
that nothing defines both fail. Submodules become attributes of their package
once anything imports them, so they are pinned by their own lists instead.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import lessonkit
import lessonkit.checks
import lessonkit.fakeapi.batches
import lessonkit.widgets

ROOT = Path(__file__).resolve().parents[1]

#: Update deliberately, together with DESIGN.md's "Public contract".
PUBLIC = [
    "PLACEHOLDER_KEY",
    "BudgetExceeded",
    "FakeAPI",
    "LiveSession",
    "Offline",
    "OfflineError",
    "RecordedRequest",
    "batch_savings",
    "batches",
    "cost",
    "live",
    "models",
    "offline",
    "price",
    "progress",
]
#: Submodules learners and exercise authors import by name (``batches`` and ``models`` also
#: come with ``import lessonkit``).
PUBLIC_MODULES = ["batches", "checks", "exercises", "models", "recall", "widgets"]
#: Submodules with public names that are not for learners: the fake core, the command line and
#: its parts, the pytest plugin (entry points name these), and helpers not yet made private.
OTHER_MODULES = [
    "atomic", "cells", "cli", "controls", "doctor", "drift", "fakeapi", "kernel", "lab", "labels",
    "lint", "notebook_cli", "pytest_plugin", "scenario", "server", "timewarp", "workspace",
    # workshops on a hub (issue 17): dashboard service, reports, grading
    "dashboard", "exchange", "gradebook", "hubauth", "room", "singleuser", "submission",
]  # fmt: skip
#: Packages whose ``__init__`` only gathers their public names (httpx's case), with the
#: underscore names they export on purpose.
GATHERING = [(lessonkit, ()), (lessonkit.checks, ("____",)), (lessonkit.widgets, ()),
             (lessonkit.fakeapi.batches, ())]  # fmt: skip
#: What ``from __future__ import annotations`` binds (here too): a flag, not an export.
_FLAG = type(annotations)


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then the rest (ruff's RUF022 order)."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def _public_names(package: ModuleType, private: tuple[str, ...]) -> list[str]:
    """Every name the namespace offers, bar submodules and ``from __future__`` flags."""
    return sorted(
        name
        for name, value in vars(package).items()
        if (not name.startswith("_") or name in private)
        and not isinstance(value, ModuleType | _FLAG)
    )


def test_all_is_pinned() -> None:
    assert lessonkit.__all__ == PUBLIC


@pytest.mark.parametrize(("package", "private"), GATHERING, ids=[p.__name__ for p, _ in GATHERING])
def test_all_is_every_public_name(package: ModuleType, private: tuple[str, ...]) -> None:
    # getattr first: it fails on a name nothing defines, and resolves lazy names (widgets)
    exported = sorted(n for n in package.__all__ if not isinstance(getattr(package, n), ModuleType))
    assert exported == _public_names(package, private)


def test_only_public_modules_are_exported() -> None:
    modules = [n for n in lessonkit.__all__ if isinstance(getattr(lessonkit, n), ModuleType)]
    assert set(modules) <= set(PUBLIC_MODULES)


def test_every_submodule_is_private_or_listed() -> None:
    found = {m.name for m in pkgutil.iter_modules(lessonkit.__path__) if m.name[0] != "_"}
    assert found == {*PUBLIC_MODULES, *OTHER_MODULES}


@pytest.mark.parametrize("name", [m.name for m in pkgutil.iter_modules(lessonkit.__path__)])
def test_no_module_hides_behind_a_name_it_exports(name: str) -> None:
    """``lessonkit.cost`` was the function, so ``import lessonkit.cost as m`` gave the function."""
    module = importlib.import_module(f"lessonkit.{name}")
    assert getattr(lessonkit, name) is module


def test_all_is_sorted() -> None:
    assert lessonkit.__all__ == sorted(lessonkit.__all__, key=_isort_key)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_documented(name: str) -> None:
    value = getattr(lessonkit, name)
    if isinstance(value, str):
        return  # a constant: documented by its #: comment
    assert inspect.getdoc(value), f"lessonkit.{name} has no docstring"


def test_offline_docstring_has_an_example() -> None:
    assert ">>> with lessonkit.offline() as api:" in (lessonkit.offline.__doc__ or "")


def test_version_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert lessonkit.__version__ == project["version"]


def test_package_is_typed() -> None:
    assert (Path(lessonkit.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_modules_say_what_they_export(name: str) -> None:
    module = importlib.import_module(f"lessonkit.{name}")
    assert inspect.getdoc(module), f"lessonkit.{name} has no docstring"
    assert all(hasattr(module, n) for n in module.__all__)
