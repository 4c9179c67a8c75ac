"""Source lints that keep lessons true as the API and SDK move on.

Two rules, both run by the test suite over lessonkit/, notebooks/, exercises/,
docs/ and README.md:

* **model ids**: a literal ``claude-…`` id anywhere but ``lessonkit/models.py``
  goes stale when the model retires, so lessons say ``models.DEFAULT``.
  Deliberate cases carry ``lessonkit: allow-model-id`` on the line (a Python
  or HTML comment); an id named on such a line may recur in the same file or
  notebook cell (a doctest's expected output, a cell's output), and a cell
  tagged ``allow-model-id`` is exempt whole. Notebook *outputs* may also show
  any id the installed SDK knows: they are what running ``models.DEFAULT``
  prints, and nbval's sanitizer masks them; an output id the SDK no longer
  lists is stale and flagged.
* **removed parameters**: ``temperature=``/``top_p=``/``top_k=`` passed to a
  ``.create(...)``/``.stream(...)`` call is a ``TypeError`` in anthropic 2.x,
  so code must not teach it. A cell tagged ``raises-exception`` or a call
  marked ``# lessonkit: removed-param-demo`` may show the error on purpose.

Findings read ``path:line: message`` (``path:cell N:line M`` in notebooks).

``lessonkit lint NOTEBOOK…`` (:func:`notebook_findings`) runs the rules that
make *anyone's* Claude notebook fail live, each named in its finding:
``model-id`` (an id the installed SDK does not list: retired or mistyped),
``removed-param`` (a keyword the SDK's ``messages.create`` signature lacks),
``prefill`` (a final ``assistant`` message to a model whose row in
``model_facts.json`` refuses it), ``content-index`` (``.content[0].text`` while
a model used by the notebook may answer with a thinking block first),
``api-key`` (a key written into a cell), ``max-tokens`` (above the model's
output ceiling) and ``tool-result`` (one ``tool_result`` for the one
``tool_use`` block a cell picked out, while current models call several tools
in one turn and the API then wants a result for each: 400). ``--fix``
rewrites retired ids to the registry's current id of the same family.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import subprocess
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anthropic.resources.messages import Messages
from anthropic.types.model_line import ModelLine

from . import models
from .fakeapi.facts import ModelFacts, facts

__all__ = [
    "ALLOW_MODEL_ID",
    "REMOVED_PARAMS",
    "REMOVED_PARAM_DEMO",
    "SCANNED",
    "Finding",
    "fix_notebook",
    "model_id_findings",
    "notebook_findings",
    "removed_param_findings",
    "replacement",
    "scanned_files",
]

#: Top-level places whose text learners read or run.
SCANNED = ("lessonkit", "notebooks", "exercises", "docs", "README.md")
#: The registry, and data tables keyed by model id that their own tests check
#: against ``models.KNOWN`` (tests/test_cost.py for prices): free to name ids.
ID_TABLES = ("lessonkit/models.py", "lessonkit/fakeapi/model_facts.json")
ALLOW_MODEL_ID = "lessonkit: allow-model-id"
REMOVED_PARAM_DEMO = "lessonkit: removed-param-demo"
#: Sampling parameters the 1.x SDK took that the installed ``messages.create`` no longer accepts.
REMOVED_PARAMS = tuple(
    p
    for p in ("temperature", "top_p", "top_k")
    if p not in inspect.signature(Messages.create).parameters
)
_TEXT_SUFFIXES = {
    ".py",
    ".pyi",
    ".ipynb",
    ".md",
    ".rst",
    ".txt",
    ".cfg",
    ".toml",
    ".ini",
    ".json",
    ".yml",
    ".yaml",
    ".html",
    ".sh",
    ".ts",
    ".js",
}

_FAMILIES = sorted(
    set(typing.get_args(ModelLine)) | {m.split("-")[1] for m in models.KNOWN} | {"instant"}
)
#: ``claude-`` then either a known family name or anything containing a digit.
MODEL_ID = re.compile(
    r"\bclaude-(?:(?:" + "|".join(map(re.escape, _FAMILIES)) + r")\b[\w.-]*|[\w.-]*\d[\w.-]*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    """One offending line."""

    where: str  #: ``path:line`` or ``path:cell N:line M``
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text.strip()[:160]}"


def scanned_files(root: Path) -> list[Path]:
    """Text files under :data:`SCANNED`: tracked and new unignored files (a walk without git)."""
    roots = [root / name for name in SCANNED]
    try:
        listed = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                *SCANNED,
            ],
            capture_output=True,
            check=True,
        ).stdout.decode()
        paths = sorted({root / p for p in listed.split("\0") if p})
    except (OSError, subprocess.CalledProcessError):
        paths = sorted(
            p for r in roots if r.exists() for p in ([r] if r.is_file() else r.rglob("*"))
        )
    return [
        p for p in paths if p.is_file() and (p.suffix in _TEXT_SUFFIXES or p.name == "README.md")
    ]


# --- units of text ------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    where: str  #: path, or ``path:cell N``
    kind: str  #: "code", "markdown", "raw", or "python" for a .py file, "text" otherwise
    source: str
    outputs: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_texts(output: dict[str, Any]) -> Iterator[str]:
    if "text" in output:
        yield _text(output["text"])
    for value in (output.get("data") or {}).values():
        if isinstance(value, str | list):
            yield _text(value)
    if output.get("traceback"):
        yield "\n".join(output["traceback"])
    for key in ("ename", "evalue"):
        if key in output:
            yield str(output[key])


def _cells(path: Path, shown: str) -> Iterator[_Cell]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".ipynb":
        yield _Cell(shown, "python" if path.suffix in (".py", ".pyi") else "text", text)
        return
    try:
        notebook = json.loads(text)
    except ValueError:
        yield _Cell(shown, "text", text)
        return
    for n, cell in enumerate(notebook.get("cells", []), start=1):
        outputs = tuple(t for o in cell.get("outputs", []) for t in _output_texts(o))
        tags = frozenset((cell.get("metadata") or {}).get("tags", []))
        yield _Cell(
            f"{shown}:cell {n}",
            cell.get("cell_type", "raw"),
            _text(cell.get("source", "")),
            outputs,
            tags,
        )


def _lines(cell: _Cell) -> Iterator[tuple[str, str]]:
    sep = ":line " if ":cell " in cell.where else ":"
    for i, line in enumerate(cell.source.splitlines(), start=1):
        yield f"{cell.where}{sep}{i}", line


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# --- model ids ------------------------------------------------------------------------


def model_id_findings(paths: Iterable[Path], root: Path) -> list[Finding]:
    """Lines naming a literal model id outside the registry and not allowed."""
    known = {m.lower() for m in models.KNOWN}
    found: list[Finding] = []
    for path in paths:
        shown = _relative(path, root)
        if shown in ID_TABLES:
            continue
        for cell in _cells(path, shown):
            if "allow-model-id" in cell.tags:
                continue
            lines = list(_lines(cell))
            allowed = {
                i.lower()
                for _, line in lines
                if ALLOW_MODEL_ID in line
                for i in MODEL_ID.findall(line)
            }
            for where, line in lines:
                if any(i.lower() not in allowed for i in MODEL_ID.findall(line)):
                    found.append(Finding(where, line))
            for n, output in enumerate(cell.outputs, start=1):
                for i, line in enumerate(output.splitlines(), start=1):
                    if any(m.lower() not in allowed | known for m in MODEL_ID.findall(line)):
                        found.append(Finding(f"{cell.where}:output {n}:line {i}", line))
    return found


# --- removed sampling parameters ----------------------------------------------------------


def _strip_magics(source: str) -> str:
    # IPython-only lines (%magic, !shell) keep their place so line numbers still match.
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _calls_with_removed_params(source: str) -> Iterator[tuple[int, int, str]]:
    """(first line, last line, parameter) of each ``.create``/``.stream`` call passing one."""
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        tree = compile(_strip_magics(source), "<cell>", "exec", flags=flags, dont_inherit=True)
    except SyntaxError:
        pattern = re.compile(r"\.(?:create|stream)\(.*\b(" + "|".join(REMOVED_PARAMS) + r")\s*=")
        for i, line in enumerate(source.splitlines(), start=1):
            if match := pattern.search(line):
                yield i, i, match[1]
        return
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("create", "stream"):
            continue
        for keyword in node.keywords:
            if keyword.arg in REMOVED_PARAMS:
                yield node.lineno, node.end_lineno or node.lineno, keyword.arg


def removed_param_findings(paths: Iterable[Path], root: Path) -> list[Finding]:
    """Code that passes ``temperature``/``top_p``/``top_k`` to ``messages.create``/``stream``."""
    found: list[Finding] = []
    for path in paths:
        shown = _relative(path, root)
        for cell in _cells(path, shown):
            if cell.kind not in ("code", "python") or "raises-exception" in cell.tags:
                continue
            lines = cell.source.splitlines()
            sep = ":line " if ":cell " in cell.where else ":"
            for first, last, param in _calls_with_removed_params(cell.source):
                if any(REMOVED_PARAM_DEMO in line for line in lines[first - 1 : last]):
                    continue
                found.append(
                    Finding(
                        f"{cell.where}{sep}{first}",
                        f"{param}= is not a parameter: {lines[first - 1]}",
                    )
                )
    return found


# --- anyone's notebook: rules that predict a live failure ------------------------------------

#: A key pasted into a cell: the real prefix, or a literal handed to ``api_key=``.
_KEY = re.compile(r"sk-ant-[A-Za-z0-9_-]{8,}")
_KEY_SETTINGS = ("api_key", "ANTHROPIC_API_KEY")


@dataclass
class _Context:
    """What earlier cells set up: string constants (``MODEL = "claude-…"``) and models used."""

    constants: dict[str, str]
    used: set[str]


def _constant(node: ast.AST | None, context: _Context) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return context.constants.get(node.id)
    return None


def _parse(source: str) -> ast.Module | None:
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        tree = compile(_strip_magics(source), "<cell>", "exec", flags=flags, dont_inherit=True)
    except SyntaxError:
        return None
    return tree if isinstance(tree, ast.Module) else None


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    """``….create(...)``/``….stream(...)`` calls: the Messages API, however the client is named."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("create", "stream")
            and any(k.arg in ("messages", "model") for k in node.keywords)
        ):
            yield node


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _ends_with_assistant(messages: ast.expr | None) -> bool:
    if not isinstance(messages, ast.List) or not messages.elts:
        return False
    last = messages.elts[-1]
    if not isinstance(last, ast.Dict):
        return False
    for key, value in zip(last.keys, last.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "role":
            return isinstance(value, ast.Constant) and value.value == "assistant"
    return False


def _content_zero_text(node: ast.AST) -> bool:
    """``<x>.content[0].text``."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "text"
        and isinstance(node.value, ast.Subscript)
        and isinstance(node.value.value, ast.Attribute)
        and node.value.value.attr == "content"
        and isinstance(node.value.slice, ast.Constant)
        and node.value.slice.value == 0
    )


def _one_block(node: ast.AST) -> bool:
    """``<x>.content[N]`` or ``next(...)``: one block picked out of a reply's content."""
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "next"
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "content"
        and isinstance(node.slice, (ast.Constant, ast.UnaryOp))
    )


def _single_tool_results(tree: ast.AST) -> Iterator[int]:
    """Lines of ``{"tool_use_id": b.id, …}`` where ``b`` is one block picked out of a reply."""
    picked = {
        n.targets[0].id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign)
        and len(n.targets) == 1
        and isinstance(n.targets[0], ast.Name)
        and _one_block(n.value)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and key.value == "tool_use_id"):
                continue
            if isinstance(value, ast.Attribute) and value.attr == "id":
                block = value.value
                if (isinstance(block, ast.Name) and block.id in picked) or _one_block(block):
                    yield node.lineno


def _thinks_first(model: ModelFacts) -> bool:
    return model.thinking_default != "off"


def _cell_rules(tree: ast.Module, context: _Context) -> Iterator[tuple[int, str, str]]:
    """(line, rule, message) for one parsed code cell; updates ``context`` as the cell would."""
    known = set(models.KNOWN)
    for statement in tree.body:  # top-level constants later cells refer to
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], _constant(statement.value, context)
            if isinstance(target, ast.Name) and value is not None:
                context.constants[target.id] = value
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for model_id in MODEL_ID.findall(node.value):
                if node.value == model_id and model_id not in known:
                    yield (
                        node.lineno,
                        "model-id",
                        (
                            f"{model_id!r} is not a model the installed anthropic SDK lists "
                            f"(retired or mistyped): the API answers 404 not_found_error; "
                            f"use {replacement(model_id)!r}"
                        ),
                    )
            if _KEY.search(node.value):
                yield node.lineno, "api-key", "an Anthropic API key is written in this cell"
        if isinstance(node, ast.keyword) and node.arg in _KEY_SETTINGS:
            if isinstance(node.value, ast.Constant) and node.value.value:
                yield node.value.lineno, "api-key", f"{node.arg}= is given a literal key"
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Subscript) and _constant(t.slice, context) in _KEY_SETTINGS
            for t in node.targets
        ):
            if isinstance(node.value, ast.Constant) and node.value.value:
                yield node.lineno, "api-key", "ANTHROPIC_API_KEY is set to a literal key"
    for call in _calls(tree):
        model_id = _constant(_keyword(call, "model"), context)
        model = facts(model_id) if model_id else None
        if model_id:
            context.used.add(model_id)
        for keyword in call.keywords:
            if keyword.arg in REMOVED_PARAMS:
                yield (
                    call.lineno,
                    "removed-param",
                    (
                        f"{keyword.arg}= is not a parameter of messages.create in the installed "
                        "anthropic SDK: a TypeError before anything is sent"
                    ),
                )
        if _ends_with_assistant(_keyword(call, "messages")) and (
            model is None or not model.prefill
        ):
            yield (
                call.lineno,
                "prefill",
                (
                    f"the last message is the assistant's (prefill); {model_id or 'current models'}"
                    " "
                    "answer 400 'This model does not support assistant message prefill'"
                ),
            )
        ceiling = _keyword(call, "max_tokens")
        if (
            model is not None
            and isinstance(ceiling, ast.Constant)
            and isinstance(ceiling.value, int)
            and ceiling.value > model.max_output_tokens
        ):
            yield (
                call.lineno,
                "max-tokens",
                (
                    f"max_tokens={ceiling.value} is above {model_id}'s output ceiling "
                    f"of {model.max_output_tokens}: a 400 invalid_request_error"
                ),
            )
    for line in _single_tool_results(tree):
        yield (
            line,
            "tool-result",
            (
                "one tool_result for one picked tool_use block: current models call several "
                "tools in one turn when a question asks several things (parallel tool use is on "
                "by default), and the API then answers 400 unless the next user message has a "
                "tool_result for every tool_use id; loop over the blocks with "
                "b.type == 'tool_use', or set tool_choice's disable_parallel_tool_use"
            ),
        )
    indexed = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and _content_zero_text(n)]
    if indexed:
        thinking = sorted(m for m in context.used if _thinks_first(facts(m)))
        if thinking or not context.used:
            line = indexed[0].lineno
            who = ", ".join(thinking) or "current models"
            yield (
                line,
                "content-index",
                (
                    f"content[0].text: {who} may answer with a thinking block first, which has "
                    "no .text; select blocks by type "
                    "(next(b for b in m.content if b.type == 'text'))"
                ),
            )


def replacement(model_id: str) -> str:
    """The current id that replaces retired ``model_id`` with the least change in behaviour.

    Among the registry's documented ids of the same family, the newest that, like
    the models of its day, answers without thinking unless asked, takes
    ``budget_tokens`` thinking and accepts prefill, as far as one does; else the
    family's newest; else :data:`lessonkit.models.DEFAULT`.
    """
    family = next((f for f in ("opus", "sonnet", "haiku") if f in model_id.lower()), None)
    candidates = [m for m in models.documented() if family and f"-{family}-" in m]
    if not candidates:
        return models.DEFAULT

    def alike(model: str) -> tuple[bool, bool, bool]:
        row = facts(model)
        return (row.thinking_default == "off", row.thinking_enabled, row.prefill)

    return max(candidates, key=alike)  # max keeps the first (newest) of equals


def notebook_findings(path: Path) -> list[Finding]:
    """Every live-failing pattern in ``path``'s code cells, as ``path:cell N:line M: [rule] …``."""
    context = _Context({}, set())
    found: list[Finding] = []
    for cell in _cells(path, path.as_posix()):
        if cell.kind not in ("code", "python"):
            continue
        tree = _parse(cell.source)
        if tree is None:
            continue
        sep = ":line " if ":cell " in cell.where else ":"
        for line, rule, message in _cell_rules(tree, context):
            found.append(Finding(f"{cell.where}{sep}{line}", f"[{rule}] {message}"))
    return found


def fix_notebook(path: Path) -> int:
    """Rewrite retired or unknown model ids in code cells to current ones; returns how many.

    Only string literals that are exactly a model id change; outputs, prose and
    everything else are left as they were.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    known, fixed = set(models.KNOWN), 0

    def swap(match: re.Match[str]) -> str:
        nonlocal fixed
        quote, model_id = match[1], match[2]
        if model_id in known or not MODEL_ID.fullmatch(model_id):
            return match[0]
        fixed += 1
        return f"{quote}{replacement(model_id)}{quote}"

    literal = re.compile(r"""(["'])(claude-[\w.-]+)\1""")
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = literal.sub(swap, _text(cell.get("source", "")))
            cell["source"] = source.splitlines(keepends=True)
    if fixed:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return fixed
