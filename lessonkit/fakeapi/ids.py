"""Deterministic identifiers shaped like the API's (``msg_011C…``, ``req_011C…``).

An id is a pure function of (kind, sequence number, seed), so the n-th message
of a fresh process always gets the same id and saved outputs never churn.
"""

from __future__ import annotations

import hashlib

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"  # base58

PREFIXES = {
    "message": "msg_",
    "request": "req_",
    "tool_use": "toolu_",
    "server_tool_use": "srvtoolu_",
    "batch": "msgbatch_",
}


#: Two base58 digits at a time (least significant first): half the big-int divisions.
_PAIRS = tuple(low + high for high in _ALPHABET for low in _ALPHABET)
_PAIR = 58 * 58
_HALF = 58**10


def make_id(kind: str, n: int, seed: str = "") -> str:
    """The ``n``-th id of ``kind``: prefix + ``011C`` + 20 base58 characters."""
    digest = int.from_bytes(hashlib.sha256(f"{kind}:{n}:{seed}".encode()).digest()[:16], "big")
    # The 20 lowest base58 digits, in two machine-sized halves (big-int division is slow),
    # each cut into five pairs without a loop: an id is made for every Message.
    high, low = divmod(digest, _HALF)
    out = [PREFIXES[kind], "011C"]
    for half in (low, high % _HALF):
        half, a = divmod(half, _PAIR)
        half, b = divmod(half, _PAIR)
        half, c = divmod(half, _PAIR)
        e, d = divmod(half, _PAIR)
        out += (_PAIRS[a], _PAIRS[b], _PAIRS[c], _PAIRS[d], _PAIRS[e])
    return "".join(out)


class IdSource:
    """Hands out ids in sequence, one counter per kind."""

    def __init__(self, seed: str = "") -> None:
        self.seed = seed
        self._counters: dict[str, int] = {}

    def next(self, kind: str) -> str:
        n = self._counters.get(kind, 0) + 1
        self._counters[kind] = n
        return make_id(kind, n, self.seed)
