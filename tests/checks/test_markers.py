"""strip_solutions: golden cases and every malformed marker."""

from __future__ import annotations

import pytest

from lessonkit.checks import MarkerError, strip_solutions
from lessonkit.checks.markers import calls_any, stubbed_functions


def strip(source: str) -> str:
    return "".join(strip_solutions(source.splitlines(keepends=True)))


GOLDEN = [
    pytest.param(
        """\
def collect(stream):
    \"\"\"Join the text deltas.\"\"\"
    ### BEGIN SOLUTION
    parts = []
    for text in stream:
        parts.append(text)
    return "".join(parts)
    ### END SOLUTION
""",
        """\
def collect(stream):
    \"\"\"Join the text deltas.\"\"\"
    raise NotAttempted  # your code here
""",
        id="function body",
    ),
    pytest.param(
        """\
async def f(
    client,
    retries=2,
) -> str:
    if retries:
        ### BEGIN SOLUTION
        return "x"
        ### END SOLUTION
    return "y"
""",
        """\
async def f(
    client,
    retries=2,
) -> str:
    if retries:
        raise NotAttempted  # your code here
    return "y"
""",
        id="nested block in a multi-line async signature",
    ),
    pytest.param(
        """\
with offline() as api:
    ### BEGIN SOLUTION
    api.reply(text="hi")
    ### END SOLUTION
    run()
""",
        """\
with offline() as api:
    pass  # your code here
    run()
""",
        id="indented block outside a function",
    ),
    pytest.param(
        """\
import anthropic

### BEGIN SOLUTION
client = anthropic.Anthropic()
### END SOLUTION
q1.check()
""",
        """\
import anthropic

# your code here
q1.check()
""",
        id="top level",
    ),
    pytest.param(
        """\
class Client:
\tdef send(self):
\t\t### BEGIN SOLUTION
\t\treturn 1
\t\t### END SOLUTION
""",
        """\
class Client:
\tdef send(self):
\t\traise NotAttempted  # your code here
""",
        id="tabs kept",
    ),
    pytest.param(
        """\
max_tokens = 1024  # SOLUTION
answer: str = "end_turn"# SOLUTION
total += cost(usage)  #SOLUTION
def f():
    return client.messages.create(**params)  # SOLUTION
print("debug")  # SOLUTION
# SOLUTION
""",
        """\
max_tokens = ____
answer: str = ____
total += ____
def f():
    return ____
""",
        id="line markers",
    ),
    pytest.param(
        "x = 1\r\n### BEGIN SOLUTION\r\ny = 2\r\n### END SOLUTION\r\n",
        "x = 1\r\n# your code here\r\n",
        id="CRLF endings kept",
    ),
    pytest.param("print('no markers')\n", "print('no markers')\n", id="unchanged"),
    pytest.param(
        "!pip list\ny = 2  # SOLUTION\n",
        "!pip list\ny = ____\n",
        id="IPython syntax elsewhere in the cell",
    ),
]


@pytest.mark.parametrize(("source", "expected"), GOLDEN)
def test_golden(source: str, expected: str) -> None:
    assert strip(source) == expected


def test_lines_without_endings() -> None:
    assert strip_solutions(
        [
            "def f():",
            "    ### BEGIN SOLUTION",
            "    return 1",
            "    ### END SOLUTION",
            "x = 2  # SOLUTION",
        ]
    ) == [
        "def f():",
        "    raise NotAttempted  # your code here",
        "x = ____",
    ]


BAD = [
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", 2, "inside the block opened"),
    ("x = 1\n### BEGIN SOLUTION\nx = 2\n", 2, "never closed"),
    ("x = 1\n### END SOLUTION\n", 2, "without a ### BEGIN SOLUTION"),
    ("x = 1  ### BEGIN SOLUTION\n### END SOLUTION\n", 1, "must be alone on its line"),
    ("### BEGIN SOLUTION\nx = 2\n### END SOLUTION  # done\n", 3, "must be alone on its line"),
    ("f(\n    a=1,  # SOLUTION\n)\n", 2, "complete one-line statement"),
    ("a = 1; b = 2  # SOLUTION\n", 1, "complete one-line statement"),
    ('x = """\ntext = 1  # SOLUTION\n"""\n', 2, "complete one-line statement"),
    ("total = 1 + \\\n    2  # SOLUTION\n", 2, "complete one-line statement"),
    ("%time x = 1  # SOLUTION\n", 1, "complete one-line statement"),
]


@pytest.mark.parametrize(("source", "line", "problem"), BAD)
def test_bad_markers_name_the_line(source: str, line: int, problem: str) -> None:
    with pytest.raises(MarkerError, match=f"^line {line}: .*{problem}") as caught:
        strip(source)
    assert caught.value.line == line


def test_stubbed_functions_are_the_ones_whose_body_is_the_stub() -> None:
    source = "\n".join(
        strip_solutions(
            [
                "def a():",
                '    """Doc."""',
                "    ### BEGIN SOLUTION",
                "    return 1",
                "    ### END SOLUTION",
                "async def b():",
                "    ### BEGIN SOLUTION",
                "    return 2",
                "    ### END SOLUTION",
                "def c():",
                "    x = 1",
                "    ### BEGIN SOLUTION",
                "    return x",
                "    ### END SOLUTION",
            ]
        )
    )
    assert stubbed_functions(source) == {"a", "b"}  # c() does work before its stub
    assert stubbed_functions("%magic") == frozenset()


@pytest.mark.parametrize(
    "source, calls",
    [
        ("a()", True),
        ("x = [a]", True),
        ("def a():\n    pass", False),
        ("ab()", False),
        ("%timeit a()", True),
        ("%timeit ab()", False),
    ],
)
def test_calls_any(source: str, calls: bool) -> None:
    assert calls_any(source, frozenset({"a"})) is calls
