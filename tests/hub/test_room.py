"""The room's grid, misconceptions, CSV and `lessonkit progress --collect`; the learner's server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lessonkit import singleuser
from lessonkit.checks import progress
from lessonkit.checks.results import Status
from lessonkit.cli import app
from lessonkit.room import Learner, load_folder, room

EXERCISES = ("ex01_collect_stream", "ex01_stream_with_request_id")
NOT_STREAMED = "`collect_stream` did not stream"


def learner(name: str, *checks: tuple[str, Status, str]) -> Learner:
    record = Learner(name)
    for number, (exercise, status, message) in enumerate(checks):
        record = record.checked(exercise, status, message, f"2026-12-02T10:0{number}:00+00:00")
    return record


def test_a_pass_is_remembered_after_a_later_failure() -> None:
    ada = learner(
        "ada",
        (EXERCISES[0], Status.CORRECT, "passed"),
        (EXERCISES[0], Status.INCORRECT, NOT_STREAMED),
    )
    attempt = ada.exercises[EXERCISES[0]]
    assert (attempt.status, attempt.attempts, attempt.message) == ("incorrect", 2, NOT_STREAMED)
    assert attempt.first_passed == "2026-12-02T10:00:00+00:00"
    assert Learner.from_json(json.loads(json.dumps(ada.to_json()))) == ada


def test_the_grid_and_the_most_common_mistakes() -> None:
    learners = [
        learner("cy"),
        learner("bob", (EXERCISES[0], Status.INCORRECT, NOT_STREAMED)),
        learner(
            "ada", (EXERCISES[0], Status.CORRECT, "passed"), ("ex99_extra", Status.ERROR, "boom")
        ),
        learner("dee", (EXERCISES[0], Status.INCORRECT, NOT_STREAMED)),
        learner("eve", (EXERCISES[0], Status.INCORRECT, "made 2 requests")),
    ]
    grid = room(EXERCISES, learners)
    assert grid.exercises == (*EXERCISES, "ex99_extra")
    assert [row[0].state for row in grid.grid()] == [
        "correct", "incorrect", "not attempted", "incorrect", "incorrect"
    ]  # fmt: skip
    assert grid.grid()[0][0].message == ""  # a pass shows no message
    assert grid.misconceptions() == {EXERCISES[0]: [(NOT_STREAMED, 2), ("made 2 requests", 1)]}
    text = str(grid)
    assert "learner  passed   1  2  3" in text.splitlines()[0]
    assert "ada           1   ✓  ·  !" in text.splitlines()
    assert "  3  ex99_extra" in text.splitlines()
    assert f"2 × {NOT_STREAMED}" in text


def test_broken_records_are_named_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "ada.json").write_text(
        json.dumps(learner("ada", (EXERCISES[0], Status.CORRECT, "")).to_json())
    )
    (tmp_path / "junk.json").write_text("[1, 2]")
    (tmp_path / "half.json").write_text("{")
    learners, problems = load_folder(tmp_path)
    assert [record.name for record in learners] == ["ada"]
    assert [problem.split(":")[0] for problem in problems] == ["half.json", "junk.json"]


def test_collect_reads_exported_progress_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LESSONKIT_PROGRESS", str(tmp_path / "mine" / "progress.json"))
    monkeypatch.delenv("LESSONKIT_EXCHANGE_URL", raising=False)
    progress.record(EXERCISES[0], Status.CORRECT)
    room_dir = tmp_path / "room"
    progress.export(room_dir / "ada.json", learner="ada")
    (room_dir / "notes.json").write_text("{}")
    runner = CliRunner()
    done = runner.invoke(app, ["progress", "--collect", str(room_dir)])
    assert done.exit_code == 0, done.output
    assert "notes.json: skipped" in done.output
    assert any(line.startswith("ada ") and " 1 " in line for line in done.output.splitlines())
    missing = runner.invoke(app, ["progress", "--collect", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2


def test_the_learners_server_starts_in_their_workspace(tmp_path: Path) -> None:
    course = Path(__file__).resolve().parents[2]
    env = {"LESSONKIT_COURSE": str(course), "LESSONKIT_WORKSPACE": str(tmp_path / "work")}
    command = singleuser.prepare(env, ["--debug"])
    assert command[:3] == [sys.executable, "-m", "jupyterhub.singleuser"]
    assert f"--ServerApp.root_dir={tmp_path / 'work'}" in command and command[-1] == "--debug"
    assert (tmp_path / "work" / singleuser.FIRST_LESSON).is_file()
    mine = tmp_path / "work" / singleuser.FIRST_LESSON
    mine.write_text("my notes")
    singleuser.prepare(env)  # a restart keeps the learner's files
    assert mine.read_text() == "my notes"
    with pytest.raises(SystemExit, match="LESSONKIT_COURSE"):
        singleuser.prepare({})
    assert singleuser.workspace({}) == Path.home() / "work"


def test_the_dashboard_runs_where_the_hub_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from lessonkit import dashboard

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options, app=app))
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:8081/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "secret")
    dashboard.main(["--data", str(tmp_path / "room")])
    assert (started["host"], started["port"]) == ("127.0.0.1", 10101)
    dashboard.main(["--data", str(tmp_path / "room"), "--host", "0.0.0.0"])
    assert started["host"] == "0.0.0.0"
    assert (tmp_path / "room").is_dir()
