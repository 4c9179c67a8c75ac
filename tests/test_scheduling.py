"""How ``make test`` hands work to its workers (the root conftest.py's scheduler)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _root_conftest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Config:
    """The two options the scheduler reads: ``--dist`` and the workers (``-n 4``)."""

    def __init__(self, dist: str) -> None:
        self.values = {"dist": dist, "tx": ["4*popen"]}

    def getvalue(self, name: str) -> Any:
        return self.values[name]


@pytest.fixture(scope="module")
def conftest() -> ModuleType:
    pytest.importorskip("xdist")
    return _root_conftest()


def test_only_dist_load_gets_the_scheduler(conftest: ModuleType) -> None:
    assert conftest.pytest_xdist_make_scheduler(_Config("loadscope"), None) is None
    assert conftest.pytest_xdist_make_scheduler(_Config("load"), None) is not None


def test_notebooks_and_shared_files_stay_whole_other_tests_spread(conftest: ModuleType) -> None:
    scope = conftest.pytest_xdist_make_scheduler(_Config("load"), None)._split_scope
    assert scope("notebooks/01_streaming.ipynb::Cell 3") == "notebooks/01_streaming.ipynb"
    for shared in conftest.SHARED:
        assert (ROOT / shared).is_file(), shared
        assert scope(f"{shared}::test_a") == scope(f"{shared}::test_b") == shared
    assert scope("tests/test_cli.py::test_a") != scope("tests/test_cli.py::test_b")


def test_the_browser_tests_share_one_worker(conftest: ModuleType) -> None:
    scope = conftest.pytest_xdist_make_scheduler(_Config("load"), None)._split_scope
    dealt = {
        scope(f"tests/browser/{name}")
        for name in (
            "test_lab.py::t",
            "test_notebooks.py::t[0]",
            "test_notebooks.py::t[1]",
            "test_workspace.py::t",
        )
    }
    assert dealt == {conftest.BROWSER}
    assert scope("tests/test_lab.py::t") != conftest.BROWSER


def test_the_controller_rewrites_each_test_module_once_for_every_worker(
    conftest: ModuleType, pytestconfig: pytest.Config
) -> None:
    from _pytest.assertion import rewrite

    here = Path(__file__)
    pyc = rewrite.get_cache_dir(here) / (here.name[:-3] + rewrite.PYC_TAIL)
    pyc.unlink(missing_ok=True)
    assert conftest.rewrite_test_modules(pytestconfig) >= 1
    assert rewrite._read_pyc(here, pyc, lambda _: None) is not None  # what a worker reads
    assert conftest.rewrite_test_modules(pytestconfig) == 0  # cached: nothing to redo


def test_hypothesis_tables_are_made_after_its_initialisation_ends(
    conftest: ModuleType, pytestconfig: pytest.Config
) -> None:
    # Made during initialisation, Hypothesis warns (an error under filterwarnings) and
    # the tables are never made: the controller's hook must run after Hypothesis's.
    hook = pytestconfig.pluginmanager.hook.pytest_sessionstart
    callers = [impl.plugin_name for impl in hook.get_hookimpls()]
    ours = callers.index(str(ROOT / "conftest.py"))
    assert ours < callers.index("hypothesispytest")  # pluggy calls the list from its end


def test_a_worker_stops_the_coverage_pytest_cov_started_there_for_a_controller(
    conftest: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coverage import Coverage
    from pytest_cov.engine import DistMaster, DistWorker

    def plugins(controller: object) -> Any:
        cov = SimpleNamespace(cov_controller=controller)
        return SimpleNamespace(get_plugin=lambda name: cov if name == "_cov" else None)

    stray = Coverage(data_file=None, config_file=False)
    master, worker = DistMaster.__new__(DistMaster), DistWorker.__new__(DistWorker)
    master.cov = worker.cov = stray
    stray.start()
    try:
        monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
        assert not conftest.stop_stray_coverage(plugins(master))  # the controller's own
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
        assert not conftest.stop_stray_coverage(plugins(worker))  # the worker's own
        assert Coverage.current() is stray
        assert conftest.stop_stray_coverage(plugins(master))
        assert Coverage.current() is not stray
    finally:
        if Coverage.current() is stray:
            stray.stop()


def test_notebook_cells_run_untraced_and_these_tests_traced(request: pytest.FixtureRequest) -> None:
    cells = [item for item in request.session.items if item.path.suffix == ".ipynb"]
    if not cells:
        pytest.skip("no notebook was collected in this run")
    assert all(cell.get_closest_marker("no_cover") for cell in cells)
    assert request.node.get_closest_marker("no_cover") is None


def test_a_current_env_run_starts_its_kernels_as_usual(conftest: ModuleType) -> None:
    config = SimpleNamespace(option=SimpleNamespace(nbval_current_env=True))
    assert conftest.fork_kernels(config) is None


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="the zygote runs on Linux")
def test_every_kernel_of_the_run_finds_the_zygotes_spec_first(
    conftest: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests import forked_kernels

    stopped: list[str] = []

    def start(directory: Path) -> SimpleNamespace:  # the zygote itself: test_forked_kernels.py
        forked_kernels.write_kernel_spec(directory, str(directory / "zygote.sock"))
        return SimpleNamespace(terminate=lambda: stopped.append("terminate"), wait=lambda: 0)

    monkeypatch.setattr(forked_kernels, "start", start)
    monkeypatch.setenv("JUPYTER_PATH", "/before")
    cleanups: list[Callable[[], None]] = []
    config = SimpleNamespace(
        option=SimpleNamespace(), add_cleanup=cleanups.append, stash=pytest.Stash()
    )
    directory = conftest.fork_kernels(config)
    assert os.environ["JUPYTER_PATH"] == f"{directory}{os.pathsep}/before"
    spec = json.loads((directory / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][-5:] == [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
    ]
    written: list[str] = []
    reporter = SimpleNamespace(
        write_sep=lambda _, title: written.append(title), write=written.append
    )
    conftest.pytest_terminal_summary(reporter, config)
    assert written == []  # no kernel failed
    (directory / forked_kernels.LOG).write_text("kernel 7 in /x: Traceback ...\n")
    conftest.pytest_terminal_summary(reporter, config)
    assert written == ["forked kernels that failed", "kernel 7 in /x: Traceback ...\n"]
    for cleanup in cleanups:
        cleanup()
    assert stopped == ["terminate"] and not directory.exists()
