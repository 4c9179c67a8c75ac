"""Re-execute the lesson notebooks in place so their committed outputs are fresh and stable.

    .venv/bin/python scripts/execute_notebooks.py              # every notebooks/*.ipynb
    .venv/bin/python scripts/execute_notebooks.py notebooks/01_streaming.ipynb
    .venv/bin/python scripts/execute_notebooks.py --check      # fail if a rerun would change a file

Each notebook runs top to bottom in a fresh "python3" kernel (the one `make`
installs into .venv), with its outputs cleared first. Only cells tagged
``raises-exception`` may raise. What gets written is a pure function of the
notebook and the code it runs, so two runs give byte-identical files:

* the notebook metadata is pinned (kernelspec python3, ``language_info`` without
  the interpreter version); no execution-timing metadata is recorded;
* consecutive stream outputs are merged (how a kernel chunks stdout depends on timing);
* an error's traceback is cut to its last line (``Name: message``): the frames above
  it name site-packages paths of whichever machine ran the notebook;
* widget model ids (random uuid4s) are renamed to ids derived from the notebook's
  name and their order of creation, in outputs and in the saved widget state.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "python3"
KERNELSPEC = {"display_name": "Python 3 (lessonkit)", "language": "python", "name": KERNEL}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CELL_TIMEOUT = 60  # seconds; every lesson cell runs on a virtual clock and takes milliseconds


def _clear(nb: Any) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)


def _coalesce_streams(outputs: list[Any]) -> list[Any]:
    merged: list[Any] = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and prev is not None
            and prev.output_type == "stream"
            and prev.name == out.name
        ):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def _tidy(nb: Any) -> None:
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        cell.outputs = _coalesce_streams(cell.outputs)
        for out in cell.outputs:
            if out.output_type == "error":
                out.traceback = [f"\x1b[0;31m{out.ename}\x1b[0m: {out.evalue}"]


def _widget_ids(nb: Any) -> list[str]:
    """Widget model ids in order of first appearance (state first, then outputs)."""
    ids: list[str] = []
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    ids.extend(state)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id") not in ids:
                ids.append(view["model_id"])
    return ids


def _stable_widget_ids(text: str, nb: Any, name: str) -> str:
    for n, old in enumerate(_widget_ids(nb)):
        new = uuid.UUID(bytes=hashlib.sha256(f"{name}:{n}".encode()).digest()[:16], version=4).hex
        text = re.sub(re.escape(old), new, text)
    return text


def execute(path: Path) -> str:
    """Run one notebook and return the text it should be saved as."""
    nb = nbformat.read(path, as_version=4)
    _clear(nb)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        allow_errors=False,  # except in cells tagged raises-exception
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    _tidy(nb)
    if not nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state"):
        nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    renamed = _stable_widget_ids(nbformat.writes(nb), nb, path.stem)
    # written again so the widget state is sorted by the new ids, not the random old ones
    return nbformat.writes(nbformat.reads(renamed, as_version=4)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file would change"
    )
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    changed = []
    for path in paths:
        new = execute(path)
        old = path.read_text(encoding="utf-8")
        if new != old:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
        print(f"{'changed' if new != old else 'same   '}  {path}")
    if args.check and changed:
        print(f"{len(changed)} notebook(s) would change; run this script", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
