"""How the target's responses are shaped unlike the fake's, and the report that lists it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from .shapes import Observation

__all__ = ["Difference", "DriftReport", "compare"]


@dataclass(frozen=True)
class Difference:
    """One way the target's response is shaped unlike the fake's."""

    probe: str
    aspect: str  #: status, header, field, type, events, value
    detail: str

    def __str__(self) -> str:
        return f"{self.probe} {self.aspect}: {self.detail}"


@dataclass(frozen=True)
class DriftReport:
    """What :func:`lessonkit.drift.check` found. Truthy when there is no difference."""

    target: str
    reference: str
    probes: tuple[str, ...]
    estimated_usd: float
    spent_usd: float
    differences: tuple[Difference, ...]

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [
            f"drift check: {self.target}",
            f"  against:  {self.reference}",
            f"  probes:   {', '.join(self.probes)}",
            f"  cost:     at most ${self.spent_usd:.4f} spent"
            f" (estimated at most ${self.estimated_usd:.4f})",
        ]
        if self.ok:
            lines.append("OK: no shape differences")
        else:
            count = len(self.differences)
            lines.append(f"DRIFT: {count} difference(s); make lessonkit/fakeapi match the target:")
            lines.extend(f"  - {d}" for d in self.differences)
        return "\n".join(lines)


def _field_differences(
    probe: str, fake: Mapping[str, str], target: Mapping[str, str]
) -> Iterator[Difference]:
    changed = {p for p in fake.keys() & target.keys() if fake[p] != target[p]}
    # Below a field that is null on one side, the other side's children say nothing new.
    nulls = {p for p in changed if "null" in (fake[p], target[p])}

    def under_null(path: str) -> bool:
        return any(path.startswith(n + ".") or path.startswith(n + "[]") for n in nulls)

    for path in sorted(changed):
        yield Difference(
            probe, "type", f"{path} is {target[path]} in the target, {fake[path]} in the fake"
        )
    for path in sorted(target.keys() - fake.keys()):
        if not under_null(path):
            yield Difference(
                probe, "field", f"{path} ({target[path]}) only in the target: the fake lacks it"
            )
    for path in sorted(fake.keys() - target.keys()):
        if not under_null(path):
            yield Difference(
                probe, "field", f"{path} ({fake[path]}) only in the fake: the target lacks it"
            )


def compare(fake: Iterable[Observation], target: Iterable[Observation]) -> list[Difference]:
    """Differences between observations of the same probes (fake first, target second)."""
    found: list[Difference] = []
    ours = {o.probe: o for o in fake}
    for theirs in target:
        mine = ours[theirs.probe]
        p = theirs.probe
        if mine.status != theirs.status:
            found.append(
                Difference(p, "status", f"target answered {theirs.status}, the fake {mine.status}")
            )
        if mine.media_type != theirs.media_type:
            found.append(
                Difference(
                    p,
                    "header",
                    f"content-type {theirs.media_type!r} in the target,"
                    f" {mine.media_type!r} in the fake",
                )
            )
        for name in sorted(theirs.headers - mine.headers):
            found.append(Difference(p, "header", f"{name} only in the target"))
        for name in sorted(mine.headers - theirs.headers):
            found.append(Difference(p, "header", f"{name} only in the fake"))
        if mine.events != theirs.events:
            found.append(
                Difference(
                    p,
                    "events",
                    f"target sent {' → '.join(theirs.events)}; the fake {' → '.join(mine.events)}",
                )
            )
        for key in sorted(mine.values.keys() | theirs.values.keys()):
            if mine.values.get(key) != theirs.values.get(key):
                found.append(
                    Difference(
                        p,
                        "value",
                        f"{key} is {theirs.values.get(key)!r} in the target,"
                        f" {mine.values.get(key)!r} in the fake",
                    )
                )
        found.extend(_field_differences(p, mine.fields, theirs.fields))
    return found
