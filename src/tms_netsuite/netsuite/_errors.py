"""NetSuite errors: parsed bodies, the catalogue's explanation, and the one retry decision.

The exception tree is grouped by what the caller does next (its root and ``ConfigurationError``, settings or
arguments that are wrong so that nothing was sent, live in :mod:`tms_netsuite.errors`)::

    NetSuiteError
    ├── ResultLimitError          a query would pass NetSuite's 100,000-row ceiling; page by key instead
    └── RequestError              a request failed; carries status, code, detail, path and the request
        ├── RetryLaterError       nothing to fix: try again later
        │   ├── ConcurrencyLimitError   429, the account's concurrency limit
        │   ├── ServerError             5xx; a write's outcome is unknown
        │   └── NetworkError            no answer (timeout, dropped connection)
        ├── CredentialsError      fix the credentials (401, OAuth 2.0 token refusals)
        ├── SetupError            fix permissions or setup in NetSuite (roles, features, subsidiaries, periods)
        ├── InvalidDataError      fix the data or the mapping
        └── NotFoundError         the record does not exist, or the role cannot see it

Whether to retry is decided in one pure function, :func:`decide_retry`; every ``RequestError`` carries its
decision in ``retryable`` and ``retry_after``, and NetSuite's clock at the answer in ``answered_at``.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import resources
from typing import Any

from tms_netsuite.errors import ConfigurationError, TmsNetSuiteError

# NetSuite answers INVALID_LOGIN under overload too (peers.md P2), so a 401 is retried until this many
# authentication failures have come in a row with no success between them.
AUTH_FAILURES_BEFORE_GIVING_UP = 3
_EXCERPT_CHARS = 500


class ErrorCategory(enum.Enum):
    """What the caller does next about an error."""

    RETRY_LATER = "retry_later"
    CREDENTIALS = "credentials"
    SETUP = "setup"
    DATA = "data"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of NetSuite's ``o:errorDetails``."""

    detail: str
    code: str | None = None
    path: str | None = None
    query_param: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedError:
    """A NetSuite error body, as far as it could be read.

    ``excerpt`` keeps the start of a body that was not NetSuite's JSON (an HTML proxy page, a truncated
    answer), so the cause is never lost.
    """

    title: str | None = None
    details: tuple[ErrorDetail, ...] = ()
    top_level_code: str | None = None
    excerpt: str | None = None

    @property
    def code(self) -> str | None:
        """The most specific error code: the first detail's ``o:errorCode``, else the top-level one."""
        for item in self.details:
            if item.code:
                return item.code
        return self.top_level_code

    @property
    def detail(self) -> str | None:
        """The first detail text, or the excerpt of an unreadable body."""
        return self.details[0].detail if self.details else self.excerpt

    @property
    def path(self) -> str | None:
        """Where in the request NetSuite found the problem (``o:errorPath`` or ``o:errorQueryParam``)."""
        for item in self.details:
            if item.path or item.query_param:
                return item.path or item.query_param
        return None


@dataclass(frozen=True, slots=True)
class Explanation:
    """A catalogue entry: the cause in plain words and the fix, with NetSuite's menu path."""

    category: ErrorCategory
    retryable: bool
    cause: str
    fix: str


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """The request an error belongs to. Credentials travel in headers, never in the URL."""

    method: str
    url: str

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """Whether to retry, after how long at least (seconds, when NetSuite said), and why."""

    retry: bool
    reason: str
    after: float | None = None


class NetSuiteError(TmsNetSuiteError):
    """NetSuite, or the way to it, failed: the root of this package's errors but ``ConfigurationError``."""


class ResultLimitError(NetSuiteError):
    """A query would pass NetSuite's ceiling of 100,000 results; page it by a key column instead."""


class RequestError(NetSuiteError):
    """A request to NetSuite failed. Subclasses say what to do next."""

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status: int | None = None,
        error: ParsedError | None = None,
        explanation: Explanation | None = None,
        decision: RetryDecision | None = None,
        answered_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.status = status
        self.error = error or ParsedError()
        self.explanation = explanation
        self.decision = decision or RetryDecision(retry=False, reason="not retryable")
        # NetSuite's clock when it answered (its ``Date`` header): the time a refused login still tells.
        self.answered_at = answered_at

    @property
    def code(self) -> str | None:
        """NetSuite's error code (``o:errorCode``, or the OAuth 2.0 ``error``)."""
        return self.error.code

    @property
    def detail(self) -> str | None:
        """NetSuite's detail text."""
        return self.error.detail

    @property
    def path(self) -> str | None:
        """The field or parameter NetSuite names (``o:errorPath`` / ``o:errorQueryParam``)."""
        return self.error.path

    @property
    def retryable(self) -> bool:
        """The retry decision of :func:`decide_retry` for this error."""
        return self.decision.retry

    @property
    def retry_after(self) -> float | None:
        """Seconds NetSuite asked to wait, when it said."""
        return self.decision.after


class RetryLaterError(RequestError):
    """Nothing to fix: try again later."""


class ConcurrencyLimitError(RetryLaterError):
    """HTTP 429: the account's concurrency limit was reached."""


class ServerError(RetryLaterError):
    """NetSuite answered 5xx; for a write, whether it took effect is unknown."""


class NetworkError(RetryLaterError):
    """No answer arrived. ``outcome_unknown`` is true when a write may have reached NetSuite."""

    def __init__(
        self, message: str, *, request: RequestInfo, outcome_unknown: bool, timed_out: bool = False
    ) -> None:
        super().__init__(
            message,
            request=request,
            decision=RetryDecision(retry=True, reason="no answer from NetSuite"),
        )
        self.outcome_unknown = outcome_unknown
        self.timed_out = timed_out  # we stopped waiting: NetSuite may still be working on it


class CredentialsError(RequestError):
    """The credentials were refused; see ``explanation`` for the causes and the Login Audit Trail."""


class SetupError(RequestError):
    """A permission, feature, subsidiary assignment or period in NetSuite needs changing."""


class InvalidDataError(RequestError):
    """NetSuite refused the record's content; fix the document or the mapping."""


class NotFoundError(RequestError):
    """The record does not exist, or the role cannot see it."""


def parse_error_body(content: bytes) -> ParsedError:
    """Read a NetSuite error body: REST's ``o:errorDetails`` form, OAuth 2.0's ``{"error": ...}``,
    a truncated JSON body, or anything else (kept as an excerpt)."""
    text = content.decode("utf-8", errors="replace").strip()
    try:
        body = json.loads(text)
    except ValueError:
        return _salvage(text)
    if not isinstance(body, dict):
        return ParsedError(excerpt=text[:_EXCERPT_CHARS])
    if isinstance(body.get("error"), str):  # the OAuth 2.0 token endpoint's shape
        description = body.get("error_description")
        return ParsedError(
            details=(ErrorDetail(detail=str(description or body["error"]), code=body["error"]),),
        )
    return ParsedError(
        title=_str_or_none(body.get("title")),
        details=tuple(_detail(item) for item in _list(body.get("o:errorDetails")) if isinstance(item, dict)),
        top_level_code=_str_or_none(body.get("o:errorCode")),
        excerpt=None if body.get("o:errorDetails") else text[:_EXCERPT_CHARS],
    )


_SALVAGE_CODE = re.compile(r'"o:errorCode"\s*:\s*"([A-Za-z_]+)"')
_SALVAGE_DETAIL = re.compile(r'"detail"\s*:\s*"((?:[^"\\]|\\.)*)')


def _salvage(text: str) -> ParsedError:
    """What can be read from a body that is not valid JSON (cut short in transit, or HTML)."""
    code = _SALVAGE_CODE.search(text)
    detail = _SALVAGE_DETAIL.search(text)
    if code is None and detail is None:
        return ParsedError(excerpt=text[:_EXCERPT_CHARS] or None)
    detail_text = detail.group(1).replace('\\"', '"') if detail else text[:_EXCERPT_CHARS]
    return ParsedError(
        details=(ErrorDetail(detail=detail_text, code=code.group(1) if code else None),),
        excerpt=text[:_EXCERPT_CHARS],
    )


def _detail(item: Mapping[str, Any]) -> ErrorDetail:
    return ErrorDetail(
        detail=str(item.get("detail", "")),
        code=_str_or_none(item.get("o:errorCode")),
        path=_str_or_none(item.get("o:errorPath")),
        query_param=_str_or_none(item.get("o:errorQueryParam")),
    )


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class _Rule:
    explanation: Explanation
    code: str = "*"
    status: str | None = None
    pattern: re.Pattern[str] | None = field(default=None)

    def matches(self, status: int | None, code: str | None, detail: str | None) -> bool:
        if self.status is not None and not _status_matches(self.status, status):
            return False
        if self.code != "*" and self.code != code:
            return False
        return self.pattern is None or self.pattern.search(detail or "") is not None


def _status_matches(rule: str, status: int | None) -> bool:
    if status is None:
        return False
    if rule.endswith("xx"):
        return str(status).startswith(rule[0])
    return rule == str(status)


def compile_catalogue(entries: list[dict[str, Any]]) -> tuple[_Rule, ...]:
    """Turn the catalogue file's ``[[error]]`` tables into matching rules (validated here, once)."""
    rules = []
    for number, entry in enumerate(entries, start=1):
        try:
            explanation = Explanation(
                category=ErrorCategory(entry["category"]),
                retryable=bool(entry["retryable"]),
                cause=str(entry["cause"]),
                fix=str(entry["fix"]),
            )
            pattern = entry.get("pattern")
            rules.append(
                _Rule(
                    explanation=explanation,
                    code=str(entry.get("code", "*")),
                    status=None if entry.get("status") is None else str(entry["status"]),
                    pattern=re.compile(pattern, re.IGNORECASE) if pattern else None,
                )
            )
        except (KeyError, ValueError, re.error) as exc:
            raise ConfigurationError(f"error catalogue entry {number} is invalid: {exc!r}") from exc
    if not rules or rules[-1].status is not None or rules[-1].code != "*" or rules[-1].pattern:
        raise ConfigurationError("the error catalogue must end with a catch-all entry")
    return tuple(rules)


@functools.cache
def _catalogue() -> tuple[_Rule, ...]:
    text = resources.files("tms_netsuite.netsuite").joinpath("errors.toml").read_text("utf-8")
    return compile_catalogue(tomllib.loads(text)["error"])


def explain(status: int | None, error: ParsedError) -> Explanation:
    """The error catalogue's entry for a status and parsed error (the catalogue ends with a catch-all)."""
    rules = _catalogue()
    for rule in rules:
        if rule.matches(status, error.code, error.detail):
            return rule.explanation
    return rules[-1].explanation


def answer_time(headers: Mapping[str, str]) -> datetime | None:
    """NetSuite's clock at an answer, in UTC, from its ``Date`` header (None when absent or unreadable)."""
    value = headers.get("date") or headers.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds: delta-seconds, or an HTTP date measured against the answer's ``Date``."""
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    date = headers.get("date") or headers.get("Date")
    try:
        until: datetime = parsedate_to_datetime(value)
        now: datetime = parsedate_to_datetime(date) if date else until
    except (TypeError, ValueError):
        return None
    return max(0.0, (until - now).total_seconds())


def decide_retry(
    status: int | None,
    headers: Mapping[str, str],
    error: ParsedError | None,
    *,
    auth_failures_in_a_row: int = 1,
) -> RetryDecision:
    """Decide whether a failed request is worth retrying. The one place that decides it.

    Args:
        status: the HTTP status, or None when no answer arrived.
        headers: the answer's headers (``Retry-After`` and ``Date`` are read).
        error: the parsed error body, if there was an answer.
        auth_failures_in_a_row: authentication failures seen in a row, this one included, with no
            success between them; a lone 401 is retried because NetSuite answers INVALID_LOGIN under load.
    """
    if status is None:
        return RetryDecision(retry=True, reason="no answer from NetSuite")
    explanation = explain(status, error or ParsedError())
    after = retry_after_seconds(headers)
    if status == 429:
        return RetryDecision(retry=True, reason="concurrency limit reached", after=after)
    if status == 401:
        if auth_failures_in_a_row < AUTH_FAILURES_BEFORE_GIVING_UP:
            return RetryDecision(
                retry=True,
                reason=f"login refused ({auth_failures_in_a_row} in a row); NetSuite also refuses logins "
                "under load, so it is retried before the credentials are judged",
                after=after,
            )
        return RetryDecision(retry=False, reason=f"login refused {auth_failures_in_a_row} times in a row")
    if 500 <= status <= 599:
        return RetryDecision(retry=True, reason=f"NetSuite server error {status}", after=after)
    if explanation.category is ErrorCategory.CREDENTIALS:
        return RetryDecision(retry=False, reason="credentials refused")
    if explanation.retryable:
        return RetryDecision(retry=True, reason=explanation.cause, after=after)
    return RetryDecision(retry=False, reason=f"HTTP {status} is not retryable")


_ERROR_CLASSES: dict[ErrorCategory, type[RequestError]] = {
    ErrorCategory.CREDENTIALS: CredentialsError,
    ErrorCategory.SETUP: SetupError,
    ErrorCategory.DATA: InvalidDataError,
    ErrorCategory.NOT_FOUND: NotFoundError,
    ErrorCategory.RETRY_LATER: RetryLaterError,
}


def error_from_response(
    request: RequestInfo,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    auth_failures_in_a_row: int = 1,
) -> RequestError:
    """Build the exception for a failed answer: parsed body, catalogue entry and retry decision."""
    error = parse_error_body(content)
    explanation = explain(status, error)
    decision = decide_retry(status, headers, error, auth_failures_in_a_row=auth_failures_in_a_row)
    cls: type[RequestError]
    if status == 429:
        cls = ConcurrencyLimitError
    elif status >= 500:
        cls = ServerError
    else:
        cls = _ERROR_CLASSES[explanation.category]
    parts = [f"HTTP {status}"]
    if error.code:
        parts.append(error.code)
    message = " ".join(parts) + f": {error.detail or error.title or 'no detail'}"
    if error.path:
        message += f" (at {error.path})"
    message += f" [{request}]"
    return cls(
        message,
        request=request,
        status=status,
        error=error,
        explanation=explanation,
        decision=decision,
        answered_at=answer_time(headers),
    )
