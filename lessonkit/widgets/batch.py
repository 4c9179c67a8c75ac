"""``BatchMonitor``: one progress bar per request status of a Message Batch.

Like the other views (``_base.py``), ``display(monitor)`` shows plain text and
escaped HTML, so a saved notebook renders anywhere and nbval compares text;
``monitor.widget()`` builds live ipywidgets bars that ``update()``/``watch()``
move in place. Offline it says the batch is simulated and shows how many
requests the simulation has finished — which the real API never tells you
before the whole batch ends.

ipywidgets is imported only when a widget is built, so ``import lessonkit``
stays fast.
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from ..batches import STATUSES, Snapshot, snapshot

if TYPE_CHECKING:
    import anthropic

    from ..fakeapi.app import FakeAPI

__all__ = ["BatchMonitor", "LiveBatchMonitor"]

_STYLES = {
    "processing": "info",
    "succeeded": "success",
    "errored": "danger",
    "canceled": "warning",
    "expired": "",
}
_COLOURS = {
    "processing": "#5b9bd5",
    "succeeded": "#4caf50",
    "errored": "#e53935",
    "canceled": "#fb8c00",
    "expired": "#9e9e9e",
}


class BatchMonitor:
    """Watch a batch: ``BatchMonitor(client, batch.id)``, or pass the offline ``api`` (no requests).

    >>> monitor = BatchMonitor(client, batch.id)   # doctest: +SKIP
    >>> monitor                                     # text in a terminal, a table in Jupyter
    >>> monitor.widget()                            # live bars (Jupyter)
    >>> monitor.watch(poll=60)                      # refresh until the batch ends
    """

    def __init__(
        self, source: anthropic.Anthropic | FakeAPI, batch_id: str, *, first: Snapshot | None = None
    ) -> None:
        self.source = source
        self.batch_id = batch_id
        self.snapshot = first if first is not None else snapshot(source, batch_id)
        self._box: Any = None

    def update(self, latest: Snapshot | None = None) -> Snapshot:
        """Fetch the batch again (or take ``latest``) and move the bars."""
        self.snapshot = latest if latest is not None else snapshot(self.source, self.batch_id)
        if self._box is not None:
            self._draw()
        return self.snapshot

    def watch(self, poll: float = 60.0) -> Snapshot:
        """Refresh every ``poll`` seconds until the batch has ended (virtual seconds offline)."""
        while not self.update().ended:
            time.sleep(poll)
        return self.snapshot

    # --- display ---------------------------------------------------------------------
    def __str__(self) -> str:
        return str(self.snapshot)

    def __repr__(self) -> str:
        return str(self.snapshot)

    def _repr_html_(self) -> str:
        snap, esc = self.snapshot, html.escape
        rows = []
        for name in STATUSES:
            count = snap.counts.get(name, 0)
            width = 100 * count / snap.total if snap.total else 0
            bar = (
                "<div style='background:#eee;width:200px;height:0.9em'>"
                f"<div style='background:{_COLOURS[name]};width:{width:.1f}%;height:100%'>"
                "</div></div>"
            )
            rows.append(
                f"<tr><td style='text-align:left'>{name}</td><td>{bar}</td>"
                f"<td>{count:,}/{snap.total:,}</td></tr>"
            )
        notes = "".join(
            f"<div style='color:#888'><i>{esc(line)}</i></div>" for line in snap.notes()
        )
        return f"<div><b>{esc(snap.header())}</b><table>{''.join(rows)}</table>{notes}</div>"

    def widget(self) -> Any:
        """Live ipywidgets bars, built once and moved by ``update()`` (imports ipywidgets now)."""
        if self._box is None:
            import ipywidgets as widgets

            rows = [
                widgets.HBox(
                    [
                        widgets.IntProgress(
                            min=0, max=1, description=name, bar_style=_STYLES[name]
                        ),
                        widgets.Label(),
                    ]
                )
                for name in STATUSES
            ]
            self._box = widgets.VBox([widgets.HTML(), *rows, widgets.HTML()])
            self._draw()
        return self._box

    def _draw(self) -> None:
        snap, children = self.snapshot, self._box.children
        children[0].value = f"<b>{html.escape(snap.header())}</b>"
        children[-1].value = "<br>".join(f"<i>{html.escape(line)}</i>" for line in snap.notes())
        for row, name in zip(children[1:-1], STATUSES, strict=True):
            bar, label = row.children
            bar.max = max(snap.total, 1)
            bar.value = snap.counts.get(name, 0)
            label.value = f"{bar.value:,}/{snap.total:,}"


class LiveBatchMonitor:
    """What ``batches.wait(progress="widget")`` displays: live bars plus text and HTML.

    A live kernel draws the widget; a saved notebook (no widget state) falls
    back to the text and HTML, which ``refresh()`` keeps at the latest state.
    """

    def __init__(self, monitor: BatchMonitor) -> None:
        self.monitor = monitor

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {}
        try:
            bundle.update(self.monitor.widget()._repr_mimebundle_() or {})
        except ImportError:  # no ipywidgets: text and HTML only
            pass
        bundle.update({"text/plain": repr(self.monitor), "text/html": self.monitor._repr_html_()})
        return bundle

    def __repr__(self) -> str:
        return repr(self.monitor)
