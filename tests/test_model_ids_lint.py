"""No literal model ids outside ``lessonkit/models.py``: they go stale when a model retires.

The repository scan covers lessonkit/, notebooks/ (code and markdown cells and
outputs), exercises/, docs/ and README.md; the scanner itself is tested on
throwaway files so it is known to work before any notebook exists.
"""

from __future__ import annotations

import json
from pathlib import Path

from lessonkit import lint, models

ROOT = Path(__file__).resolve().parents[1]
RETIRED = "claude-3-opus-20240229"  # an id no SDK 2.x lists


def test_repository_names_model_ids_only_in_the_registry() -> None:
    findings = lint.model_id_findings(lint.scanned_files(ROOT), ROOT)
    assert not findings, (
        "literal model ids go stale when a model retires; use lessonkit.models.DEFAULT / FAST / "
        "CAPABLE, or mark a deliberate line with '# lessonkit: allow-model-id' "
        "(cell tag 'allow-model-id' in a notebook):\n" + "\n".join(map(str, findings))
    )


# --- the scanner on throwaway files ---------------------------------------------------------


def _found(root: Path) -> list[str]:
    return [str(f) for f in lint.model_id_findings(lint.scanned_files(root), root)]


def _notebook(path: Path, *cells: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )


def _stdout(text: str) -> dict[str, object]:
    return {"output_type": "stream", "name": "stdout", "text": [text]}


def test_empty_tree_passes(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    assert _found(tmp_path) == []


def test_python_and_markdown_ids_are_listed_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "lessonkit").mkdir()
    (tmp_path / "lessonkit" / "a.py").write_text(
        f'x = 1\nMODEL = "{RETIRED}"\nname = "claude-code"\n'
    )
    (tmp_path / "README.md").write_text(
        "Use claude-sonnet-4 or Claude Opus.\nSee docs.claude.com.\n"
    )
    (tmp_path / "lessonkit" / "models.py").write_text(f'DEFAULT = "{RETIRED}"\n')
    assert _found(tmp_path) == [
        "README.md:1: Use claude-sonnet-4 or Claude Opus.",
        f'lessonkit/a.py:2: MODEL = "{RETIRED}"',
    ]


def test_allow_marker_covers_the_line_and_repeats_in_the_same_file(tmp_path: Path) -> None:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "x.py").write_text(
        f'OLD = "{RETIRED}"  # lessonkit: allow-model-id\n'
        f'"""expected: NotFoundError model: {RETIRED}"""\n'
        'OTHER = "claude-haiku-3"\n'
    )
    assert _found(tmp_path) == ['exercises/x.py:3: OTHER = "claude-haiku-3"']


def test_notebook_cells_and_outputs(tmp_path: Path) -> None:
    _notebook(
        tmp_path / "notebooks" / "01.ipynb",
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["# Intro\n", f"We once used `{RETIRED}`.\n"],
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": "print(models.DEFAULT)",
            "outputs": [_stdout(f"{models.DEFAULT}\n"), _stdout(f"{RETIRED}\n")],
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": f'client.messages.create(model="{RETIRED}")  # lessonkit: allow-model-id',
            "outputs": [
                {
                    "output_type": "error",
                    "ename": "NotFoundError",
                    "evalue": f"model: {RETIRED}",
                    "traceback": [],
                }
            ],
        },
        {
            "cell_type": "code",
            "metadata": {"tags": ["allow-model-id"]},
            "source": f'retired = "{RETIRED}"',
            "outputs": [],
        },
    )
    assert _found(tmp_path) == [
        f"notebooks/01.ipynb:cell 1:line 2: We once used `{RETIRED}`.",
        f"notebooks/01.ipynb:cell 2:output 2:line 1: {RETIRED}",
    ]


def test_without_git_the_scanner_walks_the_scanned_folders(tmp_path: Path) -> None:
    (tmp_path / "docs" / "deep").mkdir(parents=True)
    (tmp_path / "docs" / "deep" / "page.md").write_text(f"{RETIRED}\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "ignored.md").write_text(f"{RETIRED}\n")
    assert lint.scanned_files(tmp_path) == [tmp_path / "docs" / "deep" / "page.md"]
    assert _found(tmp_path) == [f"docs/deep/page.md:1: {RETIRED}"]


def test_pattern_catches_every_known_id_and_spares_product_names() -> None:
    for model in models.KNOWN:
        assert lint.MODEL_ID.fullmatch(model), model
    for text in ("claude-code", "claude-agent-sdk", "docs.claude.com", "anthropic-version"):
        assert not lint.MODEL_ID.search(text), text
