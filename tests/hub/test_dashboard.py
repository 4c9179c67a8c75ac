"""The dashboard service and the learner's report, against a stand-in for the hub's API.

The real hub runs in test_hub.py; here the hub is an httpx.MockTransport that
knows three tokens, so each rule of the service is checked quickly and alone.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from lessonkit import exchange
from lessonkit.checks.results import Status
from lessonkit.dashboard import STATE_COOKIE, TOKEN_COOKIE, Store, create_app, render
from lessonkit.hubauth import Hub
from lessonkit.room import Learner, room

PREFIX = "/services/lessonkit/"
EXERCISES = ("ex01_collect_stream", "ex01_stream_with_request_id")
ACCESS = "access:services!service=lessonkit"
#: token -> the hub's /user model for it
TOKENS = {
    "ada-token": {"name": "ada", "kind": "user", "scopes": ["read:users:name!user=ada"]},
    "bob-token": {"name": "bob", "kind": "user", "scopes": []},
    "teacher-token": {"name": "teacher", "kind": "user", "scopes": [ACCESS]},
    "service-token": {"name": "other", "kind": "service", "scopes": []},
}


def fake_hub(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/hub/api/user":
        model = TOKENS.get(request.headers["authorization"].removeprefix("token "))
        return httpx.Response(200, json=model) if model else httpx.Response(403)
    if request.url.path == "/hub/api/oauth2/token":
        form = parse_qs(request.content.decode())
        assert form["client_secret"] == ["service-secret"]
        assert form["redirect_uri"] == [f"{PREFIX}oauth_callback"]
        return httpx.Response(200, json={"access_token": f"{form['code'][0]}-token"})
    return httpx.Response(500)


@pytest.fixture
def hub() -> Hub:
    return Hub.from_environment(
        {
            "JUPYTERHUB_API_URL": "http://hub.test/hub/api/",
            "JUPYTERHUB_API_TOKEN": "service-secret",
            "JUPYTERHUB_SERVICE_NAME": "lessonkit",
            "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{PREFIX}oauth_callback",
        }
    )


@pytest.fixture
def client(hub: Hub, tmp_path: Path) -> TestClient:
    hub.transport = httpx.MockTransport(fake_hub)
    return TestClient(create_app(hub, Store(tmp_path / "room"), EXERCISES, PREFIX))


def as_(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


def report(
    client: TestClient, token: str, status: str, message: str = "", **extra: str
) -> httpx.Response:
    body = {"exercise": EXERCISES[0], "status": status, "message": message, **extra}
    return client.post(f"{PREFIX}progress", json=body, headers=as_(token))


def test_a_check_is_filed_under_the_tokens_owner(client: TestClient, tmp_path: Path) -> None:
    assert (
        report(client, "bob-token", "incorrect", "did not stream", learner="ada").status_code == 200
    )
    reply = report(client, "bob-token", "correct")
    entry = reply.json()["exercises"][EXERCISES[0]]
    assert (entry["status"], entry["attempts"], entry["message"]) == ("correct", 2, "")
    assert entry["first_passed"] == entry["last_checked"]
    assert [p.name for p in (tmp_path / "room").iterdir()] == ["bob.json"]
    assert (tmp_path / "room").stat().st_mode & 0o077 == 0  # the service's alone


def test_reports_without_a_users_token_or_with_a_bad_body_are_refused(client: TestClient) -> None:
    assert client.post(f"{PREFIX}progress", json={}).status_code == 403
    assert report(client, "stolen", "correct").status_code == 403
    assert report(client, "service-token", "correct").status_code == 403
    assert report(client, "ada-token", "brilliant").status_code == 400
    bad = client.post(f"{PREFIX}progress", content=b"{", headers=as_("ada-token"))
    assert bad.status_code == 400


def test_a_learner_reads_only_their_own_record(client: TestClient) -> None:
    report(client, "ada-token", "correct")
    assert client.get(f"{PREFIX}progress/ada", headers=as_("bob-token")).status_code == 403
    assert client.get(f"{PREFIX}progress/ada").status_code == 403
    mine = client.get(f"{PREFIX}progress/bob", headers=as_("bob-token"))
    assert mine.json() == {"version": 1, "learner": "bob", "exercises": {}}
    theirs = client.get(f"{PREFIX}progress/ada", headers=as_("teacher-token")).json()
    assert theirs["exercises"][EXERCISES[0]]["status"] == "correct"


def test_the_dashboard_and_csv_need_the_instructors_scope(client: TestClient) -> None:
    report(client, "ada-token", "incorrect", "did not stream")
    report(client, "bob-token", "incorrect", "did not stream")
    assert client.get(PREFIX, headers=as_("bob-token")).status_code == 403
    assert client.get(PREFIX, headers=as_("stolen")).status_code == 403
    page = client.get(PREFIX, headers=as_("teacher-token"))
    assert page.status_code == 200 and "2 × did not stream" in page.text
    csv = client.get(f"{PREFIX}room.csv", headers=as_("teacher-token"))
    assert csv.text.splitlines() == [
        "learner,exercise,state,attempts,last message",
        "ada,ex01_collect_stream,incorrect,1,did not stream",
        "ada,ex01_stream_with_request_id,not attempted,0,",
        "bob,ex01_collect_stream,incorrect,1,did not stream",
        "bob,ex01_stream_with_request_id,not attempted,0,",
    ]


def test_a_browser_logs_in_through_the_hubs_oauth(client: TestClient) -> None:
    first = client.get(PREFIX, follow_redirects=False)
    assert first.status_code == 302
    target = urlsplit(first.headers["location"])
    query = parse_qs(target.query)
    assert target.path == "/hub/api/oauth2/authorize"
    assert query["client_id"] == ["service-lessonkit"]
    state = query["state"][0]
    assert client.cookies[STATE_COOKIE] == state
    wrong = client.get(f"{PREFIX}oauth_callback?code=teacher&state=forged", follow_redirects=False)
    assert wrong.status_code == 400
    back = client.get(f"{PREFIX}oauth_callback?code=teacher&state={state}", follow_redirects=False)
    assert back.status_code == 302 and back.headers["location"] == PREFIX
    assert client.cookies[TOKEN_COOKIE] == "teacher-token"
    assert client.get(PREFIX).status_code == 200


def test_the_hub_is_asked_once_per_token_while_cached(hub: Hub) -> None:
    calls = []

    def counting(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return fake_hub(request)

    hub.transport = httpx.MockTransport(counting)
    import asyncio

    for _ in range(3):
        identity = asyncio.run(hub.identify("teacher-token"))
    assert identity is not None and identity.may_access("lessonkit")
    assert not identity.may_access("other")
    assert asyncio.run(hub.identify("stolen")) is None
    assert len(calls) == 2


def test_a_hub_error_is_not_taken_for_a_refusal(hub: Hub) -> None:
    import asyncio

    hub.transport = httpx.MockTransport(lambda request: httpx.Response(500))
    with pytest.raises(httpx.HTTPStatusError):
        asyncio.run(hub.identify("ada-token"))


def test_the_page_escapes_what_learners_wrote() -> None:
    learner = Learner("<b>ada</b>").checked(
        EXERCISES[0], Status.INCORRECT, "<script>x</script>", "t"
    )
    page = render(room(EXERCISES, [learner]), csv_url="room.csv")
    assert "<script>x" not in page and "&lt;script&gt;" in page and "&lt;b&gt;ada" in page
    assert "No learner has checked" in render(room(EXERCISES, []), csv_url="room.csv")


# --- the learner's side: lessonkit.exchange ---------------------------------------------


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A tiny HTTP server on 127.0.0.1 standing in for the service; yields (URL, requests)."""
    seen: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            seen.append({"path": self.path, "auth": self.headers["authorization"], **body})
            self.send_response(200 if body["exercise"] != "fails" else 500)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{PREFIX}", seen
    server.shutdown()
    server.server_close()


def test_a_check_is_sent_with_the_servers_token(
    receiver: tuple[str, list[dict[str, object]]],
) -> None:
    url, seen = receiver
    env = {"LESSONKIT_EXCHANGE_URL": url, "JUPYTERHUB_API_TOKEN": "ada-token"}
    assert exchange.publish("ex01_collect_stream", Status.INCORRECT, "did not stream", env)
    assert seen == [
        {
            "path": f"{PREFIX}progress",
            "auth": "token ada-token",
            "exercise": "ex01_collect_stream",
            "status": "incorrect",
            "message": "did not stream",
        }
    ]


def test_off_a_hub_nothing_is_sent() -> None:
    assert not exchange.publish("ex01_collect_stream", Status.CORRECT, "", {})


def test_a_dashboard_that_fails_costs_a_warning_not_the_verdict(
    receiver: tuple[str, list[dict[str, object]]],
) -> None:
    url, _ = receiver
    env = {"LESSONKIT_EXCHANGE_URL": url, "JUPYTERHUB_API_TOKEN": "ada-token"}
    with pytest.warns(UserWarning, match="could not send this check.*500"):
        assert not exchange.publish("fails", Status.CORRECT, "", env)


def test_recording_progress_on_a_hub_reports_the_check(
    receiver: tuple[str, list[dict[str, object]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lessonkit.checks import progress

    url, seen = receiver
    monkeypatch.setenv("LESSONKIT_EXCHANGE_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "bob-token")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        progress.record(
            "ex01_collect_stream", Status.CORRECT, message="ok", path=tmp_path / "p.json"
        )
    assert [(item["exercise"], item["message"]) for item in seen] == [("ex01_collect_stream", "ok")]


def test_a_check_reaches_the_dashboard_while_offline_mode_is_on(
    receiver: tuple[str, list[dict[str, object]]],
) -> None:
    """offline() fences httpx inside the kernel; the report goes by urllib, so it still arrives."""
    import lessonkit

    url, seen = receiver
    env = {"LESSONKIT_EXCHANGE_URL": url, "JUPYTERHUB_API_TOKEN": "ada-token"}
    with lessonkit.offline():
        assert exchange.publish("ex01_collect_stream", Status.CORRECT, "", env)
    assert len(seen) == 1


def test_the_dashboard_hears_of_a_first_unanswered_check_but_never_of_a_later_one(
    receiver: tuple[str, list[dict[str, object]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not attempted is no attempt, yet the room should see who reached the exercise."""
    from lessonkit.checks import progress

    url, seen = receiver
    monkeypatch.setenv("LESSONKIT_EXCHANGE_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "cy-token")
    path = tmp_path / "p.json"
    assert progress.record("ex01_collect_stream", Status.NOT_ATTEMPTED, path=path) is None
    progress.record("ex01_collect_stream", Status.CORRECT, message="ok", path=path)
    kept = progress.record("ex01_collect_stream", Status.NOT_ATTEMPTED, path=path)
    assert kept is not None and kept.status is Status.CORRECT and kept.attempts == 1
    assert [item["status"] for item in seen] == ["not attempted", "correct"]
