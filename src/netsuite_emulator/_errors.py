"""NetSuite-shaped error responses and the emulator's time formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)
# Live NetSuite answers carry RFC 9110 type URIs (its docs still show the RFC 2616 form).
_TYPE_SECTIONS = {
    400: "15.5.1",
    401: "15.5.2",
    403: "15.5.4",
    404: "15.5.5",
    405: "15.5.6",
    413: "15.5.14",
    415: "15.5.16",
    500: "15.6.1",
}
# NetSuite's REST error media type (from observed responses; not in the reference sheets).
ERROR_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=error"
SINGULAR_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=singular"


class NetSuiteJSON(JSONResponse):
    """JSON with a NetSuite media type; the body is UTF-8 and keeps non-ASCII text as it is."""

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = "",
    ) -> None:
        super().__init__(content, status_code, headers=headers, media_type=media_type or SINGULAR_MEDIA_TYPE)


def error_body(status: int, code: str, detail: str, **extra: str) -> dict[str, Any]:
    section = _TYPE_SECTIONS.get(status, "15.5.1" if status < 500 else "15.6.1")
    item: dict[str, str] = {"detail": detail, "o:errorCode": code, **extra}
    return {
        "type": f"https://www.rfc-editor.org/rfc/rfc9110.html#section-{section}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "o:errorDetails": [item],
    }


def error_response(
    status: int, code: str, detail: str, *, headers: Mapping[str, str] | None = None, **extra: str
) -> NetSuiteJSON:
    return NetSuiteJSON(error_body(status, code, detail, **extra), status, headers, ERROR_MEDIA_TYPE)


def invalid_login(headers: Mapping[str, str] | None = None) -> NetSuiteJSON:
    """NetSuite's one answer to every failed login; the reason is only in the Login Audit Trail."""
    return error_response(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL, headers=headers)


def iso_utc_ms(now: float) -> str:
    """``2025-03-26T16:21:00.000Z``: UTC with milliseconds, as serverTime answers."""
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
