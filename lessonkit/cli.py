"""The ``lessonkit`` command. Thin on purpose: each command parses, then calls a module.

``lab`` · ``update`` · ``doctor`` · ``progress`` · ``grade`` · ``release`` · ``serve``
(``lessonkit --help``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .gradebook import CPU_SECONDS
from .lab import lab_command  # re-exported: the command line `lessonkit lab` runs
from .notebook_cli import kernel_app, lint_command

__all__ = ["app", "lab_command"]

app = typer.Typer(
    help="Learn the Anthropic Messages API in production, offline, with the real SDK.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


_WORKSPACE_HELP = "Your workspace."


def _course_and_workspace(root: Path | None, workspace: Path | None) -> tuple[Path | None, Path]:
    """The course folder (if found) and the learner's workspace folder."""
    from .doctor import find_course_root

    course = root or find_course_root()
    workspace = workspace or _require_course(course) / "work"
    return course, workspace.resolve()


def _require_course(course: Path | None) -> Path:
    if course is None or not (course / "notebooks").is_dir():
        typer.echo("No notebooks/ folder here or above; run this from the course folder.", err=True)
        raise typer.Exit(2)
    return course.resolve()


#: The options `lab` and `update` share.
_CourseRoot = Annotated[
    Path | None,
    typer.Option(help="Course folder (holds notebooks/); found from here by default."),
]
_Workspace = Annotated[
    Path | None,
    typer.Option(
        envvar="LESSONKIT_WORKSPACE",
        help=_WORKSPACE_HELP,
        show_default="work/ in the course folder",
    ),
]


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def lab(
    ctx: typer.Context,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL, open no browser.")
    ] = False,
    root: _CourseRoot = None,
    workspace: _Workspace = None,
) -> None:
    """Open your workspace in JupyterLab (made from the course on first start).

    Stop it with Ctrl-C (or SIGTERM): the server and its kernels stop.
    Extra options are passed to jupyter lab.
    """
    from . import lab as jupyter
    from .workspace import ensure, is_workspace

    course, workspace = _course_and_workspace(root, workspace)
    if not is_workspace(workspace):
        ensure(_require_course(course), workspace)
        typer.echo(f"Made your workspace {workspace}: your copies of the lessons and exercises.")
    jupyter.write_settings(workspace)
    command = lab_command(workspace, no_browser=no_browser, extra=ctx.args)
    raise typer.Exit(jupyter.run(command, jupyter.environment(os.environ, workspace)))


@app.command()
def update(
    root: _CourseRoot = None,
    workspace: _Workspace = None,
) -> None:
    """Bring a newer course into your workspace; notebooks you changed are never overwritten."""
    from .workspace import update as merge

    course, workspace = _course_and_workspace(root, workspace)
    try:
        changes = merge(_require_course(course), workspace)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    for change in changes:
        typer.echo(str(change))
    if not changes:
        typer.echo(f"{workspace} is up to date.")


@app.command()
def doctor() -> None:
    """Check this machine is ready for the workshop (exit 1 if anything fails)."""
    from rich.console import Console

    from .doctor import render, run_checks

    checks = run_checks()
    Console().print(render(checks))
    failed = [c for c in checks if not c.ok]
    if failed:
        typer.echo(f"{len(failed)} check(s) failed; see the fix column.", err=True)
        raise typer.Exit(1)


@app.command()
def progress(
    export: Annotated[
        Path | None, typer.Option(help="Write your progress to this JSON file for the instructor.")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Your name, as the instructor should see it (kept).")
    ] = None,
    collect: Annotated[
        Path | None,
        typer.Option(help="Instructors: the room from a folder of records or --export files."),
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(
            help="The workspace whose progress to show (lessonkit lab keeps it there).",
            show_default="the workspace you are in, else ~/.lessonkit",
        ),
    ] = None,
) -> None:
    """Show your progress on every exercise of the course, or --export it to hand in."""
    from .checks import progress as tracker

    if collect is not None:
        _collect(collect)
        return

    path = tracker.workspace_progress(workspace.resolve()) if workspace else None
    if name is not None:
        try:
            tracker.set_learner_name(name, path)
        except ValueError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2) from None
    learner = tracker.learner_name(path)
    if export is not None:
        if learner is None:
            learner = _ask_name(path)
        written = tracker.export(export, learner=learner, path=path)
        typer.echo(f"Progress of {learner} written to {written}")
        return
    unnamed = "not named yet (lessonkit progress --name 'Your Name')"
    typer.echo(f"Learner: {learner or unnamed}")
    typer.echo(str(tracker.summary(path=path)))


_NO_NAME = (
    "No learner name yet: give the name your instructor should see with\n"
    "  lessonkit progress --export FILE --name 'Your Name'\n"
    "or set the environment variable LESSONKIT_LEARNER='Your Name'."
)


def _interactive() -> bool:
    """Whether someone at a terminal can answer a question (not CI, not a pipe)."""
    return sys.stdin.isatty()


def _ask_name(path: Path | None) -> str:
    """Ask once, in a terminal, for the learner's name and keep it; elsewhere say how to give it.

    Asked, not guessed: the login name may be "root" or "jovyan".
    """
    from .checks import progress as tracker

    if not _interactive():
        typer.echo(_NO_NAME, err=True)
        raise typer.Exit(2)
    learner = str(typer.prompt("Your name, as the instructor should see it")).strip()
    try:
        tracker.set_learner_name(learner, path)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    return learner


def _collect(folder: Path) -> None:
    """Print the room: every learner's record in `folder` against the course."""
    from .checks.progress import course
    from .room import load_folder, room

    if not folder.is_dir():
        typer.echo(f"No folder {folder}.", err=True)
        raise typer.Exit(2)
    learners, problems = load_folder(folder)
    for problem in problems:
        typer.echo(problem, err=True)
    typer.echo(str(room([n for names in course().values() for n in names], learners)))


@app.command()
def grade(
    submissions: Annotated[Path, typer.Argument(help="Folder of submitted notebooks.")],
    out: Annotated[Path, typer.Option(help="Where grades.csv and grades.html go.")] = Path("."),
    cpu_seconds: Annotated[
        int, typer.Option(help="CPU seconds each notebook may use before it is stopped.")
    ] = CPU_SECONDS,
    jobs: Annotated[int, typer.Option(help="Notebooks graded at once (0: one per core).")] = 0,
) -> None:
    """Run every exercise checker on submitted notebooks, each in its own limited process."""
    from .gradebook import grade_folder, write

    if not submissions.is_dir():
        typer.echo(f"No folder {submissions}.", err=True)
        raise typer.Exit(2)
    rows = grade_folder(submissions, cpu_seconds=cpu_seconds, jobs=jobs)
    for path in write(rows, out):
        typer.echo(f"wrote {path}")
    typer.echo(f"{sum(row.status == 'correct' for row in rows)} correct of {len(rows)} rows.")


@app.command()
def release(
    source: Annotated[
        Path | None,
        typer.Option(help="Notebooks with solutions.", show_default="exercises/source"),
    ] = None,
    dest: Annotated[
        Path | None, typer.Option(help="Student copies.", show_default="exercises/")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite student copies changed since last release.")
    ] = False,
) -> None:
    """Regenerate the student exercise notebooks, solutions stripped.

    Writes only into --dest, and never over a file changed since it was released
    unless --force. Learners work in their workspace (lessonkit lab), not here.
    """
    from .checks.release import ReleaseConflict, release_all
    from .doctor import find_course_root

    course = find_course_root() or Path.cwd()
    source = source or course / "exercises" / "source"
    dest = dest or course / "exercises"
    if not source.is_dir():
        typer.echo(f"No source notebooks folder {source}; pass --source.", err=True)
        raise typer.Exit(2)
    try:
        released = release_all(source, dest, force=force)
    except ReleaseConflict as conflict:
        typer.echo(str(conflict), err=True)
        raise typer.Exit(1) from None
    for path in released:
        typer.echo(f"released {path}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    scenario: Annotated[
        str | None, typer.Option(help="Named fault scenario to start with.")
    ] = None,
    event_delay: Annotated[float, typer.Option(help="Seconds between streamed events.")] = 0.0,
    force_bind: Annotated[
        bool,
        typer.Option("--force-bind", help="Allow a non-loopback address (the fake takes any key)."),
    ] = False,
) -> None:
    """Serve the fake API over HTTP for curl, the TypeScript SDK and other languages."""
    from . import models
    from .fakeapi.app import FakeAPI
    from .server import BindRefused, serve

    hello = {"role": "user", "content": "Hello"}

    api = FakeAPI()
    if scenario:
        if not hasattr(api, "scenario"):
            typer.echo("This lessonkit has no named scenarios yet.", err=True)
            raise typer.Exit(2)
        try:
            api.scenario(scenario)
        except (KeyError, LookupError, ValueError) as err:
            typer.echo(f"Unknown scenario {scenario!r}: {err}", err=True)
            raise typer.Exit(2) from None

    def ready(url: str) -> None:
        typer.echo(f"Fake Anthropic API on {url}  (Ctrl-C to stop)")
        typer.echo(f"  export ANTHROPIC_BASE_URL={url} ANTHROPIC_API_KEY=any-placeholder")
        body = {"model": models.DEFAULT, "max_tokens": 50, "stream": True, "messages": [hello]}
        typer.echo(
            f"  curl -N {url}/v1/messages -H 'x-api-key: x' -H 'anthropic-version: 2023-06-01' \\"
        )
        typer.echo(f"    -H 'content-type: application/json' -d '{json.dumps(body)}'")
        typer.echo(f"  control: curl -X POST {url}/_lessonkit/fail_next -d '{{\"status\": 529}}'")

    try:
        serve(
            api,
            host=host,
            port=port,
            force_bind=force_bind,
            event_delay=event_delay,
            on_ready=ready,
        )
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled: a normal stop
        typer.echo("Stopped.")
    except BindRefused as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from None
    except OSError as err:
        typer.echo(f"Cannot listen on {host}:{port}: {err.strerror}", err=True)
        raise typer.Exit(1) from None


# `lessonkit kernel …` and `lessonkit lint`: anyone's Claude notebooks (lessonkit/notebook_cli.py).
app.add_typer(kernel_app, name="kernel")
app.command("lint")(lint_command)


@app.command("drift-check")
def drift_check(
    budget_usd: float = 0.05,
    include_batch: bool = False,
    model: str | None = None,
    dry_run: bool = False,
) -> None:
    """Compare the real API's response shapes with the offline fake's (needs ANTHROPIC_API_KEY).

    States the estimated cost first and never spends more than ``--budget-usd``.
    Exits 0 when the fake matches, 1 on a difference, 2 when it cannot run
    (no key, in CI, budget too small).
    """
    from .drift import drift_check_command

    drift_check_command(budget_usd, include_batch, model, dry_run)


if __name__ == "__main__":  # pragma: no cover
    app()
