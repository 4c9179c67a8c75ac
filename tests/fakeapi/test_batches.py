"""Message Batches lifecycle through the real SDK: create, poll, list, cancel, delete, validate."""

from __future__ import annotations

import json
import pkgutil
import re
import time
from datetime import timedelta
from typing import Any

import anthropic
import pytest

import lessonkit.batches
import lessonkit.fakeapi.batches
from lessonkit import FakeAPI
from lessonkit.fakeapi import shape
from lessonkit.fakeapi.batches import _checks, _store
from lessonkit.fakeapi.http import ApiRequest

from .helpers import batch_request, batch_requests

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
BATCH_KEYS = {
    "id", "type", "processing_status", "request_counts", "ended_at", "created_at",
    "expires_at", "cancel_initiated_at", "archived_at", "results_url",
}  # fmt: skip


def raw_batch(client: anthropic.Anthropic, batch_id: str) -> dict[str, Any]:
    data: dict[str, Any] = client.messages.batches.with_raw_response.retrieve(
        batch_id
    ).http_response.json()
    return data


def finish(client: anthropic.Anthropic, batch_id: str) -> Any:
    """The learner's polling loop, verbatim."""
    batch = client.messages.batches.retrieve(batch_id)
    while batch.processing_status != "ended":
        time.sleep(60)
        batch = client.messages.batches.retrieve(batch_id)
    return batch


def test_create_returns_the_real_shape(client: anthropic.Anthropic, lessonkit_api: FakeAPI) -> None:
    batch = client.messages.batches.create(requests=batch_requests(3))  # type: ignore[arg-type]
    assert batch.id.startswith("msgbatch_")
    assert batch.type == "message_batch"
    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 3
    assert batch.created_at == lessonkit_api.clock.now()
    assert batch.expires_at - batch.created_at == timedelta(hours=24)
    assert batch.results_url is None and batch.ended_at is None
    assert batch.cancel_initiated_at is None and batch.archived_at is None
    raw = raw_batch(client, batch.id)
    assert set(raw) == BATCH_KEYS
    assert STAMP.match(raw["created_at"]) and STAMP.match(raw["expires_at"])


def test_polling_loop_is_instant_and_realistic(
    real_sleeps: list[float], client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    batch = client.messages.batches.create(requests=batch_requests(20))  # type: ignore[arg-type]
    seen = []
    while batch.processing_status != "ended":
        counts = batch.request_counts
        assert (
            counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired
            == 20
        )
        seen.append(counts.processing)
        time.sleep(60)
        batch = client.messages.batches.retrieve(batch.id)
    assert real_sleeps == []  # every poll's sleep moved the virtual clock instead
    assert set(seen) == {20}  # requests stay processing until the whole batch ends
    assert batch.ended_at is not None
    took = batch.ended_at - batch.created_at
    assert timedelta(minutes=5) < took < timedelta(hours=1)
    assert batch.request_counts.succeeded == 20 and batch.request_counts.processing == 0
    assert batch.results_url == f"https://api.anthropic.com/v1/messages/batches/{batch.id}/results"
    assert STAMP.match(raw_batch(client, batch.id)["ended_at"])
    assert len(lessonkit_api.clock.sleeps) == len(seen)


def test_results_url_follows_a_servers_base_url(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    lessonkit_api.base_url = "http://127.0.0.1:8765"  # type: ignore[attr-defined]  # what server.py sets
    batch = finish(client, client.messages.batches.create(requests=batch_requests(1)).id)  # type: ignore[arg-type]
    assert batch.results_url == f"http://127.0.0.1:8765/v1/messages/batches/{batch.id}/results"


def test_list_is_newest_first_and_auto_pages(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    created = []
    for _ in range(5):
        created.append(client.messages.batches.create(requests=batch_requests(1)).id)  # type: ignore[arg-type]
        lessonkit_api.clock.advance(seconds=1)
    newest = created[::-1]
    page = client.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == newest[:2]
    assert page.has_more is True and page.first_id == newest[0] and page.last_id == newest[1]
    assert [b.id for b in client.messages.batches.list(limit=2)] == newest  # the SDK's auto-pager
    pages = [[b.id for b in p.data] for p in client.messages.batches.list(limit=2).iter_pages()]
    assert pages == [newest[:2], newest[2:4], newest[4:]]
    back = client.messages.batches.list(limit=2, before_id=newest[4])
    assert [b.id for b in back.data] == newest[2:4] and back.has_more is True
    walked_back = [b.id for b in client.messages.batches.list(limit=2, before_id=newest[4])]
    assert walked_back == newest[2:4] + newest[:2]  # pages toward newer, each page newest first
    empty = client.messages.batches.list(after_id=newest[4])
    assert empty.data == [] and empty.has_more is False and empty.first_id is None


@pytest.mark.parametrize(
    "query, message",
    [
        ({"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"limit": 1001}, "limit: Input should be less than or equal to 1000"),
        ({"after_id": "msgbatch_nope"}, "after_id: no message batch with id 'msgbatch_nope'"),
        ({"after_id": "x", "before_id": "y"}, "before_id and after_id cannot be used together"),
    ],
)
def test_list_rejects_bad_queries(
    client: anthropic.Anthropic, query: dict[str, Any], message: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.batches.list(**query)
    assert caught.value.type == "invalid_request_error" and caught.value.api_message == message


def test_cancel_goes_canceling_then_ended(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    batch = client.messages.batches.create(requests=batch_requests(30))  # type: ignore[arg-type]
    lessonkit_api.clock.advance(minutes=15)
    canceled = client.messages.batches.cancel(batch.id)
    assert canceled.processing_status == "canceling"
    assert canceled.cancel_initiated_at == lessonkit_api.clock.now()
    assert canceled.request_counts.processing == 30 and canceled.results_url is None
    again = client.messages.batches.cancel(batch.id)  # idempotent while canceling
    assert again.cancel_initiated_at == canceled.cancel_initiated_at
    ended = finish(client, batch.id)
    counts = ended.request_counts
    assert ended.processing_status == "ended" and counts.canceled > 0 and counts.succeeded > 0
    assert counts.canceled + counts.succeeded == 30
    assert (
        ended.ended_at is not None
        and ended.ended_at - canceled.cancel_initiated_at <= timedelta(minutes=1)
    )
    kinds = [r.result.type for r in client.messages.batches.results(batch.id)]
    assert kinds.count("canceled") == counts.canceled
    with pytest.raises(anthropic.BadRequestError, match="already ended"):
        client.messages.batches.cancel(batch.id)


def test_delete_only_once_ended(client: anthropic.Anthropic) -> None:
    batch = client.messages.batches.create(requests=batch_requests(2))  # type: ignore[arg-type]
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.batches.delete(batch.id)
    assert caught.value.type == "invalid_request_error"
    finish(client, batch.id)
    deleted = client.messages.batches.delete(batch.id)
    assert (deleted.id, deleted.type) == (batch.id, "message_batch_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve(batch.id)
    assert [b.id for b in client.messages.batches.list()] == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.messages.batches.retrieve("msgbatch_nope"),
        lambda c: c.messages.batches.cancel("msgbatch_nope"),
        lambda c: c.messages.batches.delete("msgbatch_nope"),
        lambda c: c.get("/v1/messages/batches/msgbatch_nope/results", cast_to=object),
    ],
)
def test_unknown_batch_is_404(client: anthropic.Anthropic, call: Any) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        call(client)
    assert caught.value.type == "not_found_error"


def test_results_before_the_end(client: anthropic.Anthropic) -> None:
    batch = client.messages.batches.create(requests=batch_requests(2))  # type: ignore[arg-type]
    with pytest.raises(
        anthropic.AnthropicError, match="No `results_url` for the given batch.*in_progress"
    ):
        client.messages.batches.results(batch.id)
    with pytest.raises(anthropic.BadRequestError, match="has not finished processing"):
        client.get(f"/v1/messages/batches/{batch.id}/results", cast_to=object)


def _too_many() -> list[dict[str, Any]]:
    return [{"custom_id": f"r{i}", "params": {}} for i in range(_checks.MAX_REQUESTS + 1)]


@pytest.mark.parametrize(
    "requests, message",
    [
        ([], "requests: List should have at least 1 item after validation, not 0"),
        (
            [batch_request("a"), batch_request("a")],
            "requests: custom_id values must be unique within a batch; 'a' is used more than once",
        ),
        (
            [batch_request("has space")],
            "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
        ),
        (
            [batch_request("x" * 65)],
            "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
        ),
        (
            [batch_request("ok"), batch_request("")],
            "requests.1.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
        ),
        ([{"custom_id": "a"}], "requests.0.params: Field required"),
        ([{"params": {}}], "requests.0.custom_id: Field required"),
        (
            [batch_request("a", stream=True)],
            "requests.0.params.stream: streaming is not supported in Message Batches",
        ),
        (
            [batch_request("a", speed="fast")],
            "requests.0.params.speed: fast mode is not available in Message Batches",
        ),
    ],
)
def test_create_validation(client: anthropic.Anthropic, requests: list[Any], message: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.batches.create(requests=requests)
    assert caught.value.type == "invalid_request_error"
    assert caught.value.api_message == message


def test_more_than_100k_requests(lessonkit_api: FakeAPI) -> None:
    # Straight to the core: the SDK would spend seconds serialising 100,001 requests.
    body = json.dumps({"requests": _too_many()}).encode()
    headers = {"authorization": "Bearer x", "anthropic-version": "2023-06-01"}
    response = lessonkit_api.handle(ApiRequest("POST", "/v1/messages/batches", headers, body))
    assert response.status == 400
    assert json.loads(bytes(response.body))["error"]["message"] == (  # type: ignore[arg-type]
        "requests: List should have at most 100000 items after validation, not 100001"
    )


def test_body_over_the_batch_limit_is_413(
    client: anthropic.Anthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_store, "MAX_BATCH_BYTES", 2_000)
    client.messages.batches.create(requests=batch_requests(2))  # type: ignore[arg-type]  # small: fine
    with pytest.raises(anthropic.ContentTooLargeError) as caught:
        client.messages.batches.create(requests=batch_requests(40))  # type: ignore[arg-type]
    assert caught.value.type == "request_too_large"


def test_batches_allow_bodies_bigger_than_a_message(
    client: anthropic.Anthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "lessonkit.fakeapi.validate.MAX_BODY_BYTES", 2_000
    )  # /v1/messages' 32 MB, shrunk
    batch = client.messages.batches.create(requests=batch_requests(40))  # type: ignore[arg-type]
    assert batch.request_counts.processing == 40


def test_faults_apply_to_batch_endpoints(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    lessonkit_api.fail_next(529)
    with pytest.raises(anthropic.OverloadedError):
        client.messages.batches.create(requests=batch_requests(1))  # type: ignore[arg-type]


def test_wait_helper(
    real_sleeps: list[float],
    client: anthropic.Anthropic,
    lessonkit_api: FakeAPI,
    capsys: pytest.CaptureFixture[str],
) -> None:
    batch = client.messages.batches.create(requests=batch_requests(5))  # type: ignore[arg-type]
    ended = lessonkit.batches.wait(client, batch.id, progress="tqdm")
    assert real_sleeps == [] and lessonkit_api.clock.sleeps  # waited on the virtual clock only
    assert ended.processing_status == "ended"
    shown = capsys.readouterr().err
    assert f"{batch.id} |" in shown and "5/5, ended" in shown and "(simulated)" in shown
    results = lessonkit.batches.by_custom_id(client.messages.batches.results(batch.id))
    assert sorted(results) == [f"row-{i}" for i in range(5)]


def test_wait_timeout_and_arguments(client: anthropic.Anthropic) -> None:
    batch = client.messages.batches.create(requests=batch_requests(5))  # type: ignore[arg-type]
    with pytest.raises(TimeoutError, match="still in_progress after 120 s"):
        lessonkit.batches.wait(client, batch.id, timeout=120)
    with pytest.raises(ValueError, match="progress="):
        lessonkit.batches.wait(client, batch.id, progress="bar")


def test_the_package_index_lists_every_module() -> None:
    batches = lessonkit.fakeapi.batches
    listed = set(re.findall(r"^    ``(\w+)``", batches.__doc__ or "", re.MULTILINE))
    assert listed == {m.name for m in pkgutil.iter_modules(batches.__path__)}


def test_each_request_is_keyed_once_for_its_check_and_its_turn(
    client: anthropic.Anthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    made = shape.key

    def counted(body: Any) -> str | None:
        calls.append(body)
        return made(body)

    monkeypatch.setattr(shape, "key", counted)
    batch = client.messages.batches.create(requests=batch_requests(4))  # type: ignore[arg-type]
    results = list(client.messages.batches.results(finish(client, batch.id).id))
    assert [r.result.type for r in results] == ["succeeded"] * 4
    assert len(calls) == 4  # not once to check it and again to answer it
