"""How pytest and nbval treat the exercise notebooks (kept at the root: a conftest inside
``exercises/`` would make it a package that shadows ``tests/exercises``).

* nbval runs the SOURCE notebooks (``exercises/source/*.ipynb``, solutions in
  place): their committed outputs show every check "Correct", and a fresh
  run must reproduce them.
* The student copies (``exercises/*.ipynb``) are generated, have no outputs,
  and would stop at the first stub, so nbval does not collect them;
  ``tests/exercises/test_release_golden.py`` proves they equal a fresh release
  and that every stub in them is "Not attempted".
* ``q.check()`` records progress; during test runs it goes to a temporary
  file of each test process (each pytest-xdist worker has its own), never to
  the learner's ``~/.lessonkit``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

#: lessonkit's own fixture, loaded here rather than through its pytest11 entry point
#: (``-p no:lessonkit`` in pyproject's addopts): an entry point is imported before
#: coverage starts in a pytest-xdist worker, which would count every module-level line
#: of lessonkit as missed.
pytest_plugins = ["lessonkit.pytest_plugin"]

STUDENT_COPIES = Path(__file__).resolve().parent / "exercises"


def pytest_configure(config: pytest.Config) -> None:
    os.environ["LESSONKIT_PROGRESS"] = str(
        Path(tempfile.mkdtemp(prefix="lessonkit-")) / "progress.json"
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.suffix == ".ipynb" and collection_path.resolve().parent == STUDENT_COPIES:
        return True  # a generated student copy
    return None
