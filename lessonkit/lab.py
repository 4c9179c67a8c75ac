"""``lessonkit lab``: JupyterLab on the learner's workspace, showing only the course.

The server's root is the workspace (:mod:`lessonkit.workspace`), so solution
sources and developer folders are simply not there. The first start opens lesson
00 with the file browser at the workspace root (a JupyterLab layout written once;
after that JupyterLab keeps whatever layout the learner leaves). Its settings live inside
the workspace (``.lessonkit/lab/``, hidden from the file browser), with the news
pop-up off; its environment has this Python's ``bin`` first on ``PATH``, so
``lessonkit`` works in JupyterLab's terminals. :func:`run` forwards Ctrl-C and
SIGTERM to the server, which then shuts its kernels down before exiting.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from .atomic import write_json

__all__ = ["SETTINGS", "environment", "first_lesson", "lab_command", "run", "write_settings"]

SETTINGS = Path(".lessonkit") / "lab"
#: JupyterLab user settings we start a workspace with (the learner may change them later).
_DEFAULT_SETTINGS = {
    # "Would you like to receive official Jupyter news?" is noise offline and in a workshop.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def first_lesson(root: Path) -> str | None:
    """The workspace-relative path of the first lesson in `root`, if there is one."""
    lessons = sorted((root / "lessons").glob("*.ipynb"))
    return f"lessons/{lessons[0].name}" if lessons else None


def lab_command(
    root: Path, *, no_browser: bool = False, extra: list[str] | None = None
) -> list[str]:
    """The ``jupyter lab`` command line for the workspace `root`.

    It opens ``/lab``: the layout :func:`write_settings` wrote (first lesson open,
    file browser at the root), not ``/lab/tree/<lesson>``, which would move the
    file browser into ``lessons/``.
    """
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        "--LabApp.default_url=/lab",
        f"--LabApp.user_settings_dir={root / SETTINGS / 'settings'}",
        f"--LabApp.workspaces_dir={root / SETTINGS / 'workspaces'}",
        "--LabApp.news_url=",
        # The course is offline: no "new version available" check either.
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.name != "nt":
        # A login shell (Jupyter's default when not started from a terminal) runs
        # /etc/profile, which on Debian resets PATH and so loses `lessonkit`.
        shell = shlex.quote(os.environ.get("SHELL") or "sh")
        command.append(f"--ServerApp.terminado_settings=shell_command={shell}")
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses to run as root; workshop containers often are root.
        command.append("--allow-root")
    return command + list(extra or [])


def write_settings(root: Path) -> None:
    """Write default JupyterLab settings and the first layout into `root`; keep existing ones."""
    for name, value in _DEFAULT_SETTINGS.items():
        path = root / SETTINGS / "settings" / name
        if not path.exists():
            write_json(path, value)
    start = first_lesson(root)
    layouts = root / SETTINGS / "workspaces"
    if start is not None and not any(layouts.glob("*.jupyterlab-workspace")):
        from jupyterlab_server.workspaces_handler import WorkspacesManager

        WorkspacesManager(str(layouts)).save("default", json.dumps(_first_layout(start)))


def _first_layout(start: str) -> dict[str, Any]:
    """JupyterLab's saved state for: `start` open alone, the file browser at the root."""
    notebook = f"notebook:{start}"
    return {
        "data": {
            "layout-restorer:data": {
                "main": {
                    "dock": {"type": "tab-area", "currentIndex": 0, "widgets": [notebook]},
                    "current": notebook,
                },
                "left": {"collapsed": False, "visible": True, "current": "filebrowser"},
            },
            notebook: {"data": {"path": start, "factory": "Notebook"}},
            "file-browser-filebrowser:cwd": {"path": ""},
        },
        "metadata": {"id": "default"},
    }


def environment(base: Mapping[str, str], workspace: Path | None = None) -> dict[str, str]:
    """`base` with this interpreter's ``bin`` first on ``PATH`` (terminals inherit it).

    With a ``workspace``, kernels and terminals also keep progress inside it
    (``LESSONKIT_PROGRESS``, unless already set): a fresh workspace starts with
    no verdicts, whoever used this machine's account before.
    """
    scripts = str(Path(sys.executable).parent)  # not resolved: a venv's python is a symlink
    path = base.get("PATH", "")
    env = {**base, "PATH": os.pathsep.join([scripts, path]) if path else scripts}
    if workspace is not None:
        from .checks.progress import workspace_progress  # the checks are heavy: import late

        env.setdefault("LESSONKIT_PROGRESS", str(workspace_progress(workspace)))
    return env


def run(command: list[str], env: Mapping[str, str]) -> int:
    """Run the server in its own process group until it exits; forward Ctrl-C and SIGTERM.

    The first signal asks the server to stop (SIGTERM: it shuts its kernels down,
    without the "Shutdown this Jupyter server (y/[n])?" question SIGINT asks);
    a second one kills it.
    """
    server = subprocess.Popen(command, env=dict(env), start_new_session=True)
    signals: list[int] = []

    def forward(number: int, frame: FrameType | None) -> None:
        signals.append(number)
        try:
            if not hasattr(os, "killpg"):  # Windows: no process groups
                server.terminate()
            else:
                os.killpg(server.pid, signal.SIGTERM if len(signals) == 1 else signal.SIGKILL)
        except ProcessLookupError:  # already gone
            pass

    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, forward) for number in stops}
    try:
        code = server.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0 if signals else code
