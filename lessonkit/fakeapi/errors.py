"""API error values and the JSON body the real API sends with them.

The table below follows platform.claude.com/docs/en/api/errors (see
shared/API-FACTS.md §2): one ``error.type`` and a typical message per status.
"""

from __future__ import annotations

from typing import Any

#: status -> (error.type, a message worded like the real API's)
ERROR_TYPES: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "There was an issue with the format or content of your request."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "Your credit balance is too low to access the Anthropic API."),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "The requested resource could not be found."),
    408: ("timeout_error", "Request timed out before the server received the full request."),
    409: ("conflict_error", "The request conflicts with the current state of the resource."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "This request would exceed your organization's rate limit."),
    500: ("api_error", "Internal server error"),
    503: ("api_error", "Service unavailable"),
    504: ("timeout_error", "The request timed out while processing. Consider using streaming for long-running requests."),
    529: ("overloaded_error", "Overloaded"),
}


class ApiError(Exception):
    """An error the fake API answers with instead of a result."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_type, default_message = ERROR_TYPES.get(status, ERROR_TYPES[400 if status < 500 else 500])
        self.status = status
        self.error_type = error_type or default_type
        self.message = message or default_message
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.error_type}: {self.message}")


def invalid(message: str) -> ApiError:
    """The 400 ``invalid_request_error`` the API gives for a malformed request."""
    return ApiError(400, message)


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
