"""Sampling parameters the 2.x SDK removed, and the lint that keeps lessons from teaching them.

Older courses pass ``temperature=`` to ``messages.create``; in anthropic 2.x
that is a ``TypeError`` raised by the SDK before any request is sent. These
tests pin that behaviour of the installed SDK (so an SDK that brings a
parameter back fails here, and the lesson can be revisited) and run the lint
over everything learners read.
"""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path

import anthropic
import pytest
from anthropic.resources.messages import AsyncMessages, Messages
from anthropic.types import message_create_params

from lessonkit import FakeAPI, lint, models

ROOT = Path(__file__).resolve().parents[1]
REQUEST = {
    "model": models.DEFAULT,
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "Hi"}],
}


@pytest.mark.parametrize("param", lint.REMOVED_PARAMS)
@pytest.mark.parametrize(
    "method", [Messages.create, Messages.stream, AsyncMessages.create, AsyncMessages.stream]
)
def test_sdk_signatures_have_no_sampling_params(method: object, param: str) -> None:
    parameters = inspect.signature(method).parameters  # type: ignore[arg-type]
    assert param not in parameters, (
        f"anthropic {anthropic.__version__} accepts {param}= again on {method}; "
        "revisit the removed-parameter lesson and lint.REMOVED_PARAMS"
    )
    assert not any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    assert param not in typing.get_type_hints(message_create_params.MessageCreateParamsBase)


@pytest.mark.parametrize("param, value", [("temperature", 0.5), ("top_p", 0.9), ("top_k", 40)])
def test_create_with_removed_param_raises_type_error_before_sending(
    lessonkit_api: FakeAPI, param: str, value: float
) -> None:
    client = anthropic.Anthropic()
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{param}'"):
        client.messages.create(**REQUEST, **{param: value})  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{param}'"):
        client.messages.stream(**REQUEST, **{param: value})  # type: ignore[arg-type]
    assert lessonkit_api.requests == []


def test_lessons_and_sources_do_not_pass_removed_params() -> None:
    findings = lint.removed_param_findings(lint.scanned_files(ROOT), ROOT)
    assert not findings, (
        "messages.create/stream take no temperature/top_p/top_k in anthropic 2.x (TypeError). "
        "Remove them, or mark a deliberate demo with '# lessonkit: removed-param-demo' or the "
        "cell tag 'raises-exception':\n" + "\n".join(map(str, findings))
    )


# --- the scanner itself --------------------------------------------------------------------


def _notebook(path: Path, *cells: dict[str, object]) -> Path:
    path.write_text(
        json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def _code(source: str, tags: tuple[str, ...] = ()) -> dict[str, object]:
    return {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}, "outputs": []}


def _found(tmp_path: Path, *names: str) -> list[str]:
    return [str(f) for f in lint.removed_param_findings([tmp_path / n for n in names], tmp_path)]


def test_scanner_flags_calls_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "x = 1\nclient.messages.create(\n    model=m,\n    temperature=0.2,\n)\n"
        "client.messages.stream(model=m, top_k=5)\nrandom.choice(temperature=1)\n"
    )
    assert _found(tmp_path, "a.py") == [
        "a.py:2: temperature= is not a parameter: client.messages.create(",
        "a.py:6: top_k= is not a parameter: client.messages.stream(model=m, top_k=5)",
    ]


def test_scanner_reads_notebook_code_cells_only(tmp_path: Path) -> None:
    _notebook(
        tmp_path / "n.ipynb",
        {
            "cell_type": "markdown",
            "source": "Old courses wrote `create(temperature=0)`.",
            "metadata": {},
        },
        _code("%time x = 1\nr = await client.messages.create(model=m, top_p=0.9)"),
    )
    assert _found(tmp_path, "n.ipynb") == [
        "n.ipynb:cell 2:line 2: top_p= is not a parameter:"
        " r = await client.messages.create(model=m, top_p=0.9)"
    ]


def test_scanner_allows_marked_demonstrations(tmp_path: Path) -> None:
    _notebook(
        tmp_path / "n.ipynb",
        _code("client.messages.create(model=m, temperature=0.5)", tags=("raises-exception",)),
        _code("client.messages.create(\n    temperature=0.5,  # lessonkit: removed-param-demo\n)"),
    )
    assert _found(tmp_path, "n.ipynb") == []


def test_scanner_falls_back_to_lines_on_syntax_errors(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("def broken(:\nclient.messages.create(temperature=1)\n")
    assert _found(tmp_path, "b.py") == [
        "b.py:2: temperature= is not a parameter: client.messages.create(temperature=1)"
    ]
