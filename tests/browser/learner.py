"""The learner's side of a browser test: a course checkout, their environment, ``lessonkit lab``.

Each test that must change the course (or see a first start) gets its own
copy; the notebook tests share one copy and one server per pytest process
(xdist worker), made by the session fixtures in conftest.py.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import answers, free_port, running

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
LESSONKIT = str(Path(sys.executable).parent / "lessonkit")  # the learner's command


def copy_course(copy: Path) -> Path:
    """This checkout's tracked files, copied to `copy` and committed.

    ``git status`` in the copy then shows any change a test (or the learner) made.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():  # a tracked file deleted in the work tree is skipped
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "--no-verify", "-m", "course as committed")
    return copy


def git(where: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *identity, *args], cwd=where, check=True, capture_output=True)
    return done.stdout.decode()


def learner_env(home: Path) -> dict[str, str]:
    """The environment, with Jupyter's and lessonkit's per-user state kept in `home`."""
    env = {k: v for k, v in os.environ.items() if k != "LESSONKIT_WORKSPACE"}
    return {
        **env,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "LESSONKIT_PROGRESS": str(home / "progress.json"),
    }


@dataclass(frozen=True)
class Lab:
    """A running ``lessonkit lab``: the URL a learner copies, its process, course, workspace."""

    url: str
    process: subprocess.Popen[bytes]
    course: Path
    work: Path


@dataclass(frozen=True)
class LabPage:
    """A page on a running ``lessonkit lab``, shared by the notebook tests of one process."""

    lab: Lab
    page: Any  # a Playwright Page


@contextmanager
def lessonkit_lab(course: Path, home: Path) -> Iterator[Lab]:
    """``lessonkit lab --no-browser`` on the workspace `home`/work, run from `course`."""
    port, token = free_port(), secrets.token_hex(16)
    work = home / "work"
    argv = [
        LESSONKIT, "lab", "--no-browser", "--workspace", str(work),
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    log = home / "lab.log"
    printed: list[str] = []

    def ready() -> bool:
        """The server printed the URL the learner copies, and it answers (token put back:
        Jupyter masks one it was given as ``?token=...``)."""
        found = re.search(r"http://127\.0\.0\.1:\d+/\S*\?token=", log.read_text(errors="replace"))
        if found is None or not answers(found[0] + token)():
            return False
        printed.append(found[0] + token)
        return True

    env = learner_env(home)
    with running(argv, log=log, ready=ready, name="lessonkit lab", env=env, cwd=course) as server:
        yield Lab(printed[-1], server, course, work)
