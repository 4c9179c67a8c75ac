"""The canary's requests: a few tiny probes, sent to the real API or to the fake.

Each probe is one request (the client's retries are switched off) whose
response is reduced to an :class:`~lessonkit.drift.shapes.Observation`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import anthropic
import httpx2

from .. import models
from .._transport import to_api_request
from ..fakeapi.app import FakeAPI
from .shapes import (
    Observation,
    counts,
    from_json,
    header_names,
    media_type,
    merge,
    shape,
    sse_events,
)

__all__ = ["MAX_TOKENS", "PROBES", "PROMPT", "DriftError", "fake_client", "observe"]

#: Probes run by default; ``"batch"`` is added with ``include_batch=True``.
PROBES = ("create", "stream", "invalid")
MAX_TOKENS = 8
#: A prompt whose answer is longer than MAX_TOKENS, so both sides stop with max_tokens.
PROMPT = "Count from 1 to 50, separated by commas."


class DriftError(RuntimeError):
    """The canary cannot run (no key, in CI, offline mode on)."""


def _params(model: str) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": MAX_TOKENS,
        "messages": [{"role": "user", "content": PROMPT}],
    }


def _observe_stream(client: anthropic.Anthropic, model: str) -> Observation:
    with client.messages.with_streaming_response.create(**_params(model), stream=True) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        events: list[str] = []
        fields: dict[str, str] = {}
        values: dict[str, str] = {}
        usage: dict[str, int] = {}
        for name, data in sse_events(response.iter_lines()):
            if name == "ping":
                continue
            if not events or events[-1] != name:
                events.append(name)
            for path, kind in shape(data, name).items():
                merge(fields, path, kind)
            if name == "message_delta":
                values["stop_reason"] = str((data.get("delta") or {}).get("stop_reason"))
                usage.update(counts(data.get("usage")))
            if name == "message_start":
                start = (data.get("message") or {}).get("usage") or {}
                usage.setdefault("input_tokens", start.get("input_tokens", 0))
        return Observation(
            "stream",
            response.status_code,
            header_names(headers),
            media_type(headers),
            fields,
            tuple(events),
            values,
            usage,
        )


def _observe(client: anthropic.Anthropic, probe: str, model: str) -> Observation:
    try:
        if probe == "create":
            raw = client.messages.with_raw_response.create(**_params(model))
            return from_json(probe, raw.status_code, raw.headers, raw.http_response.json())
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
            return from_json(probe, raw_batch.status_code, raw_batch.headers, body)
    except anthropic.APIStatusError as err:
        return from_json(probe, err.status_code, err.response.headers, err.response.json())
    raise ValueError(f"unknown probe {probe!r}; use one of {(*PROBES, 'batch')}")


def observe(
    client: anthropic.Anthropic, probes: Iterable[str] = PROBES, model: str | None = None
) -> list[Observation]:
    """Run ``probes`` against ``client`` (retries off, so a probe is one request)."""
    quiet = client.with_options(max_retries=0)
    return [_observe(quiet, probe, model or models.FAST) for probe in probes]


def fake_client(api: FakeAPI | None = None) -> anthropic.Anthropic:
    """A client wired straight to a :class:`FakeAPI` through an httpx2 ``MockTransport``.

    No patching, so it works beside a real client, with or without
    ``lessonkit.offline()`` on.
    """
    served = api if api is not None else FakeAPI()

    def handler(request: httpx2.Request) -> httpx2.Response:
        answer = served.handle(to_api_request(request))
        return httpx2.Response(
            answer.status, headers=answer.headers, content=b"".join(answer.chunks())
        )

    return anthropic.Anthropic(
        api_key="lessonkit-drift-canary-placeholder",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
