"""lessonkit's pytest plugin: the ``lessonkit_api`` fixture and ``--lessonkit-offline``.

Registered through the ``pytest11`` entry point, so any project that installs
lessonkit can write ``def test_x(lessonkit_api): ...``, and run any Claude
notebook offline with ``pytest --nbval --lessonkit-offline notebooks/``: nbval
then starts every notebook on a throwaway copy of the offline kernel
(:mod:`lessonkit.kernel`), which reads ``<notebook>.lessonkit.yaml`` beside it or
the file given with ``--lessonkit-scenario``. Nothing is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from ._offline import offline
from .fakeapi.app import FakeAPI
from .kernel import DEFAULT_NAME, temporary
from .scenario import NOTEBOOK_ENVS, SCENARIO_ENV

_STACK = pytest.StashKey[ExitStack]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lessonkit")
    group.addoption(
        "--lessonkit-offline",
        action="store_true",
        help="Run notebooks (nbval) on lessonkit's offline kernel: no key, no network.",
    )
    group.addoption(
        "--lessonkit-scenario",
        metavar="PATH",
        help="Scenario file (YAML/JSON) for every notebook, instead of <name>.lessonkit.yaml.",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("lessonkit_offline", False):
        return
    stack = ExitStack()
    config.stash[_STACK] = stack
    name = stack.enter_context(temporary(f"{DEFAULT_NAME}-pytest-{os.getpid()}"))
    for variable in (SCENARIO_ENV, NOTEBOOK_ENVS[0]):  # set below or per notebook; put back
        stack.callback(_restore, variable, os.environ.get(variable))
    scenario = config.getoption("lessonkit_scenario")
    if scenario:
        os.environ[SCENARIO_ENV] = str(Path(scenario).resolve())
    # nbval: the offline kernel, not the one the notebook names or the parent environment
    if hasattr(config.option, "nbval_kernel_name"):
        config.option.nbval_kernel_name = name
        config.option.nbval_current_env = False


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_STACK, None)
    if stack is not None:
        stack.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Name the notebook a kernel is about to start for, so it finds its scenario file."""
    if item.config.getoption("lessonkit_offline", False) and str(item.path).endswith(".ipynb"):
        os.environ[NOTEBOOK_ENVS[0]] = str(item.path)


@pytest.fixture
def lessonkit_api() -> Iterator[FakeAPI]:
    """A fresh :class:`FakeAPI` with offline mode on for the duration of the test."""
    with offline() as api:
        yield api
