"""The async NetSuite REST client: records, SuiteQL and the system endpoints, over one shared connection pool."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from tms_netsuite import __version__
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.netsuite._account import AccountId
from tms_netsuite.netsuite._errors import (
    NetworkError,
    RequestError,
    RequestInfo,
    ResultLimitError,
    answer_time,
    error_from_response,
)

logger = logging.getLogger("tms_netsuite.netsuite")

RECORD_PATH = "/services/rest/record/v1"
SUITEQL_PATH = "/services/rest/query/v1/suiteql"
SYSTEM_PATH = "/services/rest/system/v1"
# The File Cabinet's REST document service (Oracle, "Working with File Cabinet Records in REST Web Services").
DOCUMENT_PATH = "/services/rest/document/v1"
ASYNC_JOB_PATH = "/services/rest/async/v1/job"
# Batch operations (ORA/article_0127092747.html): one request, up to 100 records of one type, run asynchronously.
COLLECTION_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=collection"
MAX_BATCH = 100
TOKENINFO_PATH = "/rest/tokeninfo"
MAX_PAGE_SIZE = 1000
MAX_QUERY_RESULTS = 100_000  # SuiteQL over REST returns no more than this per query

_RECORD_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}", re.ASCII)
_INTERNAL_ID = re.compile(r"-?[0-9]{1,19}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_-]{1,300}", re.ASCII)
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}", re.ASCII)
_IDEMPOTENCY_ERROR = "IDEMPOTENCY_ERROR"
_CREATED = (200, 201, 204)  # NetSuite's pages disagree on create's status; all three mean success


@dataclass(frozen=True, slots=True)
class ExternalId:
    """A record's external id, for ``eid:`` addressing. Only letters, digits, ``_`` and ``-`` are allowed."""

    value: str

    def __post_init__(self) -> None:
        if not _EXTERNAL_ID.fullmatch(self.value):
            raise ConfigurationError(
                f"external id {self.value!r} may only hold letters, digits, '_' and '-' (1-300 characters)"
            )

    def __str__(self) -> str:
        return f"eid:{self.value}"


RecordRef = str | int | ExternalId
"""An internal id (``"647"`` or ``647``) or an :class:`ExternalId`."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Who the credentials log in as, from ``/rest/tokeninfo``.

    Oracle lists the fields (company name and id, role name and id, entity id) but prints no sample, so
    the JSON key names read here are provisional; ``raw`` keeps the whole answer.
    """

    company_name: str | None
    company_id: str | None
    role_name: str | None
    role_id: str | None
    entity_id: str | None
    raw: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class GovernanceLimits:
    """The account's and this integration's concurrency limits (``/system/v1/governanceLimits``)."""

    account_concurrency_limit: int
    account_unallocated_concurrency_limit: int | None
    integration_concurrency_limit: int | None
    integration_limit_type: str | None

    @property
    def effective_limit(self) -> int:
        """What this integration may have in flight: its allocation when it has one, else the account's
        unallocated rest, which every integration without an allocation shares (ORA/bridgehead_156224824287.html)."""
        if self.integration_concurrency_limit is not None:
            return self.integration_concurrency_limit
        if self.account_unallocated_concurrency_limit is not None:
            return max(1, self.account_unallocated_concurrency_limit)
        return self.account_concurrency_limit

    @property
    def pool(self) -> str:
        """Which pool the integration draws from, in words."""
        if self.integration_concurrency_limit is not None:
            return f"its own allocation of {self.integration_concurrency_limit}"
        unallocated = self.account_unallocated_concurrency_limit
        if unallocated is None or unallocated == self.account_concurrency_limit:
            return f"the account limit of {self.account_concurrency_limit} (no integration has an allocation)"
        return (
            f"the unallocated pool of {unallocated} of the account's {self.account_concurrency_limit}, shared with "
            "every integration without an allocation"
        )


@dataclass(slots=True)
class RequestStats:
    """Counts of what the client sent and got back, for progress output and benchmarks."""

    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def count(self, status: int) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1


def _json_default(value: object) -> object:
    # Money travels as Decimal; a float holds the 15 significant digits amounts are limited to.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class NetSuiteClient:
    """Async client for one NetSuite account's REST web services.

    Args:
        account: the account.
        auth: :class:`TbaAuth` or :class:`OAuth2ClientCredentialsAuth`.
        base_url: a host root that replaces NetSuite's suitetalk, restlets and app hosts (the local
            emulator, a proxy), e.g. ``http://127.0.0.1:8765``.
        transport: an httpx transport, e.g. ``httpx.ASGITransport(app)`` to run against an in-process app.
        timeout: httpx timeout; NetSuite itself gives up on a request after 15 minutes.

    Use it as an async context manager, or call :meth:`aclose`. Every request sends
    ``X-NetSuite-PropertyNameValidation: error``, so a misspelt field fails instead of vanishing.
    """

    def __init__(
        self,
        account: AccountId,
        auth: httpx.Auth,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = httpx.Timeout(60.0, connect=10.0, read=300.0),  # noqa: B008
    ) -> None:
        self.account = account
        self.stats = RequestStats()
        self._rest_root = (base_url or account.suitetalk_url).rstrip("/")
        self._restlets_root = (base_url or account.restlets_url).rstrip("/")
        self._auth_failures_in_a_row = 0
        self._http = httpx.AsyncClient(
            auth=auth,
            transport=transport,
            timeout=timeout,
            headers={
                "User-Agent": f"tms-netsuite/{__version__}",
                "X-NetSuite-PropertyNameValidation": "error",
            },
            event_hooks={"request": [self._on_request]},
        )

    async def __aenter__(self) -> NetSuiteClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _on_request(self, request: httpx.Request) -> None:
        self.stats.requests += 1

    # -- records -------------------------------------------------------------------------------------

    async def create(self, record_type: str, body: Mapping[str, Any]) -> str:
        """Create a record; returns its internal id (from the ``Location`` header)."""
        response = await self._send("POST", self._record_url(record_type), json_body=body, expect=_CREATED)
        return self._location_id(response)

    async def upsert(
        self, record_type: str, external_id: str | ExternalId, body: Mapping[str, Any]
    ) -> str | None:
        """Create the record with this external id, or update it if it exists (``PUT …/eid:…``).

        Returns the internal id when NetSuite names it in ``Location``. On update, NetSuite appends the lines
        of non-keyed sublists; use :meth:`patch` with ``replace`` to rewrite an existing record's lines.
        """
        eid = external_id if isinstance(external_id, ExternalId) else ExternalId(external_id)
        response = await self._send(
            "PUT", self._record_url(record_type, eid), json_body=body, expect=_CREATED
        )
        location = response.headers.get("location")
        return location.rstrip("/").rsplit("/", 1)[-1] if location else None

    async def get(
        self,
        record_type: str,
        ref: RecordRef,
        *,
        expand_sub_resources: bool = False,
        fields: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Read a record. Sublists come as links unless ``expand_sub_resources``; ``fields`` picks body fields."""
        params: dict[str, str] = {}
        if expand_sub_resources:
            params["expandSubResources"] = "true"
        if fields:
            params["fields"] = ",".join(fields)
        response = await self._send("GET", self._record_url(record_type, ref), params=params)
        return _json_object(response)

    async def patch(
        self,
        record_type: str,
        ref: RecordRef,
        body: Mapping[str, Any],
        *,
        replace: Sequence[str] = (),
        replace_selected_fields: bool = False,
    ) -> None:
        """Update a record: omitted fields stay, ``None`` clears. Sublists named in ``replace`` are
        rewritten instead of appended to (NetSuite appends the lines of non-keyed sublists otherwise)."""
        params: dict[str, str] = {}
        if replace:
            params["replace"] = ",".join(replace)
        if replace_selected_fields:
            params["replaceSelectedFields"] = "true"
        await self._send(
            "PATCH", self._record_url(record_type, ref), json_body=body, params=params, expect=_CREATED
        )

    async def delete(self, record_type: str, ref: RecordRef) -> None:
        """Delete a record."""
        await self._send("DELETE", self._record_url(record_type, ref), expect=(200, 204))

    async def transform(
        self, record_type: str, ref: RecordRef, target_type: str, body: Mapping[str, Any]
    ) -> str:
        """Create a record of ``target_type`` from an existing record (``POST …/!transform/…``); returns its id."""
        url = f"{self._record_url(record_type, ref)}/!transform/{_record_type(target_type)}"
        response = await self._send("POST", url, json_body=body, expect=_CREATED)
        return self._location_id(response)

    # -- asynchronous batch requests (ORA/article_0127092747.html, ORA/chapter_161251386312.html) ---------

    async def submit_batch(
        self, record_type: str, items: Sequence[Mapping[str, Any]], *, idempotency_key: str
    ) -> str:
        """Submit up to 100 records of one type to be created by NetSuite's async processors; the job's id.

        A key NetSuite has seen before answers 400 IDEMPOTENCY_ERROR with the first job's ``Location``
        (ORA/subsect_164494900632.html): that job's id is returned, so a submission whose answer was lost can be
        sent again with the same key and items safely.
        """
        if not 1 <= len(items) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} records, not {len(items)}")
        headers = {
            "Content-Type": COLLECTION_MEDIA_TYPE,
            "Prefer": "respond-async",
            "X-NetSuite-idempotency-key": idempotency_key,
        }
        response = await self._send(
            "POST",
            self._record_url(record_type),
            json_body={"items": list(items)},
            headers=headers,
            expect=(202, 400),
        )
        location: str = response.headers.get("location", "")
        job = location.rstrip("/").rsplit("/", 1)[-1]
        if response.status_code == 202 or (
            _IDEMPOTENCY_ERROR in response.text and _INTERNAL_ID.fullmatch(job)
        ):
            if not _INTERNAL_ID.fullmatch(job):
                info = RequestInfo("POST", str(response.request.url))
                raise RequestError(
                    f"NetSuite accepted a batch without the job's Location [{info}]",
                    request=info,
                    status=response.status_code,
                )
            return job
        raise error_from_response(
            RequestInfo("POST", str(response.request.url)),
            response.status_code,
            response.headers,
            response.content,
        )

    async def async_job(self, job_id: str) -> dict[str, Any]:
        """An async job's status: ``completed`` and ``progress`` (ORA/subsect_161278579295.html)."""
        response = await self._send("GET", f"{self._rest_root}{ASYNC_JOB_PATH}/{_record_ref(job_id)}")
        return _json_object(response)

    async def async_task(self, job_id: str, task: int) -> dict[str, Any]:
        """One task of a job: ``completed``, ``progress`` (``succeeded``/``failed``) (ORA/subsect_161252896355.html)."""
        url = f"{self._rest_root}{ASYNC_JOB_PATH}/{_record_ref(job_id)}/task/{int(task)}"
        return _json_object(await self._send("GET", url))

    async def async_task_error(self, job_id: str, task: int) -> RequestError | None:
        """What NetSuite refused in a task of a completed job (its result, as the error the request it stands
        for would have raised), or None when the task succeeded."""
        url = f"{self._rest_root}{ASYNC_JOB_PATH}/{_record_ref(job_id)}/task/{int(task)}"
        status = _json_object(await self._send("GET", url))
        if status.get("progress") == "succeeded":
            return None
        response = await self._send("GET", f"{url}/result")
        result = _json_object(response)
        code = result.get("status")
        return error_from_response(
            RequestInfo("POST", f"{url}/result"),
            code if isinstance(code, int) and code >= 400 else 500,
            {},
            response.content,
        )

    async def list_ids(
        self, record_type: str, *, q: str | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[str]:
        """Internal ids of a record type, optionally filtered with NetSuite's ``q=`` on body fields."""
        _check_page_size(page_size)
        offset = 0
        while True:
            params = {"limit": str(page_size), "offset": str(offset)}
            if q:
                params["q"] = q
            page = _json_object(await self._send("GET", self._record_url(record_type), params=params))
            for item in page.get("items", []):
                yield str(item["id"])
            if not page.get("hasMore"):
                return
            offset += page_size

    # -- the File Cabinet (document service) and attachments -----------------------------------------

    async def find_documents(self, kind: str, q: str) -> list[str]:
        """Internal ids of the File Cabinet's files or folders (``kind``) that match ``q`` (one page of 1,000)."""
        params = {"q": q, "limit": str(MAX_PAGE_SIZE)}
        page = _json_object(await self._send("GET", self._document_url(kind), params=params))
        return [str(item["id"]) for item in page.get("items", [])]

    async def create_folder(self, name: str, parent: str | None) -> str:
        """Make a File Cabinet folder (under ``parent``, or at the root); returns its internal id."""
        body: dict[str, Any] = {"name": name}
        if parent is not None:
            body["parent"] = {"id": parent}
        response = await self._send("POST", self._document_url("folder"), json_body=body, expect=_CREATED)
        return self._location_id(response)

    async def upload_file(
        self,
        *,
        name: str,
        folder: str,
        file_type: str,
        size: int,
        chunks: Callable[[], AsyncIterable[bytes]],
        description: str | None = None,
    ) -> str:
        """Create a File Cabinet file from bytes read as they are sent (``chunks`` yields them, ``size`` in all,
        in pieces whose length is a multiple of 3 but for the last); returns its internal id.

        The body is JSON with the content base64-encoded, built while it is sent: the file is never held whole.
        """
        head: dict[str, Any] = {"name": name, "folder": {"id": folder}, "fileType": file_type}
        if description:
            head["description"] = description
        prefix = (json.dumps(head)[:-1] + ', "content": "').encode()
        suffix = b'"}'
        length = len(prefix) + (size + 2) // 3 * 4 + len(suffix)

        async def body() -> AsyncIterator[bytes]:
            yield prefix
            async for chunk in chunks():
                yield base64.b64encode(chunk)
            yield suffix

        response = await self._send(
            "POST",
            self._document_url("file"),
            stream=body(),
            headers={"Content-Type": "application/json", "Content-Length": str(length)},
            expect=_CREATED,
        )
        return self._location_id(response)

    async def attach_file(
        self, record_type: str, ref: RecordRef, file_id: str, *, detach: bool = False
    ) -> None:
        """Attach a File Cabinet file to a record (``POST …/{type}/{id}/!attach/file/{fileId}``), or detach it."""
        action = "!detach" if detach else "!attach"
        url = f"{self._record_url(record_type, ref)}/{action}/file/{_record_ref(file_id)}"
        await self._send("POST", url, expect=(200, 204))

    # -- SuiteQL -------------------------------------------------------------------------------------

    async def suiteql(
        self,
        query: str,
        params: Sequence[str | int | Decimal] = (),
        *,
        page_size: int = MAX_PAGE_SIZE,
        keyset: str | None = None,
    ) -> AsyncIterator[dict[str, str]]:
        """Rows of a SuiteQL query, page by page. Values come back as strings, column names in lower case.

        NetSuite returns at most 100,000 rows for one query. Past that, name a unique, sortable column in
        ``keyset`` (usually ``id``): the query is then run as ``SELECT * FROM (query) WHERE key > ?
        ORDER BY key``, one page per request, which has no ceiling. Without ``keyset``, a query matching
        more rows raises :class:`ResultLimitError` before any row is yielded.

        Args:
            query: one SELECT statement, with ``?`` for each parameter.
            params: positional parameters, sent as strings.
            page_size: rows per request, at most 1,000.
            keyset: the output column to page by.
        """
        _check_page_size(page_size)
        values = [str(value) for value in params]
        if keyset is None:
            async for row in self._suiteql_by_offset(query, values, page_size):
                yield row
            return
        if not _COLUMN.fullmatch(keyset):
            raise ConfigurationError(f"keyset column {keyset!r} is not a plain column name")
        last: str | None = None
        while True:
            # The caller's SuiteQL is wrapped, never mixed with data: values travel as parameters and the key
            # was checked above to be a plain column name.
            if last is None:
                wrapped, args = f"SELECT * FROM ({query}) ORDER BY {keyset}", values  # noqa: S608
            else:
                wrapped = f"SELECT * FROM ({query}) WHERE {keyset} > ? ORDER BY {keyset}"  # noqa: S608
                args = [*values, last]
            page = await self._suiteql_page(wrapped, args, page_size, 0)
            items = page.get("items", [])
            for row in items:
                yield row
            if not page.get("hasMore") or not items:
                return
            if keyset.lower() not in items[-1]:
                raise ConfigurationError(f"keyset column {keyset!r} is not among the query's columns")
            last = str(items[-1][keyset.lower()])

    async def _suiteql_by_offset(
        self, query: str, values: list[str], page_size: int
    ) -> AsyncIterator[dict[str, str]]:
        offset = 0
        while True:
            page = await self._suiteql_page(query, values, page_size, offset)
            total = int(page.get("totalResults", 0))
            if offset == 0 and total > MAX_QUERY_RESULTS:
                raise ResultLimitError(
                    f"the query matches {total:,} rows and NetSuite returns at most {MAX_QUERY_RESULTS:,}; "
                    "page it by a unique column with keyset='id'"
                )
            for row in page.get("items", []):
                yield row
            if not page.get("hasMore"):
                return
            offset += page_size

    async def _suiteql_page(self, query: str, values: list[str], limit: int, offset: int) -> dict[str, Any]:
        body: dict[str, Any] = {"q": query}
        if values:
            body["params"] = values
        response = await self._send(
            "POST",
            f"{self._rest_root}{SUITEQL_PATH}",
            json_body=body,
            params={"limit": str(limit), "offset": str(offset)},
            headers={"Prefer": "transient"},
        )
        page = _json_object(response)
        page["items"] = [
            {key: value for key, value in row.items() if key != "links"} for row in page.get("items", [])
        ]
        return page

    async def record_schema(self, record_type: str) -> dict[str, Any]:
        """The record type's JSON Schema as this account has it (``GET /record/v1/metadata-catalog/{type}`` with
        ``Accept: application/schema+json``): its ``properties`` follow the account's features, preferences and
        custom fields ("the record structure can vary based on your specific NetSuite setup")."""
        url = f"{self._rest_root}{RECORD_PATH}/metadata-catalog/{_record_type(record_type)}"
        return _json_object(await self._send("GET", url, headers={"Accept": "application/schema+json"}))

    # -- system --------------------------------------------------------------------------------------

    async def server_time(self) -> datetime:
        """NetSuite's clock, in UTC (``/system/v1/serverTime``)."""
        body = _json_object(await self._send("GET", f"{self._rest_root}{SYSTEM_PATH}/serverTime"))
        try:
            return datetime.fromisoformat(str(body["serverTime"]).replace("Z", "+00:00"))
        except (KeyError, ValueError) as exc:
            raise ConfigurationError(f"unexpected serverTime answer: {body!r:.200}") from exc

    async def governance_limits(self) -> GovernanceLimits:
        """Concurrency limits; NetSuite answers this to administrators only."""
        body = _json_object(await self._send("GET", f"{self._rest_root}{SYSTEM_PATH}/governanceLimits"))
        return GovernanceLimits(
            account_concurrency_limit=int(body["accountConcurrencyLimit"]),
            account_unallocated_concurrency_limit=_int_or_none(
                body.get("accountUnallocatedConcurrencyLimit")
            ),
            integration_concurrency_limit=_int_or_none(body.get("integrationConcurrencyLimit")),
            integration_limit_type=body.get("integrationLimitType"),
        )

    async def token_info(self) -> TokenInfo:
        """Company, role and entity the credentials log in as (``GET /rest/tokeninfo``, restlets host)."""
        body = _json_object(await self._send("GET", f"{self._restlets_root}{TOKENINFO_PATH}"))
        return TokenInfo(
            company_name=_str_or_none(body.get("companyName")),
            company_id=_str_or_none(body.get("companyId")),
            role_name=_str_or_none(body.get("roleName")),
            role_id=_str_or_none(body.get("roleId")),
            entity_id=_str_or_none(body.get("entityId")),
            raw=body,
        )

    # -- plumbing ------------------------------------------------------------------------------------

    def _record_url(self, record_type: str, ref: RecordRef | None = None) -> str:
        url = f"{self._rest_root}{RECORD_PATH}/{_record_type(record_type)}"
        return url if ref is None else f"{url}/{_record_ref(ref)}"

    def _document_url(self, kind: str) -> str:
        if kind not in ("file", "folder"):
            raise ConfigurationError(f"{kind!r} is not a File Cabinet record type (file or folder)")
        return f"{self._rest_root}{DOCUMENT_PATH}/{kind}"

    def _location_id(self, response: httpx.Response) -> str:
        location: str = response.headers.get("location", "")
        record_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not _INTERNAL_ID.fullmatch(record_id):
            info = RequestInfo(response.request.method, str(response.request.url))
            raise RequestError(
                f"NetSuite answered {response.status_code} without the new record's Location [{info}]",
                request=info,
                status=response.status_code,
                answered_at=answer_time(response.headers),
            )
        return record_id

    async def _send(
        self,
        method: str,
        url: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        expect: Sequence[int] = (200,),
        stream: AsyncIterable[bytes] | None = None,
    ) -> httpx.Response:
        content: bytes | AsyncIterable[bytes] | None = stream
        request_headers = dict(headers or {})
        if json_body is not None:
            content = json.dumps(json_body, default=_json_default).encode()
            request_headers.setdefault("Content-Type", "application/json")
        request = self._http.build_request(
            method, url, content=content, params=params, headers=request_headers
        )
        info = RequestInfo(method=method, url=str(request.url))
        try:
            response = await self._http.send(request)
        except httpx.TransportError as exc:
            raise NetworkError(
                f"no answer from NetSuite: {type(exc).__name__} [{info}]",
                request=info,
                outcome_unknown=method != "GET"
                and not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout),
                timed_out=isinstance(exc, httpx.TimeoutException),
            ) from exc
        self.stats.count(response.status_code)
        logger.debug("netsuite %s %s -> %s", method, request.url.path, response.status_code)
        if response.status_code == 401:
            self._auth_failures_in_a_row += 1
        else:
            self._auth_failures_in_a_row = 0  # any other answer proves the login worked
        if response.status_code in expect:
            return response
        raise error_from_response(
            info,
            response.status_code,
            response.headers,
            response.content,
            auth_failures_in_a_row=self._auth_failures_in_a_row,
        )


def _record_type(record_type: str) -> str:
    if not _RECORD_TYPE.fullmatch(record_type):
        raise ConfigurationError(f"{record_type!r} is not a NetSuite record type")
    return record_type


def _record_ref(ref: RecordRef) -> str:
    if isinstance(ref, ExternalId):
        return str(ref)
    text = str(ref)
    if not _INTERNAL_ID.fullmatch(text):
        raise ConfigurationError(f"{text!r} is not an internal id; pass ExternalId(...) for external ids")
    return text


def _check_page_size(page_size: int) -> None:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ConfigurationError(f"page size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        info = RequestInfo(response.request.method, str(response.request.url))
        raise RequestError(
            f"NetSuite answered {response.status_code} with a body that is not a JSON object [{info}]",
            request=info,
            status=response.status_code,
            answered_at=answer_time(response.headers),
        )
    return body


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(str(value))


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
