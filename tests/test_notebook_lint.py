"""``lessonkit lint``: a test per rule that predicts a live failure, ``--fix``, exit codes."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from anthropic.resources.messages import Messages
from typer.testing import CliRunner

from lessonkit import lint, models
from lessonkit.cli import app
from lessonkit.fakeapi.facts import facts

RETIRED = "claude-3-opus-20240229"  # lessonkit: allow-model-id  (no SDK 2.x lists it)
PREFILL_OK = next(m for m in models.KNOWN if facts(m).prefill)
NO_PREFILL = next(m for m in models.KNOWN if not facts(m).prefill)
THINKS = next(m for m in models.KNOWN if facts(m).thinking_default != "off")
QUIET = next(m for m in models.KNOWN if facts(m).thinking_default == "off")


def _notebook(tmp_path: Path, *sources: str) -> Path:
    path = tmp_path / "nb.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": s} for s in sources]  # fmt: skip
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def _rules(path: Path) -> list[tuple[str, str]]:
    return [
        (f.where.split(":", 1)[1], f.text.split("]")[0][1:]) for f in lint.notebook_findings(path)
    ]


def _call(
    model: str, extra: str = "", messages: str = "[{'role': 'user', 'content': 'Hi'}]"
) -> str:
    return f"client.messages.create(model={model!r}, max_tokens=100, messages={messages}{extra})"


def test_clean_notebook_passes(tmp_path: Path) -> None:
    call = _call(QUIET)
    assert _rules(_notebook(tmp_path, f"m = {call}\nprint(m.content[0].text)")) == []


def test_retired_model_id_through_a_constant(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path, f"MODEL = {RETIRED!r}", "x = 1\n" + _call(QUIET).replace(repr(QUIET), "MODEL")
    )
    assert ("cell 1:line 1", "model-id") in _rules(path)


def test_removed_parameters_follow_the_sdk_signature(tmp_path: Path) -> None:
    params = inspect.signature(Messages.create).parameters
    assert lint.REMOVED_PARAMS == tuple(
        p for p in ("temperature", "top_p", "top_k") if p not in params
    )
    path = _notebook(tmp_path, _call(QUIET, ", temperature=0.2"))
    assert _rules(path) == [("cell 1:line 1", "removed-param")]


def test_prefill_only_on_models_that_refuse_it(tmp_path: Path) -> None:
    turns = "[{'role': 'user', 'content': 'JSON?'}, {'role': 'assistant', 'content': '{'}]"
    assert _rules(_notebook(tmp_path, _call(NO_PREFILL, messages=turns))) == [
        ("cell 1:line 1", "prefill")
    ]
    assert _rules(_notebook(tmp_path, _call(PREFILL_OK, messages=turns))) == []


def test_content_zero_text_when_a_model_thinks_first(tmp_path: Path) -> None:
    flagged = _notebook(tmp_path, f"m = {_call(THINKS)}", "print(m.content[0].text)")
    assert _rules(flagged) == [("cell 2:line 1", "content-index")]
    assert _rules(_notebook(tmp_path, f"m = {_call(QUIET)}", "print(m.content[0].text)")) == []


@pytest.mark.parametrize(
    "source",
    [
        # built at run time, so git holds no key-shaped string
        "client = anthropic.Anthropic(api_key='" + "sk-" + "ant-api03-abcdefghijklmnop')",
        "os.environ['ANTHROPIC_API_KEY'] = 'my-secret'",
        "client = Anthropic(api_key='my-secret')",
    ],
)
def test_api_keys_in_cells(tmp_path: Path, source: str) -> None:
    assert ("cell 1:line 1", "api-key") in _rules(_notebook(tmp_path, source))


def test_reading_a_key_from_the_environment_is_fine(tmp_path: Path) -> None:
    source = "client = Anthropic(api_key=os.environ['ANTHROPIC_API_KEY'])"
    assert _rules(_notebook(tmp_path, source)) == []


def test_max_tokens_above_the_models_ceiling(tmp_path: Path) -> None:
    ceiling = facts(QUIET).max_output_tokens
    over = _call(QUIET).replace("max_tokens=100", f"max_tokens={ceiling + 1}")
    at = _call(QUIET).replace("max_tokens=100", f"max_tokens={ceiling}")
    assert _rules(_notebook(tmp_path, over)) == [("cell 1:line 1", "max-tokens")]
    assert _rules(_notebook(tmp_path, at)) == []


def test_fix_picks_the_current_id_of_the_family_that_changes_least(tmp_path: Path) -> None:
    path = _notebook(tmp_path, f"MODEL = {RETIRED!r}\nOTHER = {QUIET!r}")
    assert lint.fix_notebook(path) == 1
    source = "".join(json.loads(path.read_text())["cells"][0]["source"])
    (new,) = [line.split(" = ")[1].strip("'") for line in source.splitlines()[:1]]
    assert source == f"MODEL = {new!r}\nOTHER = {QUIET!r}"
    assert new in models.documented() and "-opus-" in new
    opus = [facts(m) for m in models.documented() if "-opus-" in m]
    if any(f.thinking_default == "off" and f.prefill for f in opus):  # as the models of its day
        assert facts(new).thinking_default == "off" and facts(new).prefill
    assert lint.fix_notebook(path) == 0
    assert _rules(path) == []


def test_command_exit_codes_and_fix(tmp_path: Path) -> None:
    runner = CliRunner()
    path = _notebook(tmp_path, f"MODEL = {RETIRED!r}")
    failed = runner.invoke(app, ["lint", str(path)])
    assert failed.exit_code == 1
    assert "nb.ipynb:cell 1:line 1: [model-id]" in failed.output
    fixed = runner.invoke(app, ["lint", "--fix", str(path)])
    assert fixed.exit_code == 0, fixed.output
    assert "fixed 1 model id(s)" in fixed.output
    assert runner.invoke(app, ["lint", str(tmp_path / "missing.ipynb")]).exit_code == 2


def test_cells_that_do_not_parse_are_skipped(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "def broken(:\n", "%pip install anthropic")
    assert _rules(path) == []


@pytest.mark.parametrize(
    "source",
    [
        "use = next(b for b in reply.content if b.type == 'tool_use')\n"
        "result = {'type': 'tool_result', 'tool_use_id': use.id, 'content': 'ok'}",
        "use = reply.content[-1]\n"
        "result = {'type': 'tool_result', 'tool_use_id': use.id, 'content': 'ok'}",
        "x = 1\nresult = {'type': 'tool_result', 'tool_use_id': reply.content[1].id}",
    ],
)
def test_one_tool_result_for_one_picked_block(tmp_path: Path, source: str) -> None:
    """Parallel calls are the default: answering only the block a cell picked out is a 400."""
    assert _rules(_notebook(tmp_path, source)) == [("cell 1:line 2", "tool-result")]


def test_a_result_for_every_tool_use_block_passes(tmp_path: Path) -> None:
    source = (
        "results = [{'type': 'tool_result', 'tool_use_id': b.id, 'content': run(b)}\n"
        "           for b in reply.content if b.type == 'tool_use']\n"
        "first = reply.content[0]\nother = {'tool_use_id': 'toolu_1', 'name': first.id}"
    )
    assert _rules(_notebook(tmp_path, source)) == []
