"""`lessonkit grade` on a folder of correct, wrong, broken and endless submissions.

Every submission is graded in its own CPU-limited process; the gradebook has a
verdict per exercise for the notebooks it can run and one clear error row for
each it cannot, and never crashes.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lessonkit.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

REPO = Path(__file__).resolve().parents[2]
STUDENT = REPO / "exercises" / "01_streaming.ipynb"
SOLVED = REPO / "exercises" / "source" / "01_streaming.ipynb"
WRONG = """\
def collect_stream(client, on_text, **params):
    message = client.messages.create(**params)
    on_text("".join(b.text for b in message.content if b.type == "text"))
    return message
"""
EXERCISES = ("ex01_collect_stream", "ex01_stream_with_request_id", "ex01_acollect_stream")


def _with_cell(source: Path, target: Path, replace: str, code: str) -> None:
    """`source` with the first code cell that defines `replace` rewritten to `code`."""
    notebook = json.loads(source.read_text())
    cell = next(
        c for c in notebook["cells"] if c["cell_type"] == "code" and replace in "".join(c["source"])
    )
    cell["source"] = code
    target.write_text(json.dumps(notebook))


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("submissions")
    shutil.copy(SOLVED, folder / "ada.ipynb")
    _with_cell(STUDENT, folder / "bob.ipynb", "def collect_stream", WRONG)
    _with_cell(STUDENT, folder / "cy.ipynb", "def collect_stream", "while True:\n    pass\n")
    (folder / "dee.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": "x = ')
    foreign = {"cells": [{"cell_type": "code", "source": "print('hello')"}], "metadata": {}}
    (folder / "nested").mkdir()
    (folder / "nested" / "eve.ipynb").write_text(json.dumps(foreign))
    return folder


@pytest.fixture(scope="module")
def graded(
    submissions: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, list[list[str]]]]:
    """`lessonkit grade` as an instructor runs it; the CSV's rows by submission."""
    out = tmp_path_factory.mktemp("grades")
    done = CliRunner().invoke(
        app, ["grade", str(submissions), "--out", str(out), "--cpu-seconds", "3"]
    )
    assert done.exit_code == 0, done.output
    assert done.output.endswith("3 correct of 9 rows.\n"), done.output
    rows: dict[str, list[list[str]]] = {}
    with (out / "grades.csv").open() as file:
        for row in list(csv.reader(file))[1:]:
            rows.setdefault(row[0], []).append(row[1:])
    return out, rows


def test_a_correct_submission_passes_every_exercise(
    graded: tuple[Path, dict[str, list[list[str]]]],
) -> None:
    _, rows = graded
    assert [(exercise, status) for exercise, status, _ in rows["ada.ipynb"]] == [
        (name, "correct") for name in EXERCISES
    ]


def test_a_wrong_answer_is_named_and_the_unanswered_are_not_attempted(
    graded: tuple[Path, dict[str, list[list[str]]]],
) -> None:
    _, rows = graded
    bob = {exercise: (status, message) for exercise, status, message in rows["bob.ipynb"]}
    assert bob["ex01_collect_stream"][0] == "incorrect"
    assert "did not stream" in bob["ex01_collect_stream"][1]
    assert bob["ex01_stream_with_request_id"][0] == "not attempted"


def test_an_endless_loop_is_stopped_by_its_cpu_time(
    graded: tuple[Path, dict[str, list[list[str]]]],
) -> None:
    _, rows = graded
    assert rows["cy.ipynb"] == [["", "error", "stopped after 3 s of CPU time (an endless loop?)"]]


def test_broken_and_foreign_notebooks_get_one_error_row_each(
    graded: tuple[Path, dict[str, list[list[str]]]],
) -> None:
    _, rows = graded
    [[_, status, message]] = rows["dee.ipynb"]
    assert status == "error" and message.startswith("not a notebook: the file is not valid JSON")
    [[_, status, message]] = rows["nested/eve.ipynb"]
    assert status == "error" and "not a lessonkit exercise notebook" in message


def test_the_html_summary_counts_passes_per_submission(
    graded: tuple[Path, dict[str, list[list[str]]]],
) -> None:
    out, _ = graded
    page = (out / "grades.html").read_text()
    assert "<td>ada.ipynb</td><td>3 of 3</td>" in page
    assert "<td>dee.ipynb</td><td>not graded</td>" in page


def test_grading_a_folder_that_is_not_there_says_so(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["grade", str(tmp_path / "nowhere")])
    assert done.exit_code == 2 and "No folder" in done.output


def test_a_submission_may_not_use_the_network() -> None:
    probe = (
        "from lessonkit.submission import refuse_network\n"
        "import socket\n"
        "refuse_network()\n"
        "for target in (lambda: socket.create_connection(('127.0.0.1', 9)),\n"
        "               lambda: socket.getaddrinfo('example.org', 443)):\n"
        "    try:\n"
        "        target()\n"
        "    except PermissionError as error:\n"
        "        print(error)\n"
        "socket.socketpair()  # local pipes (asyncio's) still work\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.count("submissions may not use the network") == 2, done.stdout
