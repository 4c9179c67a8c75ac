"""Solution markers (nbgrader style) and the pure function that strips them.

Rules, applied to the lines of one code cell:

* A block from `### BEGIN SOLUTION` to `### END SOLUTION` (each marker alone on
  its line) is replaced by ONE stub line, at the BEGIN marker's indentation:
  - inside a function body: `raise NotAttempted  # your code here` (a
    `NotImplementedError` that the checker reports as "not attempted" and
    IPython shows as one line; `bind` defines the name);
  - indented but not in a function (e.g. a `with` block): `pass  # your code here`
    (keeps the block valid Python);
  - at top level: `# your code here`.
  "Inside a function" is read from indentation: the enclosing lines with less
  indentation are followed up to column 0, looking for `def`/`async def`.
* A line ending in `# SOLUTION` is a complete one-line statement:
  `target = value  # SOLUTION` becomes `target = ____`, `return value  # SOLUTION`
  becomes `return ____` (likewise `+=` and annotated assignments); any other
  marked line is removed.
* Nested, unclosed or stray markers, a marker sharing its line with code, and a
  `# SOLUTION` on an incomplete statement raise `MarkerError` with the line number.

Line endings are kept: each output line ends as the input line it came from.

`stubbed_functions` and `calls_any` then tell the release which cells of the
student copy will raise `NotAttempted` until the learner writes the stub.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Sequence

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB_IN_FUNCTION = "raise NotAttempted  # your code here"
STUB_IN_BLOCK = "pass  # your code here"
STUB_AT_TOP = "# your code here"
_LINE_MARKER = re.compile(r"\s*#\s*SOLUTION\s*$")
_LAYOUT_TOKENS = frozenset(
    {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
)


class MarkerError(ValueError):
    """A malformed solution marker; `line` is 1-based."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


def strip_solutions(lines: Sequence[str]) -> list[str]:
    """Return the student version of `lines` (see the module docstring for the rules).

    >>> strip_solutions(["def f():", "    ### BEGIN SOLUTION", "    return 1",
    ...                  "    ### END SOLUTION"])
    ['def f():', '    raise NotAttempted  # your code here']
    """
    out: list[str] = []
    opened: int | None = None
    spanning: frozenset[int] | None = None  # computed at the first line marker
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        ending = line[len(text) :]
        if BEGIN in text:
            _alone(text, BEGIN, number)
            if opened is not None:
                raise MarkerError(number, f"{BEGIN} inside the block opened on line {opened}")
            opened = number
            indent = text[: len(text) - len(text.lstrip())]
            out.append(indent + _stub(lines, number - 1, indent) + ending)
        elif END in text:
            _alone(text, END, number)
            if opened is None:
                raise MarkerError(number, f"{END} without a {BEGIN} before it")
            opened = None
        elif opened is None and _LINE_MARKER.search(text):
            spanning = _spanning_lines(lines) if spanning is None else spanning
            if number in spanning:
                raise MarkerError(number, "# SOLUTION must end a complete one-line statement")
            replaced = _strip_line(text, number)
            if replaced is not None:
                out.append(replaced + ending)
        elif opened is None:
            out.append(line)
    if opened is not None:
        raise MarkerError(opened, f"{BEGIN} is never closed by {END}")
    return out


def stubbed_functions(source: str) -> frozenset[str]:
    """Names of the functions that `source` defines with a `STUB_IN_FUNCTION` body."""
    tree = _parse(source)
    if tree is None:
        return frozenset()
    stub = [ast.dump(statement) for statement in ast.parse(STUB_IN_FUNCTION).body]
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and [ast.dump(statement) for statement in node.body[ast.get_docstring(node) is not None :]]
        == stub
    )


def calls_any(source: str, names: frozenset[str]) -> bool:
    """True if `source` uses one of `names` outside a definition of it (a cell that calls a stub).

    A cell that does not parse (IPython magics) is read as plain text.
    """
    tree = _parse(source)
    if tree is None:
        return any(re.search(rf"\b{re.escape(name)}\b", source) for name in names)
    return any(
        isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names
        for node in ast.walk(tree)
    )


def _parse(source: str) -> ast.Module | None:
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # notebooks may `await`
    try:
        tree: ast.Module = compile(source, "<cell>", "exec", flags=flags)
    except (SyntaxError, ValueError):
        return None
    return tree


def _spanning_lines(lines: Sequence[str]) -> frozenset[int]:
    """Lines of statements that span several lines (brackets, strings, backslashes).

    Empty if the cell does not tokenize (IPython syntax, say); the one-line
    parse in `_strip_line` still catches most mistakes then.
    """
    source = "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)
    spanning: set[int] = set()
    start: int | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NEWLINE:
                if start is not None and token.start[0] > start:
                    spanning.update(range(start, token.start[0] + 1))
                start = None
            elif start is None and token.type not in _LAYOUT_TOKENS:
                start = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        return frozenset()
    return frozenset(spanning)


def _alone(text: str, marker: str, number: int) -> None:
    if text.strip() != marker:
        raise MarkerError(number, f"{marker} must be alone on its line")


def _stub(lines: Sequence[str], index: int, indent: str) -> str:
    if not indent:
        return STUB_AT_TOP
    width = len(indent.expandtabs())
    for line in reversed(lines[:index]):
        code = line.expandtabs().rstrip()
        body = code.lstrip()
        # blank lines, comments and a signature's closing bracket do not open blocks
        if not body or body.startswith(("#", ")", "]", "}")):
            continue
        if len(code) - len(body) < width:
            if body.startswith(("def ", "async def ")):
                return STUB_IN_FUNCTION
            width = len(code) - len(body)
            if width == 0:
                break
    return STUB_IN_BLOCK


def _strip_line(text: str, number: int) -> str | None:
    code = _LINE_MARKER.sub("", text)
    statement = code.strip()
    if not statement:
        return None
    try:
        (node,) = ast.parse(statement).body
    except (SyntaxError, ValueError):
        raise MarkerError(number, "# SOLUTION must end a complete one-line statement") from None
    kept = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)
    if not isinstance(node, kept) or node.value is None:
        return None
    head = statement.encode()[: node.value.col_offset].decode()  # col_offset counts bytes
    return code[: len(code) - len(code.lstrip())] + head + "____"
