"""The ``lessonkit`` command: help everywhere, exit codes, and what each command runs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest
from typer.testing import CliRunner

from lessonkit import doctor, models
from lessonkit.cli import app, lab_command
from lessonkit.doctor import Check

runner = CliRunner()
COMMANDS = ["lab", "doctor", "progress", "release", "serve"]


@pytest.mark.parametrize("args", [[], *([c] for c in COMMANDS)])
def test_help_everywhere(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize(("status", "code"), [("pass", 0), ("warn", 0), ("fail", 1)])
def test_doctor_exit_code(monkeypatch: pytest.MonkeyPatch, status: str, code: int) -> None:
    monkeypatch.setattr(doctor, "run_checks", lambda: [Check("thing", status, "found", "fix it")])  # type: ignore[arg-type]
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == code
    assert "thing" in result.output


def test_lab_runs_jupyter_lab_on_the_course(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "notebooks").mkdir()
    calls: list[list[str]] = []
    def call(argv: list[str]) -> int:
        calls.append(argv)
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["lab", "--no-browser", "--port", "9999"])
    assert result.exit_code == 0, result.output
    assert calls == [lab_command(tmp_path.resolve(), no_browser=True, extra=["--port", "9999"])]
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in calls[0]
    assert calls[0][:3] == [sys.executable, "-m", "jupyterlab"]


def test_lab_without_notebooks_says_where_to_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lab", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "notebooks/" in result.output


def test_progress_shows_and_exports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from lessonkit.checks import progress
    from lessonkit.checks.results import Status

    monkeypatch.setenv("LESSONKIT_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("LESSONKIT_LEARNER", "ada")
    progress.record("ex01", Status.CORRECT)
    shown = runner.invoke(app, ["progress"])
    assert shown.exit_code == 0 and "ex01" in shown.output
    exported = runner.invoke(app, ["progress", "--export", str(tmp_path / "out.json")])
    assert exported.exit_code == 0, exported.output
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["learner"] == "ada" and "ex01" in data["exercises"]


def test_release_strips_solutions(tmp_path: Path) -> None:
    source, dest = tmp_path / "source", tmp_path / "student"
    source.mkdir()
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    notebook.cells = [nbformat.v4.new_code_cell("x = 1  # SOLUTION")]  # type: ignore[no-untyped-call]
    nbformat.write(notebook, source / "ex01.ipynb")  # type: ignore[no-untyped-call]
    result = runner.invoke(app, ["release", "--source", str(source), "--dest", str(dest)])
    assert result.exit_code == 0, result.output
    assert (dest / "ex01.ipynb").exists()
    assert "x = 1" not in (dest / "ex01.ipynb").read_text()


def test_release_without_sources_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["release", "--source", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "--source" in result.output


def test_serve_refuses_a_public_address() -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--force-bind" in result.output


def test_serve_rejects_an_unknown_scenario() -> None:
    result = runner.invoke(app, ["serve", "--scenario", "no-such-scenario"])
    assert result.exit_code == 2
    assert "no-such-scenario" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_command_serves_until_interrupted() -> None:
    """The real console script, as an instructor runs it: a scenario, a request, Ctrl-C."""
    from lessonkit.fakeapi import scenarios

    port = _free_port()
    scenario = "overloaded_then_ok" if "overloaded_then_ok" in scenarios.SCENARIOS else None
    argv = [sys.executable, "-m", "lessonkit.cli", "serve", "--port", str(port)]
    argv += ["--scenario", scenario] if scenario else []
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        answer = _first_answer(base)
        assert answer.status_code == (529 if scenario else 200), answer.text
        seen = httpx.get(f"{base}/_lessonkit/requests", timeout=5).json()
        assert seen[0]["path"] == "/v1/messages"
    finally:
        process.send_signal(2)  # SIGINT, as Ctrl-C
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert f"{base}" in output and "ANTHROPIC_BASE_URL" in output


def _first_answer(base: str) -> httpx.Response:
    body: dict[str, Any] = {
        "model": models.DEFAULT,
        "max_tokens": 20,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    headers = {"x-api-key": "x", "anthropic-version": "2023-06-01"}
    deadline = time.monotonic() + 60  # the child imports the SDK first
    while True:
        try:
            return httpx.post(f"{base}/v1/messages", json=body, headers=headers, timeout=5)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
