"""show(): plain text outside a kernel, a text + HTML bundle inside one."""

from __future__ import annotations

from typing import Any

import IPython
import IPython.display
import pytest

from lessonkit.checks import CheckResult, Status
from lessonkit.checks.display import show

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
