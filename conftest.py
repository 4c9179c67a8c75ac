"""How pytest and nbval treat the exercise notebooks (kept at the root: a conftest inside
``exercises/`` would make it a package that shadows ``tests/exercises``).

* nbval runs the SOURCE notebooks (``exercises/source/*.ipynb``, solutions in
  place): their committed outputs show every check "Correct", and a fresh
  run must reproduce them.
* The student copies (``exercises/*.ipynb``) are generated, have no outputs,
  and would stop at the first stub, so nbval does not collect them;
  ``tests/exercises/test_release_golden.py`` proves they equal a fresh release
  and that every stub in them is "Not attempted".
* One ``pytest -n N --dist load`` runs everything (see :func:`pytest_xdist_make_scheduler`):
  each notebook's nbval cells stay together on one worker, in order, and so do
  the tests sharing the real JupyterHub; the longest work is handed out first, so
  no worker is left with a long test at the end while the others wait.
* Every kernel the run starts forks from one process that imported ipykernel and
  the SDK once (:func:`fork_kernels`, ``tests/forked_kernels.py``); the run's
  summary shows how any of them that failed ended.
* ``q.check()`` records progress; during test runs it goes to a temporary
  file of each test process (each pytest-xdist worker has its own), never to
  the learner's ``~/.lessonkit``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

#: lessonkit's own fixture, loaded here rather than through its pytest11 entry point
#: (pyproject's addopts load plugins by name only): an entry point is imported before
#: coverage starts in a pytest-xdist worker, which would count every module-level line
#: of lessonkit as missed.
pytest_plugins = ["lessonkit.pytest_plugin"]


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """The first hook this conftest gets, before its ``pytest_plugins`` are imported."""
    stop_stray_coverage(pluginmanager)


def stop_stray_coverage(plugins: pytest.PytestPluginManager) -> bool:
    """In a pytest-xdist worker, stop the coverage pytest-cov started for a controller.

    pytest-cov sees ``-n`` in a worker's options too, so it starts a controller's
    coverage there before the conftests load, then starts the worker's own at
    session start without stopping the first, whose data nothing reports. Until
    then it traces every import (the SDK's above all) at about half speed, in
    every worker. Stopped here, they load untraced; lessonkit's module-level
    lines still count: the controller's coverage, which is reported, traces
    their import too, and the worker's own starts before collection.
    Returns whether it stopped one.
    """
    cov = plugins.get_plugin("_cov")
    if not os.environ.get("PYTEST_XDIST_WORKER") or cov is None:
        return False
    from pytest_cov.engine import DistMaster

    controller = getattr(cov, "cov_controller", None)
    if not isinstance(controller, DistMaster):
        return False
    controller.cov.stop()
    return True


STUDENT_COPIES = Path(__file__).resolve().parent / "exercises"


def _controls_workers(config: pytest.Config) -> bool:
    """Whether this process is pytest-xdist's controller (it starts workers, runs no test)."""
    return bool(config.getoption("numprocesses", None)) and not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    os.environ["LESSONKIT_PROGRESS"] = str(
        Path(tempfile.mkdtemp(prefix="lessonkit-progress-")) / "progress.json"
    )
    if not hasattr(config, "workerinput"):
        fork_kernels(config)
    if _controls_workers(config):
        tracer = sys.gettrace()
        sys.settrace(None)  # pytest's rewriter, not lessonkit: coverage would only slow it
        try:
            rewrite_test_modules(config)
        finally:
            sys.settrace(tracer)
        if _coverage() is not None:
            import_lessonkit()  # traced once, here: the workers import it untraced


#: The directory of the run's zygote (see :func:`fork_kernels`).
KERNELS = pytest.StashKey[Path]()


def fork_kernels(config: pytest.Config) -> Path | None:
    """Have every kernel this run starts fork from one warm process (tests/forked_kernels.py).

    Its ``python3`` kernel spec goes first on ``JUPYTER_PATH``, for the workers,
    nbval (``--nbval-kernel-name python3``), nbclient and JupyterLab alike.
    Linux only (it passes file descriptors over a Unix socket and waits on a pidfd);
    elsewhere kernels start as usual, and so they do in a run given
    ``--nbval-current-env`` (``bench/notebooks.py`` measures what a learner's
    kernel costs to start).
    Returns the spec's directory.
    """
    if not hasattr(os, "pidfd_open") or getattr(config.option, "nbval_current_env", False):
        return None
    from tests import forked_kernels

    directory = Path(tempfile.mkdtemp(prefix="lessonkit-kernels-"))
    zygote = forked_kernels.start(directory)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(directory), os.environ.get("JUPYTER_PATH")) if p
    )

    config.stash[KERNELS] = directory

    def stop() -> None:
        zygote.terminate()
        zygote.wait()
        shutil.rmtree(directory, ignore_errors=True)

    config.add_cleanup(stop)
    return directory


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Show how each forked kernel that failed ended (nbval discards a kernel's stderr)."""
    directory = config.stash.get(KERNELS, None)
    if directory is None:
        return
    from tests import forked_kernels

    failed = forked_kernels.failures(directory)
    if failed:
        terminalreporter.write_sep("=", "forked kernels that failed")
        terminalreporter.write(failed)


@pytest.hookimpl(trylast=True)  # after Hypothesis's own: its tables may be made from here on
def pytest_sessionstart(session: pytest.Session) -> None:
    if _controls_workers(session.config):
        threading.Thread(target=tabulate_text, name="hypothesis-tables", daemon=True).start()


def tabulate_text() -> None:
    """Have Hypothesis make its Unicode tables now, while the workers start.

    The first test in a process that draws text makes them (which characters
    UTF-8 encodes, by category: about 3 s of CPU) unless ``.hypothesis/`` has
    them, so on a fresh clone every worker made its own. Made here once, they
    are read.
    """
    from hypothesis import strategies as st

    sys.settrace(None)  # Hypothesis's code, not lessonkit's: coverage would only slow it
    st.text().validate()


def rewrite_test_modules(config: pytest.Config) -> int:
    """Rewrite every test module's asserts once, here, for all the workers to read.

    Each pytest-xdist worker imports every test module, and pytest rewrites its
    asserts first (about a third of a worker's start-up), then caches the result
    beside it, unless ``PYTHONDONTWRITEBYTECODE`` is set (as on CI machines) or
    a fresh clone's workers all start at once, each finding no cache. pytest
    reads a cached rewrite even where it may not write one. This uses pytest's
    own (private) rewriter; if that changes, it does nothing and the workers
    rewrite as before. Returns how many modules it rewrote.
    """
    try:
        from _pytest.assertion import rewrite

        state = config.stash[rewrite.assertstate_key]
    except (ImportError, AttributeError, KeyError):  # another pytest, or --assert=plain
        return 0
    root = Path(__file__).resolve().parent
    modules = [root / "conftest.py"]
    for folder, folders, files in os.walk(root / "tests"):
        folders[:] = [f for f in folders if f not in ("node_modules", "__pycache__")]
        modules += [
            Path(folder, name)
            for name in files
            if name == "conftest.py" or (name.startswith("test_") and name.endswith(".py"))
        ]
    rewritten = 0
    for module in modules:
        cache = rewrite.get_cache_dir(module)
        pyc = cache / (module.name[:-3] + rewrite.PYC_TAIL)
        if rewrite._read_pyc(module, pyc, state.trace) is None:
            source_hash, code = rewrite._rewrite_test(module, config)
            cache.mkdir(parents=True, exist_ok=True)
            rewritten += rewrite._write_pyc(state, code, source_hash, pyc)
    return rewritten


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(Path(os.environ["LESSONKIT_PROGRESS"]).parent, ignore_errors=True)


#: Handed out first (lower first): the tests that take longest, then each notebook's
#: nbval cells, then the rest in collection order. A long test handed out last
#: would leave every other worker idle until it finished.
FIRST = ("browser", "hub", "slow")
#: Test files whose tests share one costly module fixture (a real JupyterHub, a graded
#: folder, a fresh interpreter, fifty threads' answers, a zygote): split over workers, each
#: worker would build it again.
SHARED = (
    "tests/hub/test_hub.py",
    "tests/grading/test_grade.py",
    "tests/reliability/test_import_time.py",
    "tests/reliability/test_concurrency.py",
    "tests/test_forked_kernels.py",
)
#: The browser tests all go to one worker: each worker that runs any starts its own
#: JupyterLab and Chromium (15–30 s of CPU), more than a second lane saves in waiting.
BROWSER = "tests/browser/"


def _rank(item: pytest.Item) -> int:
    if item.path.suffix == ".ipynb":
        return len(FIRST)  # after the marked tests: each notebook is a few seconds
    return next(
        (rank for rank, mark in enumerate(FIRST) if item.get_closest_marker(mark)), len(FIRST) + 1
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest work first; stable, so a notebook's cells keep their order."""
    items.sort(key=_rank)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> object:
    """Collect untraced.

    Every worker collects the whole suite, and coverage's tracer makes that about
    twice as costly (pytest rewriting each test module's asserts, the test
    modules' imports), though little of it is lessonkit. So under ``--cov`` the
    tracer is paused while pytest collects, and while every lessonkit module is
    imported first: their module-level lines count where they are imported
    traced, once, in pytest-xdist's controller (whose coverage data is combined
    with the workers'), or here in a run without workers. Test modules that call
    a memoised lessonkit function at import (to build parameters) filled its
    cache untraced; the caches are emptied afterwards, so the first call in a
    test runs, traced, again.
    """
    current = _coverage()
    if current is None:
        return (yield)
    worker = hasattr(session.config, "workerinput")
    if not worker:
        import_lessonkit()  # traced: no controller did it for this process
    current.stop()
    try:
        if worker:
            import_lessonkit()
        return (yield)
    finally:
        _clear_lessonkit_caches()
        current.start()


def _coverage() -> Any:
    """The coverage measurement running in this process (pytest-cov's), or None."""
    coverage = sys.modules.get("coverage")
    return coverage.Coverage.current() if coverage is not None else None


def import_lessonkit() -> None:
    """Import every lessonkit module (tests import most of them lazily, inside tests)."""
    import lessonkit

    for module in pkgutil.walk_packages(lessonkit.__path__, "lessonkit."):
        importlib.import_module(module.name)


def _clear_lessonkit_caches() -> None:
    """Empty every ``functools`` cache a lessonkit module defines (all hold derived facts)."""
    for name, module in list(sys.modules.items()):
        if name == "lessonkit" or name.startswith("lessonkit."):
            for value in vars(module).values():
                if hasattr(type(value), "cache_clear") and value.__module__ == name:
                    value.cache_clear()  # (type(value): a learner's `____` refuses any getattr)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist is not loaded under -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist load``, except that each notebook, each :data:`SHARED` file and the
    :data:`BROWSER` folder stay whole.

    nbval runs a notebook's cells in order in one kernel, so they cannot be split
    over workers. (pytest-xdist's ``xdist_group`` marks would say the same, but
    pytest 9.2 drops them silently: pytest-dev/pytest-xdist#1386.)
    """
    if config.getvalue("dist") != "load":
        return None  # pytest-xdist's own choice
    from xdist.scheduler import LoadScopeScheduling

    class WholeNotebooks(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path.startswith(BROWSER):
                return BROWSER
            return path if path.endswith(".ipynb") or path in SHARED else nodeid

    return WholeNotebooks(config, log)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> object:
    """Start a notebook's kernel untraced, even in a ``--cov`` run.

    nbval starts coverage inside the kernel whenever pytest-cov is on, and gives
    that a fixed minute that a busy machine can miss. The kernel runs the lessons;
    lessonkit's lines are traced by the tests, in the pytest processes.
    """
    if item.path.suffix != ".ipynb" or not getattr(item.config.option, "cov_source", None):
        return (yield)
    source, item.config.option.cov_source = item.config.option.cov_source, None
    try:
        return (yield)
    finally:
        item.config.option.cov_source = source


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.suffix == ".ipynb" and collection_path.resolve().parent == STUDENT_COPIES:
        return True  # a generated student copy
    return None
