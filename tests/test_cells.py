"""Scripting from a notebook cell replaces what the same cell scripted in an earlier run.

A fake IPython shell stands in for the kernel: cells are code compiled under an
ipykernel-style file name, run with a growing execution count, exactly the
facts :func:`lessonkit.cells.origin` reads.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from lessonkit.fakeapi.app import FakeAPI
from lessonkit.fakeapi.http import ApiRequest

CELL_A = "/tmp/ipykernel_1/1111.py"
CELL_B = "/tmp/ipykernel_1/2222.py"


@dataclass
class FakeShell:
    """What `origin()` uses of ipykernel's shell: kernel, displayhook, compile, a run count."""

    kernel: object = True
    cells: set[str] = field(default_factory=set)
    count: int = 0
    displayhook: Any = field(default_factory=lambda: SimpleNamespace(exec_result=None))

    def __post_init__(self) -> None:
        self.compile = SimpleNamespace(format_code_name=self._name)

    def _name(self, filename: str) -> tuple[str, str] | None:
        return ("Cell", "In[1]") if filename in self.cells else None

    def run(
        self,
        namespace: dict[str, Any],
        source: str,
        filename: str,
        cell_id: str | None = None,
        *,
        is_cell: bool = True,
    ) -> None:
        """Run `source` as one execution of the cell `filename` (with JupyterLab's `cell_id`)."""
        self.count += 1
        if is_cell:
            self.cells.add(filename)
        info = SimpleNamespace(cell_id=cell_id)
        self.displayhook.exec_result = SimpleNamespace(info=info, execution_count=self.count)
        try:
            exec(compile(source, filename, "exec"), namespace)
        finally:
            self.displayhook.exec_result = None


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> FakeShell:
    fake = FakeShell()
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: fake))
    return fake


def _request() -> ApiRequest:
    return ApiRequest("POST", "/v1/messages", {}, b"{}")


@pytest.mark.parametrize(
    "source, pending",
    [
        ("api.fail_next(529, times=2)", 2),
        ("api.timeout_next(2)", 2),
        ("api.fail_stream(after_events=6)", 1),
        ("api.drop_stream()", 1),
        ("api.scenario('overloaded_then_ok')", 2),
        ("api.scenario('overloaded_mid_stream')", 1),
    ],
)
def test_running_a_cell_again_replaces_its_faults(
    shell: FakeShell, source: str, pending: int
) -> None:
    api = FakeAPI()
    for _ in range(3):
        shell.run({"api": api}, source, CELL_A)
        assert api.faults.pending == pending


def test_running_a_cell_again_replaces_its_replies(shell: FakeShell) -> None:
    api = FakeAPI()
    shell.run({"api": api}, "api.reply('one', times=2)\napi.reply('two')", CELL_A)
    shell.run({"api": api}, "api.reply('one', times=2)\napi.reply('two')", CELL_A)
    assert [reply.text for reply, _ in api._state.replies] == ["one", "one", "two"]


def test_running_a_cell_again_replaces_its_batch_delay_and_outcomes(shell: FakeShell) -> None:
    api = FakeAPI()
    for _ in range(3):
        shell.run({"api": api}, "api.batch_delay(hours=30)", CELL_A)
    shell.run({"api": api}, "api.batch_outcome('row-1', 'errored')", CELL_B)
    shell.run({"api": api}, "api.batch_outcome('row-2', 'canceled')", CELL_B)  # edited cell
    assert sum(seconds for seconds, _ in api.batches._delays) == 30 * 3600
    assert sorted(api.batches._scripts) == ["row-2"]


def test_a_batch_delay_from_plain_code_still_adds_up() -> None:
    api = FakeAPI().batch_delay(hours=1).batch_delay(minutes=30)
    assert sum(seconds for seconds, _ in api.batches._delays) == 5400


def test_one_run_keeps_everything_it_scripts(shell: FakeShell) -> None:
    api = FakeAPI()
    shell.run({"api": api}, "api.fail_next(500)\napi.fail_next(529)\napi.scenario('flaky')", CELL_A)
    assert api.faults.pending == 3


def test_only_the_unused_rest_of_an_earlier_run_is_dropped(shell: FakeShell) -> None:
    api = FakeAPI()
    shell.run({"api": api}, "api.fail_next(529, times=2)", CELL_A)
    assert api.faults.take_http(_request()) is not None  # one of the two was used
    shell.run({"api": api}, "api.fail_next(529, times=2)", CELL_A)
    assert api.faults.pending == 2


def test_other_cells_keep_what_they_scripted(shell: FakeShell) -> None:
    api = FakeAPI()
    shell.run({"api": api}, "api.fail_next(500)\napi.reply('kept')", CELL_A)
    shell.run({"api": api}, "api.fail_next(529, times=2)", CELL_B)
    shell.run({"api": api}, "api.fail_next(529, times=2)", CELL_B)
    assert api.faults.pending == 3
    assert [reply.text for reply, _ in api._state.replies] == ["kept"]


def test_an_edited_cell_is_the_same_cell_when_the_frontend_sends_its_id(shell: FakeShell) -> None:
    api = FakeAPI()
    shell.run({"api": api}, "api.fail_next(529, times=2)", CELL_A, cell_id="cell-7")
    shell.run({"api": api}, "api.fail_next(529, times=3)", CELL_B, cell_id="cell-7")
    assert api.faults.pending == 3


def test_a_function_defined_in_a_cell_queues_as_plain_code_does(shell: FakeShell) -> None:
    api = FakeAPI()
    namespace: dict[str, Any] = {"api": api}
    exec(compile("def plan():\n    api.fail_next(529)\n", CELL_A, "exec"), namespace)
    shell.cells.add(CELL_A)
    shell.run(namespace, "plan()", CELL_B)  # the first frame outside lessonkit is plan()
    shell.run(namespace, "plan()", CELL_B)
    assert api.faults.pending == 2


def test_code_that_is_not_a_cell_queues_as_before(shell: FakeShell) -> None:
    api = FakeAPI()
    for _ in range(2):  # e.g. a script run with %run
        shell.run({"api": api}, "api.fail_next(529, times=2)", "/work/plan.py", is_cell=False)
    assert api.faults.pending == 4


@pytest.mark.parametrize("ipython", [None, SimpleNamespace(get_ipython=lambda: None)])
def test_outside_a_kernel_scripting_queues(monkeypatch: pytest.MonkeyPatch, ipython: Any) -> None:
    if ipython is None:
        monkeypatch.delitem(sys.modules, "IPython", raising=False)
    else:
        monkeypatch.setitem(sys.modules, "IPython", ipython)
    api = FakeAPI()
    for _ in range(2):
        api.fail_next(529, times=2).reply("again")
    assert api.faults.pending == 4
    assert len(api._state.replies) == 2


def test_a_terminal_ipython_without_a_kernel_queues(shell: FakeShell) -> None:
    shell.kernel = None
    api = FakeAPI()
    shell.run({"api": api}, "api.fail_next(529)", CELL_A)
    shell.run({"api": api}, "api.fail_next(529)", CELL_A)
    assert api.faults.pending == 2
