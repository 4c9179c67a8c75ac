"""The progress file: record, load, summary, export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lessonkit.checks import Status
from lessonkit.checks.progress import (
    Entry,
    course,
    default_path,
    export,
    learner_name,
    load,
    record,
    set_learner_name,
    summary,
)
from lessonkit.exercises import NOTEBOOKS

T0 = datetime(2025, 1, 2, 10, 0, tzinfo=UTC)


class Clock:
    """Each call is one minute later than the previous one."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "progress.json"


def test_default_path_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LESSONKIT_PROGRESS", str(tmp_path / "p.json"))
    assert default_path() == tmp_path / "p.json"
    monkeypatch.delenv("LESSONKIT_PROGRESS")
    assert default_path() == Path.home() / ".lessonkit" / "progress.json"


def test_nothing_recorded_yet(path: Path) -> None:
    assert load(path) == {}


def test_record_counts_attempts_and_keeps_the_first_pass(path: Path) -> None:
    clock = Clock()
    for status in (Status.NOT_ATTEMPTED, Status.INCORRECT, Status.CORRECT, Status.INCORRECT):
        record("ex01", status, path=path, clock=clock)
    record("ex02", Status.ERROR, path=path, clock=clock)
    assert load(path) == {  # the stub's "not attempted" was no attempt
        "ex01": Entry(
            Status.INCORRECT, 3, "2025-01-02T10:03:00+00:00", "2025-01-02T10:04:00+00:00"
        ),
        "ex02": Entry(Status.ERROR, 1, None, "2025-01-02T10:05:00+00:00"),
    }
    assert [p.name for p in path.parent.iterdir()] == ["progress.json"]  # no temp files left


def test_the_file_is_plain_json(path: Path) -> None:
    record("ex01", Status.CORRECT, path=path, clock=Clock())
    assert json.loads(path.read_text()) == {
        "version": 1,
        "exercises": {
            "ex01": {
                "status": "correct",
                "attempts": 1,
                "first_passed": "2025-01-02T10:01:00+00:00",
                "last_checked": "2025-01-02T10:01:00+00:00",
            }
        },
    }


@pytest.mark.parametrize("content", ["not json", "[]", '{"exercises": {"x": {}}}'])
def test_a_damaged_file_is_reported_not_overwritten(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(ValueError, match="is not a lessonkit progress file"):
        record("ex01", Status.CORRECT, path=path)
    assert path.read_text() == content


def test_summary_text_and_html(path: Path) -> None:
    clock = Clock()
    record("ex01_streaming", Status.CORRECT, path=path, clock=clock)
    record("ex02_<b>", Status.INCORRECT, path=path, clock=clock)
    table = summary(["ex03_batches", "ex01_streaming"], path=path)
    assert table.passed == 1
    assert str(table) == (
        "exercise        status       attempts  first passed\n"
        "ex01_streaming  correct      1         2025-01-02T10:01:00+00:00\n"
        "ex02_<b>        incorrect    1\n"
        "ex03_batches    not started  0\n"
        "Passed 1 of 3."
    )
    html = table._repr_html_()
    assert "<td>ex02_&lt;b&gt;</td>" in html and "<p>Passed 1 of 3.</p>" in html


def test_export_adds_the_learner(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LESSONKIT_LEARNER", raising=False)
    record("ex01_collect_stream", Status.CORRECT, path=path, clock=Clock())
    with pytest.raises(ValueError, match="no learner name"):
        export(tmp_path / "out.json", path=path)
    set_learner_name("  Ada Lovelace ", path)
    out = export(tmp_path / "out" / "ada.json", path=path, clock=lambda: T0)
    data = json.loads(out.read_text())
    assert data["learner"] == "Ada Lovelace"
    assert data["exported_at"] == "2025-01-02T10:00:00+00:00"
    assert data["exercises"]["ex01_collect_stream"]["status"] == "correct"
    assert data["total"] == sum(len(names) for names in course().values())
    assert data["passed"] == 1
    assert "ex01_collect_stream" not in data["left"]["01_streaming"]


def test_the_learner_name_is_chosen_not_the_login_name(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LESSONKIT_LEARNER", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    assert learner_name(path) is None
    set_learner_name("Grace", path)
    assert learner_name(path) == "Grace"
    assert json.loads((path.parent / "learner.json").read_text()) == {"learner": "Grace"}
    monkeypatch.setenv("LESSONKIT_LEARNER", "grace@hub")  # a hub's setting wins
    assert learner_name(path) == "grace@hub"
    with pytest.raises(ValueError, match="empty"):
        set_learner_name("  ", path)


def test_the_course_is_every_exercise_the_checker_modules_declare() -> None:
    assert course() == {
        lesson: tuple(exercise.name for exercise in module.EXERCISES)
        for lesson, module in NOTEBOOKS.items()
    }
    names = [name for group in course().values() for name in group]
    assert len(names) == len(set(names)) >= 16


def test_summary_counts_against_the_whole_course_and_says_what_is_left(path: Path) -> None:
    first, *rest = course()["01_streaming"]
    record(first, Status.CORRECT, path=path, clock=Clock())
    record(rest[0], Status.INCORRECT, path=path, clock=Clock())
    table = summary(path=path)
    total = sum(len(names) for names in course().values())
    assert len(table.rows) == total and table.passed == 1
    text = str(table)
    assert f"Passed 1 of {total}." in text
    assert f"01_streaming     {len(rest)} of {len(rest) + 1} left: {', '.join(rest)}" in text
    assert table.left()["01_streaming"] == tuple(rest)
    for name in rest:
        record(name, Status.CORRECT, path=path, clock=Clock())
    assert "01_streaming     done" in str(summary(path=path))
    assert "<pre>  01_streaming     done</pre>" in summary(path=path)._repr_html_()
