"""app.py's facade: scripting options declared once, one endpoint table, a declared base_url."""

from __future__ import annotations

import json
import pkgutil
import re
from datetime import UTC, datetime
from typing import Any

import anthropic
import pytest

import lessonkit.fakeapi
from lessonkit import FakeAPI
from lessonkit.fakeapi.faults import HttpFaultOptions, http_fault
from lessonkit.fakeapi.http import API_BASE, ApiRequest

from .helpers import ask, batch_request

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


def send(api: FakeAPI, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    raw = b"" if body is None else json.dumps(body).encode()
    response = api.handle(ApiRequest(method, path, HEADERS, raw))
    return response.status, json.loads(b"".join(response.chunks()))


# --- fail_next: the options of http_fault, declared once ----------------------------------------
def test_fail_next_accepts_every_declared_option(api: FakeAPI) -> None:
    options: HttpFaultOptions = {
        "error_type": "api_error",
        "message": "down",
        "retry_after": datetime(2026, 11, 2, 9, 1, tzinfo=UTC),
        "retry_after_ms": 1500,
        "should_retry": False,
        "path": "/v1/messages",
    }
    assert set(options) == HttpFaultOptions.__optional_keys__
    api.fail_next(503, **options)
    status, body = send(api, "POST", "/v1/messages", ask())
    assert (status, body["error"]["type"], body["error"]["message"]) == (503, "api_error", "down")
    assert api.last.response_headers["retry-after"] == "Mon, 02 Nov 2026 09:01:00 GMT"
    assert api.last.response_headers["retry-after-ms"] == "1500"
    assert api.last.response_headers["x-should-retry"] == "false"


@pytest.mark.parametrize("plan", [FakeAPI().fail_next, http_fault])
def test_a_misspelt_option_fails_where_it_was_written(plan: Any) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'retry_afer'.*retry_after"):
        plan(429, retry_afer=3)


# --- one endpoint table ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/v1/messages", ask(), 200),
        ("POST", "/v1/messages/count_tokens", {k: ask()[k] for k in ("model", "messages")}, 200),
        ("GET", "/v1/models", None, 200),
        ("GET", "/v1/messages/batches", None, 200),
        ("GET", "/v1/messages", None, 404),  # right path, wrong method
        ("POST", "/v1/messages/extra", ask(), 404),  # no subtree under /v1/messages
        ("GET", "/v1/modelsX", None, 404),  # a subtree route matches whole segments only
        ("GET", "/v1/complete", None, 404),
    ],
)
def test_requests_reach_their_endpoint(
    api: FakeAPI, method: str, path: str, body: Any, status: int
) -> None:
    got, payload = send(api, method, path, body)
    assert got == status
    if status == 404:
        assert payload["error"]["type"] == "not_found_error"


def test_the_messages_size_limit_does_not_apply_to_batches(api: FakeAPI) -> None:
    padding = "x" * (33 * 1024 * 1024)
    status, body = send(api, "POST", "/v1/messages", ask(padding))
    assert (status, body["error"]["type"]) == (413, "request_too_large")
    big_batch = {"requests": [batch_request("a", padding)]}
    assert send(api, "POST", "/v1/messages/batches", big_batch)[0] == 200


# --- base_url ------------------------------------------------------------------------------------
def test_results_url_follows_the_declared_base_url(api: FakeAPI) -> None:
    assert FakeAPI().base_url == API_BASE
    client = anthropic.Anthropic()
    batch = client.messages.batches.create(requests=[batch_request("a")])
    api.clock.advance(hours=1)
    assert (client.messages.batches.retrieve(batch.id).results_url or "").startswith(API_BASE)
    api.base_url = "http://127.0.0.1:8765"
    url = client.messages.batches.retrieve(batch.id).results_url
    assert url == f"http://127.0.0.1:8765/v1/messages/batches/{batch.id}/results"


# --- the package index ------------------------------------------------------------------------
def test_the_index_lists_every_module_of_the_core() -> None:
    listed = set(re.findall(r"^    ``(\w+)``", lessonkit.fakeapi.__doc__ or "", re.MULTILINE))
    modules = {m.name for m in pkgutil.iter_modules(lessonkit.fakeapi.__path__)}
    assert listed == modules
