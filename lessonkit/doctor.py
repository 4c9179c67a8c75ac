"""``lessonkit doctor``: is this machine ready for the workshop?

Each check is a plain function returning a :class:`Check`, so tests call them
one by one and the CLI only renders the list. A failure carries a ``fix`` the
learner can paste; a warning is something that works but may surprise.
Checks never print or return an API key, only whether one is set.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.markup import escape
from rich.table import Table

__all__ = ["CHECKS", "Check", "find_course_root", "render", "run_checks"]

Status = Literal["pass", "warn", "fail"]
#: Kept as data, not a literal comparison: the check exists for kernels started
#: from some *other* Python than the one lessonkit was installed into.
MIN_PYTHON = (3, 11)
_FIX_INSTALL = "python -m pip install -e '.[test]'   (or: make lab, which does it for you)"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "fail"


def find_course_root(start: Path | None = None) -> Path | None:
    """The folder holding ``notebooks/``: the CWD or a parent, else beside the package."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir():
            return folder
    beside = Path(__file__).resolve().parent.parent
    return beside if (beside / "notebooks").is_dir() else None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    found = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info >= MIN_PYTHON:
        return Check("Python", "pass", f"{found} ({sys.executable})")
    return Check("Python", "fail", f"{found} is too old", "install Python 3.11 or newer")


def check_anthropic() -> Check:
    found = _version("anthropic")
    if found is None:
        return Check("anthropic SDK", "fail", "not installed", _FIX_INSTALL)
    if found.split(".")[0] != "2":
        return Check(
            "anthropic SDK",
            "fail",
            f"{found}; lessons need 2.x",
            "pip install 'anthropic>=2.14,<3'",
        )
    return Check("anthropic SDK", "pass", found)


def check_mocker() -> Check:
    """offline() needs respx and every httpcore2 class its mocker patches (a missing one is
    skipped silently, and requests to it would go out)."""
    name = "respx + httpcore2 mocker"
    respx_version = _version("respx")
    if respx_version is None:
        return Check(name, "fail", "respx not installed", _FIX_INSTALL)
    from ._transport import missing_targets, register_mocker

    try:
        register_mocker()
        missing = missing_targets()
    except ImportError as err:
        return Check(name, "fail", f"import failed: {err}", _FIX_INSTALL)
    if missing:
        return Check(name, "fail", "httpcore2 lacks " + ", ".join(missing), _FIX_INSTALL)
    return Check(name, "pass", f"respx {respx_version}, httpcore2 registered")


def check_kernel() -> Check:
    fix = "python -m ipykernel install --sys-prefix --name python3"
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError:
        return Check("Jupyter kernel", "fail", "jupyter_client not installed", _FIX_INSTALL)
    specs = KernelSpecManager().find_kernel_specs()
    if not specs:
        return Check("Jupyter kernel", "fail", "no kernel found", fix)
    detail = ", ".join(sorted(specs))
    if "python3" not in specs:
        return Check("Jupyter kernel", "warn", f"no 'python3' kernel ({detail})", fix)
    return Check("Jupyter kernel", "pass", detail)


def check_widgets() -> Check:
    """Without the lab extension, widgets show as text ("IntSlider(value=0)") instead."""
    from jupyter_core.paths import jupyter_path

    version = _version("jupyterlab_widgets")
    if version is None or _version("ipywidgets") is None:
        return Check(
            "ipywidgets in JupyterLab",
            "fail",
            "ipywidgets or jupyterlab_widgets missing",
            _FIX_INSTALL,
        )
    extension = Path("@jupyter-widgets", "jupyterlab-manager")
    found = [p for p in jupyter_path("labextensions") if (Path(p) / extension).is_dir()]
    if not found:
        return Check(
            "ipywidgets in JupyterLab",
            "fail",
            f"jupyterlab_widgets {version} is installed but its lab extension is not on the "
            "Jupyter path",
            "pip install --force-reinstall jupyterlab_widgets; then restart JupyterLab",
        )
    return Check("ipywidgets in JupyterLab", "pass", f"jupyterlab_widgets {version}")


def check_notebooks(root: Path | None = None) -> Check:
    root = root if root is not None else find_course_root()
    if root is None:
        return Check(
            "lesson notebooks", "fail", "no notebooks/ folder found", "run from the course folder"
        )
    count = len(list((root / "notebooks").glob("*.ipynb")))
    if count == 0:
        return Check(
            "lesson notebooks", "fail", f"{root / 'notebooks'} is empty", "git pull the course"
        )
    return Check("lesson notebooks", "pass", f"{count} in {root / 'notebooks'}")


def check_offline() -> Check:
    """A real round trip through the SDK: one create and one stream, no network."""
    import anthropic

    from . import models
    from ._offline import current, offline

    if current() is not None:
        return Check("offline mode", "warn", "already on in this process; not re-tested")
    request = {
        "model": models.DEFAULT,
        "max_tokens": 30,
        "messages": [{"role": "user", "content": "hi"}],
    }
    try:
        with offline() as api:
            client = anthropic.Anthropic()
            api.reply("doctor ok")
            created = client.messages.create(**request)  # type: ignore[call-overload]
            with client.messages.stream(**request) as stream:  # type: ignore[arg-type]
                streamed = "".join(stream.text_stream)
    except Exception as err:  # the point is to report anything at all
        fix = "reinstall: " + _FIX_INSTALL + "; if it persists, report this line"
        return Check("offline mode", "fail", f"{type(err).__name__}: {err}", fix)
    texts = [block.text for block in created.content if block.type == "text"]
    if texts != ["doctor ok"] or not streamed:
        return Check("offline mode", "fail", "the fake API answered wrongly", _FIX_INSTALL)
    return Check("offline mode", "pass", "create + stream round trip through the real SDK")


def check_models() -> Check:
    """Models the SDK knows but the facts table lacks: served offline with the strictest rules."""
    from . import models

    missing = models.undocumented()
    if not missing:
        return Check("model facts", "pass", f"all {len(models.KNOWN)} SDK models have a row")
    return Check(
        "model facts",
        "warn",
        f"no row for {', '.join(missing)}: served offline with the strictest rules",
        "add a sourced row per model to lessonkit/fakeapi/model_facts.json",
    )


def _key_is_set() -> bool:
    from ._offline import PLACEHOLDER_KEY

    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    return bool(key) and key != PLACEHOLDER_KEY


def check_api_key() -> Check:
    """Only "set"/"not set": a key must not end up in a screenshot or a shared terminal."""
    if _key_is_set():
        return Check("ANTHROPIC_API_KEY", "pass", "set (only used by live mode)")
    return Check("ANTHROPIC_API_KEY", "pass", "not set (fine: lessons run offline)")


def check_live_mode() -> Check:
    enabled = os.environ.get("LESSONKIT_LIVE", "").strip().lower() in {"1", "true", "yes", "on"}
    if not enabled:
        return Check("live mode", "pass", "off (LESSONKIT_LIVE not set)")
    if not _key_is_set():
        return Check(
            "live mode", "warn", "LESSONKIT_LIVE=1 but no API key", "export ANTHROPIC_API_KEY=..."
        )
    return Check(
        "live mode",
        "warn",
        "ON: lessonkit.live() sends real, billed requests",
        "unset LESSONKIT_LIVE for an offline-only room",
    )


CHECKS: tuple[Callable[[], Check], ...] = (
    check_python,
    check_anthropic,
    check_mocker,
    check_kernel,
    check_widgets,
    check_notebooks,
    check_offline,
    check_models,
    check_api_key,
    check_live_mode,
)


def run_checks(checks: tuple[Callable[[], Check], ...] = CHECKS) -> list[Check]:
    """Run every check; a check that crashes is reported as a failure, not raised."""
    results = []
    for check in checks:
        try:
            results.append(check())
        except Exception as err:
            name = check.__name__.removeprefix("check_")
            results.append(Check(name, "fail", f"the check itself crashed: {err!r}", "report this"))
    return results


_STYLE = {"pass": "[green]pass[/]", "warn": "[yellow]warn[/]", "fail": "[bold red]FAIL[/]"}


def render(checks: list[Check]) -> Table:
    """The report as a rich table: check, status, what was found, how to fix it."""
    table = Table(title="lessonkit doctor", show_lines=False)
    for column in ("check", "status", "found", "fix"):
        table.add_column(column, overflow="fold")
    for check in checks:
        table.add_row(check.name, _STYLE[check.status], escape(check.detail), escape(check.fix))
    return table
