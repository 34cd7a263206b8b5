"""NetSuite error bodies, the catalogue's explanations, and the one retry decision."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from tms_netsuite.netsuite import (
    ConcurrencyLimitError,
    ConfigurationError,
    CredentialsError,
    ErrorCategory,
    InvalidDataError,
    NotFoundError,
    ParsedError,
    RequestInfo,
    ServerError,
    SetupError,
    decide_retry,
    explain,
    parse_error_body,
)
from tms_netsuite.netsuite._errors import compile_catalogue, error_from_response, retry_after_seconds

INVALID_LOGIN = {
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [
        {
            "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
            "Setup > Users/Roles > User Management > View Login Audit Trail.",
            "o:errorCode": "INVALID_LOGIN",
        }
    ],
}
CONCURRENCY = {
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
    "title": "Bad Request",
    "status": 429,
    "o:errorCode": "USER_ERROR",
    "o:errorDetails": [
        {
            "detail": "Concurrent request limit exceeded. Request blocked.",
            "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
        }
    ],
}
SUITEQL_UNKNOWN = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
    "title": "Bad Request",
    "status": 400,
    "o:errorDetails": [
        {
            "detail": "Invalid search query. Detailed unprocessed description follows. Search error occurred: "
            "Unknown identifier 'subsidiary'. Available identifiers are: {transaction=transaction}.",
            "o:errorQueryParam": "q",
            "o:errorCode": "INVALID_PARAMETER",
        }
    ],
}
INVALID_CONTENT = {
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
    "title": "Bad Request",
    "status": 400,
    "o:errorDetails": [
        {
            "detail": "Error while accessing resource: You have entered an Invalid Field Value 9999 for the "
            "following field: item",
            "o:errorPath": "item.items[0].item",
            "o:errorCode": "INVALID_CONTENT",
        }
    ],
}
REQUEST = RequestInfo("POST", "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/invoice")


def body(value: object) -> bytes:
    return json.dumps(value).encode()


def test_rest_error_body_is_parsed() -> None:
    """Code, detail and path come from o:errorDetails."""
    error = parse_error_body(body(INVALID_CONTENT))
    assert error.code == "INVALID_CONTENT"
    assert error.path == "item.items[0].item"
    assert error.detail is not None
    assert "Invalid Field Value 9999" in error.detail
    assert error.title == "Bad Request"


def test_the_429_body_yields_the_specific_code_not_the_top_level_one() -> None:
    """NetSuite's 429 body has a top-level USER_ERROR; the detail's CONCURRENCY_LIMIT_EXCEEDED wins."""
    error = parse_error_body(body(CONCURRENCY))
    assert error.code == "CONCURRENCY_LIMIT_EXCEEDED"
    assert error.top_level_code == "USER_ERROR"


def test_suiteql_query_param_is_the_path() -> None:
    """o:errorQueryParam names where the problem is when there is no o:errorPath."""
    assert parse_error_body(body(SUITEQL_UNKNOWN)).path == "q"


def test_oauth2_token_errors_are_parsed() -> None:
    """The token endpoint's {"error": ...} shape gives the error as the code."""
    error = parse_error_body(b'{"error":"invalid_grant"}')
    assert error.code == "invalid_grant"


def test_truncated_json_keeps_what_can_be_read() -> None:
    """A body cut short in transit still yields its code and detail, or the start of the detail."""
    text = json.dumps(INVALID_CONTENT)
    error = parse_error_body(text[:-3].encode())  # the closing brackets are lost
    assert error.code == "INVALID_CONTENT"
    assert error.detail == INVALID_CONTENT["o:errorDetails"][0]["detail"]  # type: ignore[index]
    cut_in_detail = parse_error_body(text[: text.index("following field")].encode())
    assert cut_in_detail.code is None
    assert cut_in_detail.detail is not None
    assert cut_in_detail.detail.startswith("Error while accessing resource: You have entered")


@pytest.mark.parametrize(
    "raw",
    [b"<html><body>502 Bad Gateway</body></html>", b"", b"\xff\xfe\x00garbage", b"[1, 2]", b'"a string"'],
)
def test_non_json_bodies_never_raise(raw: bytes) -> None:
    """HTML pages, empty, binary and non-object bodies parse to an excerpt, without an exception."""
    error = parse_error_body(raw)
    assert error.code is None
    assert error.excerpt == (raw.decode("utf-8", errors="replace").strip()[:500] or None)


@pytest.mark.parametrize(
    ("status", "payload", "category", "cls"),
    [
        (401, INVALID_LOGIN, ErrorCategory.CREDENTIALS, CredentialsError),
        (429, CONCURRENCY, ErrorCategory.RETRY_LATER, ConcurrencyLimitError),
        (400, INVALID_CONTENT, ErrorCategory.DATA, InvalidDataError),
        (400, SUITEQL_UNKNOWN, ErrorCategory.DATA, InvalidDataError),
        (
            400,
            {
                "o:errorDetails": [
                    {
                        "detail": "Your current role does not have permission to perform this action. "
                        "Please contact your account administrator.",
                        "o:errorCode": "USER_ERROR",
                    }
                ]
            },
            ErrorCategory.SETUP,
            SetupError,
        ),
        (
            400,
            {
                "o:errorDetails": [
                    {
                        "detail": "Error while accessing a resource. Please enter value(s) for: Subsidiary.",
                        "o:errorCode": "USER_ERROR",
                    }
                ]
            },
            ErrorCategory.DATA,
            InvalidDataError,
        ),
        (
            403,
            {
                "o:errorDetails": [
                    {"detail": "Permission Violation", "o:errorCode": "INSUFFICIENT_PERMISSION"}
                ]
            },
            ErrorCategory.SETUP,
            SetupError,
        ),
        (
            404,
            {"o:errorDetails": [{"detail": "Record does not exist.", "o:errorCode": "NONEXISTENT_ID"}]},
            ErrorCategory.NOT_FOUND,
            NotFoundError,
        ),
        (
            500,
            {
                "o:errorDetails": [
                    {
                        "detail": "An unexpected error occurred. Error ID: jrgbpyylphhishmmlxyt",
                        "o:errorCode": "UNEXPECTED_ERROR",
                    }
                ]
            },
            ErrorCategory.RETRY_LATER,
            ServerError,
        ),
        (400, {"error": "invalid_grant"}, ErrorCategory.CREDENTIALS, CredentialsError),
    ],
)
def test_errors_are_classified_by_what_the_caller_does_next(
    status: int, payload: object, category: ErrorCategory, cls: type[Exception]
) -> None:
    """Each error becomes the exception of its category, carrying the catalogue's cause and fix."""
    error = error_from_response(REQUEST, status, {}, body(payload))
    assert type(error) is cls
    assert error.explanation is not None
    assert error.explanation.category is category
    assert error.explanation.fix
    assert error.status == status
    assert error.request == REQUEST
    assert str(REQUEST) in str(error)
    if error.code:
        assert error.code in str(error)


def test_subsidiary_reference_errors_point_to_setup() -> None:
    """'Invalid entity reference key … for subsidiary …' is a setup problem, fixed on the entity's Subsidiaries."""
    detail = "Error while accessing a resource. Invalid entity reference key 123 for subsidiary 2."
    explanation = explain(
        400,
        ParsedError(
            details=(
                parse_error_body(
                    body({"o:errorDetails": [{"detail": detail, "o:errorCode": "USER_ERROR"}]})
                ).details
            )
        ),
    )
    assert explanation.category is ErrorCategory.SETUP
    assert "Subsidiaries" in explanation.fix


def _expected_retry(status: int) -> bool:
    return status in (401, 408, 429) or 500 <= status <= 599


@pytest.mark.parametrize("status", range(400, 600))
def test_retry_decision_table_over_every_error_status(status: int) -> None:
    """429, 408, any 5xx and a first 401 are retried; every other 4xx is not."""
    decision = decide_retry(status, {}, ParsedError())
    assert decision.retry is _expected_retry(status), decision


def test_no_answer_is_retried() -> None:
    """A request that got no answer (timeout, dropped connection) is retried."""
    assert decide_retry(None, {}, None).retry


def test_a_lone_401_is_retried_but_a_run_of_them_is_not() -> None:
    """NetSuite refuses logins under load, so 401s are retried until three come in a row."""
    error = parse_error_body(body(INVALID_LOGIN))
    assert [decide_retry(401, {}, error, auth_failures_in_a_row=n).retry for n in (1, 2, 3, 4)] == [
        True,
        True,
        False,
        False,
    ]


def test_oauth2_refusal_is_not_retried() -> None:
    """invalid_grant from the token endpoint (HTTP 400) is a credentials problem, not retried."""
    assert not decide_retry(400, {}, parse_error_body(b'{"error":"invalid_grant"}')).retry


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "120"}, 120.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT", "Date": "Wed, 21 Oct 2026 07:28:00 GMT"}, 30.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT", "Date": "Wed, 21 Oct 2026 07:29:00 GMT"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_date(headers: dict[str, str], seconds: float | None) -> None:
    """Retry-After in delta-seconds or as an HTTP date against the answer's Date; nonsense is ignored."""
    assert retry_after_seconds(headers) == seconds
    if seconds is not None:
        assert decide_retry(429, headers, None).after == seconds


def test_the_shipped_catalogue_is_valid_and_seeds_the_documented_codes() -> None:
    """Every entry compiles, and the codes of netsuite-api.md §4 each have an entry of their own."""
    text = resources.files("tms_netsuite.netsuite").joinpath("errors.toml").read_text("utf-8")
    entries = tomllib.loads(text)["error"]
    compile_catalogue(entries)
    codes = {entry.get("code") for entry in entries}
    for code in (
        "INVALID_LOGIN",
        "INVALID_CONTENT",
        "USER_ERROR",
        "INVALID_PARAMETER",
        "INVALID_REQUEST",
        "INSUFFICIENT_PERMISSION",
        "UNEXPECTED_ERROR",
        "IDEMPOTENCY_ERROR",
        "invalid_grant",
    ):
        assert code in codes, code


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [{"code": "X", "category": "data", "retryable": False, "cause": "c", "fix": "f"}],
        [{"category": "nonsense", "retryable": False, "cause": "c", "fix": "f"}],
        [{"pattern": "(", "category": "data", "retryable": False, "cause": "c", "fix": "f"}],
        [{"category": "data", "retryable": False, "cause": "c"}],
    ],
)
def test_a_broken_catalogue_is_refused(entries: list[dict[str, object]]) -> None:
    """A catalogue without a final catch-all, or with a bad category, pattern or missing field, is refused."""
    with pytest.raises(ConfigurationError):
        compile_catalogue(entries)


def test_real_fixture_bodies_are_not_mistaken_for_errors(shared_dir: Path) -> None:
    """Successful record bodies from a real sandbox parse without inventing an error code."""
    for path in sorted((shared_dir / "fixtures" / "netsuite-real").glob("*.json"))[:5]:
        assert parse_error_body(path.read_bytes()).code is None


def test_a_server_error_stays_retryable_whatever_its_text() -> None:
    """A 503 whose detail happens to match a credentials pattern is still a retryable server error."""
    error = error_from_response(REQUEST, 503, {}, b'{"error": "invalid_request"}')
    assert isinstance(error, ServerError)
    assert error.retryable


@pytest.mark.parametrize(
    ("headers", "answered_at"),
    [
        ({"Date": "Wed, 21 Oct 2026 07:28:00 GMT"}, datetime(2026, 10, 21, 7, 28, tzinfo=UTC)),
        ({"date": "Wed, 21 Oct 2026 09:28:00 +0200"}, datetime(2026, 10, 21, 7, 28, tzinfo=UTC)),
        ({"Date": "yesterday"}, None),
        ({}, None),
    ],
)
def test_an_error_carries_netsuites_clock_at_the_answer(
    headers: dict[str, str], answered_at: datetime | None
) -> None:
    """A refused login still tells NetSuite's time (the doctor's clock check reads it), in UTC."""
    error = error_from_response(REQUEST, 401, headers, body(INVALID_LOGIN))
    assert error.answered_at == answered_at
    assert error.answered_at is None or error.answered_at.tzinfo is UTC
