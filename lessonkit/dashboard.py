"""The instructor dashboard: a JupyterHub service that learners' checks report to.

Why the hub's API and not a shared exchange folder: the hub already knows who
every learner is, on any spawner. An exchange folder with per-learner write
permissions needs one POSIX user per learner and a volume every server mounts
(nbgrader's model), which DockerSpawner, KubeSpawner (Zero to JupyterHub) and
SimpleLocalProcessSpawner do not give. Here each learner's kernel sends its
``q.check()`` verdict with the token of the learner's own server
(:mod:`lessonkit.exchange`); the service asks the hub whose token it is
(:mod:`lessonkit.hubauth`) and files it under that name, in a folder only the
service can read. So a learner can neither write nor read another's record,
and the instructor sees the room live without a file changing hands.

Routes, under the service's prefix (``/services/lessonkit/``):

========================  ==========================================  ================
``GET  /``                the dashboard (learner × exercise, live)    instructor
``GET  /room.csv``        the same grid as CSV                        instructor
``POST /progress``        one check: exercise, status, message        any hub user
``GET  /progress/NAME``   NAME's record as JSON                       NAME, instructor
``GET  /oauth_callback``  end of the hub's OAuth login                -
========================  ==========================================  ================

"Instructor" is the hub's ``access:services!service=lessonkit`` scope (the
workshop config gives it to the ``instructor`` role). Run by the hub as
``python -m lessonkit.dashboard --data DIR``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .atomic import write_json
from .checks.results import Status
from .hubauth import Hub, Identity
from .room import Learner, Room, room

TOKEN_COOKIE = "lessonkit-token"
STATE_COOKIE = "lessonkit-oauth-state"
#: Seconds between the dashboard's reloads.
REFRESH = 5
_MESSAGE_LIMIT = 2000


class Store:
    """One JSON record per learner in `folder` (mode 700: the service's alone)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = asyncio.Lock()

    def _path(self, name: str) -> Path:
        return self.folder / f"{quote(name, safe='')}.json"

    def load(self, name: str) -> Learner:
        try:
            return _read(self._path(name))
        except FileNotFoundError:
            return Learner(name)

    async def checked(self, name: str, exercise: str, status: Status, message: str) -> Learner:
        """Record one check by learner `name` (one writer at a time: read, change, replace)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        async with self._lock:
            learner = self.load(name).checked(exercise, status, message, now)
            write_json(self._path(name), learner.to_json())
        return learner

    def learners(self) -> list[Learner]:
        return [_read(path) for path in sorted(self.folder.glob("*.json"))]


def _read(path: Path) -> Learner:
    return Learner.from_json(json.loads(path.read_text(encoding="utf-8")))


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return request.cookies.get(TOKEN_COOKIE)


Handler = Callable[[Request], Awaitable[Response]]


def create_app(
    hub: Hub, store: Store, exercises: Sequence[str], prefix: str = "/services/lessonkit/"
) -> Starlette:
    """The service's web app, mounted at `prefix` as the hub's proxy forwards it."""
    prefix = "/" + prefix.strip("/") + "/"

    async def who(request: Request) -> Identity | None:
        token = _token(request)
        return await hub.identify(token) if token else None

    def instructor_only(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            identity = await who(request)
            if identity is None and "authorization" not in request.headers:
                state = secrets.token_urlsafe(16)
                response = RedirectResponse(hub.authorize_url(state), status_code=302)
                response.set_cookie(STATE_COOKIE, state, path=prefix, httponly=True, samesite="lax")
                return response
            if identity is None:
                return JSONResponse({"message": "unknown or expired token"}, status_code=403)
            if not identity.may_access(hub.service):
                return JSONResponse(
                    {"message": f"{identity.name} is not an instructor of this workshop"},
                    status_code=403,
                )
            return await handler(request)

        return guarded

    def current_room() -> Room:
        return room(exercises, store.learners())

    async def dashboard(request: Request) -> Response:
        return HTMLResponse(render(current_room(), csv_url=f"{prefix}room.csv"))

    async def room_csv(request: Request) -> Response:
        return Response(
            current_room().to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="lessonkit-room.csv"'},
        )

    async def report(request: Request) -> Response:
        identity = await who(request)
        if identity is None or identity.kind != "user":
            return JSONResponse({"message": "send your server's hub token"}, status_code=403)
        try:
            body = await request.json()
            exercise, status = str(body["exercise"]), Status(body["status"])
            message = str(body.get("message", ""))[:_MESSAGE_LIMIT]
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"message": "expected JSON {exercise, status, message}"}, status_code=400
            )
        learner = await store.checked(identity.name, exercise, status, message)
        return JSONResponse(learner.to_json())

    async def record(request: Request) -> Response:
        identity = await who(request)
        name = request.path_params["name"]
        if identity is None or (identity.name != name and not identity.may_access(hub.service)):
            return JSONResponse(
                {"message": "a learner may read only their own progress"}, status_code=403
            )
        return JSONResponse(store.load(name).to_json())

    async def oauth_callback(request: Request) -> Response:
        state = request.query_params.get("state")
        code = request.query_params.get("code")
        if not code or not state or state != request.cookies.get(STATE_COOKIE):
            return JSONResponse({"message": "OAuth state mismatch: log in again"}, status_code=400)
        token = await hub.token_for_code(code)
        response = RedirectResponse(prefix, status_code=302)
        response.set_cookie(TOKEN_COOKIE, token, path=prefix, httponly=True, samesite="lax")
        response.delete_cookie(STATE_COOKIE, path=prefix)
        return response

    return Starlette(
        routes=[
            Route(prefix, instructor_only(dashboard)),
            Route(f"{prefix}room.csv", instructor_only(room_csv)),
            Route(f"{prefix}progress", report, methods=["POST"]),
            Route(f"{prefix}progress/{{name}}", record),
            Route(f"{prefix}oauth_callback", oauth_callback),
        ]
    )


_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.3em .5em;vertical-align:top}
th.ex{writing-mode:vertical-rl;font-weight:normal;font-size:.85em}
td.correct{background:#dafbe1}td.incorrect{background:#ffebe9}td.error{background:#fff8c5}
td.not-attempted{color:#6e7781}small{display:block;max-width:16em;font-size:.75em}
"""
_SYMBOL = {"correct": "✓", "incorrect": "✗", "error": "⚠", "not attempted": "·"}


def render(room: Room, *, csv_url: str) -> str:
    """The dashboard page: the grid, then the most common mistakes per exercise."""
    head = "".join(f'<th class="ex">{escape(name)}</th>' for name in room.exercises)
    rows = []
    for learner, row in zip(room.learners, room.grid(), strict=True):
        cells = "".join(
            f'<td class="{cell.state.replace(" ", "-")}" data-exercise="{escape(cell.exercise)}"'
            f' title="{escape(cell.state)}">{_SYMBOL.get(cell.state, "?")}'
            + (f" {escape(cell.state)}" if cell.state != "not attempted" else "")
            + (f"<small>{escape(cell.message)}</small>" if cell.message else "")
            + "</td>"
            for cell in row
        )
        rows.append(
            f'<tr data-learner="{escape(learner.name)}"><th>{escape(learner.name)}</th>{cells}</tr>'
        )
    mistakes = (
        "".join(
            f"<h3>{escape(exercise)}</h3><ol>"
            + "".join(f"<li>{count} × {escape(message)}</li>" for message, count in common)
            + "</ol>"
            for exercise, common in room.misconceptions().items()
        )
        or "<p>No incorrect answers yet.</p>"
    )
    empty = "No learner has checked an exercise yet."
    body = "".join(rows) or f'<tr><td colspan="{len(room.exercises) + 1}">{empty}</td></tr>'
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{REFRESH}"><title>lessonkit: the room</title>'
        f"<style>{_STYLE}</style></head><body><h1>The room, live</h1>"
        f"<p>{len(room.learners)} learner(s); reloads every {REFRESH} s. "
        f'<a href="{escape(csv_url)}">Download CSV</a></p>'
        f'<table id="room"><thead><tr><th>learner</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
        f'<h2>Most common mistakes</h2><div id="mistakes">{mistakes}</div></body></html>'
    )


def build(argv: Sequence[str] | None = None) -> tuple[Starlette, str, int]:
    """The service's app and where to listen, from its arguments and the hub's environment."""
    from .checks.progress import course

    parser = argparse.ArgumentParser(prog="python -m lessonkit.dashboard", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder for learners' records")
    parser.add_argument("--host", help="address to listen on [the host of the service's URL]")
    options = parser.parse_args(argv)
    url = urlsplit(os.environ["JUPYTERHUB_SERVICE_URL"])
    exercises = [name for names in course().values() for name in names]
    app = create_app(
        Hub.from_environment(),
        Store(options.data),
        exercises,
        os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/lessonkit/"),
    )
    return app, options.host or url.hostname or "127.0.0.1", url.port or 80


def main(argv: Sequence[str] | None = None) -> None:
    """Run the service where the hub says (``$JUPYTERHUB_SERVICE_URL``)."""
    import uvicorn

    app, host, port = build(argv)
    uvicorn.run(app, host=host, port=port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()
