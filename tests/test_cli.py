"""The ``lessonkit`` command: help everywhere, exit codes, and what each command runs."""

from __future__ import annotations

import json
import os
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

from lessonkit import cli, doctor, models
from lessonkit import lab as lab_module
from lessonkit.cli import app, lab_command
from lessonkit.doctor import Check

runner = CliRunner()
COMMANDS = ["lab", "update", "doctor", "progress", "grade", "release", "serve"]


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


def _course(root: Path) -> Path:
    """A one-lesson, one-exercise course, with a solution source that must stay out."""
    for path in ("notebooks/00_setup.ipynb", "exercises/01_x.ipynb", "exercises/source/01_x.ipynb"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(), root / path)  # type: ignore[no-untyped-call]
    return root


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    """What `lessonkit lab` would run, instead of running it."""
    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(command: list[str], env: dict[str, str]) -> int:
        calls.append((command, dict(env)))
        return 0

    monkeypatch.setattr(lab_module, "run", run)
    return calls


def test_lab_makes_the_workspace_once_and_serves_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, runs: list[tuple[list[str], dict[str, str]]]
) -> None:
    course = _course(tmp_path)
    monkeypatch.chdir(course)
    result = runner.invoke(app, ["lab", "--no-browser", "--port", "9999"])
    assert result.exit_code == 0, result.output
    work = (course / "work").resolve()
    assert f"Made your workspace {work}" in result.output
    assert sorted(str(p.relative_to(work)) for p in work.rglob("*.ipynb")) == [
        "exercises/exercise-01-x.ipynb",
        "lessons/lesson-00-setup.ipynb",
    ]
    ((command, env),) = runs
    assert command == lab_command(work, no_browser=True, extra=["--port", "9999"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={work}" in command
    assert "--LabApp.default_url=/lab" in command
    (layout,) = (work / ".lessonkit/lab/workspaces").glob("default-*.jupyterlab-workspace")
    first = json.loads(layout.read_text())["data"]
    assert first["file-browser-filebrowser:cwd"] == {"path": ""}  # the root, not lessons/
    assert first["layout-restorer:data"]["main"]["current"] == (
        "notebook:lessons/lesson-00-setup.ipynb"
    )
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    notification = work / ".lessonkit/lab/settings/@jupyterlab/apputils-extension"
    assert json.loads((notification / "notification.jupyterlab-settings").read_text()) == {
        "fetchNews": "false"
    }
    assert f"--LabApp.user_settings_dir={work / '.lessonkit/lab/settings'}" in command

    (work / "lessons/lesson-00-setup.ipynb").write_text("my notes")
    layout.write_text('{"data": {}, "metadata": {"id": "default"}}')  # the learner's own layout
    again = runner.invoke(app, ["lab"])
    assert again.exit_code == 0 and "Made your workspace" not in again.output
    assert (work / "lessons/lesson-00-setup.ipynb").read_text() == "my notes"
    assert json.loads(layout.read_text())["data"] == {}


def test_lab_serves_a_workspace_chosen_by_the_learner(
    tmp_path: Path, runs: list[tuple[list[str], dict[str, str]]]
) -> None:
    course = _course(tmp_path / "course")
    result = runner.invoke(
        app, ["lab", "--root", str(course), "--workspace", str(tmp_path / "mine")]
    )
    assert result.exit_code == 0, result.output
    assert f"--ServerApp.root_dir={(tmp_path / 'mine').resolve()}" in runs[0][0]
    assert not (course / "work").exists()


def test_lab_without_notebooks_says_where_to_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lab", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "notebooks/" in result.output


def test_update_keeps_the_learners_edits(tmp_path: Path) -> None:
    course = _course(tmp_path / "course")
    work = tmp_path / "work"
    args = ["update", "--root", str(course), "--workspace", str(work)]
    assert "added" in runner.invoke(app, args).output
    assert "is up to date" in runner.invoke(app, args).output
    (work / "exercises/exercise-01-x.ipynb").write_text("my answer")
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    notebook.cells = [nbformat.v4.new_markdown_cell("new wording")]  # type: ignore[no-untyped-call]
    nbformat.write(notebook, course / "exercises/01_x.ipynb")  # type: ignore[no-untyped-call]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "kept       exercises/exercise-01-x.ipynb  (yours; the new version is" in result.output
    assert (work / "exercises/exercise-01-x.ipynb").read_text() == "my answer"


def test_progress_asks_the_name_once_and_exports(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from lessonkit.checks import progress
    from lessonkit.checks.results import Status

    monkeypatch.setenv("LESSONKIT_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("LESSONKIT_LEARNER", raising=False)
    monkeypatch.setattr(cli, "_interactive", lambda: True)  # someone at a terminal
    progress.record("ex01_collect_stream", Status.CORRECT)
    shown = runner.invoke(app, ["progress"])
    assert shown.exit_code == 0 and "not named yet" in shown.output
    total = sum(len(names) for names in progress.course().values())
    assert f"Passed 1 of {total}." in shown.output and "Left to do, by lesson:" in shown.output
    out = tmp_path / "out.json"
    exported = runner.invoke(app, ["progress", "--export", str(out)], input="Ada Lovelace\n")
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text())["learner"] == "Ada Lovelace"
    again = runner.invoke(app, ["progress", "--export", str(out)])  # no input: not asked again
    assert again.exit_code == 0 and "Progress of Ada Lovelace" in again.output
    renamed = runner.invoke(app, ["progress", "--name", "Ada L."])
    assert "Learner: Ada L." in renamed.output


def _notebook_with_solution(source: Path) -> None:
    source.mkdir()
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    notebook.cells = [nbformat.v4.new_code_cell("x = 1  # SOLUTION")]  # type: ignore[no-untyped-call]
    nbformat.write(notebook, source / "ex01.ipynb")  # type: ignore[no-untyped-call]


def test_release_strips_solutions(tmp_path: Path) -> None:
    source, dest = tmp_path / "source", tmp_path / "student"
    _notebook_with_solution(source)
    result = runner.invoke(app, ["release", "--source", str(source), "--dest", str(dest)])
    assert result.exit_code == 0, result.output
    assert (dest / "ex01.ipynb").exists()
    assert "x = 1" not in (dest / "ex01.ipynb").read_text()


def test_release_never_silently_overwrites_an_answer(tmp_path: Path) -> None:
    source, dest = tmp_path / "source", tmp_path / "student"
    _notebook_with_solution(source)
    args = ["release", "--source", str(source), "--dest", str(dest)]
    runner.invoke(app, args)
    (dest / "ex01.ipynb").write_text("an answered notebook")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert (dest / "ex01.ipynb").read_text() == "an answered notebook"
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0
    assert (dest / "ex01.ipynb").read_text() != "an answered notebook"


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
