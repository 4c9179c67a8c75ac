"""Every lesson and exercise notebook, run in JupyterLab in a real browser, as a learner sees it.

nbval proves the kernel side (outputs equal the committed ones); only a browser
proves the front end: that a quiz arrives as a live widget and not as
``VBox(children=(HTML(...`` text, that its buttons answer, that no cell shows
a traceback. One test per notebook. ``make test`` runs a :data:`SAMPLE` that between
them use every widget class, recall and exercise call and RERUN cell the course has
(5 of 16 today; each notebook costs Chromium about 10 CPU-seconds); ``make soak``
runs all of them (the rest are marked ``soak``). pytest-xdist runs several at once: each
pytest process (worker) has one ``lessonkit lab`` on a workspace made from its
own copy of the course, and one headless Debian Chromium page on it (the
``notebook_lab`` fixture). Each test opens its notebook, runs Run All, checks
it, saves it, closes the tab and stops its kernel. For each notebook:

* no ``error`` output except in cells tagged ``raises-exception``;
* every widget output is drawn as live widget DOM, never as its text
  fallback, and no "Error displaying widget" / "Model not found" anywhere;
* the "Check yourself" quiz answers a wrong option with that option's
  explanation, then the right one with a tick; a "predict, then run" widget
  shows nothing of the answer until a choice is made, then locks and reveals;
* cells that script the fake API (:data:`RERUN`, the retry lessons') show
  the same output when run twice more (issue 19: every cell can be run again);
  a static test checks each :data:`RERUN` marker is in some lesson, so some
  notebook test reruns it;
* then, as issue 19 asks of a learner who ran and saved it: the notebook was
  saved (with ``language_info``), ``lessonkit update`` finds nothing to do in
  the workspace (running and saving is not an edit: nothing "kept"), and the
  course copy is exactly as committed, so ``make test`` still passes on it.

All problems in a notebook are collected (cell named) and reported together.
A screenshot per notebook goes to test-artifacts/notebooks/<workspace name>.png:
the answered quiz question, else the first widget or diagram, else the last output.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lessonkit import recall, widgets
from lessonkit.workspace import COPIED, update, workspace_path

from .jupyterlab import (
    NOT_CURRENT,
    RUN_ALL,
    SAVE_AND_CLOSE,
    close_all,
    open_notebook,
    run,
    text,
    wait,
)
from .learner import ARTIFACTS, REPO, LabPage, git

SHOTS = ARTIFACTS / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: What a widget shows when JupyterLab could not draw it: its text repr or the manager's error.
BROKEN = re.compile(r"\b[HV]Box\(children=|Error displaying widget|[Mm]odel not found")
QUIZ = re.compile(r"""recall\.quiz\(\s*["']([\w-]+)["']\s*\)""")
PREDICT = re.compile(r"""recall\.predict\(\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']\s*\)""")
#: Cells (found by their source, in whichever lesson) that script the fake API and whose
#: output has no per-call numbering: run twice more, each must show what Run All showed.
RERUN = ('run_with_job_retries("job-42"', "api.drop_stream(")
#: Every lesson, then every exercise notebook, as course paths (``notebooks/01_streaming.ipynb``).
COURSE = [
    f"{folder}/{path.name}" for folder in COPIED for path in sorted((REPO / folder).glob("*.ipynb"))
]
#: What the front end draws or drives differently: each of the course's widget classes,
#: the recall and exercise calls, and the RERUN cells. Found in a notebook's code cells.
FEATURES = (
    *(f"{name}(" for name in widgets.__all__),
    *(f"recall.{call}(" for call in ("quiz", "predict", "answer")),
    *(f".{call}()" for call in ("check", "hint", "solution")),
    *RERUN,
)


@functools.cache  # the sampling below asks for each notebook many times, in every worker
def code(course_path: str) -> str:
    notebook = json.loads((REPO / course_path).read_text())
    return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")


def features(course_path: str) -> frozenset[str]:
    source = code(course_path)
    return frozenset(feature for feature in FEATURES if feature in source)


def sample(course: list[str], shown: Callable[[str], frozenset[str]] = features) -> list[str]:
    """Few notebooks that between them show every feature the course has (greedy: the one
    adding most first; course order on a tie). ``make test`` runs these in the browser;
    ``make soak`` runs every notebook. nbval runs every notebook's kernel side either way."""
    left, chosen = set().union(*map(shown, course)), []
    while left:
        best = max(course, key=lambda path: len(shown(path) & left))
        chosen.append(best)
        left -= shown(best)
    return chosen


SAMPLE = sample(COURSE)
NOTEBOOKS = [
    pytest.param(
        path,
        id=Path(workspace_path(path)).stem,
        marks=() if path in SAMPLE else pytest.mark.soak,
    )
    for path in COURSE
]

#: Mark each cell's node with its index, so Playwright locators can name a cell.
MARK_CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets.forEach(
  (cell, index) => cell.node.setAttribute('data-cell-index', String(index)))"""
#: Per code cell: tags, source, model outputs, and what its output area shows.
CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .map((cell, index) => ({cell, index}))
  .filter(({cell}) => cell.model.type === 'code')
  .map(({cell, index}) => ({
    index,
    tags: cell.model.getMetadata('tags') || [],
    source: cell.model.sharedModel.getSource(),
    outputs: cell.model.outputs.toJSON(),
    widgets: cell.outputArea.node.querySelectorAll('.jupyter-widgets').length,
    text: cell.outputArea.node.innerText,
  }))"""
#: Every cell with a widget-view output shows widget DOM (drawing is asynchronous).
WIDGETS_DRAWN = """() => window.jupyterapp.shell.currentWidget.content.widgets.every(cell =>
  cell.model.type !== 'code'
  || !cell.model.outputs.toJSON().some(
    o => o.data && o.data['application/vnd.jupyter.widget-view+json'])
  || cell.outputArea.node.querySelector('.jupyter-widgets'))"""
#: Run All is over: every code cell ran, or it stopped at an error in an untagged cell
#: (JupyterLab runs on past errors only in cells tagged raises-exception).
RAN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  const stopped = cells.some(cell =>
    !(cell.model.getMetadata('tags') || []).includes('raises-exception')
    && cell.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return panel.sessionContext.session.kernel.status === 'idle'
    && (stopped || cells.every(cell => cell.model.executionCount));
}"""


def test_the_course_has_notebooks_and_every_rerun_cell() -> None:
    """Static: the parametrised tests below cover a course, and each RERUN marker is in it."""
    assert any(path.startswith("notebooks/") for path in COURSE), COURSE
    assert any(path.startswith("exercises/") for path in COURSE), COURSE
    missing = [marker for marker in RERUN if not any(marker in code(path) for path in COURSE)]
    assert not missing, f"no notebook has a cell with {missing}"


def test_the_sample_shows_every_feature_and_the_rest_run_in_soak() -> None:
    assert set().union(*map(features, SAMPLE)) == set().union(*map(features, COURSE))
    assert {"RetryTimeline(", "recall.quiz(", ".check()", *RERUN} <= set().union(
        *map(features, SAMPLE)
    )
    assert len(SAMPLE) < len(COURSE)
    marked = {param.values[0] for param in NOTEBOOKS if any(m.name == "soak" for m in param.marks)}
    assert marked == set(COURSE) - set(SAMPLE)


def test_sampling_is_greedy_and_keeps_course_order_on_ties() -> None:
    shown = {"a": frozenset("x"), "b": frozenset("xy"), "c": frozenset("z"), "d": frozenset("z")}
    assert sample(list(shown), shown.__getitem__) == ["b", "c"]
    assert sample([], shown.__getitem__) == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("course_path", NOTEBOOKS)
def test_notebook_runs_in_the_browser_with_live_widgets(
    notebook_lab: LabPage, course_path: str
) -> None:
    from playwright import sync_api

    page, lab = notebook_lab.page, notebook_lab.lab
    path = workspace_path(course_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        problems = check_notebook(page, path)
        page.evaluate(SAVE_AND_CLOSE)
        wait(page, NOT_CURRENT, path)
    except sync_api.Error as error:  # a hang or a crash: leave the page ready for the next test
        _recover(page, lab.url)
        pytest.fail(f"{path} did not finish: {str(error).splitlines()[0]}")
    assert not problems, f"{path}:\n" + "\n".join(problems)

    saved = json.loads((lab.work / path).read_text())
    assert "language_info" in saved["metadata"], f"{path} was not saved"
    assert update(lab.course, lab.work) == []  # what `lessonkit update` would do: nothing
    assert git(lab.course, "status", "--porcelain", "--untracked-files=all") == ""


def _recover(page: Any, url: str) -> None:
    """After a failed notebook: close it unsaved; if the page is broken, reload it first."""
    from playwright import sync_api

    try:
        close_all(page)
    except sync_api.Error:
        close_all(page, url)


def check_notebook(page: Any, path: str) -> list[str]:
    """Open `path`, Run All, check and drive it; the problems found."""
    open_notebook(page, path)
    page.evaluate(MARK_CELLS)
    page.evaluate(RUN_ALL)
    wait(page, RAN)
    problems = error_problems(page) + widget_problems(page)
    cells = page.evaluate(CELLS)
    shot = None
    for cell in cells:
        if (found := QUIZ.search(cell["source"])) is not None:
            answered, shown = drive_quiz(page, cell["index"], found[1])
            problems += answered
            shot = shot or shown
        for stem, pid in PREDICT.findall(cell["source"]):
            problems += drive_prediction(page, cell["index"], stem, pid)
    shot = shot or _showcase(page, cells)
    shot.screenshot(path=str(SHOTS / f"{Path(path).stem}.png"), animations="disabled")
    for marker in RERUN:
        cell = next((cell for cell in cells if marker in cell["source"]), None)
        if cell is not None:
            expected, first, second = (
                text(cell["outputs"]),
                run(page, cell["index"]),
                run(page, cell["index"]),
            )
            if not first == second == expected:
                problems.append(f"cell {cell['index']} run again: {first!r}, then {second!r}")
    return problems


def error_problems(page: Any) -> list[str]:
    """Error outputs in cells not tagged ``raises-exception``."""
    return [
        f"cell {cell['index']} raised {out['ename']}: {out['evalue']}"
        for cell in page.evaluate(CELLS)
        if "raises-exception" not in cell["tags"]
        for out in cell["outputs"]
        if out["output_type"] == "error"
    ]


def widget_problems(page: Any) -> list[str]:
    """Widget outputs not drawn as widgets, or drawn as their text or the manager's error."""
    from playwright import sync_api

    try:
        wait(page, WIDGETS_DRAWN, timeout_ms=30_000)
    except sync_api.TimeoutError:
        pass  # the cells at fault are named below
    problems = []
    for cell in page.evaluate(CELLS):
        views = sum(WIDGET_VIEW in out.get("data", {}) for out in cell["outputs"])
        if views and not cell["widgets"]:
            problems.append(f"cell {cell['index']}: {views} widget output(s), no widget drawn")
        if (broken := BROKEN.search(cell["text"])) is not None:
            problems.append(f"cell {cell['index']} shows {broken[0]!r}")
    return problems


def drive_quiz(page: Any, index: int, stem: str) -> tuple[list[str], Any]:
    """Answer the quiz's first choice question wrongly, then rightly.

    Returns the problems seen and the question's box (the notebook's screenshot).
    """
    from playwright.sync_api import expect

    bank = recall.load(stem)
    question = next(q for q in bank.questions if q.kind == "choice")
    wrong = next(o for o in question.options if o.key != question.answer)
    right = question.option(question.answer)
    assert right is not None  # the bank loader guarantees it
    box = page.locator(f"[data-cell-index='{index}'] .widget-vbox .widget-vbox").filter(
        has_text=f"{question.id}. {displayed(question.prompt)[:40]}"
    )
    problems = []
    verdicts = (
        (wrong, displayed(f"✗ Incorrect: {wrong.text}: {wrong.why}")),
        (right, displayed(f"✓ Correct: {right.text}. {question.explain}")),
    )
    for option, expected in verdicts:
        box.get_by_text(f"{option.key}) {option.text}", exact=True).click()
        box.get_by_role("button", name="Check").click()
        try:
            expect(box.locator(".widget-html").last).to_contain_text(expected, timeout=30_000)
        except AssertionError:
            shown = box.locator(".widget-html").last.inner_text()
            problems.append(f"quiz {stem} {question.id} option {option.key}: shows {shown!r}")
    return problems, box


def drive_prediction(page: Any, index: int, stem: str, pid: str) -> list[str]:
    """A prediction reveals nothing before a choice; after one it locks and explains."""
    from playwright.sync_api import expect

    prediction = recall.load(stem).prediction(pid)
    box = page.locator(f"[data-cell-index='{index}'] .widget-vbox").first
    where = f"cell {index}: predict {stem} {pid}"
    before = box.inner_text()
    if displayed(prediction.explain)[:30] in before or "You predicted" in before:
        return [f"{where}: the answer shows before a choice"]
    choice = prediction.options[-1]
    box.get_by_text(choice, exact=True).click()
    try:
        expect(box).to_contain_text(f"You predicted {displayed(choice)}", timeout=30_000)
        expect(box).to_contain_text(displayed(prediction.explain))
        expect(box.locator("input[type=radio]").first).to_be_disabled()
    except AssertionError as error:
        return [f"{where}: after a choice: {str(error).splitlines()[0]}"]
    return []


def displayed(text: str) -> str:
    """`text` as an HTML view displays it: a `span` in backticks is drawn as code, no backticks.

    (Radio-button labels are plain text and keep their backticks.)
    """
    return text.replace("`", "")


def _showcase(page: Any, cells: list[dict[str, Any]]) -> Any:
    """The output a reader would look at: the first widget or diagram, else the last output."""
    for cell in cells:
        data = [out.get("data", {}) for out in cell["outputs"]]
        if any(WIDGET_VIEW in d or "<svg" in json.dumps(d.get("text/html", "")) for d in data):
            return page.locator(f"[data-cell-index='{cell['index']}'] .jp-OutputArea")
    shown = [cell for cell in cells if cell["outputs"]]
    if not shown:
        return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    return page.locator(f"[data-cell-index='{shown[-1]['index']}'] .jp-OutputArea")
