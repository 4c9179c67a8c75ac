"""``anthropic-version`` and ``anthropic-beta``: the request headers that choose API behaviour.

Known versions are the installed SDK's own (``ANTHROPIC_API_VERSION``) and the
two the docs list (api/versioning); known betas are the SDK's
``AnthropicBetaParam`` literal. Beta-only body fields are the fields the SDK's
beta ``MessageCreateParams`` has and the GA one lacks; each needs its beta.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from functools import cache

from anthropic._constants import ANTHROPIC_API_VERSION
from anthropic.types import AnthropicBetaParam
from anthropic.types.beta import message_create_params as beta_params

from . import schema
from .errors import invalid

__all__ = ["VERSIONS", "beta_fields", "betas", "check_beta_fields", "known_betas"]

#: Documented versions (api/versioning) plus the one the installed SDK sends.
VERSIONS = frozenset({"2023-01-01", "2023-06-01", ANTHROPIC_API_VERSION})
#: Which beta (by name prefix) unlocks each beta-only body field. A field not named here
#: has no documented beta: it is refused (the stricter choice; no source).
_FIELD_BETAS = {
    "context_management": ("context-management-", "compact-"),
    "compaction": ("compact-",),
    "mcp_servers": ("mcp-client-",),
    "fallbacks": ("server-side-fallback-",),
    "fallback_credit_token": ("fallback-credit-",),
    "thread": ("message-threads-",),
}


@cache
def known_betas() -> frozenset[str]:
    """Every ``anthropic-beta`` value the SDK's ``AnthropicBetaParam`` names."""
    return frozenset(
        value
        for arg in typing.get_args(AnthropicBetaParam)
        if typing.get_origin(arg) is typing.Literal
        for value in typing.get_args(arg)
    )


@cache
def beta_fields() -> frozenset[str]:
    """Body fields only the beta Messages API accepts (``betas`` is the SDK's, sent as a header)."""
    fields = frozenset(beta_params.MessageCreateParamsBase.__annotations__) - {"betas"}
    return fields - schema.create_fields()


def check_version(headers: Mapping[str, str]) -> None:
    """A missing or unknown ``anthropic-version`` is a 400 before anything else is read."""
    version = headers.get("anthropic-version")
    # wordings: live 400s quoted in github.com/coaidev/coai/issues/93 (missing) and
    # github.com/directus-labs/extensions/issues/285 (2026-01-11, unknown version)
    if not version:
        raise invalid("anthropic-version: header is required")
    if version not in VERSIONS:
        raise invalid(f'anthropic-version: "{version}" is not a valid version')


def betas(headers: Mapping[str, str]) -> frozenset[str]:
    """The request's betas; any the SDK does not know is the real 400 (api/beta-headers)."""
    named = [b.strip() for b in headers.get("anthropic-beta", "").split(",") if b.strip()]
    unknown = [b for b in named if b not in known_betas()]
    if unknown:
        raise invalid(
            f"Unexpected value(s) `{','.join(unknown)}` for the `anthropic-beta` header. "
            "Please consult our documentation at docs.anthropic.com or try again without "
            "the header."
        )
    return frozenset(named)


def check_beta_fields(body: Mapping[str, object], enabled: frozenset[str]) -> frozenset[str]:
    """The beta-only fields ``body`` may carry under ``enabled``; others stay refused."""
    if not enabled:  # most requests name no beta: nothing to unlock
        return frozenset()
    return frozenset(
        name
        for name in beta_fields()
        if name in body
        and any(b.startswith(p) for b in enabled for p in _FIELD_BETAS.get(name, ()))
    )
