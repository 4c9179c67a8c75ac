"""The public API is pinned: a change to ``lessonkit.__all__`` must be a decision, made here."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import pytest

import lessonkit

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
    "batches",
    "cost",
    "live",
    "models",
    "offline",
    "progress",
]


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then the rest (ruff's RUF022 order)."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_all_is_pinned() -> None:
    assert lessonkit.__all__ == PUBLIC


def test_all_is_sorted() -> None:
    assert lessonkit.__all__ == sorted(lessonkit.__all__, key=_isort_key)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from lessonkit import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(PUBLIC)


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


def test_models_module_exports_exist() -> None:
    assert all(hasattr(lessonkit.models, name) for name in lessonkit.models.__all__)
