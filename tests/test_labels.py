"""Honest labels name where a response came from and which SDK produced it."""

from __future__ import annotations

import anthropic

import lessonkit
from lessonkit import labels


def test_simulated_label_names_both_versions() -> None:
    versions = f"lessonkit {lessonkit.__version__} · anthropic {anthropic.__version__}"
    assert labels.simulated_label() == f"simulated offline by {versions}"


def test_live_label_names_the_host_when_it_is_not_anthropic() -> None:
    assert labels.live_label().startswith("live from the real Anthropic API · anthropic ")
    assert labels.live_label("https://api.anthropic.com/") == labels.live_label()
    assert labels.live_label("http://127.0.0.1:8080/").startswith(
        "live from http://127.0.0.1:8080 · "
    )


def test_labels_never_look_alike() -> None:
    assert "simulated" not in labels.live_label() and "live" not in labels.simulated_label()
