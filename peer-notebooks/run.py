"""Run the peer corpus on the offline kernel and classify every cell that fails.

    .venv/bin/python peer-notebooks/run.py [--port] [NOTEBOOK …]      (make peer-notebooks)

``--port`` first applies the mechanical port (``lessonkit lint --fix``'s current
model ids, removed sampling parameters dropped) to the scratch copies, which
shows the failures left once the notebook is current: external needs and fake gaps.

Each notebook runs unchanged, one at a time, every cell even after a failure
(as a reader pressing Shift-Enter would), on a throwaway copy of the offline
kernel; nothing is written back. A failing cell is put in one class:

* ``incompatible``: the notebook is stale for the installed SDK or current
  models (a retired id's 404, a removed parameter's TypeError, refused prefill,
  ``content[0].text`` on a thinking block, one ``tool_result`` after parallel
  tool calls: written for a model that called one tool per turn). ``lessonkit
  lint`` flags these.
* ``external``: it needs something outside the API (a package not installed,
  a file or web page not in the corpus, another host).
* ``knock-on``: a name an earlier failing cell should have defined.
* ``fake-gap``: anything else, i.e. the fake answered in a way the notebook
  (written against the live API) did not expect. These are lessonkit's bugs.

Prints one line per failing cell and a table of cells run / total by class.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import nbclient
import nbformat

from lessonkit import models
from lessonkit.kernel import temporary
from lessonkit.lint import REMOVED_PARAMS, replacement

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

_INCOMPATIBLE = (
    "not_found_error', 'message': 'model: ",  # a retired model id's 404
    "unexpected keyword argument 'temperature'",
    "unexpected keyword argument 'top_p'",
    "unexpected keyword argument 'top_k'",
    "does not support assistant message prefill",
    "object has no attribute 'text'",
    "budget_tokens",
    "is not supported on this model",
    "thinking.type",
    "ids were found without `tool_result` blocks",  # one result for parallel calls
)
_EXTERNAL = (
    "ModuleNotFoundError",
    "FileNotFoundError",
    "OfflineError",
    "ConnectionError",
    "APIConnectionError",
    "lessonkit offline mode refuses",
    "is not installed",  # an optional extra, e.g. pydantic[email]
)


def classify(error: str, defined_later: bool) -> str:
    """The class of one failing cell, from its error's name and message."""
    if any(marker in error for marker in _EXTERNAL):
        return "external"
    if any(marker in error for marker in _INCOMPATIBLE):
        return "incompatible"
    if defined_later:
        return "knock-on"
    return "fake-gap"


def run(path: Path, kernel: str) -> list[tuple[int, str, str]]:
    """(cell number, class, error) for each failing code cell; ok cells as class "ok"."""
    notebook = nbformat.read(path, as_version=4)
    os.environ["LESSONKIT_NOTEBOOK"] = str(path)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=kernel,
        timeout=120,
        startup_timeout=300,  # a loaded machine starts kernels slowly
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    results: list[tuple[int, str, str]] = []
    failed_before = False
    for n, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if not errors:
            results.append((n, "ok", ""))
            continue
        error = f"{errors[0].ename}: {errors[0].evalue}"[:300]
        # a name, or a value left None, that an earlier failing cell should have set
        after_failure = failed_before and (
            errors[0].ename == "NameError" or "'NoneType' object" in errors[0].evalue
        )
        kind = classify(error, after_failure)
        failed_before = True
        results.append((n, kind, error))
    return results


def port(folder: Path) -> None:
    """What ``lessonkit lint --fix`` and an author do by rote: current ids, no sampling knobs.

    Applied to every notebook and helper module in ``folder`` (a scratch copy).
    """
    knob = re.compile(r"\s*\b(?:" + "|".join(REMOVED_PARAMS) + r")\s*=\s*[^,\n)]+,?")
    literal = re.compile(r"""(["'])(claude-[\w.-]+)\1""")

    def ported(source: str) -> str:
        source = literal.sub(
            lambda m: m[0] if m[2] in models.KNOWN else f"{m[1]}{replacement(m[2])}{m[1]}", source
        )
        return knob.sub("", source)

    for path in folder.glob("*.py"):
        path.write_text(ported(path.read_text()))
    for path in folder.glob("*.ipynb"):
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["source"] = ported("".join(cell["source"]))
        path.write_text(json.dumps(notebook))


def main(argv: list[str]) -> int:
    ported = "--port" in argv
    argv = [a for a in argv if a != "--port"]
    paths = [Path(a).resolve() for a in argv] or sorted(CORPUS.glob("*.ipynb"))
    totals: Counter[str] = Counter()
    per_notebook = {}
    os.environ["PIP_NO_INDEX"] = "1"  # `%pip install` cells must not change this environment
    os.environ.pop("ANTHROPIC_API_KEY", None)
    with (
        temporary(f"claude-offline-peer-{os.getpid()}") as kernel,
        tempfile.TemporaryDirectory(prefix="peer-notebooks-") as scratch,
    ):
        for original in paths:  # a fresh copy of the corpus each: notebooks write files
            work = Path(scratch) / original.stem
            shutil.copytree(original.parent, work)
            path = work / original.name
            if ported:
                port(work)
            results = run(path, kernel)
            counts = Counter(kind for _, kind, _ in results)
            per_notebook[path.stem] = {
                "counts": dict(counts),
                "failures": {n: f"{kind}: {error}" for n, kind, error in results if kind != "ok"},
            }
            totals.update(counts)
            ran = counts["ok"]
            print(f"{path.stem}: {ran}/{len(results)} cells ran", flush=True)
            for n, kind, error in results:
                if kind != "ok":
                    print(f"    cell {n:>2} {kind:<12} {error.splitlines()[0][:150]}")
    total = sum(totals.values())
    print(f"\nTOTAL: {totals['ok']}/{total} code cells ran offline")
    for kind in ("incompatible", "external", "knock-on", "fake-gap"):
        print(f"  {kind:<12} {totals[kind]}")
    (HERE / ("last-run-ported.json" if ported else "last-run.json")).write_text(
        json.dumps({"totals": dict(totals), "notebooks": per_notebook}, indent=1, sort_keys=True)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
