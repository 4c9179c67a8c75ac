"""Message Batches from the learner's side: look at a batch, wait for it, match its results.

Everything goes through the public SDK, so the same code works against the real
API. Offline, ``time.sleep`` moves the virtual clock, so waiting out a
30-minute batch takes milliseconds and prints the same thing every run.

>>> batch = lessonkit.batches.wait(client, batch.id, progress="tqdm")  # doctest: +SKIP
>>> results = client.messages.batches.results(batch.id)  # doctest: +SKIP
>>> answers = lessonkit.batches.by_custom_id(results)  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .fakeapi.app import FakeAPI
from .fakeapi.errors import ApiError
from .fakeapi.http import API_HOST

if TYPE_CHECKING:
    import anthropic
    from anthropic.types.messages import MessageBatch

__all__ = ["STATUSES", "Snapshot", "by_custom_id", "snapshot", "wait"]

#: ``request_counts`` keys, in the order they are shown.
STATUSES = ("processing", "succeeded", "errored", "canceled", "expired")
_BAR = 20


@dataclass(frozen=True)
class Snapshot:
    """A batch at one moment, read from the API (or straight from the fake)."""

    id: str
    status: str  #: in_progress, canceling or ended
    counts: Mapping[str, int]
    created_at: datetime
    ended_at: datetime | None = None
    now: datetime | None = None  #: the virtual clock, when offline
    done: int | None = None  #: requests finished so far; only the simulation knows

    @property
    def total(self) -> int:
        return sum(self.counts.get(k, 0) for k in STATUSES)

    @property
    def simulated(self) -> bool:
        return self.done is not None

    @property
    def ended(self) -> bool:
        return self.status == "ended"

    def header(self) -> str:
        when = f"created {self.created_at:%Y-%m-%d %H:%M:%S} UTC"
        if self.ended_at is not None:
            when += f", ended {_minutes(self.ended_at - self.created_at)} later"
        elif self.now is not None:
            when += f", {_minutes(self.now - self.created_at)} ago"
        return f"{self.id}  {self.status}  ({when})"

    def notes(self) -> list[str]:
        """Lines saying the batch is simulated (offline only)."""
        if not self.simulated:
            return []
        from .widgets._base import footer  # the line every lessonkit view ends with

        progress = (
            []
            if self.ended
            else [
                f"{self.done:,} of {self.total:,} requests done so far; the real API shows "
                "them all as processing until the whole batch ends."
            ]
        )
        return [*progress, footer()]

    def __str__(self) -> str:
        lines = [self.header()]
        for name in STATUSES:
            count = self.counts.get(name, 0)
            filled = round(_BAR * count / self.total) if self.total else 0
            lines.append(
                f"  {name:<11} {'█' * filled}{'░' * (_BAR - filled)} {count:>6,}/{self.total:,}"
            )
        return "\n".join(lines + self.notes())


def _minutes(delta: Any) -> str:
    return f"{delta.total_seconds() / 60:.0f} min"


def _offline_api(client: anthropic.Anthropic, api: FakeAPI | None) -> FakeAPI | None:
    """The fake serving ``client``: ``api`` if given, else the session that is on, if any.

    Never for a client aimed at another host (a local ``lessonkit serve``, say).
    """
    if client.base_url.host != API_HOST:
        return None
    if api is not None:
        return api
    from ._offline import current  # late: the session module loads the respx adapter

    session = current()
    return session.api if session is not None else None


def _from_api(api: FakeAPI, batch_id: str) -> Snapshot:
    batch = api.batches.get(batch_id)
    view = api.batches.view(batch)
    ended = view["ended_at"]
    return Snapshot(
        batch_id,
        view["processing_status"],
        view["request_counts"],
        datetime.fromisoformat(view["created_at"]),
        datetime.fromisoformat(ended) if ended else None,
        api.clock.now(),
        batch.done(api.clock.seconds),
    )


def snapshot(
    source: anthropic.Anthropic | FakeAPI, batch_id: str, *, api: FakeAPI | None = None
) -> Snapshot:
    """Look at a batch: through a client (one ``retrieve`` call) or a ``FakeAPI`` (no request).

    Offline, a client's snapshot also carries the simulation's progress, read
    from ``api`` (default: the offline session that is on).
    """
    if isinstance(source, FakeAPI):
        return _from_api(source, batch_id)
    return _from_batch(source, source.messages.batches.retrieve(batch_id), api)


def _from_batch(
    client: anthropic.Anthropic, batch: MessageBatch, given: FakeAPI | None = None
) -> Snapshot:
    api = _offline_api(client, given)
    if api is not None:
        try:
            return _from_api(api, batch.id)
        except ApiError:  # a batch on another server: report what the API said
            pass
    counts = {name: int(getattr(batch.request_counts, name)) for name in STATUSES}
    return Snapshot(batch.id, batch.processing_status, counts, batch.created_at, batch.ended_at)


def wait(
    client: anthropic.Anthropic,
    batch_id: str,
    *,
    poll: float = 60.0,
    progress: str | None = None,
    timeout: float | None = None,
    sleep: Callable[[float], object] | None = None,
    api: FakeAPI | None = None,
) -> MessageBatch:
    """Poll every ``poll`` seconds until the batch has ended; return the final ``MessageBatch``.

    ``progress``: ``None``, ``"tqdm"`` (a text bar) or ``"widget"`` (a
    :class:`lessonkit.widgets.BatchMonitor`). ``timeout`` (seconds of waiting)
    raises ``TimeoutError``; batches end within 24 h anyway, by expiring.
    ``sleep`` waits between polls (default: ``time.sleep`` as it is when called,
    which offline mode makes virtual); ``api`` is the fake whose simulated
    progress the display shows (default: the offline session that is on).
    """
    if progress not in (None, "tqdm", "widget"):
        raise ValueError(f"progress={progress!r}: use None, 'tqdm' or 'widget'")
    pause = time.sleep if sleep is None else sleep
    batch = client.messages.batches.retrieve(batch_id)
    show = _progress(client, _from_batch(client, batch, api), progress)
    waited = 0.0
    try:
        while batch.processing_status != "ended":
            if timeout is not None and waited >= timeout:
                raise TimeoutError(
                    f"batch {batch_id} is still {batch.processing_status} after {waited:g} s"
                )
            pause(poll)
            waited += poll
            batch = client.messages.batches.retrieve(batch_id)
            show(_from_batch(client, batch, api), waited)
    finally:
        show(None, waited)
    return batch


def _progress(client: anthropic.Anthropic, first: Snapshot, kind: str | None) -> Any:
    """A callback ``show(snapshot, waited_seconds)``; ``show(None, ...)`` closes the display."""
    if kind == "widget":
        from .widgets.batch import BatchMonitor, LiveBatchMonitor

        monitor = BatchMonitor(client, first.id, first=first)
        live = LiveBatchMonitor(monitor)
        handle = _display(live)

        def redraw(snap: Snapshot | None, waited: float) -> None:
            if snap is not None:
                monitor.update(snap)
            elif handle is not None:
                handle.update(live)  # the saved output shows the final state
            else:
                print(repr(monitor))

        return redraw
    if kind == "tqdm":
        from tqdm import tqdm

        bar = tqdm(
            total=first.total,
            desc=first.id,
            bar_format="{desc} |{bar}| {n}/{total}{postfix}",
            mininterval=0,
        )

        def show(snap: Snapshot | None, waited: float) -> None:
            if snap is None:
                bar.close()
                return
            bar.n = (
                snap.done
                if snap.done is not None
                else snap.total - snap.counts.get("processing", 0)
            )
            simulated = " (simulated)" if snap.simulated else ""
            bar.set_postfix_str(f"{snap.status}, waited {waited / 60:.0f} min{simulated}")

        show(first, 0.0)
        return show
    return lambda snap, waited: None


def _display(obj: Any) -> Any:
    """``display(obj)`` with a handle in a kernel; ``print`` elsewhere (then no handle)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(repr(obj))
        return None
    if get_ipython() is None:  # plain Python: no kernel to display into
        print(repr(obj))
        return None
    return display(obj, display_id=True)  # type: ignore[no-untyped-call]


def by_custom_id(results: Iterable[Any]) -> dict[str, Any]:
    """Results keyed by ``custom_id``: they arrive in no particular order, so match, never zip."""
    matched: dict[str, Any] = {}
    for line in results:
        matched[line.custom_id if hasattr(line, "custom_id") else line["custom_id"]] = line
    return matched
