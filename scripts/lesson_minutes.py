"""Estimate each lesson's self-paced time, for the plan in docs/instructors.md.

    .venv/bin/python scripts/lesson_minutes.py

An estimate, not a measurement: prose is read at 200 words a minute and code at
100 (code is read more slowly); each code cell costs half a minute to run and
look at; each "Check yourself" question and each "predict, then run" prompt
costs a minute. Exercises are not included. Re-run it after editing a lesson
and copy the table into docs/instructors.md.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROSE_WPM, CODE_WPM, MINUTES_PER_CELL, MINUTES_PER_RECALL = 200, 100, 0.5, 1.0
WORD = re.compile(r"\w+")


def words(cells: list[dict[str, Any]], kind: str) -> int:
    """Words in the sources of the cells of one type."""
    return sum(len(WORD.findall("".join(c["source"]))) for c in cells if c["cell_type"] == kind)


def recall_items(stem: str) -> int:
    """Questions plus predictions in the lesson's recall bank (0 without one)."""
    bank = ROOT / "lessonkit" / "recall" / f"{stem}.toml"
    if not bank.exists():
        return 0
    data = tomllib.loads(bank.read_text(encoding="utf-8"))
    return len(data.get("question", [])) + len(data.get("predict", []))


def row(path: Path) -> tuple[str, int, int, int, int]:
    """(lesson, cells, code cells, recall items, estimated minutes) for one notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code_cells = sum(c["cell_type"] == "code" for c in cells)
    recall = recall_items(path.stem)
    minutes = (
        words(cells, "markdown") / PROSE_WPM
        + words(cells, "code") / CODE_WPM
        + code_cells * MINUTES_PER_CELL
        + recall * MINUTES_PER_RECALL
    )
    return path.stem, len(cells), code_cells, recall, round(minutes)


def main() -> None:
    rows = [row(path) for path in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    print("| lesson | cells (code) | recall items | self-paced minutes |")
    print("| --- | --- | --- | --- |")
    for stem, cells, code_cells, recall, minutes in rows:
        print(f"| `{stem}` | {cells} ({code_cells}) | {recall} | ~{minutes} |")
    print(f"| total | | | ~{sum(r[4] for r in rows)} |")


if __name__ == "__main__":
    main()
