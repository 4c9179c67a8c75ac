"""ids.py: API-shaped ids that are a pure function of (kind, n, seed)."""

from __future__ import annotations

import re

import pytest

from lessonkit.fakeapi import ids

SHAPE = re.compile(r"^(msg|req|toolu|srvtoolu|msgbatch)_011C[1-9A-HJ-NP-Za-km-z]{20}$")


@pytest.mark.parametrize(("kind", "prefix"), ids.PREFIXES.items())
def test_shape(kind: str, prefix: str) -> None:
    made = ids.make_id(kind, 1)
    assert made.startswith(prefix + "011C")
    assert SHAPE.match(made)


def test_pure_function_of_kind_number_and_seed() -> None:
    assert ids.make_id("message", 3) == ids.make_id("message", 3)
    assert len({ids.make_id("message", n) for n in range(1, 500)}) == 499
    assert ids.make_id("message", 1) != ids.make_id("message", 1, seed="other")
    assert ids.make_id("message", 1)[4:] != ids.make_id("request", 1)[4:]


def test_pinned_values() -> None:
    """Saved notebook outputs depend on these: change them only on purpose."""
    assert ids.make_id("message", 1) == ids.IdSource().next("message")
    assert ids.make_id("request", 1) == "req_011C9ddTAkAuSYqLvaZCwUx9"


def test_id_source_counts_per_kind() -> None:
    source = ids.IdSource("s")
    first = [source.next("message"), source.next("request"), source.next("message")]
    assert first == [
        ids.make_id("message", 1, "s"),
        ids.make_id("request", 1, "s"),
        ids.make_id("message", 2, "s"),
    ]
    assert ids.IdSource("s").next("message") == first[0]  # a new source starts again


def test_unknown_kind() -> None:
    with pytest.raises(KeyError):
        ids.make_id("banana", 1)
