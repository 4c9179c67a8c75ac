"""A learner's server on a JupyterHub: their own workspace, opened on lesson 00.

The hub's spawner runs ``python -m lessonkit.singleuser`` (``c.Spawner.cmd`` in
``deploy/jupyterhub/jupyterhub_config.py``, ``singleuser.cmd`` on Zero to
JupyterHub). As the learner, in their home, it makes their workspace from the
course at ``$LESSONKIT_COURSE`` on first start (:func:`lessonkit.workspace.ensure`:
never overwritten afterwards), writes the same JupyterLab settings as
``lessonkit lab`` (news off, ``lessonkit`` on the terminals' PATH), then becomes
``jupyterhub-singleuser`` rooted in the workspace. Making the workspace here,
not in a hub-side spawn hook, means the files belong to the learner and it
works the same for local, Docker and Kubernetes spawners.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .lab import environment, lab_command, write_settings
from .workspace import ensure

#: Where a learner's server opens (relative to the workspace; hub: ``c.Spawner.default_url``).
FIRST_LESSON = "lessons/lesson-00-setup.ipynb"


def workspace(env: Mapping[str, str]) -> Path:
    """``$LESSONKIT_WORKSPACE``, else ``~/work``."""
    return Path(env.get("LESSONKIT_WORKSPACE") or Path.home() / "work")


def server_command(root: Path, extra: Sequence[str] = ()) -> list[str]:
    """``jupyterhub-singleuser`` with the options ``lessonkit lab`` gives JupyterLab."""
    lab = lab_command(root, extra=list(extra))
    assert lab[1:3] == ["-m", "jupyterlab"], lab  # the options follow the module name
    return [sys.executable, "-m", "jupyterhub.singleuser", *lab[3:]]


def prepare(env: Mapping[str, str], argv: Sequence[str] = ()) -> list[str]:
    """Make the workspace if needed; return the server's command line."""
    course = env.get("LESSONKIT_COURSE")
    if not course:
        raise SystemExit("LESSONKIT_COURSE is not set: the hub config names the course folder")
    root = workspace(env)
    ensure(Path(course), root)
    write_settings(root)
    return server_command(root, argv)


def main() -> None:  # pragma: no cover - replaces this process; tests/hub runs it for real
    command = prepare(os.environ, sys.argv[1:])
    os.execve(command[0], command, environment(os.environ))


if __name__ == "__main__":  # pragma: no cover
    main()
