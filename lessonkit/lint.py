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
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anthropic.types.model_line import ModelLine

from . import models

__all__ = [
    "ALLOW_MODEL_ID",
    "REMOVED_PARAMS",
    "REMOVED_PARAM_DEMO",
    "SCANNED",
    "Finding",
    "model_id_findings",
    "removed_param_findings",
    "scanned_files",
]

#: Top-level places whose text learners read or run.
SCANNED = ("lessonkit", "notebooks", "exercises", "docs", "README.md")
#: The registry, and data tables keyed by model id that their own tests check
#: against ``models.KNOWN`` (tests/test_cost.py for prices): free to name ids.
ID_TABLES = ("lessonkit/models.py", "lessonkit/fakeapi/model_facts.json")
ALLOW_MODEL_ID = "lessonkit: allow-model-id"
REMOVED_PARAM_DEMO = "lessonkit: removed-param-demo"
#: Sampling parameters the 2.x SDK's ``messages.create``/``stream`` no longer accept.
REMOVED_PARAMS = ("temperature", "top_p", "top_k")
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
