"""Send a learner's check to the instructor's dashboard, when the course runs on a hub.

On a workshop hub (``deploy/jupyterhub/``) every learner's server has
``$LESSONKIT_EXCHANGE_URL`` (the dashboard service) and ``$JUPYTERHUB_API_TOKEN``
(the token of the learner's own server; the kernel inherits both). After each
``q.check()``, :func:`publish` posts the verdict there; the service asks the hub
whose token it is, so the record lands under the learner's hub name
(:mod:`lessonkit.dashboard`). Anywhere else (a laptop, Binder, the tests) the
variables are unset and nothing is sent.

It uses urllib, not httpx, on purpose: in a lesson ``lessonkit.offline()`` has
respx routing every httpx request to the fake Anthropic API, and the report
must reach the real hub. A hub that does not answer costs the learner a
warning, never their verdict.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # progress imports this module: no import of checks at run time
    from .checks.results import Status

__all__ = ["TIMEOUT", "publish"]

#: Seconds a check may wait for the dashboard before giving up (it then warns).
TIMEOUT = 5.0


def publish(
    exercise: str, status: Status, message: str, env: Mapping[str, str] = os.environ
) -> bool:
    """Report one check to the dashboard; True if it was recorded, False if not sent."""
    url, token = env.get("LESSONKIT_EXCHANGE_URL"), env.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        return False
    body = {"exercise": exercise, "status": status.value, "message": message}
    request = urllib.request.Request(
        url.rstrip("/") + "/progress",
        data=json.dumps(body).encode("utf-8"),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            reply.read()
    except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
        warnings.warn(
            f"lessonkit could not send this check to the instructor's dashboard: {error}",
            stacklevel=3,
        )
        return False
    return True
