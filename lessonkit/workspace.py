"""The learner's workspace: personal copies of the course, updated without losing an edit.

The committed course (``notebooks/``, ``exercises/``) is the test fixture that
``make test`` runs; learners never work in it. They work in a workspace::

    work/
      lessons/lesson-01-streaming.ipynb      copy of notebooks/01_streaming.ipynb
      exercises/exercise-01-streaming.ipynb  copy of exercises/01_streaming.ipynb
      .lessonkit/manifest.json               what was copied, by fingerprint

Distinct file names give lessons and exercises distinct tab titles; links between
the notebooks are rewritten to the new names. Solutions (``exercises/source/``)
and developer folders are never copied.

:func:`update` merges a newer course the way nbgitpuller does: a notebook the
learner never changed is refreshed, a new or deleted one is (re)added, and one
the learner changed is kept, with the new version saved beside it. "Changed"
compares cell types and sources with the manifest, so saving or running a
notebook (new metadata, outputs) is not an edit, while any typed change is.
:func:`ensure` makes the workspace on first start and leaves it alone after,
so a JupyterHub spawn hook can call it on every start.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .atomic import write_bytes, write_json

__all__ = ["COPIED", "Change", "ensure", "fingerprint", "is_workspace", "update", "workspace_path"]

#: Course folder -> (workspace folder, file name prefix). Only ``*.ipynb`` directly inside.
COPIED = {"notebooks": ("lessons", "lesson"), "exercises": ("exercises", "exercise")}
MANIFEST = Path(".lessonkit") / "manifest.json"
_LINK = re.compile(r"\]\(([^)\s#]+\.ipynb)(#[^)\s]*)?\)")

Action = Literal["added", "refreshed", "kept"]


@dataclass(frozen=True)
class Change:
    """What :func:`update` did to one workspace notebook; ``beside`` holds a kept one's update."""

    action: Action
    path: str
    beside: str | None = None

    def __str__(self) -> str:
        if self.beside is None:
            return f"{self.action:9}  {self.path}"
        return f"{self.action:9}  {self.path}  (yours; the new version is {self.beside})"


def workspace_path(course_path: str) -> str:
    """``notebooks/01_streaming.ipynb`` -> ``lessons/lesson-01-streaming.ipynb``."""
    folder, name = posixpath.split(course_path)
    target, prefix = COPIED[folder]
    stem = name.removesuffix(".ipynb").replace("_", "-")
    return f"{target}/{prefix}-{stem}.ipynb"


def fingerprint(data: bytes) -> str:
    """A hash of what the learner can change in a notebook: its cells' types and sources.

    Metadata and outputs are left out: Jupyter rewrites them on every save or run.
    A file that is not a notebook is hashed byte for byte.
    """
    try:
        cells = json.loads(data)["cells"]
        essence = [(cell["cell_type"], "".join(cell["source"])) for cell in cells]
    except (ValueError, KeyError, TypeError):
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha256(json.dumps(essence).encode("utf-8")).hexdigest()


def is_workspace(target: Path) -> bool:
    """Whether `target` already holds a workspace (a manifest)."""
    return (target / MANIFEST).is_file()


def ensure(course_root: Path, target: Path) -> list[Change]:
    """Make the workspace at `target` from the course if there is none yet; else change nothing."""
    return [] if is_workspace(target) else update(course_root, target)


def update(course_root: Path, target: Path) -> list[Change]:
    """Bring the course at `course_root` into the workspace at `target`; never overwrite an edit."""
    recorded = _load_manifest(target)
    changes: list[Change] = []
    for course_path, path, data in _course(course_root):
        new = fingerprint(data)
        destination = target / path
        current = fingerprint(destination.read_bytes()) if destination.exists() else None
        if current is None or current == recorded.get(path, {}).get("fingerprint") != new:
            write_bytes(destination, data)
            changes.append(Change("added" if current is None else "refreshed", path))
        elif current != new and recorded.get(path, {}).get("fingerprint") != new:
            beside = _beside(path, new)
            if not (target / beside).exists():
                write_bytes(target / beside, data)
            changes.append(Change("kept", path, beside))
            continue  # the manifest still records what the learner started from
        recorded[path] = {"source": course_path, "fingerprint": new}
    write_json(target / MANIFEST, {"version": 1, "files": dict(sorted(recorded.items()))})
    return changes


def _course(course_root: Path) -> Iterator[tuple[str, str, bytes]]:
    """(course path, workspace path, workspace bytes) of every notebook copied."""
    paths = [
        f"{folder}/{notebook.name}"
        for folder in COPIED
        for notebook in sorted((course_root / folder).glob("*.ipynb"))
    ]
    renamed = {path: workspace_path(path) for path in paths}
    for path in paths:
        data = (course_root / path).read_bytes()
        yield path, renamed[path], _relink(data, path, renamed)


def _relink(data: bytes, course_path: str, renamed: dict[str, str]) -> bytes:
    """The notebook with Markdown links to course notebooks pointing at their copies."""
    here, there = posixpath.dirname(course_path), posixpath.dirname(renamed[course_path])

    def relink(match: re.Match[str]) -> str:
        linked = posixpath.normpath(posixpath.join(here, match[1]))
        if linked not in renamed:
            return match[0]
        return f"]({posixpath.relpath(renamed[linked], there)}{match[2] or ''})"

    notebook: dict[str, Any] = json.loads(data)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            lines = cell["source"] if isinstance(cell["source"], list) else [cell["source"]]
            cell["source"] = [_LINK.sub(relink, line) for line in lines]
    # nbformat's own layout, so an untouched notebook keeps its bytes
    return (json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _beside(path: str, new: str) -> str:
    """Where a kept notebook's update goes: named by content, so updates never collide."""
    return f"{path.removesuffix('.ipynb')}.update-{new[:8]}.ipynb"


def _load_manifest(target: Path) -> dict[str, dict[str, str]]:
    try:
        files: dict[str, dict[str, str]] = json.loads((target / MANIFEST).read_text())["files"]
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"{target / MANIFEST} is damaged ({error!r}); move it away and run the update again:"
            " your notebooks are then all kept, with new versions beside any that differ"
        ) from None
    return files
