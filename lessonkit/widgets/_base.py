"""The bases of every view: plain text first, escaped HTML, an ipywidgets panel.

Text is the contract (``print`` in a terminal, nbval's comparison of saved
outputs); HTML is the same table (``TableView``) or an inline-SVG drawing of
the same data (``Diagram``) for Jupyter and GitHub. ``display(view)``
shows only those two: a saved notebook carries no widget state, so a widget
view would render as "model not found" until the notebook is re-run.
``view.widget()`` builds the ipywidgets panel (with a Refresh button) on
request. Every view ends with a footer saying it is simulated, so a
screenshot can never pass for real API traffic.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from importlib import metadata
from typing import Any

__all__ = ["Diagram", "TableView", "footer", "text_table"]


def footer() -> str:
    """``simulated by lessonkit X, anthropic Y`` — printed under every view."""
    from .. import __version__

    try:
        sdk = metadata.version("anthropic")
    except metadata.PackageNotFoundError:  # pragma: no cover - anthropic is a dependency
        sdk = "?"
    return f"simulated by lessonkit {__version__}, anthropic {sdk} (virtual clock, no network)"


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart, a dashed rule under the header."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return lines


class Refreshable:
    """A view with ``_repr_html_`` that can also be a live panel with a Refresh button."""

    def _repr_html_(self) -> str:
        raise NotImplementedError

    def widget(self) -> Any:
        """An ipywidgets panel: this view and a Refresh button (imports ipywidgets now)."""
        import ipywidgets

        panel = ipywidgets.HTML(self._repr_html_())
        refresh = ipywidgets.Button(description="Refresh", icon="refresh")

        def redraw(_: Any) -> None:
            panel.value = self._repr_html_()

        refresh.on_click(redraw)
        return ipywidgets.VBox([panel, refresh])


class TableView(Refreshable):
    """Subclasses give a ``title()``, ``columns``, ``rows()`` and ``notes()``; rendering is here.

    Views read ``api`` each time they are shown, so a kept view shows the latest state.
    """

    columns: tuple[str, ...] = ()
    empty = "(nothing yet)"

    def title(self) -> str:
        raise NotImplementedError

    def rows(self) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def notes(self) -> list[str]:
        return []

    def headers(self) -> tuple[str, ...]:
        """The column names shown: ``columns``, unless a view drops one it does not need."""
        return self.columns

    def figure(self) -> str:
        """Inline SVG shown above the table in HTML ("" for none)."""
        return ""

    def __str__(self) -> str:
        rows = self.rows()
        body = text_table(self.headers(), rows) if rows else [self.empty]
        return "\n".join([self.title(), *body, *self.notes(), footer()])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in self.headers())
        rows = self.rows()
        if rows:
            cells = (
                "".join(
                    f"<td style='text-align:left;white-space:nowrap'>{esc(v)}</td>" for v in row
                )
                for row in rows
            )
            table = f"<table><thead><tr>{head}</tr></thead><tbody>"
            table += "".join(f"<tr>{c}</tr>" for c in cells) + "</tbody></table>"
        else:
            table = f"<p>{esc(self.empty)}</p>"
        notes = "".join(f"<div>{esc(n)}</div>" for n in self.notes())
        return (
            f"<div><b>{esc(self.title())}</b>{self.figure()}{table}{notes}"
            f"<div style='color:#888'><i>{esc(footer())}</i></div></div>"
        )


class Diagram(Refreshable):
    """Subclasses give a ``title()``, text ``lines()``, an ``svg()`` and ``notes()``.

    The text is the contract (terminals, nbval); the HTML is the SVG drawn from
    the same data, with the notes and the footer under it as text.
    """

    def title(self) -> str:
        raise NotImplementedError

    def lines(self) -> list[str]:
        raise NotImplementedError

    def svg(self) -> str:
        raise NotImplementedError

    def notes(self) -> list[str]:
        return []

    def __str__(self) -> str:
        notes = [line for note in self.notes() for line in textwrap.wrap(note, 79)]
        return "\n".join([self.title(), *self.lines(), *notes, footer()])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        notes = "".join(f"<div>{esc(n)}</div>" for n in self.notes())
        return (
            f"<div><b>{esc(self.title())}</b><div>{self.svg()}</div>{notes}"
            f"<div style='color:#888'><i>{esc(footer())}</i></div></div>"
        )
