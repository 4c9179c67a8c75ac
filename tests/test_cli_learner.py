"""What a first-time learner meets on the command line: progress kept per workspace, clear help."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from lessonkit import doctor
from lessonkit import lab as lab_module
from lessonkit.checks import progress
from lessonkit.checks.results import Status
from lessonkit.cli import app

runner = CliRunner()


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-lesson course with no progress anywhere yet, and `lessonkit lab` that only records."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), root / "notebooks/00_setup.ipynb")  # type: ignore[no-untyped-call]
    monkeypatch.delenv("LESSONKIT_PROGRESS", raising=False)
    monkeypatch.delenv("LESSONKIT_LEARNER", raising=False)
    monkeypatch.delenv("LESSONKIT_WORKSPACE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(root)
    return root


def test_lab_keeps_progress_inside_the_workspace_and_progress_reads_it(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    envs: list[dict[str, str]] = []
    monkeypatch.setattr(lab_module, "run", lambda command, env: envs.append(dict(env)) or 0)
    home = progress.default_path()
    progress.record("ex01_collect_stream", Status.CORRECT, path=home)  # someone's old verdict
    assert runner.invoke(app, ["lab", "--no-browser"]).exit_code == 0
    work = (course / "work").resolve()
    kept = work / ".lessonkit" / "progress.json"
    assert envs[0]["LESSONKIT_PROGRESS"] == str(kept)

    monkeypatch.setenv("LESSONKIT_PROGRESS", envs[0]["LESSONKIT_PROGRESS"])  # in a kernel
    progress.record("ex02_next_step", Status.INCORRECT)
    monkeypatch.delenv("LESSONKIT_PROGRESS")
    assert set(json.loads(kept.read_text())["exercises"]) == {"ex02_next_step"}

    from_course = runner.invoke(app, ["progress", "--workspace", str(work)])
    monkeypatch.chdir(work / "lessons")  # a terminal opened in the lab
    from_workspace = runner.invoke(app, ["progress"])
    for shown in (from_course, from_workspace):
        assert shown.exit_code == 0, shown.output
        assert (
            "ex02_next_step" in shown.output and "ex01_collect_stream  correct" not in shown.output
        )
    assert "Passed 0 of" in from_workspace.output


def test_a_not_attempted_check_is_no_attempt(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    assert progress.record("ex01", Status.NOT_ATTEMPTED, path=path) is None
    assert progress.load(path) == {}
    progress.record("ex01", Status.INCORRECT, path=path)
    progress.record("ex01", Status.NOT_ATTEMPTED, path=path)
    assert progress.load(path)["ex01"].attempts == 1
    assert progress.load(path)["ex01"].status is Status.INCORRECT


def test_export_without_a_name_outside_a_terminal_says_how_to_give_it(
    course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["progress", "--export", str(out)])
    assert result.exit_code == 2
    assert "--name 'Your Name'" in result.output and "LESSONKIT_LEARNER" in result.output
    assert "Aborted" not in result.output and not out.exists()
    named = runner.invoke(app, ["progress", "--export", str(out), "--name", "Ada"])
    assert named.exit_code == 0 and json.loads(out.read_text())["learner"] == "Ada"


@pytest.mark.parametrize(
    ("command", "defaults"),
    [
        ("release", ["exercises/source", "exercises/"]),
        ("lab", ["work/ in the course folder"]),
        ("update", ["work/ in the course folder"]),
    ],
)
def test_help_shows_every_default(command: str, defaults: list[str]) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    for default in defaults:
        assert f"default: ({default})" in text, result.output


def test_doctor_says_how_to_turn_live_mode_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LESSONKIT_LIVE", "1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-not-a-real-key")
    check = doctor.check_live_mode()
    assert check.status == "warn" and "unset LESSONKIT_LIVE" in check.fix
    assert os.environ["LESSONKIT_LIVE"] == "1"


def test_a_blank_name_typed_at_the_prompt_is_refused(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lessonkit import cli

    monkeypatch.setattr(cli, "_interactive", lambda: True)
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["progress", "--export", str(out)], input="   \n")
    assert result.exit_code == 2 and "cannot be empty" in result.output and not out.exists()


def test_interactive_means_a_terminal_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from lessonkit import cli

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert cli._interactive() is False
