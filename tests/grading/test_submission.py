"""What the grading process does with a file, in-process (the subprocess is in test_grade.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lessonkit import gradebook, submission
from lessonkit.exercises import NOTEBOOKS
from lessonkit.gradebook import Row


def _exercise_notebook(path: Path) -> Path:
    """A notebook the grader would start a process for (it binds a checker)."""
    cell = {"cell_type": "code", "source": "from lessonkit.exercises import ex01_streaming"}
    path.write_text(json.dumps({"cells": [cell]}))
    return path


def test_cells_run_like_run_all_going_on_past_errors() -> None:
    namespace: dict[str, object] = {}
    cells = ["a = 1", "raise RuntimeError('stub')", "import sys; sys.exit(3)", "b = a + 1",
             "import asyncio\nawait asyncio.sleep(0)\nc = b", "%time d = 4"]  # fmt: skip
    submission.run_cells(cells, namespace)
    assert (namespace["a"], namespace["b"], namespace["c"]) == (1, 2, 2)


def test_what_is_not_a_lessonkit_exercise_notebook(tmp_path: Path) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text('{"cells": {}}')
    assert submission.grade(path) == {"error": "not a notebook: no list of cells"}
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "source": ["from lessonkit.exercises import ex99_nope"]}
                ]
            }
        )
    )
    assert "imports no lessonkit.exercises checker" in submission.grade(path)["error"]
    path.write_bytes(b"\xff")
    assert submission.grade(path)["error"].startswith("not a notebook")


def test_the_checker_is_found_from_either_import_form() -> None:
    assert submission.checker(["import lessonkit.exercises.ex03_errors as e"]).__name__.endswith(
        "ex03_errors"
    )
    assert submission.checker(
        ["x = 1", "from lessonkit.exercises import ex05_batches"]
    ).__name__.endswith("ex05_batches")


def test_the_checkers_are_found_without_importing_them() -> None:
    """The grader lists them from the package's files; they are the notebooks' checkers."""
    assert submission._checker_names() == {m.__name__.rsplit(".", 1)[1] for m in NOTEBOOKS.values()}
    sources = [
        "from lessonkit.exercises import ex99_nope",
        "import lessonkit.exercises.ex02_stop_reasons",
    ]
    assert submission.checker_name(sources) == "ex02_stop_reasons"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'{"cells": [', "not a notebook: the file is not valid JSON"),
        (b'{"cells": [{"cell_type": "code", "source": "1"}]}', "not a lessonkit exercise notebook"),
        (None, "cannot read the file (No such file or directory)"),
    ],
    ids=["broken", "foreign", "missing"],
)
def test_a_file_that_is_not_an_exercise_notebook_gets_its_row_without_a_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, error: str
) -> None:
    path = tmp_path / "x.ipynb"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setattr(gradebook.subprocess, "Popen", None)  # would fail if called
    [row] = gradebook.grade_notebook(path, "x.ipynb")
    assert (row.exercise, row.status) == ("", "error") and row.message.startswith(error)


def test_a_grading_process_that_dies_gets_an_error_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _exercise_notebook(tmp_path / "a.ipynb")
    monkeypatch.setattr(gradebook.sys, "executable", str(tmp_path / "no-python"))
    with pytest.raises(FileNotFoundError):
        gradebook.grade_notebook(tmp_path / "a.ipynb", "a.ipynb")
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Fatal: out of memory' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(gradebook.sys, "executable", str(fake))
    assert gradebook.grade_notebook(tmp_path / "a.ipynb", "a.ipynb") == [
        Row("a.ipynb", "", "error", "grading stopped: Fatal: out of memory")
    ]
    fake.write_text("#!/bin/sh\nsleep 30\n")
    monkeypatch.setattr(gradebook, "IDLE_SECONDS", 0.5)
    rows = gradebook.grade_notebook(tmp_path / "a.ipynb", "a.ipynb")
    assert rows[0].message == (
        "stopped after 0.5 s without using the CPU (does it wait for input?)"
    )


def test_where_the_os_sets_no_cpu_limit_the_grader_stops_an_endless_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Windows: the process notes when the learner's code began, sets no limit, loops."""
    _exercise_notebook(tmp_path / "a.ipynb")
    fake = tmp_path / "python"  # argv: -m lessonkit.submission NOTEBOOK RESULT SECONDS
    fake.write_text('#!/bin/sh\necho 0 > "$4.started"\nwhile :; do :; done\n')
    fake.chmod(0o755)
    monkeypatch.setattr(gradebook.sys, "executable", str(fake))
    assert gradebook.grade_notebook(tmp_path / "a.ipynb", "a.ipynb", cpu_seconds=1) == [
        Row("a.ipynb", "", "error", "stopped after 1 s of CPU time (an endless loop?)")
    ]


def test_the_environment_carries_no_credentials(tmp_path: Path) -> None:
    env = gradebook._environment(
        {"JUPYTERHUB_API_TOKEN": "t", "ANTHROPIC_API_KEY": "k", "PATH": "/bin"}, tmp_path
    )
    assert env == {"PATH": "/bin", "LESSONKIT_PROGRESS": str(tmp_path / "progress.json")}


def test_a_notebook_is_graded_on_what_its_cells_defined(tmp_path: Path) -> None:
    wrong = (
        "def collect_stream(client, on_text, **params):\n"
        "    return client.messages.create(**params)\n"
    )
    cells = ["from lessonkit.exercises import ex01_streaming", "raise NotImplementedError", wrong]
    notebook = {"cells": [{"cell_type": "code", "source": source} for source in cells]}
    path = tmp_path / "ada.ipynb"
    path.write_text(json.dumps(notebook))
    verdicts = submission.grade(path)["verdicts"]
    assert [status for _, status, _ in verdicts] == ["incorrect", "not attempted", "not attempted"]
    assert verdicts[0][0] == "ex01_collect_stream"


def test_the_cpu_limit_starts_once_lessonkit_is_warm_and_before_the_learners_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow machine's cold start (SDK import, each checker's first run) is not the learner's."""
    from lessonkit.exercises import ex01_streaming, harness

    monkeypatch.setattr(harness, "_WARM", set())  # as in a fresh grading process
    order: list[str] = []
    sys.modules["_grading_order"] = order  # type: ignore[assignment]  # the cell appends to it
    cells = [
        "from lessonkit.exercises import ex01_streaming",
        "__import__('_grading_order').append('learner')",
    ]
    notebook = {"cells": [{"cell_type": "code", "source": source} for source in cells]}
    path = tmp_path / "ada.ipynb"
    path.write_text(json.dumps(notebook))

    def started() -> None:
        warm = set(ex01_streaming.EXERCISES) <= harness._WARM
        order.append(f"started, warm={warm}")

    try:
        submission.grade(path, started=started)
    finally:
        del sys.modules["_grading_order"]
    assert order == ["started, warm=True", "learner"]


class _Socket:
    def __init__(self, family: int) -> None:
        self.family = family


def test_the_audit_hook_refuses_ip_but_not_local_sockets() -> None:
    import socket

    with pytest.raises(PermissionError, match="may not use the network"):
        submission.refuse("socket.connect", (_Socket(socket.AF_INET), ("127.0.0.1", 9)))
    with pytest.raises(PermissionError):
        submission.refuse("socket.getaddrinfo", ("example.org", 443, 0, 0, 0, 0))
    submission.refuse("socket.connect", (_Socket(socket.AF_UNIX), "/tmp/x"))
    submission.refuse("open", ("file", "r", 0))
