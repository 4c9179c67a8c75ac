"""Drift canary: does the offline fake still look like the API it imitates?

Opt-in, needs a real key, never runs in CI. :func:`check` sends a few tiny
requests (a create, a stream, an invalid request, optionally a one-request
batch) to a target client and the same requests to lessonkit's fake, then
compares **shapes**, not values: JSON field names and value types, recursively;
the order of SSE event types (pings dropped, repeated deltas collapsed); the
``stop_reason`` and ``error.type`` values; the status; and which of the
headers lessons rely on are present. Text, ids and token counts differ on
every call, so they are never compared.

The cost is estimated (an upper bound) and checked against the budget before
anything is sent. Tests run it offline: fake against fake, and fake against a
deliberately altered fake.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import anthropic
import httpx2

from . import labels, models
from .fakeapi.app import FakeAPI
from .fakeapi.http import ApiRequest

__all__ = [
    "PROBES",
    "BudgetExceeded",
    "Difference",
    "DriftError",
    "DriftReport",
    "Observation",
    "check",
    "compare",
    "drift_check_command",
    "estimate_cost",
    "fake_client",
    "observe",
]

#: Probes run by default; ``"batch"`` is added with ``include_batch=True``.
PROBES = ("create", "stream", "invalid")
MAX_TOKENS = 8
#: A prompt whose answer is longer than MAX_TOKENS, so both sides stop with max_tokens.
PROMPT = "Count from 1 to 50, separated by commas."
#: USD per million tokens (input, output), above every current list price
#: (shared/API-FACTS.md §8), so the estimate is an upper bound whatever the model.
CEILING_PRICE = (15.0, 75.0)
#: Input tokens charged per probe, at most (the prompt is ~15 tokens).
CEILING_INPUT_TOKENS = 100
_PAID = {"create": 1.0, "stream": 1.0, "batch": 0.5, "invalid": 0.0}  # batch: 50% pricing
_HEADERS = ("request-id", "anthropic-organization-id", "content-type")
_HEADER_PREFIXES = ("anthropic-ratelimit-",)
_VALUES = ("type", "stop_reason", "error.type", "processing_status")


class DriftError(RuntimeError):
    """The canary cannot run (no key, in CI, offline mode on)."""


class BudgetExceeded(DriftError):
    """The estimated cost of the probes is above the budget; nothing was sent."""


@dataclass(frozen=True)
class Observation:
    """The shape of one probe's response."""

    probe: str
    status: int
    headers: frozenset[str]  #: watched header names present
    media_type: str
    fields: Mapping[str, str]  #: JSON path -> JSON type, e.g. ``usage.input_tokens: integer``
    events: tuple[str, ...] = ()  #: SSE event types in order, pings dropped, repeats collapsed
    values: Mapping[str, str] = field(default_factory=dict)  #: stop_reason, error.type, ...
    usage: Mapping[str, int] = field(default_factory=dict)


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
    """What :func:`check` found. Truthy when there is no difference."""

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


# --- shapes ------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _merge(found: dict[str, str], path: str, kind: str) -> None:
    """Record ``kind`` at ``path``; a path seen with two types keeps both (``"null|string"``)."""
    previous = found.get(path)
    found[path] = (
        kind if previous in (None, kind) else "|".join(sorted({*previous.split("|"), kind}))
    )


def shape(value: Any, prefix: str = "") -> dict[str, str]:
    """Every JSON path in ``value`` with its type; list items share the path ``name[]``."""
    found: dict[str, str] = {}

    def walk(item: Any, path: str) -> None:
        if path:
            _merge(found, path, _json_type(item))
        if isinstance(item, dict):
            for key, child in item.items():
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(item, list):
            for child in item:
                walk(child, f"{path}[]")

    walk(value, prefix)
    return found


def _values(body: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in _VALUES:
        node = body
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            found[path] = node
    return found


def _counts(usage: Any) -> dict[str, int]:
    return {k: v for k, v in (usage or {}).items() if isinstance(v, int)}


def _headers(headers: Mapping[str, str]) -> frozenset[str]:
    names = {k.lower() for k in headers}
    return frozenset(n for n in names if n in _HEADERS or n.startswith(_HEADER_PREFIXES))


def _media(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip()


def _sse(lines: Iterable[str]) -> Iterator[tuple[str, Any]]:
    event = ""
    for line in lines:
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data = json.loads(line[5:])
            yield event or str(data.get("type")), data


# --- probes --------------------------------------------------------------------------------


def _params(model: str) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": MAX_TOKENS,
        "messages": [{"role": "user", "content": PROMPT}],
    }


def _from_json(probe: str, status: int, headers: Mapping[str, str], body: Any) -> Observation:
    fields = shape(body)
    usage = body.get("usage") if isinstance(body, dict) else None
    return Observation(
        probe,
        status,
        _headers(headers),
        _media(headers),
        fields,
        values=_values(body),
        usage=_counts(usage),
    )


def _observe_stream(client: anthropic.Anthropic, model: str) -> Observation:
    with client.messages.with_streaming_response.create(**_params(model), stream=True) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        events: list[str] = []
        fields: dict[str, str] = {}
        values: dict[str, str] = {}
        usage: dict[str, int] = {}
        for name, data in _sse(response.iter_lines()):
            if name == "ping":
                continue
            if not events or events[-1] != name:
                events.append(name)
            for path, kind in shape(data, name).items():
                _merge(fields, path, kind)
            if name == "message_delta":
                values["stop_reason"] = str((data.get("delta") or {}).get("stop_reason"))
                usage.update(_counts(data.get("usage")))
            if name == "message_start":
                start = (data.get("message") or {}).get("usage") or {}
                usage.setdefault("input_tokens", start.get("input_tokens", 0))
        return Observation(
            "stream",
            response.status_code,
            _headers(headers),
            _media(headers),
            fields,
            tuple(events),
            values,
            usage,
        )


def _observe(client: anthropic.Anthropic, probe: str, model: str) -> Observation:
    try:
        if probe == "create":
            raw = client.messages.with_raw_response.create(**_params(model))
            return _from_json(probe, raw.status_code, raw.headers, raw.http_response.json())
        if probe == "stream":
            return _observe_stream(client, model)
        if probe == "invalid":  # an empty conversation: a 400 that costs nothing
            client.messages.create(model=model, max_tokens=MAX_TOKENS, messages=[])
            raise DriftError("the invalid-request probe was accepted; expected a 400")
        if probe == "batch":
            raw_batch = client.messages.batches.with_raw_response.create(
                requests=[{"custom_id": "drift-canary-1", "params": cast(Any, _params(model))}]
            )
            body = raw_batch.http_response.json()
            client.messages.batches.cancel(body["id"])
            return _from_json(probe, raw_batch.status_code, raw_batch.headers, body)
    except anthropic.APIStatusError as err:
        return _from_json(probe, err.status_code, err.response.headers, err.response.json())
    raise ValueError(f"unknown probe {probe!r}; use one of {(*PROBES, 'batch')}")


def observe(
    client: anthropic.Anthropic, probes: Iterable[str] = PROBES, model: str | None = None
) -> list[Observation]:
    """Run ``probes`` against ``client`` (retries off, so a probe is one request)."""
    quiet = client.with_options(max_retries=0)
    return [_observe(quiet, probe, model or models.FAST) for probe in probes]


# --- comparing -------------------------------------------------------------------------------


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


# --- cost, the fake side, and the entry points -----------------------------------------------


def estimate_cost(probes: Iterable[str]) -> float:
    """Upper bound in USD for running ``probes`` once (ceiling price, ceiling input)."""
    per_request = (
        CEILING_INPUT_TOKENS * CEILING_PRICE[0] + MAX_TOKENS * CEILING_PRICE[1]
    ) / 1_000_000
    return sum(per_request * _PAID[p] for p in probes)


def _spent(observations: Iterable[Observation]) -> float:
    total = 0.0
    for o in observations:
        inp = sum(v for k, v in o.usage.items() if k.endswith("input_tokens"))
        total += (
            _PAID.get(o.probe, 1.0)
            * (inp * CEILING_PRICE[0] + o.usage.get("output_tokens", 0) * CEILING_PRICE[1])
            / 1_000_000
        )
    return total


def fake_client(api: FakeAPI | None = None) -> anthropic.Anthropic:
    """A client wired straight to a :class:`FakeAPI` through an httpx2 ``MockTransport``.

    No patching, so it works beside a real client, with or without
    ``lessonkit.offline()`` on.
    """
    served = api if api is not None else FakeAPI()

    def handler(request: httpx2.Request) -> httpx2.Response:
        answer = served.handle(
            ApiRequest(
                request.method,
                request.url.path,
                {k.lower(): v for k, v in request.headers.items()},
                request.read(),
                dict(request.url.params),
            )
        )
        return httpx2.Response(
            answer.status, headers=answer.headers, content=b"".join(answer.chunks())
        )

    return anthropic.Anthropic(
        api_key="lessonkit-drift-canary-placeholder",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )


def check(
    client: anthropic.Anthropic,
    budget_usd: float = 0.05,
    *,
    include_batch: bool = False,
    model: str | None = None,
    reference: anthropic.Anthropic | None = None,
    target_label: str | None = None,
    say: Callable[[str], None] = print,
) -> DriftReport:
    """Compare ``client``'s answers with the fake's for the same small requests.

    >>> report = lessonkit.drift.check(anthropic.Anthropic(), budget_usd=0.05)   # doctest: +SKIP
    >>> print(report)                                                            # doctest: +SKIP
    """
    from .offline import Offline

    if Offline._active is not None and reference is None:
        raise DriftError(
            "lessonkit.offline() is on, so the target would be the fake itself; stop it first"
        )
    probes = (*PROBES, "batch") if include_batch else PROBES
    estimate = estimate_cost(probes)
    if estimate > budget_usd:
        raise BudgetExceeded(
            f"the probes may cost up to ${estimate:.4f}, above the ${budget_usd:.4f} budget;"
            " nothing was sent"
        )
    chosen = model or models.FAST
    say(
        f"drift check: {len(probes)} probes ({', '.join(probes)}) on {chosen};"
        f" estimated cost at most ${estimate:.4f} (budget ${budget_usd:.2f})"
    )
    target = observe(client, probes, chosen)
    fake = observe(reference or fake_client(), probes, chosen)
    spent = _spent(target)
    return DriftReport(
        target_label or labels.live_label(str(client.base_url)),
        labels.simulated_label(),
        probes,
        estimate,
        spent,
        tuple(compare(fake, target)),
    )


def _target_client() -> anthropic.Anthropic:
    """The real API, as configured by the environment (a seam for tests)."""
    return anthropic.Anthropic()


def drift_check_command(
    budget_usd: float = 0.05,
    include_batch: bool = False,
    model: str | None = None,
    dry_run: bool = False,
) -> None:
    """Compare the real API's response shapes with the offline fake's (needs ANTHROPIC_API_KEY).

    States the estimated cost first and never spends more than ``--budget-usd``.
    Exits 0 when the fake matches, 1 on a difference, 2 when it cannot run
    (no key, in CI, budget too small). For ``lessonkit drift-check``.
    """
    probes = (*PROBES, "batch") if include_batch else PROBES
    print(
        f"drift check: estimated cost at most ${estimate_cost(probes):.4f}"
        f" for {', '.join(probes)} (budget ${budget_usd:.2f})"
    )
    if dry_run:
        return
    if os.environ.get("CI"):
        print("drift-check never runs in CI: it spends real money on the real API")
        raise SystemExit(2)
    if not os.environ.get("ANTHROPIC_API_KEY"):
        print("drift-check needs ANTHROPIC_API_KEY: it compares the real API with the offline fake")
        raise SystemExit(2)
    try:
        report = check(
            _target_client(),
            budget_usd,
            include_batch=include_batch,
            model=model,
            say=lambda _: None,
        )
    except DriftError as err:
        print(f"drift-check: {err}")
        raise SystemExit(2) from None
    print(report)
    if not report.ok:
        raise SystemExit(report.exit_code)
