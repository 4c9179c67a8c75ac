"""Suite-wide test tools: the ``soak`` lane, ``untraced`` tests, what coverage skips,
and a recorder for real sleeps.

``untraced`` tests leave a checker's worker blocked in a call on purpose. Under a
tracer (coverage, a debugger), CPython 3.11 stalls the other threads after the
worker is interrupted until that call returns (see :mod:`lessonkit.checks.sandbox`),
so such a test runs with every tracer removed, like a ``no_cover`` one.

``soak`` tests (fresh processes, every notebook twice) repeat work nbval and
the in-process checks already cover, so ``make test`` skips them; they run
with ``pytest -m soak`` (``make soak``). Property tests (Hypothesis, marked
``property``) try :data:`EXAMPLES` cases each in ``make test`` and 300 in
``make soak`` (``--hypothesis-profile=soak``).

Coverage on CPython 3.11 slows every line a traced process runs, lessonkit's or
not, about twofold. :data:`NOT_TRACED` lists the test files it does not trace
(marked ``no_cover``): those that drive other processes, and those that repeat,
case after case, lines other tests trace too. nbval's cells are not traced
either: a notebook runs in its kernel, and this process only sends its cells.
"""

from __future__ import annotations

import sys
import threading
import time
import types
from collections.abc import Generator

import pytest
from hypothesis import settings

#: Cases per property test in ``make test``, the same ones every run (derandomized):
#: enough to catch a rule broken for whole classes of input; ``make soak`` searches
#: the long tail with fresh random cases. No example database: a run tries its own
#: cases, never the failures an earlier run saved.
EXAMPLES = 30
settings.register_profile("lessonkit", max_examples=EXAMPLES, derandomize=True, database=None)
settings.register_profile("soak", max_examples=300, database=None)
settings.load_profile("lessonkit")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "soak: slow repeat-runs (fresh processes/kernels); run with -m soak"
    )


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Run a ``no_cover`` or ``untraced`` test with no tracer at all, in this thread and
    any it starts.

    pytest-cov's own ``no_cover`` stops its collector, but in a pytest-xdist worker
    that hands tracing back to a second one (started earlier, its data never
    reported), so the test would still pay for tracing. Innermost (``trylast``),
    after pytest-cov's pause.
    """
    if not (item.get_closest_marker("no_cover") or item.get_closest_marker("untraced")):
        return (yield)
    tracer, threads = sys.gettrace(), threading.gettrace()
    sys.settrace(None)
    threading.settrace(None)  # type: ignore[arg-type]  # None removes it
    try:
        return (yield)
    finally:
        threading.settrace(threads)  # type: ignore[arg-type]
        sys.settrace(tracer)


#: Test files run without coverage. The first five drive other processes (a browser,
#: JupyterLab, kernels, fresh interpreters), where tracing this one only slows the
#: driver. The last two repeat lines that other tests trace: mutants of every
#: exercise's solution, fifty threads. Measured with ``--cov-context=test``: the
#: suite traces the same arcs with or without them, and runs in about half the CPU time.
NOT_TRACED = (
    "browser/",
    "test_lab.py",
    "test_runtime_install.py",
    "reliability/test_notebook_rerun.py",
    "reliability/test_import_time.py",
    "exercises/test_mutants.py",
    "reliability/test_concurrency.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests = config.rootpath / "tests"
    for item in items:
        if item.path.suffix == ".ipynb" or (
            item.path.is_relative_to(tests)
            and item.path.relative_to(tests).as_posix().startswith(NOT_TRACED)
        ):
            item.add_marker(pytest.mark.no_cover)
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):  # @given
            item.add_marker(pytest.mark.property)
    if "soak" in (config.option.markexpr or ""):
        return  # the soak lane asked for them by name
    skip = pytest.mark.skip(reason="soak test: run with `pytest -m soak` (make soak)")
    for item in items:
        if item.get_closest_marker("soak"):
            item.add_marker(skip)


@pytest.fixture
def real_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every *real* ``time.sleep`` of positive length made during the test.

    Proves "nothing actually waited" without timing anything. Request it
    before ``lessonkit_api`` (first in the argument list): virtual time then
    hands any sleep it does not take over to this recorder. Zero-length
    sleeps (a thread yield) are not waits and are left out.
    """
    real = time.sleep
    if not isinstance(real, types.BuiltinFunctionType):
        raise RuntimeError("real_sleeps must be set up before offline mode starts")
    slept: list[float] = []

    def record(seconds: float) -> None:
        if seconds > 0:
            slept.append(seconds)
        real(seconds)

    monkeypatch.setattr(time, "sleep", record)
    return slept
