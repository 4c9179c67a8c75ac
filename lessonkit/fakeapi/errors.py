"""API error values and the JSON body the real API sends with them.

The table below follows platform.claude.com/docs/en/api/errors (see
shared/API-FACTS.md §2): one ``error.type`` and a typical message per status.
Where the docs name no type (408, 409, 503) we use the SDK's own ``ErrorType``
vocabulary (``timeout_error``, ``conflict_error``, ``api_error``).

``x-should-retry``: a real 400 carries ``x-should-retry: false`` (API-FACTS §2).
We send ``false`` on every status the SDK would not retry anyway (400-404,
413 and other non-retryable 4xx), so the header never changes the SDK's
decision unless a lesson asks for it (``fail_next(..., should_retry=...)``).
Retryable statuses (408, 409, 429, 5xx) carry no header: the SDK's default
policy decides, which is what the retries lesson teaches.
"""

from __future__ import annotations

from typing import Any

from .retries import after_failure

#: The organization id the fake API reports (an obviously fake UUID).
ORGANIZATION_ID = "00000000-0000-4000-8000-00000000c0de"


def rate_limit_message(model: str | None = None) -> str:
    """The real 429 wording (API-FACTS §2), naming the fake org and, if known, the model."""
    names = f"org: {ORGANIZATION_ID}" + (f", model: {model}" if model else "")
    return (
        "This request would exceed your organization's rate limit of 30,000 input tokens per "
        f"minute ({names}). For details, refer to: https://docs.claude.com/en/api/rate-limits. "
        "You can see the response headers for current usage. Please reduce the prompt length or "
        "the maximum tokens requested, or try again later. You may also contact sales at "
        "https://claude.com/contact-sales to discuss your options for a rate limit increase."
    )


#: status -> (error.type, a message worded like the real API's)
ERROR_TYPES: dict[int, tuple[str, str]] = {
    400: (
        "invalid_request_error",
        "There was an issue with the format or content of your request.",
    ),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "Your credit balance is too low to access the Anthropic API."),
    403: (
        "permission_error",
        "Your API key does not have permission to use the specified resource.",
    ),
    404: ("not_found_error", "The requested resource could not be found."),
    408: ("timeout_error", "Request timed out before the server received the full request."),
    409: ("conflict_error", "The request conflicts with the current state of the resource."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", rate_limit_message()),
    500: ("api_error", "Internal server error"),
    503: ("api_error", "Service unavailable"),
    504: (
        "timeout_error",
        "The request timed out while processing. "
        "Consider using streaming for long-running requests.",
    ),
    529: ("overloaded_error", "Overloaded"),
}

#: Every ``error.type`` the fake may send: the docs' list plus the SDK's ``ErrorType``.
KNOWN_ERROR_TYPES: frozenset[str] = frozenset(t for t, _ in ERROR_TYPES.values()) | {
    "memory_precondition_failed_error",
    "memory_path_conflict_error",
}


def default_message(error_type: str) -> str:
    """The usual message for an ``error.type`` (for stream ``error`` events)."""
    for known_type, message in ERROR_TYPES.values():
        if known_type == error_type:
            return message
    return "An error occurred."


class ApiError(Exception):
    """An error the fake API answers with instead of a result."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
        model: str | None = None,
    ) -> None:
        fallback = ERROR_TYPES[400 if status < 500 else 500]
        default_type, default_text = ERROR_TYPES.get(status, fallback)
        self.status = status
        self.error_type = error_type or default_type
        if message is None and status == 429:
            default_text = rate_limit_message(model)
        self.message = message or default_text
        retried = after_failure(status, {}, 0).retried  # by the SDK's default policy
        self.headers = {} if retried else {"x-should-retry": "false"}
        self.headers.update(headers or {})
        super().__init__(f"{status} {self.error_type}: {self.message}")


def invalid(message: str) -> ApiError:
    """The 400 ``invalid_request_error`` the API gives for a malformed request."""
    return ApiError(400, message)


def not_an_object(where: str = "") -> ApiError:
    """The 400 for a value (at ``where``, or the whole body) that should be a JSON object."""
    message = "Input should be a valid dictionary or object to extract fields from"
    return invalid(f"{where}: {message}" if where else message)


def not_found(message: str = "Not found") -> ApiError:
    """The 404 ``not_found_error``."""
    return ApiError(404, message)


def error_body(error_type: str, message: str, request_id: str | None) -> dict[str, Any]:
    """``{"type": "error", "error": {...}, "request_id": ...}`` as the API sends it."""
    return {
        "type": "error",
        "error": {"type": error_type, "message": message, "details": None},
        "request_id": request_id,
    }
