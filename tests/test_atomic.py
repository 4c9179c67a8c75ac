"""Whole-file writes leave the permissions a plain write would: the umask's, or the file's own."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from lessonkit.atomic import write_bytes, write_json


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_a_new_file_honours_the_umask(tmp_path: Path) -> None:
    write_bytes(tmp_path / "a.ipynb", b"{}")
    write_json(tmp_path / "sub" / "progress.json", {"a": 1})
    assert _mode(tmp_path / "a.ipynb") == 0o644
    assert _mode(tmp_path / "sub" / "progress.json") == 0o644
    os.umask(0o077)
    write_bytes(tmp_path / "private", b"x")
    assert _mode(tmp_path / "private") == 0o600
    assert os.umask(0o022) == 0o077  # reading the umask left it as it was


@pytest.mark.usefixtures("umask")
def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    path.write_text("{}")
    path.chmod(0o640)
    write_json(path, {"b": 2})
    assert _mode(path) == 0o640 and path.read_text() == '{\n  "b": 2\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]  # no temporary left
