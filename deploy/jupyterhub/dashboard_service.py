"""Start the lessonkit dashboard service for JupyterHub: listen at once, load lessonkit behind.

JupyterHub gives a managed service about ten seconds to answer HTTP, then gives
up and exits; importing lessonkit (the real SDK, the fake API, every checker)
can take longer than that on a loaded room server. So this file, run by path
(not as part of the lessonkit package, whose import is the slow part), listens
first and answers "425 starting" until ``lessonkit.dashboard`` is loaded on a
background thread; then every request goes to it. Arguments are
``python -m lessonkit.dashboard``'s.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback
from typing import Any
from urllib.parse import urlsplit

import uvicorn

Scope = dict[str, Any]


class Starting:
    """An ASGI app that becomes the dashboard once it has been imported and built."""

    def __init__(self, argv: list[str]) -> None:
        self.app: Any = None
        self.failed: BaseException | None = None
        threading.Thread(target=self._load, args=(argv,), daemon=True).start()

    def _load(self, argv: list[str]) -> None:
        try:
            from lessonkit.dashboard import build

            self.app = build(argv)[0]
        except BaseException as error:  # shown to every caller, and in the hub's log
            self.failed = error
            traceback.print_exc()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        status = 500 if self.failed else 425
        said = f"failed: {self.failed!r}" if self.failed else "starting, try again in a moment"
        body = json.dumps({"message": f"the lessonkit dashboard is {said}"}).encode()
        headers = [(b"content-type", b"application/json"), (b"retry-after", b"2")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    argv = sys.argv[1:]
    url = urlsplit(os.environ["JUPYTERHUB_SERVICE_URL"])
    host = argv[argv.index("--host") + 1] if "--host" in argv else url.hostname or "127.0.0.1"
    uvicorn.run(Starting(argv), host=host, port=url.port or 80, lifespan="off", log_level="warning")


if __name__ == "__main__":
    main()
