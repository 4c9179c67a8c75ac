"""BatchMonitor: widget bars in Jupyter, the same picture as text everywhere else."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import anthropic
import pytest

from lessonkit import FakeAPI, models
from lessonkit.batches import Snapshot
from lessonkit.widgets.batch import BatchMonitor, LiveBatchMonitor


def create(client: anthropic.Anthropic, n: int = 6) -> str:
    requests: Any = [
        {"custom_id": f"r{i}", "params": {"model": models.FAST, "max_tokens": 50,
                                          "messages": [{"role": "user", "content": f"Ticket {i}"}]}}
        for i in range(n)
    ]  # fmt: skip
    return client.messages.batches.create(requests=requests).id


def test_text_fallback_says_it_is_simulated(lessonkit_api: FakeAPI) -> None:
    client = anthropic.Anthropic()
    batch_id = create(client)
    monitor = BatchMonitor(client, batch_id)
    text = repr(monitor)
    assert (
        text.splitlines()[0]
        == f"{batch_id}  in_progress  (created 2026-11-02 09:00:00 UTC, 0 min ago)"
    )
    assert "  processing  ████████████████████      6/6" in text
    assert "0 of 6 requests done so far; the real API shows them all as processing" in text
    assert text.splitlines()[-1].startswith("simulated by lessonkit ")
    lessonkit_api.clock.advance(hours=2)
    monitor.update()
    assert "ended 2" in repr(monitor).splitlines()[0]
    assert "requests done so far" not in repr(monitor)  # progress talk stops once it ended
    assert str(monitor) == repr(monitor)
    assert "  succeeded   ████████████████████      6/6" in repr(monitor)


def test_monitor_reads_the_api_without_requests(lessonkit_api: FakeAPI) -> None:
    batch_id = create(anthropic.Anthropic())
    seen = len(lessonkit_api.requests)
    monitor = BatchMonitor(lessonkit_api, batch_id)
    lessonkit_api.clock.advance(minutes=20)
    assert 0 < (monitor.update().done or 0) <= 6
    assert len(lessonkit_api.requests) == seen


def test_widget_bars_follow_the_batch(real_sleeps: list[float], lessonkit_api: FakeAPI) -> None:
    monitor = BatchMonitor(anthropic.Anthropic(), create(anthropic.Anthropic()))
    box = monitor.widget()
    assert monitor.widget() is box  # built once, then moved in place
    bars = {row.children[0].description: row.children[0] for row in box.children[1:-1]}
    assert bars["processing"].value == 6 and bars["succeeded"].value == 0
    final = monitor.watch(poll=60)
    assert final.ended and real_sleeps == [] and lessonkit_api.clock.sleeps  # virtual waits only
    assert bars["processing"].value == 0 and bars["succeeded"].value == 6
    assert "ended" in box.children[0].value and "simulated by lessonkit" in box.children[-1].value


def test_display_is_text_and_html_like_the_other_views(lessonkit_api: FakeAPI) -> None:
    monitor = BatchMonitor(lessonkit_api, create(anthropic.Anthropic()))
    page = monitor._repr_html_()
    assert (
        page.startswith("<div><b>msgbatch_") and "6/6" in page and "simulated by lessonkit" in page
    )
    assert not hasattr(monitor, "_repr_mimebundle_")  # no widget state in saved notebooks
    live = LiveBatchMonitor(monitor)._repr_mimebundle_()
    assert live["text/plain"] == repr(monitor) and live["text/html"] == page
    assert "application/vnd.jupyter.widget-view+json" in live


def test_real_api_snapshot_has_no_simulation_note() -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    counts = {"processing": 0, "succeeded": 3, "errored": 1, "canceled": 0, "expired": 0}
    snap = Snapshot("msgbatch_x<b>", "ended", counts, created, created.replace(minute=37))
    assert (
        snap.header()
        == "msgbatch_x<b>  ended  (created 2026-01-01 00:00:00 UTC, ended 37 min later)"
    )
    assert snap.notes() == [] and "simulated" not in str(snap)
    monitor = BatchMonitor(FakeAPI(), "unused", first=snap)
    assert "&lt;b&gt;" in monitor.widget().children[0].value  # escaped, never raw HTML
    assert "&lt;b&gt;" in monitor._repr_html_() and "<b>msgbatch_x<b>" not in monitor._repr_html_()


def test_wait_with_a_widget(lessonkit_api: FakeAPI, capsys: pytest.CaptureFixture[str]) -> None:
    import lessonkit.batches

    client = anthropic.Anthropic()
    batch = lessonkit.batches.wait(client, create(client), progress="widget")
    assert batch.processing_status == "ended"
    shown = capsys.readouterr().out  # no notebook: the text form, first and final
    assert "in_progress" in shown and "  succeeded   ████████████████████      6/6" in shown


@pytest.mark.slow  # a subprocess: a clean interpreter is the only honest check
def test_importing_stays_light() -> None:
    code = (
        "import sys, lessonkit.batches, lessonkit._cost, lessonkit.widgets.batch;"
        "print(sorted(m for m in ('ipywidgets', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
