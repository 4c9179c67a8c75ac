"""show(): plain text outside a kernel, a text + HTML bundle inside one."""

from __future__ import annotations

from typing import Any

import IPython
import IPython.display
import pytest

from lessonkit.checks import CheckResult, Status
from lessonkit.checks.display import cell_name, show

RESULT = CheckResult(Status.INCORRECT, "<b>bad</b>", ("detail",))


def test_plain_print_outside_a_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    show(RESULT)
    show("There are only 2 hints.")
    assert capsys.readouterr().out == f"{RESULT}\nThere are only 2 hints.\n"


class FakeShell:
    kernel = object()


def fake_kernel(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    shown: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    return shown


def test_mime_bundle_inside_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = fake_kernel(monkeypatch)
    show(RESULT)
    show("plain")
    assert shown == [
        ({"text/plain": str(RESULT), "text/html": RESULT._repr_html_()}, {"raw": True}),
        ({"text/plain": "plain"}, {"raw": True}),
    ]
    assert "&lt;b&gt;" in shown[0][0]["text/html"]


def test_terminal_ipython_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())  # a shell without a kernel
    show(RESULT)
    assert capsys.readouterr().out == f"{RESULT}\n"


class FakeCompiler:
    """IPython's CachingCompiler: knows the file each executed cell was compiled from."""

    def format_code_name(self, name: str) -> tuple[str, str] | None:
        return ("Cell", "In[4]") if name == "/tmp/ipykernel_1/123.py" else None


class CompilingShell:
    compile = FakeCompiler()


def test_cells_are_named_as_ipython_names_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IPython, "get_ipython", lambda: CompilingShell())
    assert cell_name("/tmp/ipykernel_1/123.py") == "Cell In[4]"
    assert cell_name("/home/me/helpers.py") is None
    assert cell_name("<mutant ex01 line 3>") == "<mutant ex01 line 3>"
    assert cell_name("<string>") is None


def test_without_a_shell_no_file_is_a_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert cell_name("/tmp/ipykernel_1/123.py") is None
