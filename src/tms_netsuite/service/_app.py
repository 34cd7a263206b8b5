"""The HTTP API: documents in, their state and errors out, for many NetSuite accounts (FastAPI)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import create_async_engine

from tms_netsuite import __version__
from tms_netsuite.accounts import Accounts, SecretKeyError, verify_key
from tms_netsuite.console import create_console
from tms_netsuite.documents import Kind
from tms_netsuite.errors import TmsNetSuiteError
from tms_netsuite.export import ingest_lines
from tms_netsuite.ledger import (
    AccountExists,
    AccountRecord,
    ApiKeyRecord,
    Attempt,
    ErrorInfo,
    FailureGroup,
    LedgerRow,
    LedgerUnavailable,
    Registry,
    State,
    Timeline,
    UnknownAccount,
    group_failures,
)
from tms_netsuite.mapping import MappingError
from tms_netsuite.reconcile import as_json, render
from tms_netsuite.service import _models as m
from tms_netsuite.service._observe import RequestTags, account_slug, request_id, request_tags, tag_account
from tms_netsuite.service._service import Service
from tms_netsuite.service._uploads import (
    DOCUMENTS_PART,
    MAX_FILES,
    MAX_UPLOAD_BYTES,
    MultipartDocuments,
    UploadRefused,
    path_references,
)
from tms_netsuite.webhooks import new_secret

logger = logging.getLogger("tms_netsuite.service")

MAX_DOCUMENTS = 1000
MAX_BYTES = 10 * 1024 * 1024
PAGE_SIZE = 100
_NDJSON = "application/x-ndjson"
_MULTIPART = "multipart/form-data"
_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}

_bearer = HTTPBearer(auto_error=False, description="An API key from `tms-netsuite api-keys create`.")
_errors: dict[int | str, dict[str, Any]] = {
    401: {"model": m.Problem, "description": "No API key, or an unknown or revoked one."},
    404: {"model": m.Problem, "description": "No such account for this key (another account's is hidden)."},
}
_write_errors: dict[int | str, dict[str, Any]] = {
    **_errors,
    403: {"model": m.Problem, "description": "A read-only key, or not an administrator's key."},
}


def _account_json(record: AccountRecord) -> m.Account:
    return m.Account(
        slug=record.slug,
        account_id=record.account_id,
        environment=record.environment,
        auth_method=record.auth_method,
        mapping_version=record.mapping_version,
        mapping_hash=record.mapping_hash,
        concurrency_override=record.concurrency_override,
        learned_limit=record.learned_limit,
        paused=record.paused,
        pause_reason=record.pause_reason,
    )


def _version(row: LedgerRow) -> m.DocumentVersion:
    error = row.error
    return m.DocumentVersion(
        row_id=row.row_id,
        kind=row.kind,
        id=row.tms_id,
        version=row.version,
        state=row.state.value,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        blocked_on=row.blocked_on,
        skip_reason=row.skip_reason,
        updated_at=row.updated_at,
        records=[
            m.RecordLink(type=r.record_type, external_id=r.external_id, internal_id=r.internal_id, url=r.url)
            for r in row.records
        ],
        error=_error_json(error),
    )


def _error_json(error: ErrorInfo | None) -> m.ErrorDetail | None:
    if error is None:
        return None
    return m.ErrorDetail(
        category=error.category, code=error.code, detail=error.detail, cause=error.cause, fix=error.fix
    )


def _attempt_json(attempt: Attempt) -> m.AttemptOut:
    return m.AttemptOut(
        attempt=attempt.attempt,
        finished_at=attempt.finished_at,
        state=attempt.state.value,
        outcome_unknown=attempt.outcome_unknown,
        error=_error_json(attempt.error),
        requests=[m.SentRequestOut(**request.as_json()) for request in attempt.requests],
    )


def _timeline_json(timeline: Timeline) -> m.Timeline:
    return m.Timeline(
        kind=timeline.kind,
        id=timeline.tms_id,
        versions=[
            m.TimelineVersion(
                version=_version(history.row),
                received_at=history.row.created_at,
                document=dict(history.payload),
                attempts=[_attempt_json(attempt) for attempt in history.attempts],
            )
            for history in timeline.versions
        ],
        attachments=[_version(row) for row in timeline.attachments],
        events=[
            m.EventOut(
                seq=event.seq,
                id=event.event_id,
                type=event.type,
                created_at=event.created_at,
                payload=dict(event.payload),
            )
            for event in timeline.events
        ],
    )


def _in_group(group: FailureGroup, name: str) -> bool:
    """A group named by its key, or (as before causes were told apart by their detail) by its code."""
    return name in (group.key, group.code)


class _TooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _document_values(body: bytes, content_type: str) -> list[Any]:
    """The documents as JSON values: a JSON array's elements, or NDJSON's non-blank lines. Text that is not JSON
    is a 400 naming its line."""
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        bad_line = body[: exc.start].count(b"\n") + 1
        raise HTTPException(400, f"line {bad_line}: the body is not UTF-8") from None
    if content_type.split(";")[0].strip().lower() == _NDJSON:
        lines: list[Any] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise HTTPException(
                    400, f"line {number}: not JSON ({exc.msg} at column {exc.colno})"
                ) from None
        return lines
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HTTPException(
            400,
            f"line {exc.lineno}: not JSON ({exc.msg} at column {exc.colno}); send a JSON array of documents",
        ) from None
    if not isinstance(value, list):
        raise HTTPException(400, "line 1: the body must be a JSON array of documents (or NDJSON)")
    return value


def _documents_part(body: bytes, content_type: str) -> list[Any]:
    try:
        return _document_values(body, content_type)
    except HTTPException as exc:
        raise UploadRefused(exc.status_code, f"the '{DOCUMENTS_PART}' part: {exc.detail}") from None


async def _multipart_documents(request: Request, folder: Path | None) -> list[Any]:
    if folder is None:
        raise HTTPException(
            501, "this service keeps no files: start it with --files-dir to take multipart uploads"
        )
    reader = MultipartDocuments(folder, _documents_part, max_documents_bytes=MAX_BYTES)
    try:
        return await reader.read(request.headers.get("content-type", ""), request.stream())
    except UploadRefused as refused:
        raise HTTPException(refused.status, refused.detail) from None


def _refuse_paths(values: list[Any]) -> None:
    """A path in a JSON body would name a file on this server: only a multipart request's parts may be named."""
    for name, references in path_references(values).items():
        raise HTTPException(
            400,
            f"{references[0]}.path: {name!r} would name a file on this server; send the file as a part of a "
            "multipart/form-data request (the path names the part) or inline as content_base64",
        )


async def _caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiKeyRecord:
    """The live API key of the request, else a 401 asking for one."""
    service: Service = request.app.state.service
    key = None if credentials is None else await verify_key(service.registry, credentials.credentials)
    if key is None:
        raise HTTPException(401, "an API key is needed: Authorization: Bearer KEY", headers=_UNAUTHORIZED)
    return key


Caller = Annotated[ApiKeyRecord, Depends(_caller)]


def create_app(service: Service, *, grace: float = 30.0) -> FastAPI:
    """The API over a :class:`Service`. Its lifespan starts the exports of every registered account and, at
    shutdown, stops claiming and lets what is under way finish within ``grace`` seconds."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        slugs = [record.slug for record in await service.registry.all_accounts()]
        for scheduler in service.schedulers():
            await scheduler.start(slugs)
        try:
            yield
        finally:
            logger.info("stopping: no more claims; exports under way have %.0f s to finish", grace)
            await asyncio.gather(*(scheduler.stop(grace) for scheduler in service.schedulers()))
            logger.info("stopped: what finished is recorded, the rest is let go for the next start")

    app = FastAPI(
        title="tms-netsuite",
        version=__version__,
        summary="TMS documents in, exported to NetSuite exactly once; their state and errors out.",
        lifespan=lifespan,
        responses={
            422: {"model": m.InvalidRequest, "description": "The request or a value in it is not valid."}
        },
    )
    app.state.service = service
    metrics = service.metrics
    # The operations console: its pages sign in with the same API keys and reach accounts by the same rules.
    app.mount("/ui", create_console(service), name="console")

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        rid = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        request_id.set(rid)
        account_slug.set(None)
        request_tags.set(RequestTags())
        started = time.perf_counter()
        metrics.in_flight.inc()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
        finally:
            metrics.in_flight.dec()
            route = request.scope.get("route")
            path = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            metrics.latency.labels(request.method, path, str(status)).observe(elapsed)
            logger.info(
                "%s %s %d",
                request.method,
                path,
                status,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
        response.headers["X-Request-ID"] = rid
        return response

    @app.exception_handler(TmsNetSuiteError)
    async def project_error(request: Request, exc: TmsNetSuiteError) -> JSONResponse:
        # The service's own trouble (its database, its secret key) is a 503 naming it and the fix; anything
        # else is settings, a mapping or documents that are wrong: a 422 naming the problem (never a secret).
        status = 503 if isinstance(exc, LedgerUnavailable | SecretKeyError) else 422
        return JSONResponse({"detail": str(exc)}, status_code=status)

    async def reach(
        slug: str, key: ApiKeyRecord, *, write: bool = False, admin: bool = False
    ) -> AccountRecord:
        """The account a key may reach: another account's is a 404, as if it did not exist."""
        if key.account_slug is not None and key.account_slug != slug:
            raise HTTPException(404, f"no account {slug!r}")
        try:
            record = await service.registry.get(slug)
        except UnknownAccount:
            raise HTTPException(404, f"no account {slug!r}") from None
        tag_account(slug)
        if admin and key.account_slug is not None:
            raise HTTPException(403, "this needs an administrator's key")
        if write and key.read_only:
            raise HTTPException(403, "this key is read-only")
        return record

    # Operations (no key: keep the service on the operator's network)

    @app.get("/healthz", response_model=m.Health, tags=["operations"])
    async def healthz() -> m.Health:
        """The process answers."""
        return m.Health(status="ok")

    @app.get(
        "/readyz",
        response_model=m.Health,
        tags=["operations"],
        responses={503: {"model": m.Health, "description": "The database does not answer."}},
    )
    async def readyz() -> Any:
        """The ledger's database answers and is migrated."""
        if await service.registry.ready():
            return m.Health(status="ready")
        return JSONResponse({"status": "database unavailable"}, status_code=503)

    @app.get("/metrics", response_class=PlainTextResponse, tags=["operations"])
    async def metrics_text() -> Response:
        """Prometheus text format."""
        for record in await service.registry.all_accounts():
            await service.refresh_gauges(record)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # Documents

    @app.post(
        "/v1/accounts/{slug}/documents",
        status_code=202,
        response_model=m.IngestResponse,
        tags=["documents"],
        responses={
            **_write_errors,
            400: {
                "model": m.Problem,
                "description": "Not JSON (the line is named); in a multipart request a part missing, extra or out "
                "of order, or a file whose SHA-256 is not its document's (the document and field are named).",
            },
            413: {
                "model": m.Problem,
                "description": "More documents, files or bytes than a request may carry; a file over 10 MB (the "
                "document and field are named).",
            },
            501: {
                "model": m.Problem,
                "description": "A multipart request to a service started without files.",
            },
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": f"A JSON array of TMS documents (at most {MAX_DOCUMENTS}, {MAX_BYTES // 2**20} MB), "
                "as `tms-netsuite schema` describes them; NDJSON (application/x-ndjson) is accepted too. With their "
                "files: multipart/form-data, the `documents` part first (the same JSON array or NDJSON), then one "
                "part per file, named by an attachment's `path`; each file at most 10 MB (NetSuite's document "
                f"service limit), at most {MAX_FILES} files and {MAX_UPLOAD_BYTES // 2**20} MB a request. A file is "
                "streamed to disk as it arrives and checked against the SHA-256 its attachment gives. In a JSON "
                "body an attachment may not name a `path` (it would name a file on the server).",
                "content": {
                    "application/json": {
                        "schema": {"type": "array", "items": {"type": "object"}, "maxItems": MAX_DOCUMENTS}
                    },
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": [DOCUMENTS_PART],
                            "properties": {
                                DOCUMENTS_PART: {
                                    "type": "string",
                                    "description": "The documents: a JSON array, or NDJSON with that part's "
                                    "Content-Type application/x-ndjson.",
                                }
                            },
                            "additionalProperties": {
                                "type": "string",
                                "format": "binary",
                                "description": "A file, named by an attachment's `path`.",
                            },
                        },
                        "encoding": {
                            DOCUMENTS_PART: {"contentType": "application/json, application/x-ndjson"}
                        },
                    },
                },
            }
        },
    )
    async def ingest(slug: str, request: Request, key: Caller) -> m.IngestResponse:
        """Record documents (validated as the CLI's ingest does, idempotent by kind, id and version) and
        commit them before answering; their account's exporter is woken."""
        record = await reach(slug, key, write=True)
        content_type = request.headers.get("content-type", "application/json")
        if content_type.split(";")[0].strip().lower() == _MULTIPART:
            values = await _multipart_documents(request, service.files_folder(record))
        else:
            try:
                body = await _read_body(request)
            except _TooLarge:
                raise HTTPException(
                    413, f"the body is larger than {MAX_BYTES} bytes (10 MB): split it"
                ) from None
            values = _document_values(body, content_type)
            _refuse_paths(values)
        lines = [json.dumps(value) for value in values]
        if len(lines) > MAX_DOCUMENTS:
            raise HTTPException(413, f"{len(lines)} documents: at most {MAX_DOCUMENTS} a request, split them")
        result = await ingest_lines(service.ledger(record), lines)
        if result.inserted:
            service.scheduler.wake(slug)
        return m.IngestResponse(
            accepted=result.inserted,
            duplicates=result.duplicates,
            superseded=result.superseded,
            conflicts=[
                m.ConflictingDocument(
                    index=c.position - 1,
                    kind=c.kind,
                    id=c.tms_id,
                    version=c.version,
                    held_hash=c.held_hash,
                    sent_hash=c.sent_hash,
                    reason=str(c),
                )
                for c in result.conflicts
            ],
            rejected=[
                m.RejectedDocument(
                    index=r.line - 1, id=r.id, kind=r.kind, field=issue.field, reason=issue.reason
                )
                for r in result.rejected
                for issue in r.issues
            ],
        )

    @app.get("/v1/accounts/{slug}/summary", response_model=m.Summary, tags=["documents"], responses=_errors)
    async def summary(slug: str, key: Caller) -> m.Summary:
        """Counts by kind and state, the oldest pending document's age, the last run, the limit, pause."""
        record = await reach(slug, key)
        ledger = service.ledger(record)
        by_kind = await ledger.counts_by_kind()
        totals: dict[str, int] = {}
        for states in by_kind.values():
            for state, n in states.items():
                totals[state.value] = totals.get(state.value, 0) + n
        oldest = await ledger.oldest_waiting()
        report = record.doctor_report or {}
        return m.Summary(
            account=_account_json(record),
            counts={
                kind: {s.value: n for s, n in states.items()} for kind, states in sorted(by_kind.items())
            },
            totals=totals,
            oldest_pending_age_s=None if oldest is None else round(time.time() - oldest.timestamp(), 3),
            last_run=m.LastRun(**record.last_run) if record.last_run else None,
            last_run_at=record.last_run_at,
            doctor_ran_at=record.doctor_ran_at,
            doctor_failed_checks=[c["id"] for c in report.get("checks", []) if c.get("status") == "fail"],
        )

    @app.get(
        "/v1/accounts/{slug}/documents", response_model=m.DocumentPage, tags=["documents"], responses=_errors
    )
    async def documents(
        slug: str,
        key: Caller,
        state: State | None = None,
        kind: Kind | None = None,
        q: Annotated[
            str | None,
            Query(
                max_length=200,
                description="Part of the TMS id, a load number, a document number (tranId) or a NetSuite internal id.",
            ),
        ] = None,
        cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = PAGE_SIZE,
    ) -> m.DocumentPage:
        """Document versions by id, filtered; ``next_cursor`` pages on."""
        record = await reach(slug, key)
        rows = await service.ledger(record).browse(
            after=int(cursor or 0),
            limit=limit,
            state=state,
            kind=kind.value if kind else None,
            search=q,
        )
        return m.DocumentPage(
            documents=[_version(row) for row in rows],
            next_cursor=str(rows[-1].row_id) if len(rows) == limit else None,
        )

    @app.get(
        "/v1/accounts/{slug}/documents/{kind}/{document_id}",
        response_model=m.DocumentDetail,
        tags=["documents"],
        responses=_errors,
    )
    async def document(slug: str, kind: Kind, document_id: str, key: Caller) -> m.DocumentDetail:
        """Every version of one document: state, attempts, the NetSuite records it became with their links, the
        last error with its cause and fix."""
        record = await reach(slug, key)
        rows = await service.ledger(record).versions(kind.value, document_id)
        if not rows:
            raise HTTPException(404, f"no {kind.value} {document_id!r} in this account")
        return m.DocumentDetail(kind=kind.value, id=document_id, versions=[_version(row) for row in rows])

    async def _stuck(record: AccountRecord) -> tuple[list[LedgerRow], list[LedgerRow]]:
        ledger = service.ledger(record)
        failed = [row async for row in ledger.rows(state=State.FAILED)]
        blocked = [row async for row in ledger.rows(state=State.BLOCKED)]
        return failed, blocked

    @app.get(
        "/v1/accounts/{slug}/documents/{kind}/{document_id}/timeline",
        response_model=m.Timeline,
        tags=["documents"],
        responses=_errors,
    )
    async def timeline(slug: str, kind: Kind, document_id: str, key: Caller) -> m.Timeline:
        """One document's history: each version as received, each attempt with the requests sent (the record
        bodies, secrets-free) and NetSuite's answers, the records it became with links into NetSuite, the files
        attached, and what read-back saw since (payments, edits, voids)."""
        record = await reach(slug, key)
        found = await service.ledger(record).timeline(kind.value, document_id)
        if found is None:
            raise HTTPException(404, f"no {kind.value} {document_id!r} in this account")
        return _timeline_json(found)

    @app.get("/v1/accounts/{slug}/activity", response_model=m.Activity, tags=["documents"], responses=_errors)
    async def activity(
        slug: str,
        key: Caller,
        hours: Annotated[
            int, Query(ge=1, le=24 * 31, description="How many hours back, this one included.")
        ] = 48,
    ) -> m.Activity:
        """The account's activity per hour: records written, documents failed, requests made to NetSuite and
        its 429 answers (requests and 429s are counted per export pass, in the hour it ended)."""
        record = await reach(slug, key)
        ledger = service.ledger(record)
        since = service.now() - timedelta(hours=hours - 1)
        return m.Activity(
            hours=[
                m.ActivityHour(
                    hour=hour.hour,
                    records_written=hour.records_written,
                    documents_failed=hour.documents_failed,
                    requests=hour.requests,
                    throttled=hour.throttled,
                )
                for hour in await ledger.activity(since)
            ]
        )

    @app.get(
        "/v1/accounts/{slug}/errors", response_model=m.ErrorsResponse, tags=["documents"], responses=_errors
    )
    async def errors(slug: str, key: Caller) -> m.ErrorsResponse:
        """Failed documents grouped by cause (the largest group first), each with the plain cause and the fix;
        blocked ones with what they wait for; input lines that were not valid documents."""
        record = await reach(slug, key)
        failed, blocked = await _stuck(record)
        rejected = await service.ledger(record).rejected()
        return m.ErrorsResponse(
            failed=[
                m.ErrorGroup(
                    group=group.key,
                    category=group.rows[0].error.category if group.rows[0].error else "unknown",
                    code=group.code,
                    detail=group.detail,
                    cause=group.cause,
                    fix=group.fix,
                    fixed_by_mapping=group.fixed_by_mapping,
                    count=len(group.rows),
                    documents=[_version(row) for row in group.rows],
                )
                for group in group_failures(failed)
            ],
            blocked=[_version(row) for row in blocked],
            rejected=[m.RejectedLineOut(**line.as_json()) for line in rejected],
        )

    @app.post(
        "/v1/accounts/{slug}/retry",
        response_model=m.RetryResponse,
        tags=["documents"],
        responses=_write_errors,
    )
    async def retry(slug: str, body: m.RetryRequest, key: Caller) -> m.RetryResponse:
        """Queue failed or blocked versions again, once the cause is fixed: by row id, by error group, or all."""
        record = await reach(slug, key, write=True)
        if (body.ids is not None) + (body.group is not None) + body.all != 1:
            raise HTTPException(422, "give exactly one of ids, group or all")
        ledger = service.ledger(record)
        if body.all:
            queued = await ledger.retry(None)
        elif body.group is not None:
            failed, _ = await _stuck(record)
            ids = [
                row.row_id
                for group in group_failures(failed)
                if _in_group(group, body.group)
                for row in group.rows
            ]
            queued = await ledger.retry(ids) if ids else 0
        else:
            queued = await ledger.retry(body.ids or []) if body.ids else 0
        if queued:
            service.scheduler.wake(slug)
        return m.RetryResponse(queued=queued)

    def _doctor_json(record: AccountRecord) -> m.DoctorResponse:
        report = record.doctor_report or {"checks": [], "summary": {}}
        return m.DoctorResponse(
            ran_at=record.doctor_ran_at, checks=report["checks"], summary=report["summary"]
        )

    @app.post(
        "/v1/accounts/{slug}/doctor",
        response_model=m.DoctorResponse,
        tags=["doctor"],
        responses=_write_errors,
    )
    async def doctor_now(slug: str, key: Caller) -> m.DoctorResponse:
        """Run every check now; a failing check pauses the account's exports, a passing run resumes exports the
        doctor paused."""
        await reach(slug, key, write=True)
        await service.doctor(slug)
        return _doctor_json(await service.registry.get(slug))

    @app.get(
        "/v1/accounts/{slug}/doctor", response_model=m.DoctorResponse, tags=["doctor"], responses=_errors
    )
    async def doctor_last(slug: str, key: Caller) -> m.DoctorResponse:
        """The last doctor run's checks (empty before the first)."""
        return _doctor_json(await reach(slug, key))

    # Back from NetSuite: events, webhooks, reconciliation

    @app.get("/v1/accounts/{slug}/events", response_model=m.EventPage, tags=["events"], responses=_errors)
    async def events(
        slug: str,
        key: Caller,
        after: Annotated[
            str | None,
            Query(pattern=r"^[0-9]{1,18}$", description="A cursor from the last page; none: the first."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = PAGE_SIZE,
        type: Annotated[
            list[str] | None, Query(max_length=20, description="Only events of these types (repeat it).")
        ] = None,
    ) -> m.EventPage:
        """The account's events oldest first, after a cursor (for a TMS that cannot receive webhooks): poll
        with ``next_cursor``. Each event is here once, in the order it was kept, with the id its webhooks carry."""
        record = await reach(slug, key)
        store = service.ledger(record).readback()
        cursor = int(after or 0)
        found: list[m.Event] = []
        wanted = set(type or ())
        while len(found) < limit:
            batch = await store.events_after(cursor, limit=limit)
            if not batch:
                break
            cursor = batch[-1].seq
            for stored in batch:
                if wanted and stored.type not in wanted:
                    continue
                found.append(
                    m.Event(
                        cursor=str(stored.seq),
                        id=stored.event_id,
                        type=stored.type,
                        created_at=stored.created_at,
                        body=dict(stored.payload),
                    )
                )
                if len(found) == limit:
                    cursor = stored.seq
                    break
            if len(batch) < limit:
                break
        return m.EventPage(events=found, next_cursor=str(cursor))

    @app.post(
        "/v1/accounts/{slug}/sync-back",
        response_model=m.SyncBackResponse,
        tags=["events"],
        responses={
            **_write_errors,
            409: {"model": m.Problem, "description": "The doctor has paused the account: see its checks."},
        },
    )
    async def sync_back_now(slug: str, key: Caller) -> m.SyncBackResponse:
        """Read NetSuite's changes now (the service also does every few minutes) and keep them as events;
        their webhooks go out at once."""
        await reach(slug, key, write=True)
        report = await service.readback_pass(slug)
        if report is None:
            raise HTTPException(409, "the doctor has paused this account: GET /v1/accounts/{slug}/doctor")
        window = report.window
        return m.SyncBackResponse(
            events=len(report.events),
            by_type=report.counts(),
            modified_read=report.modified,
            deleted_read=report.deleted,
            window=None if window is None else {"from": window.lower, "to": window.upper},
        )

    async def _webhook(record: AccountRecord, endpoint_id: int) -> m.Webhook:
        store = service.ledger(record).readback()
        for endpoint in await store.endpoints():
            if endpoint.id == endpoint_id:
                states = await store.delivery_counts(endpoint.id)
                return m.Webhook(
                    id=endpoint.id,
                    url=endpoint.url,
                    enabled=endpoint.enabled,
                    disabled_reason=endpoint.disabled_reason,
                    deliveries=states,
                )
        raise HTTPException(404, f"no webhook endpoint {endpoint_id} in this account")

    @app.post(
        "/v1/accounts/{slug}/webhooks",
        status_code=201,
        response_model=m.WebhookCreated,
        tags=["webhooks"],
        responses=_write_errors,
    )
    async def add_webhook(slug: str, body: m.WebhookCreate, key: Caller) -> m.WebhookCreated:
        """A new endpoint for the account's events, signed as Standard Webhooks defines; its secret is in this
        answer only (kept encrypted)."""
        record = await reach(slug, key, write=True)
        secret = new_secret()
        sealed = service.accounts.secret_box().encrypt(secret)
        endpoint_id = (
            await service.ledger(record).readback().add_endpoint(body.url, sealed, from_start=body.from_start)
        )
        service.deliveries.wake(slug)
        made = await _webhook(record, endpoint_id)
        return m.WebhookCreated(**made.model_dump(), secret=secret)

    @app.get(
        "/v1/accounts/{slug}/webhooks", response_model=list[m.Webhook], tags=["webhooks"], responses=_errors
    )
    async def list_webhooks(slug: str, key: Caller) -> list[m.Webhook]:
        """The account's endpoints, enabled or not (with why), and their deliveries by state."""
        record = await reach(slug, key)
        return [await _webhook(record, e.id) for e in await service.ledger(record).readback().endpoints()]

    async def _switch(slug: str, endpoint_id: int, key: ApiKeyRecord, *, enabled: bool) -> m.Webhook:
        record = await reach(slug, key, write=True)
        store = service.ledger(record).readback()
        if not await store.set_endpoint(endpoint_id, enabled=enabled, reason="disabled by the user"):
            raise HTTPException(404, f"no webhook endpoint {endpoint_id} in this account")
        if enabled:
            service.deliveries.wake(slug)
        return await _webhook(record, endpoint_id)

    @app.post(
        "/v1/accounts/{slug}/webhooks/{endpoint_id}/enable",
        response_model=m.Webhook,
        tags=["webhooks"],
        responses=_write_errors,
    )
    async def enable_webhook(slug: str, endpoint_id: int, key: Caller) -> m.Webhook:
        """Deliver to the endpoint again (after it was disabled by persistent failure or by hand): its failed
        deliveries are due at once."""
        return await _switch(slug, endpoint_id, key, enabled=True)

    @app.post(
        "/v1/accounts/{slug}/webhooks/{endpoint_id}/disable",
        response_model=m.Webhook,
        tags=["webhooks"],
        responses=_write_errors,
    )
    async def disable_webhook(slug: str, endpoint_id: int, key: Caller) -> m.Webhook:
        """Stop delivering to the endpoint (its events are still kept for it)."""
        return await _switch(slug, endpoint_id, key, enabled=False)

    @app.delete(
        "/v1/accounts/{slug}/webhooks/{endpoint_id}",
        status_code=204,
        tags=["webhooks"],
        responses=_write_errors,
    )
    async def remove_webhook(slug: str, endpoint_id: int, key: Caller) -> Response:
        """Remove the endpoint and its deliveries."""
        record = await reach(slug, key, write=True)
        if not await service.ledger(record).readback().remove_endpoint(endpoint_id):
            raise HTTPException(404, f"no webhook endpoint {endpoint_id} in this account")
        return Response(status_code=204)

    @app.get(
        "/v1/accounts/{slug}/webhooks/{endpoint_id}/deliveries",
        response_model=list[m.WebhookDelivery],
        tags=["webhooks"],
        responses=_errors,
    )
    async def webhook_deliveries(
        slug: str,
        endpoint_id: int,
        key: Caller,
        state: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = PAGE_SIZE,
    ) -> list[m.WebhookDelivery]:
        """The endpoint's deliveries, newest event first: state, attempts, the next attempt, the last error."""
        record = await reach(slug, key)
        await _webhook(record, endpoint_id)
        chosen = (
            await service.ledger(record)
            .readback()
            .deliveries(endpoint_id, state=state, limit=limit, newest_first=True)
        )
        return [
            m.WebhookDelivery(
                event_id=d.event_id,
                cursor=str(d.seq),
                state=d.state,
                attempts=d.attempts,
                next_attempt_at=d.next_attempt_at,
                last_status=d.last_status,
                last_error=d.last_error,
            )
            for d in chosen
        ]

    @app.post(
        "/v1/accounts/{slug}/webhooks/{endpoint_id}/redeliver",
        response_model=m.RedeliverResponse,
        tags=["webhooks"],
        responses=_write_errors,
    )
    async def redeliver(
        slug: str, endpoint_id: int, body: m.RedeliverRequest, key: Caller
    ) -> m.RedeliverResponse:
        """Send events to the endpoint again, with the same ids: those named, or every failed one."""
        record = await reach(slug, key, write=True)
        await _webhook(record, endpoint_id)
        due = await service.ledger(record).readback().redeliver(endpoint_id, body.event_ids or None)
        if due:
            service.deliveries.wake(slug)
        return m.RedeliverResponse(due=due)

    @app.get(
        "/v1/accounts/{slug}/reconcile",
        tags=["reconcile"],
        response_class=Response,
        responses={
            **_errors,
            200: {
                "description": "The report, the differences first (`agrees` says whether there are any).",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
        },
    )
    async def reconcile(
        slug: str,
        key: Caller,
        period: Annotated[str, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM.")],
        subsidiary: Annotated[str | None, Query(max_length=200, description="Its name or id.")] = None,
        format: Annotated[
            str, Query(pattern="^(json|csv|html)$", description="json, csv or html (one printable page).")
        ] = "json",
    ) -> Response:
        """The period's TMS documents against what NetSuite holds (read by SuiteQL): missing, unknown, totals
        and line counts that differ, duplicates, open A/R and A/P per customer and vendor."""
        await reach(slug, key)
        result = await service.reconcile(slug, period, subsidiary)
        if format == "json":
            return JSONResponse(as_json(result))
        media = "text/csv; charset=utf-8" if format == "csv" else "text/html; charset=utf-8"
        return Response(render(result, format), media_type=media)

    # Administration (an administrator's key)

    @app.post(
        "/v1/accounts",
        status_code=201,
        response_model=m.Account,
        tags=["accounts"],
        responses={
            **_write_errors,
            409: {"model": m.Problem, "description": "The slug or account is taken."},
        },
    )
    async def add_account(body: m.AccountCreate, key: Caller) -> m.Account:
        """Register an account; its credentials are stored encrypted and never returned."""
        if key.account_slug is not None or key.read_only:
            raise HTTPException(403, "this needs an administrator's key (not read-only)")
        try:
            record = await service.accounts.add(
                body.slug, body.credentials, body.mapping, concurrency=body.concurrency
            )
        except AccountExists as exc:
            raise HTTPException(409, str(exc)) from None
        service.wake_all(record.slug)
        return _account_json(record)

    @app.get("/v1/accounts", response_model=list[m.Account], tags=["accounts"], responses=_errors)
    async def list_accounts(key: Caller) -> list[m.Account]:
        """The accounts this key reaches: every one for an administrator's key, its own for an account's."""
        records = await service.registry.all_accounts()
        return [_account_json(r) for r in records if key.account_slug in (None, r.slug)]

    @app.put(
        "/v1/accounts/{slug}/credentials",
        response_model=m.Account,
        tags=["accounts"],
        responses=_write_errors,
    )
    async def put_credentials(slug: str, body: m.CredentialsUpdate, key: Caller) -> m.Account:
        """New credentials for the same NetSuite account; the doctor runs before the next export."""
        await reach(slug, key, write=True, admin=True)
        record = await service.accounts.set_credentials(slug, body.credentials)
        service.scheduler.wake(slug)
        return _account_json(record)

    @app.put(
        "/v1/accounts/{slug}/mapping", response_model=m.Account, tags=["accounts"], responses=_write_errors
    )
    async def put_mapping(slug: str, body: m.MappingUpdate, key: Caller) -> m.Account:
        """A new mapping (its TOML text, checked); the doctor checks it against the account before the next
        export, and a failing check pauses the account."""
        await reach(slug, key, write=True, admin=True)
        try:
            record = await service.accounts.set_mapping(slug, body.mapping)
        except MappingError as exc:
            raise HTTPException(422, str(exc)) from None
        service.scheduler.wake(slug)
        return _account_json(record)

    async def _set_paused(slug: str, key: ApiKeyRecord, *, paused: bool) -> m.Account:
        await reach(slug, key, write=True, admin=True)
        reason = "paused by an administrator" if paused else None
        record = await service.registry.update(slug, paused=paused, pause_reason=reason)
        if not paused:
            service.scheduler.wake(slug)
        return _account_json(record)

    @app.post(
        "/v1/accounts/{slug}/pause", response_model=m.Account, tags=["accounts"], responses=_write_errors
    )
    async def pause(slug: str, key: Caller) -> m.Account:
        """Stop exporting (documents are still accepted)."""
        return await _set_paused(slug, key, paused=True)

    @app.post(
        "/v1/accounts/{slug}/resume", response_model=m.Account, tags=["accounts"], responses=_write_errors
    )
    async def resume(slug: str, key: Caller) -> m.Account:
        """Export again (a pause by the doctor is lifted too; the doctor runs again if its checks are due)."""
        return await _set_paused(slug, key, paused=False)

    return app


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, made without a database (nothing is opened)."""
    unused = Registry(create_async_engine("sqlite+aiosqlite://"))
    return create_app(Service(Accounts(unused, None))).openapi()
