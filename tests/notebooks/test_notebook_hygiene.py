"""Static checks on the committed lesson notebooks (nbval re-runs them; this reads them).

Each rule is one small test, parametrized over ``notebooks/*.ipynb``, so a
failure names the notebook, the rule and the cell.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
DEMO_TAG = "raises-exception"
Notebook = tuple[Path, dict[str, Any]]
#: Lessons with no exercise notebook of their own link to this one instead (00: setup -> 01).
NO_EXERCISE_OF_ITS_OWN = {"00": "01"}

API_KEY = re.compile(r"sk-ant-")
ASYNCIO_RUN = re.compile(r"asyncio\.run\(")
SAMPLING_ARG = re.compile(r"\b(?:temperature|top_p|top_k)\s*=")
CATCHES_TYPE_ERROR = re.compile(r"^\s*except TypeError\b", re.MULTILINE)
MODEL_LITERAL = re.compile(r"""["']claude-""")
MEMORY_ADDRESS = re.compile(r"\bat 0x[0-9a-f]{6,}")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _code_cells(nb: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def _output_texts(cell: dict[str, Any]) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append(_text(out["text"]))
        for value in out.get("data", {}).values():
            texts.append(value if isinstance(value, str) else json.dumps(value))
        texts.extend([out.get("ename", ""), out.get("evalue", ""), *out.get("traceback", [])])
    return texts


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request: pytest.FixtureRequest) -> Notebook:
    path: Path = request.param
    return path, _load(path)


#: ``04_retries.ipynb``, or a lesson's second part ``04b_recovery.ipynb`` (split lessons keep
#: their number, so exercise numbering stays as it is).
LESSON_NAME = re.compile(r"(?P<number>\d\d)(?P<part>[b-z]?)_[a-z0-9_]+\.ipynb")


def test_there_are_lessons() -> None:
    names = [LESSON_NAME.fullmatch(p.name) for p in NOTEBOOKS]
    assert all(names), [p.name for p, m in zip(NOTEBOOKS, names, strict=True) if not m]
    keys = [(m["number"], m["part"]) for m in names if m]
    assert len(set(keys)) == len(keys), keys
    for number, part in keys:  # 04b needs 04 (and 04c needs 04b) before it
        if part:
            assert (number, "" if part == "b" else chr(ord(part) - 1)) in keys, (number, part)


def test_kernelspec_is_python3(notebook: Notebook) -> None:
    _, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_every_code_cell_was_executed_and_has_output(notebook: Notebook) -> None:
    _, nb = notebook
    empty = [
        i for i, c in _code_cells(nb) if not c.get("outputs") or c.get("execution_count") is None
    ]
    assert not empty, f"code cells with no saved output (run scripts/execute_notebooks.py): {empty}"


def test_execution_counts_run_in_order(notebook: Notebook) -> None:
    _, nb = notebook
    counts = [c.get("execution_count") for _, c in _code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), "outputs must come from one top-to-bottom run"


def test_errors_only_in_tagged_cells(notebook: Notebook) -> None:
    _, nb = notebook
    for i, cell in _code_cells(nb):
        errored = any(o["output_type"] == "error" for o in cell.get("outputs", []))
        if DEMO_TAG in _tags(cell):
            assert errored, f"cell {i} is tagged {DEMO_TAG!r} but raised nothing: drop the tag"
        else:
            assert not errored, f"cell {i} raised but is not tagged {DEMO_TAG!r}"


def test_no_api_key_shaped_strings(notebook: Notebook) -> None:
    _, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for text in [_text(cell["source"]), *_output_texts(cell)]:
            assert not API_KEY.search(text), f"cell {i} contains something shaped like an API key"


def test_no_asyncio_run(notebook: Notebook) -> None:
    """A notebook kernel already runs an event loop: use top-level ``await``."""
    _, nb = notebook
    bad = [i for i, c in enumerate(nb["cells"]) if ASYNCIO_RUN.search(_text(c["source"]))]
    assert not bad, f"asyncio.run( in cells {bad}; use top-level await"


def _is_type_error_demo(cell: dict[str, Any]) -> bool:
    """Tagged to raise, or catching the ``TypeError`` itself to print the one line that matters."""
    return DEMO_TAG in _tags(cell) or bool(CATCHES_TYPE_ERROR.search(_text(cell["source"])))


def test_sampling_arguments_only_in_tagged_demo(notebook: Notebook) -> None:
    """SDK 2.x ``create()`` has no temperature/top_p/top_k; only the TypeError demo may pass one."""
    _, nb = notebook
    bad = [
        i
        for i, c in enumerate(nb["cells"])
        if SAMPLING_ARG.search(_text(c["source"])) and not _is_type_error_demo(c)
    ]
    assert not bad, f"temperature=/top_p=/top_k= outside a TypeError demo cell: {bad}"


def test_no_model_id_literals_in_code(notebook: Notebook) -> None:
    _, nb = notebook
    bad = [i for i, c in _code_cells(nb) if MODEL_LITERAL.search(_text(c["source"]))]
    assert not bad, f"model id literal in code cells {bad}; use lessonkit.models"


def test_links_to_its_exercises(notebook: Notebook) -> None:
    path, nb = notebook
    number = path.name[:2]
    prefix = NO_EXERCISE_OF_ITS_OWN.get(number, number)
    prose = "\n".join(_text(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    links = re.findall(rf"\]\((\.\./exercises/{prefix}_[a-z0-9_]+\.ipynb)\)", prose)
    assert links, f"{path.name} has no markdown link to ../exercises/{prefix}_*.ipynb"
    missing = [link for link in links if not (path.parent / link).resolve().exists()]
    assert not missing, f"links to exercise notebooks that do not exist: {missing}"


def test_no_memory_addresses_in_outputs(notebook: Notebook) -> None:
    """``<Foo object at 0x7f…>`` changes on every run: end such cells with something printable."""
    _, nb = notebook
    bad = [i for i, c in _code_cells(nb) if any(MEMORY_ADDRESS.search(t) for t in _output_texts(c))]
    assert not bad, f"outputs with memory addresses (not deterministic) in cells {bad}"


def test_saved_as_the_execute_script_writes_them(notebook: Notebook) -> None:
    """No timing metadata and no interpreter version: re-running must not churn the file."""
    _, nb = notebook
    assert "version" not in nb["metadata"].get("language_info", {})
    timed = [i for i, c in _code_cells(nb) if "execution" in c.get("metadata", {})]
    assert not timed, f"execution timing metadata in cells {timed}"
