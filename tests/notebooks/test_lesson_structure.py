"""What every revised lesson promises its learners: recall, further reading, marked staging.

Read statically from the committed notebooks (nbval re-runs them). A lesson with a
recall bank (``lessonkit/recall/<stem>.toml``) must use it: its "Check yourself"
quiz at the end and every "predict, then run" prompt of the bank.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANKS = sorted((ROOT / "lessonkit" / "recall").glob("[0-9][0-9]_*.toml"))
#: Lessons whose staging lines are marked (issue 16); lessons 04-07 join as they are revised.
STAGING_MARKED = ("00", "01", "02", "03")
STAGING_CALL = re.compile(
    r"\bapi\.(?:reply|fail_next|fail_stream|drop_stream|timeout_next|scenario|retire_model"
    r"|batch_outcome|batch_delay)\("
)
STAGING_MARK = re.compile(r"#\s*staging \(lessonkit only\)")
DOC_LINK = re.compile(r"\]\((https://platform\.claude\.com/docs/[^)\s]+)\)")


def _cells(stem: str) -> list[dict[str, Any]]:
    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return [{**c, "source": "".join(c["source"])} for c in nb["cells"]]


@pytest.fixture(params=BANKS, ids=[p.stem for p in BANKS])
def lesson(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    path: Path = request.param
    return path.stem, tomllib.loads(path.read_text(encoding="utf-8")), _cells(path.stem)


def test_every_bank_belongs_to_a_lesson() -> None:
    assert BANKS, "no recall banks found"
    orphans = [p.name for p in BANKS if not (ROOT / "notebooks" / f"{p.stem}.ipynb").exists()]
    assert not orphans, f"recall banks without a lesson notebook: {orphans}"


def test_check_yourself_quiz_near_the_end(lesson: tuple[str, Any, list[Any]]) -> None:
    stem, _, cells = lesson
    calls = [i for i, c in enumerate(cells) if f'recall.quiz("{stem}")' in c["source"]]
    assert len(calls) == 1, f"{stem}: expected one recall.quiz({stem!r}) cell, found {calls}"
    headings = [i for i, c in enumerate(cells) if c["source"].startswith("## Check yourself")]
    assert headings and headings[-1] == calls[0] - 1, f"{stem}: put '## Check yourself' before it"
    assert calls[0] >= len(cells) - 3, f"{stem}: the quiz belongs at the end of the lesson"


def test_every_prediction_is_asked_before_a_code_cell(lesson: tuple[str, Any, list[Any]]) -> None:
    stem, bank, cells = lesson
    for entry in bank.get("predict", []):
        call = f'recall.predict("{stem}", "{entry["id"]}")'
        where = [i for i, c in enumerate(cells) if call in c["source"]]
        assert len(where) == 1, f"{stem}: {call} should appear exactly once, found {where}"
        after = cells[where[0] + 1 :]
        assert after and after[0]["cell_type"] == "code", f"{stem}: run the demo right after {call}"


def test_further_reading_cites_doc_pages(lesson: tuple[str, Any, list[Any]]) -> None:
    stem, _, cells = lesson
    reading = [c["source"] for c in cells if c["source"].startswith("## Further reading")]
    assert len(reading) == 1, f"{stem}: needs one '## Further reading' cell"
    assert len(DOC_LINK.findall(reading[0])) >= 2, f"{stem}: cite the doc pages it is based on"


@pytest.mark.parametrize("number", STAGING_MARKED)
def test_staging_calls_are_marked(number: str) -> None:
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    unmarked = []
    for index, cell in enumerate(_cells(path.stem)):
        lines = cell["source"].splitlines() if cell["cell_type"] == "code" else []
        for row, line in enumerate(lines):
            if STAGING_CALL.search(line) and not any(
                STAGING_MARK.search(earlier) for earlier in [*lines[:row], line]
            ):
                unmarked.append(f"cell {index}: {line.strip()}")
    unmarked_lines = "\n".join(unmarked)
    assert not unmarked, f"staging without a '# staging (lessonkit only)' mark:\n{unmarked_lines}"
