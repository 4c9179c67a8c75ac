"""``anthropic-version`` and ``anthropic-beta`` through the real SDK."""

from __future__ import annotations

import anthropic
import pytest

from lessonkit import models
from lessonkit.fakeapi import versions

from .helpers import ask

#: A beta-only body field per beta that unlocks it, with a value the SDK's beta types accept.
CONTEXT_MANAGEMENT = {"edits": [{"type": "clear_tool_uses_20250919"}]}


def test_the_sdk_and_the_documented_versions_are_accepted() -> None:
    assert {"2023-06-01", anthropic._constants.ANTHROPIC_API_VERSION} <= versions.VERSIONS


@pytest.mark.parametrize("version", sorted(versions.VERSIONS))
def test_a_known_version_is_served(client: anthropic.Anthropic, version: str) -> None:
    answer = client.messages.create(**ask(), extra_headers={"anthropic-version": version})
    assert answer.stop_reason


def test_an_unknown_version_is_refused(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**ask(), extra_headers={"anthropic-version": "2099-01-01"})
    assert caught.value.api_message == 'anthropic-version: "2099-01-01" is not a valid version'


def test_an_unknown_beta_is_refused(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.messages.create(**ask(), betas=["made-up-2030-01-01"])
    assert caught.value.api_message.startswith(
        "Unexpected value(s) `made-up-2030-01-01` for the `anthropic-beta` header."
    )


def test_a_known_beta_is_accepted(client: anthropic.Anthropic) -> None:
    assert client.beta.messages.create(**ask(), betas=["token-counting-2024-11-01"]).content


def test_a_beta_body_field_needs_its_beta_header(client: anthropic.Anthropic) -> None:
    request = ask(context_management=CONTEXT_MANAGEMENT)
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.messages.create(**request, betas=["token-counting-2024-11-01"])
    assert caught.value.api_message == "context_management: Extra inputs are not permitted"
    answer = client.beta.messages.create(**request, betas=["context-management-2025-06-27"])
    assert answer.model == models.DEFAULT


def test_beta_only_fields_come_from_the_sdks_beta_types() -> None:
    assert "context_management" in versions.beta_fields()
    assert "messages" not in versions.beta_fields()
    assert "betas" not in versions.beta_fields()
