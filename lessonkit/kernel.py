"""The offline kernel: any Claude notebook runs against the fake API, unchanged.

``lessonkit kernel install`` registers a Jupyter kernel spec (default name
``claude-offline``) that is the ordinary IPython kernel plus one start-up line,
:func:`boot`, run before the first cell: offline mode on for the kernel's whole
life (placeholder ``ANTHROPIC_API_KEY``, every host but the fake refused,
virtual time), scripted by the notebook's scenario file if it has one
(:mod:`lessonkit.scenario`). Nothing in the notebook changes, so nbval
(``--nbval-kernel-name claude-offline``), nbclient, papermill and JupyterLab
all run it the same way; ``pytest --lessonkit-offline`` uses a throwaway copy
of the same spec (:mod:`lessonkit.pytest_plugin`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._offline import Offline
from .fakeapi.app import FakeAPI
from .scenario import ScenarioAPI, ScenarioError, load, locate

__all__ = ["DEFAULT_NAME", "boot", "install", "spec", "temporary", "uninstall", "write_spec"]

DEFAULT_NAME = "claude-offline"
#: Run by IPython before the first cell; leaves no name behind in the user namespace.
BOOT_LINE = "__import__('lessonkit.kernel').kernel.boot()"


def spec(python: str | None = None) -> dict[str, Any]:
    """The kernel.json: ipykernel on ``python`` (default: this interpreter), booting offline."""
    return {
        "argv": [
            python or sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            f"--IPKernelApp.exec_lines={BOOT_LINE}",
        ],
        "display_name": "Python 3 (Claude, offline)",
        "language": "python",
        "metadata": {"debugger": True, "lessonkit": {"offline": True}},
    }


def write_spec(directory: Path, python: str | None = None) -> Path:
    """Write ``kernel.json`` into ``directory`` (made if missing); returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kernel.json").write_text(json.dumps(spec(python), indent=1) + "\n")
    return directory


def install(
    name: str = DEFAULT_NAME,
    *,
    user: bool = False,
    prefix: str | None = None,
) -> Path:
    """Register the kernel spec (``user``: in ~/.local/share/jupyter; ``prefix``: e.g. sys.prefix).

    Installing again replaces the earlier spec, so re-running is harmless.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        source = write_spec(Path(tmp) / name)
        where = KernelSpecManager().install_kernel_spec(str(source), name, user=user, prefix=prefix)
    return Path(where)


def uninstall(name: str = DEFAULT_NAME) -> Path:
    """Remove the kernel spec ``name``; raises ``KeyError`` if Jupyter finds none."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return Path(KernelSpecManager().remove_kernel_spec(name))
    except NoSuchKernel:
        raise KeyError(name) from None


@contextmanager
def temporary(name: str = DEFAULT_NAME) -> Iterator[str]:
    """The kernel spec ``name`` in a throwaway directory on ``JUPYTER_PATH``, for this process.

    Kernels started inside (and their managers) find it; nothing is installed.
    """
    saved = os.environ.get("JUPYTER_PATH")
    with tempfile.TemporaryDirectory(prefix="lessonkit-kernel-") as tmp:
        write_spec(Path(tmp) / "kernels" / name)
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (tmp, saved) if p)
        try:
            yield name
        finally:
            if saved is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = saved


def boot() -> FakeAPI:
    """Turn offline mode on for this kernel, scripted by the scenario file if one is found.

    An invalid scenario still seals the network: the fake then answers every
    request with a 500 naming the problem, so a CI run cannot pass unscripted.
    """
    path = locate()
    api: FakeAPI
    if path is None:
        api = FakeAPI()
    else:
        try:
            api = ScenarioAPI(load(path))
        except ScenarioError as err:
            print(f"lessonkit offline kernel: {err}", file=sys.stderr)
            api = ScenarioAPI(problem=str(err))
    return Offline(api).start()
