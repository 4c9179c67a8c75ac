"""``import lessonkit`` stays light: heavy optional modules load on first use, not at import.

Timing is flaky on shared machines, so this pins the cause instead: the
modules that cost 0.1–3 s each must not be in ``sys.modules`` after a bare
``import lessonkit`` in a fresh interpreter. ``python -m bench imports``
measures the time itself (goal: at most 150 ms over ``import anthropic``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(120)

#: Each is slow to import (measured in this environment): pytest and respx/httpx (httpx also
#: pulls rich and click for its CLI), jsonschema (~2 s with the rfc3987 grammar Jupyter installs),
#: IPython/ipywidgets/nbformat/nbclient (kernel-only), the server stack and the CLI stack.
HEAVY = (
    "pytest",
    "pytest_httpx2",
    "respx",
    "httpx",
    "rich",
    "click",
    "jsonschema",
    "IPython",
    "ipywidgets",
    "nbformat",
    "nbclient",
    "uvicorn",
    "starlette",
    "typer",
)


_STAGES = {
    "import lessonkit": "import lessonkit",
    "public names": "for name in lessonkit.__all__: getattr(lessonkit, name)",
    "widgets and checks": "import lessonkit.widgets, lessonkit.checks",
    "offline start": "lessonkit.offline().start()",
}


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    """Heavy modules in ``sys.modules`` after each stage, in one fresh interpreter."""
    lines = ["import sys, json", "seen = {}"]
    for stage, code in _STAGES.items():
        lines += [code, f"seen[{stage!r}] = [m for m in {HEAVY!r} if m in sys.modules]"]
    lines.append("print(json.dumps(seen))")
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True, check=True
    )
    seen: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_import_lessonkit_loads_no_heavy_module(loaded: dict[str, list[str]]) -> None:
    assert loaded["import lessonkit"] == []


def test_public_names_resolve_without_heavy_modules(loaded: dict[str, list[str]]) -> None:
    assert loaded["public names"] == []


def test_widgets_and_checks_load_ipywidgets_lazily(loaded: dict[str, list[str]]) -> None:
    assert not {"ipywidgets", "IPython"} & set(loaded["widgets and checks"])


def test_offline_mode_loads_its_transport_on_start_only(loaded: dict[str, list[str]]) -> None:
    assert "respx" in loaded["offline start"]  # the transport arrives when it is needed...
    kernel_only = {"IPython", "ipywidgets", "jsonschema", "nbformat", "uvicorn"}
    assert not kernel_only & set(loaded["offline start"])  # ...and nothing else does


def test_names_a_first_request_never_needs_load_on_first_use() -> None:
    """``live`` and ``progress`` (the metering session, every checker) wait until asked for."""
    code = (
        "import sys, json, lessonkit\n"
        "before = [m for m in ('lessonkit._live', 'lessonkit.checks') if m in sys.modules]\n"
        "from lessonkit._live import live\n"
        "from lessonkit.checks.progress import summary\n"
        "print(json.dumps([before, lessonkit.live is live, lessonkit.progress is summary,"
        " 'live' in dir(lessonkit)]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [[], True, True, True]


def test_what_needs_no_api_does_not_import_the_sdk() -> None:
    """The command line, the dashboard and the grader's network guard never send a request.

    Importing the SDK costs 3–6 s of CPU on a slow machine; ``lessonkit lab`` and
    ``lessonkit release`` used to pay it before doing anything.
    """
    code = (
        "import sys, lessonkit, lessonkit.cli, lessonkit.dashboard, lessonkit.submission\n"
        "print('anthropic' in sys.modules, lessonkit.models.DEFAULT in lessonkit.models.KNOWN,"
        " 'anthropic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "True"]


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    import lessonkit

    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = lessonkit.nothing_here  # type: ignore[attr-defined]
