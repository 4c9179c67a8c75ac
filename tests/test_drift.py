"""The drift canary, offline: fake against fake, and fake against a deliberately altered fake."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lessonkit import FakeAPI, drift, labels
from lessonkit.fakeapi.http import ApiRequest, ApiResponse
from lessonkit.fakeapi.sse import frame


class AlteredAPI(FakeAPI):
    """A fake whose answers are rewritten on the way out, standing in for a changed API."""

    def __init__(
        self,
        body: Callable[[Any], Any] = lambda b: b,
        headers: Callable[[dict[str, str]], dict[str, str]] = lambda h: h,
        events: Callable[[Iterator[bytes]], Iterator[bytes]] = lambda e: e,
    ) -> None:
        super().__init__()
        self._body, self._headers, self._events = body, headers, events

    def handle(self, request: ApiRequest) -> ApiResponse:
        response = super().handle(request)
        headers = self._headers(dict(response.headers))
        if isinstance(response.body, bytes):
            payload = json.dumps(self._body(json.loads(response.body))).encode()
            return ApiResponse(response.status, headers, payload)
        return ApiResponse(response.status, headers, self._events(iter(response.body)))


def _run(api: FakeAPI, **kwargs: Any) -> drift.DriftReport:
    return drift.check(
        drift.fake_client(api), target_label="altered fake", say=lambda _: None, **kwargs
    )


def _renamed(body: Any) -> Any:
    if body.get("type") == "message":
        body["finish_reason"] = body.pop("stop_reason")
        body["usage"]["input_tokens"] = str(body["usage"]["input_tokens"])
    return body


def test_fake_against_fake_has_no_difference() -> None:
    report = _run(FakeAPI(), include_batch=True)
    assert report.ok and report.exit_code == 0 and report.differences == ()
    assert report.probes == ("create", "stream", "invalid", "batch")
    assert "OK: no shape differences" in str(report)
    assert report.reference == labels.simulated_label()
    assert 0 < report.spent_usd <= report.estimated_usd


def test_renamed_field_and_changed_type_are_reported() -> None:
    report = _run(AlteredAPI(body=_renamed))
    assert not report and report.exit_code == 1
    details = [str(d) for d in report.differences]
    assert "create type: usage.input_tokens is string in the target, integer in the fake" in details
    assert "create field: finish_reason (string) only in the target: the fake lacks it" in details
    assert "create field: stop_reason (string) only in the fake: the target lacks it" in details
    assert "create value: stop_reason is None in the target, 'max_tokens' in the fake" in details
    assert all(d.probe == "create" for d in report.differences)  # the stream is untouched
    assert "DRIFT:" in str(report)


def test_extra_stream_event_is_reported() -> None:
    def extra(frames: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in frames:
            if b"event: message_stop" in chunk:
                yield frame({"type": "message_annotations", "annotations": []})
            yield chunk

    report = _run(AlteredAPI(events=extra))
    kinds = {(d.probe, d.aspect) for d in report.differences}
    assert kinds == {("stream", "events"), ("stream", "field")}
    assert any(
        "message_annotations" in d.detail for d in report.differences if d.aspect == "events"
    )


def test_missing_header_and_changed_error_body_are_reported() -> None:
    def no_request_id(headers: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k != "request-id"}

    def error_without_id(body: Any) -> Any:
        if body.get("type") == "error":
            del body["request_id"]
            body["error"]["type"] = "validation_error"
        return body

    report = _run(AlteredAPI(body=error_without_id, headers=no_request_id))
    details = [str(d) for d in report.differences]
    for probe in drift.PROBES:
        assert f"{probe} header: request-id only in the fake" in details
    assert "invalid field: request_id (string) only in the fake: the target lacks it" in details
    assert (
        "invalid value: error.type is 'validation_error' in the target,"
        " 'invalid_request_error' in the fake" in details
    )


def test_null_on_one_side_hides_its_children() -> None:
    fake = {"a": {"b": 1, "c": [{"d": "x"}]}, "e": None}
    target = {"a": None, "e": {"f": 1}}
    observed = [
        drift.Observation("p", 200, frozenset(), "application/json", drift.shape(s))
        for s in (fake, target)
    ]
    assert [str(d) for d in drift.compare([observed[0]], [observed[1]])] == [
        "p type: a is null in the target, object in the fake",
        "p type: e is object in the target, null in the fake",
    ]


def test_shape_merges_list_items_and_types() -> None:
    assert drift.shape(
        {"content": [{"type": "text", "text": "hi"}, {"type": "tool_use", "input": {}}], "n": 1.5}
    ) == {
        "content": "array",
        "content[]": "object",
        "content[].type": "string",
        "content[].text": "string",
        "content[].input": "object",
        "n": "number",
    }
    assert drift.shape({"x": [None, True, 1]})["x[]"] == "boolean|integer|null"


def test_budget_is_enforced_before_anything_is_sent() -> None:
    api = FakeAPI()
    with pytest.raises(drift.BudgetExceeded, match="nothing was sent"):
        drift.check(drift.fake_client(api), budget_usd=0.001, say=lambda _: None)
    assert api.requests == []
    assert drift.estimate_cost(["invalid"]) == 0
    assert drift.estimate_cost(["batch"]) == drift.estimate_cost(["create"]) / 2


def test_cost_is_stated_before_running() -> None:
    said: list[str] = []
    drift.check(drift.fake_client(), say=said.append, target_label="fake")
    assert said and "estimated cost at most $" in said[0]


def test_refuses_while_offline_mode_is_on(lessonkit_api: FakeAPI) -> None:
    with pytest.raises(drift.DriftError, match="offline"):
        drift.check(drift.fake_client(), say=lambda _: None)


# --- the CLI hook ------------------------------------------------------------------------------


def test_command_dry_run_only_states_the_cost(capsys: pytest.CaptureFixture[str]) -> None:
    drift.drift_check_command(dry_run=True)
    assert "estimated cost at most $" in capsys.readouterr().out


@pytest.mark.parametrize("env", [{"CI": "true", "ANTHROPIC_API_KEY": "k"}, {}])
def test_command_refuses_without_key_or_in_ci(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(drift, "_target_client", lambda: pytest.fail("must not build a client"))
    with pytest.raises(SystemExit) as exited:
        drift.drift_check_command()
    assert exited.value.code == 2


@pytest.mark.parametrize("target, code", [(FakeAPI, None), (lambda: AlteredAPI(body=_renamed), 1)])
def test_command_exit_code_follows_the_report(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: Callable[[], FakeAPI],
    code: int | None,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "not-used-the-client-is-a-fake")
    monkeypatch.setattr(drift, "_target_client", lambda: drift.fake_client(target()))
    if code is None:
        drift.drift_check_command()
    else:
        with pytest.raises(SystemExit) as exited:
            drift.drift_check_command()
        assert exited.value.code == code
    assert "drift check:" in capsys.readouterr().out
