"""``lessonkit kernel install|uninstall`` and ``lessonkit lint``: for anyone's notebooks.

Kept apart from :mod:`lessonkit.cli` (the course's own commands) because they
serve a different reader: an author testing their own Claude notebooks in CI.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["kernel_app", "lint_command"]

kernel_app = typer.Typer(
    help="The offline Jupyter kernel: any Claude notebook runs with no key and no network.",
    no_args_is_help=True,
)

_Name = Annotated[str, typer.Option(help="Kernel name (nbval: --nbval-kernel-name NAME).")]


@kernel_app.command("install")
def install(
    name: _Name = "claude-offline",
    user: Annotated[
        bool, typer.Option("--user", help="Install for this user (~/.local/share/jupyter).")
    ] = False,
    sys_prefix: Annotated[
        bool, typer.Option("--sys-prefix", help="Install into this Python environment.")
    ] = False,
    prefix: Annotated[
        Path | None, typer.Option(help="Install under this prefix (PREFIX/share/jupyter).")
    ] = None,
) -> None:
    """Register the offline kernel: offline mode is on before the first cell runs."""
    from .kernel import install as register

    if sum((user, sys_prefix, prefix is not None)) > 1:
        typer.echo("Choose one of --user, --sys-prefix and --prefix.", err=True)
        raise typer.Exit(2)
    where = register(
        name, user=user, prefix=sys.prefix if sys_prefix else (str(prefix) if prefix else None)
    )
    typer.echo(f"Installed kernel {name!r} in {where}")
    typer.echo(f"  pytest --nbval --nbval-kernel-name {name} NOTEBOOK.ipynb")


@kernel_app.command("uninstall")
def uninstall(name: _Name = "claude-offline") -> None:
    """Remove the offline kernel spec."""
    from .kernel import uninstall as remove

    try:
        where = remove(name)
    except KeyError:
        typer.echo(f"No kernel named {name!r} is installed.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Removed kernel {name!r} from {where}")


def lint_command(
    notebooks: Annotated[list[Path], typer.Argument(help="Notebooks (.ipynb) or Python files.")],
    fix: Annotated[
        bool, typer.Option("--fix", help="Rewrite retired model ids to current ones.")
    ] = False,
) -> None:
    """Flag what fails live in Claude notebooks (exit 1 if anything is found).

    Retired or unknown model ids, parameters the installed SDK removed, prefill on
    models that refuse it, content[0].text where a thinking block may come first,
    API keys in cells, max_tokens above the model's ceiling.
    """
    from .lint import fix_notebook, notebook_findings

    count = 0
    for path in notebooks:
        if not path.is_file():
            typer.echo(f"{path}: no such file", err=True)
            raise typer.Exit(2)
        if fix and path.suffix == ".ipynb":
            fixed = fix_notebook(path)
            if fixed:
                typer.echo(f"{path}: fixed {fixed} model id(s)")
        for finding in notebook_findings(path):
            typer.echo(f"{finding.where}: {finding.text}")
            count += 1
    if count:
        typer.echo(f"{count} problem(s) found.", err=True)
        raise typer.Exit(1)
