"""Who is calling? JupyterHub answers, for the instructor dashboard service.

A JupyterHub service learns who sent a request by asking the hub: ``GET
{JUPYTERHUB_API_URL}/user`` with the caller's token returns the token owner's
name and the token's scopes (any token may identify itself). Learners' kernels
send the token of their own server (``$JUPYTERHUB_API_TOKEN``), so a learner's
identity comes from the hub, never from the request body: nobody can report a
check under another name. Browsers get a token by the hub's OAuth flow
(:meth:`Hub.authorize_url`, :meth:`Hub.token_for_code`); the hub only issues one
to a user allowed to access the service, i.e. holding
``access:services!service=<name>`` (the workshop config gives it to the
``instructor`` role only).

This is the few lines of ``jupyterhub.services.auth.HubOAuth`` that the service
needs, on httpx: HubOAuth is built for tornado handlers and would make
JupyterHub itself a dependency of the course.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

#: How long a token's identity is trusted without asking the hub again, in seconds.
CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Identity:
    """A token's owner and the token's scopes, as the hub reported them."""

    name: str
    kind: str
    scopes: frozenset[str]

    def may_access(self, service: str) -> bool:
        """Whether the token grants access to the service `service` (the instructor's right)."""
        return bool({"access:services", f"access:services!service={service}"} & self.scopes)


@dataclass
class Hub:
    """The hub API as seen by the service named `service` (settings from the hub's env)."""

    api_url: str
    api_token: str
    service: str
    client_id: str
    base_url: str = "/"
    callback_url: str = ""
    transport: httpx.AsyncBaseTransport | None = None
    _cache: dict[str, tuple[float, Identity | None]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> Hub:
        """The settings JupyterHub gives a managed service in its environment."""
        service = env.get("JUPYTERHUB_SERVICE_NAME", "lessonkit")
        return cls(
            api_url=env["JUPYTERHUB_API_URL"].rstrip("/"),
            api_token=env["JUPYTERHUB_API_TOKEN"],
            service=service,
            client_id=env.get("JUPYTERHUB_CLIENT_ID", f"service-{service}"),
            base_url=env.get("JUPYTERHUB_BASE_URL", "/"),
            callback_url=env.get("JUPYTERHUB_OAUTH_CALLBACK_URL", ""),
        )

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, timeout=10.0)

    async def identify(self, token: str) -> Identity | None:
        """The owner of `token`, or None if the hub does not know it (cached briefly)."""
        now = time.monotonic()
        cached = self._cache.get(token)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        async with self._client() as client:
            reply = await client.get(
                f"{self.api_url}/user", headers={"Authorization": f"token {token}"}
            )
        identity = None
        if reply.status_code == 200:
            model: dict[str, Any] = reply.json()
            identity = Identity(
                str(model["name"]), str(model.get("kind", "user")), frozenset(model["scopes"])
            )
        elif reply.status_code not in (401, 403):
            reply.raise_for_status()
        self._cache[token] = (now, identity)
        return identity

    def authorize_url(self, state: str) -> str:
        """Where to send a browser to log in (the hub asks who they are, then comes back)."""
        query = urlencode(
            {
                "client_id": self.client_id,
                "redirect_uri": self.callback_url,
                "response_type": "code",
                "state": state,
            }
        )
        return f"{self.base_url.rstrip('/')}/hub/api/oauth2/authorize?{query}"

    async def token_for_code(self, code: str) -> str:
        """Trade the code the hub sent back for the user's access token."""
        async with self._client() as client:
            reply = await client.post(
                f"{self.api_url}/oauth2/token",
                data={
                    "client_id": self.client_id,
                    "client_secret": self.api_token,
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.callback_url,
                },
            )
        reply.raise_for_status()
        return str(reply.json()["access_token"])
