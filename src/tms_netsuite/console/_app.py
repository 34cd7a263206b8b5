"""The console's pages and forms (FastAPI, Jinja2), mounted by the service at ``/ui``.

Every page and form reaches accounts by the same rules as the API: an administrator's key reaches every
account, an account's key only its own (another account's pages and forms answer 404, as if it did not exist),
a read-only key cannot post, and credentials, mapping, pause and API keys need an administrator's key.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from tms_netsuite import __version__
from tms_netsuite.accounts import Accounts, create_key, verify_key
from tms_netsuite.console._charts import Bar, bar_chart
from tms_netsuite.console._session import COOKIE, PRE_COOKIE, Session, Sessions, same_token
from tms_netsuite.doctor import CheckResult, DoctorReport, Status, run_doctor
from tms_netsuite.documents import Kind
from tms_netsuite.errors import TmsNetSuiteError
from tms_netsuite.ledger import (
    AccountRecord,
    ApiKeyRecord,
    Ledger,
    Registry,
    State,
    UnknownAccount,
    group_failures,
)
from tms_netsuite.mapping import MappingError, parse_mapping

logger = logging.getLogger("tms_netsuite.console")

HERE = Path(__file__).parent
PAGE_SIZE = 50
MAX_MAPPING_BYTES = 1024 * 1024
# The NETSUITE_* values the credentials form offers, as people name them (values are never shown back).
CREDENTIAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("NETSUITE_AUTH", "Authentication (tba or oauth2)"),
    ("NETSUITE_CONSUMER_KEY", "Consumer key (integration record)"),
    ("NETSUITE_CONSUMER_SECRET", "Consumer secret"),
    ("NETSUITE_TOKEN_ID", "Token ID (access token)"),
    ("NETSUITE_TOKEN_SECRET", "Token secret"),
    ("NETSUITE_CLIENT_ID", "OAuth 2.0 client ID"),
    ("NETSUITE_CERTIFICATE_ID", "OAuth 2.0 certificate ID"),
    ("NETSUITE_PRIVATE_KEY", "OAuth 2.0 private key (PEM)"),
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class _Waker(Protocol):
    def wake(self, slug: str) -> None: ...


class Backend(Protocol):
    """What the console needs of the service (the service's :class:`Service` is one)."""

    @property
    def accounts(self) -> Accounts: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def scheduler(self) -> _Waker: ...

    def ledger(self, record: AccountRecord) -> Ledger: ...

    def now(self) -> datetime: ...

    def transport(self, record: AccountRecord) -> httpx.AsyncBaseTransport | None: ...

    async def doctor(self, slug: str) -> DoctorReport: ...


class _SignIn(Exception):
    """No live session: the page asks to sign in."""


@dataclass(frozen=True, slots=True)
class Viewer:
    sid: str
    session: Session
    key: ApiKeyRecord

    @property
    def admin(self) -> bool:
        return self.key.account_slug is None

    @property
    def can_write(self) -> bool:
        return not self.key.read_only


@dataclass(frozen=True, slots=True)
class Form:
    """A posted form: its text fields and its uploads (file name, bytes)."""

    fields: dict[str, list[str]]
    files: dict[str, tuple[str, bytes]]

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def getlist(self, name: str) -> list[str]:
        return self.fields.get(name, [])


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _checks_of(report: Mapping[str, Any] | None) -> list[CheckResult]:
    return [
        CheckResult(c["id"], c["title"], Status(c["status"]), c["detail"], c.get("fix"), c.get("docs"))
        for c in (report or {}).get("checks", [])
    ]


def create_console(backend: Backend, *, sessions: Sessions | None = None) -> FastAPI:
    """The console as an ASGI app; the service mounts it at ``/ui``."""
    sessions = sessions or Sessions()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    templates.env.filters["when"] = _when
    templates.env.filters["age"] = _age
    app = FastAPI(title="tms-netsuite console", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.update(_SECURITY_HEADERS)
        return response

    def base(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    def render(
        request: Request, template: str, viewer: Viewer | None, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        flashes = list(viewer.session.flashes) if viewer else []
        if viewer:
            viewer.session.flashes.clear()
        return templates.TemplateResponse(
            request,
            template,
            {
                "base": base(request),
                "viewer": viewer,
                "csrf": viewer.session.csrf if viewer else "",
                "flashes": flashes,
                **values,
            },
            status_code=status_code,
        )

    def redirect(request: Request, path: str) -> RedirectResponse:
        return RedirectResponse(base(request) + path, status_code=303)

    @app.exception_handler(_SignIn)
    async def sign_in_first(request: Request, exc: _SignIn) -> Response:
        if request.method != "GET":
            return HTMLResponse("Your session ended: sign in again.", status_code=401)
        return redirect(request, "/sign-in?" + urlencode({"next": request.url.path}))

    @app.exception_handler(HTTPException)
    async def problem(request: Request, exc: HTTPException) -> Response:
        viewer = await _viewer_or_none(request)
        return render(
            request,
            "problem.html",
            viewer,
            status_code=exc.status_code,
            status=exc.status_code,
            detail=exc.detail,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        viewer = await _viewer_or_none(request)
        names = ", ".join(str(error["loc"][-1]) for error in exc.errors())
        return render(
            request, "problem.html", viewer, status_code=422, status=422, detail=f"not valid: {names}"
        )

    @app.exception_handler(TmsNetSuiteError)
    async def project_error(request: Request, exc: TmsNetSuiteError) -> Response:
        viewer = await _viewer_or_none(request)
        return render(request, "problem.html", viewer, status_code=422, status=422, detail=str(exc))

    async def _viewer_or_none(request: Request) -> Viewer | None:
        sid = request.cookies.get(COOKIE)
        session = sessions.get(sid)
        if session is None or sid is None:
            return None
        key = await backend.registry.key(session.key_id)
        if key is None or key.revoked_at is not None:
            sessions.close(sid)
            return None
        return Viewer(sid, session, key)

    async def viewer_of(request: Request) -> Viewer:
        viewer = await _viewer_or_none(request)
        if viewer is None:
            raise _SignIn
        return viewer

    async def posted(request: Request) -> tuple[Viewer, Form]:
        """A form post from a live session carrying its CSRF token (else 403); uploads read and closed."""
        viewer = await viewer_of(request)
        async with request.form(max_part_size=MAX_MAPPING_BYTES + 1) as data:
            fields = {k: [v for v in data.getlist(k) if isinstance(v, str)] for k in data}
            files = {
                k: (v.filename, await v.read(MAX_MAPPING_BYTES + 1))
                for k, v in data.multi_items()
                if isinstance(v, UploadFile) and v.filename
            }
        form = Form(fields, files)
        if not same_token(viewer.session.csrf, form.get("csrf")):
            raise HTTPException(
                403, "this form is out of date or was not sent from this console: reload the page"
            )
        return viewer, form

    async def reach(slug: str, viewer: Viewer, *, write: bool = False, admin: bool = False) -> AccountRecord:
        """The account a viewer may reach: another account's is a 404, as in the API."""
        key = viewer.key
        if key.account_slug is not None and key.account_slug != slug:
            raise HTTPException(404, f"no account {slug!r}")
        try:
            record = await backend.registry.get(slug)
        except UnknownAccount:
            raise HTTPException(404, f"no account {slug!r}") from None
        if admin and key.account_slug is not None:
            raise HTTPException(403, "this needs an administrator's key")
        if write and key.read_only:
            raise HTTPException(403, "this key is read-only")
        return record

    # Sign-in

    @app.get("/sign-in", response_class=HTMLResponse)
    async def sign_in_page(request: Request, next: str = "") -> Response:
        token = secrets.token_urlsafe(32)
        response = render(request, "sign_in.html", None, pre_csrf=token, next=next, error=None)
        _set_cookie(request, response, PRE_COOKIE, token)
        return response

    @app.post("/sign-in", response_class=HTMLResponse)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        given = form.get("csrf")
        if not same_token(request.cookies.get(PRE_COOKIE), given if isinstance(given, str) else None):
            raise HTTPException(403, "the sign-in form is out of date: reload it and sign in again")
        text = form.get("api_key")
        key = (
            await verify_key(backend.registry, text.strip())
            if isinstance(text, str) and text.strip()
            else None
        )
        target = form.get("next")
        if key is None:
            token = secrets.token_urlsafe(32)
            response = render(
                request,
                "sign_in.html",
                None,
                status_code=401,
                pre_csrf=token,
                next=target or "",
                error="That key is unknown or revoked. Keys come from `tms-netsuite api-keys create`.",
            )
            _set_cookie(request, response, PRE_COOKIE, token)
            return response
        sid, _ = sessions.open(key.key_id)
        logger.info("console: key %s signed in", key.key_id)
        # Back to the page that asked for sign-in: only a path of this console (never another site).
        inside = isinstance(target, str) and target.startswith(base(request) + "/") and "//" not in target
        signed_in = RedirectResponse(str(target) if inside else base(request) + "/", status_code=303)
        _set_cookie(request, signed_in, COOKIE, sid)
        signed_in.delete_cookie(PRE_COOKIE, path=base(request) or "/")
        return signed_in

    def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
        response.set_cookie(
            name,
            value,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=base(request) or "/",
        )

    @app.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        viewer, _ = await posted(request)
        sessions.close(viewer.sid)
        response = redirect(request, "/sign-in")
        response.delete_cookie(COOKIE, path=base(request) or "/")
        return response

    # Accounts

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        viewer = await viewer_of(request)
        if viewer.key.account_slug is not None:
            return redirect(request, f"/accounts/{viewer.key.account_slug}")
        return redirect(request, "/accounts")

    @app.get("/accounts", response_class=HTMLResponse)
    async def accounts_page(request: Request) -> Response:
        viewer = await viewer_of(request)
        records = [
            r for r in await backend.registry.all_accounts() if viewer.key.account_slug in (None, r.slug)
        ]
        return render(
            request,
            "accounts.html",
            viewer,
            accounts=[await health(r) for r in records],
            activity_enabled=True,
        )

    async def activity(record: AccountRecord, hours: int) -> list[Any]:
        since = backend.now() - timedelta(hours=hours - 1)
        return await backend.ledger(record).activity(since)

    async def health(record: AccountRecord) -> dict[str, Any]:
        ledger = backend.ledger(record)
        day = await activity(record, 24)
        counts = await ledger.counts()
        oldest = await ledger.oldest_waiting()
        checks = _checks_of(record.doctor_report)
        return {
            "record": record,
            "pending": counts.get(State.PENDING, 0) + counts.get(State.EXPORTING, 0),
            "failed": counts.get(State.FAILED, 0),
            "blocked": counts.get(State.BLOCKED, 0),
            "synced": counts.get(State.SYNCED, 0),
            "oldest_age": None if oldest is None else time.time() - oldest.timestamp(),
            "doctor_failed": [c for c in checks if c.status is Status.FAIL],
            "doctor_ran": record.doctor_report is not None,
            "read_back": await ledger.readback().cursor(),
            "written_24h": sum(hour.records_written for hour in day),
            "chart": bar_chart(
                f"{record.slug}: records written per hour, last 24 hours", _bars(day, "records_written")
            ),
        }

    @app.get("/accounts/{slug}", response_class=HTMLResponse)
    async def account_page(request: Request, slug: str, hours: int = 24) -> Response:
        viewer = await viewer_of(request)
        record = await reach(slug, viewer)
        hours = hours if hours in (24, 168) else 24
        period = await activity(record, hours)
        charts = [
            (
                f"{title} per hour",
                bar_chart(f"{title} per hour, last {hours} hours", _bars(period, field), colour=colour),
            )
            for title, field, colour in [
                ("Records written to NetSuite", "records_written", "#1f5fa8"),
                ("Documents failed", "documents_failed", "#a3211c"),
                ("Requests to NetSuite", "requests", "#3d6b35"),
                ("Throttled by NetSuite (429)", "throttled", "#7a5200"),
            ]
        ]
        totals = {
            field: sum(getattr(hour, field) for hour in period)
            for field in ("records_written", "documents_failed", "requests", "throttled")
        }
        return render(
            request,
            "account.html",
            viewer,
            account=record,
            tab="overview",
            health=await health(record),
            charts=charts,
            hours=hours,
            totals=totals,
        )

    # Errors

    @app.get("/accounts/{slug}/errors", response_class=HTMLResponse)
    async def errors_page(request: Request, slug: str) -> Response:
        viewer = await viewer_of(request)
        record = await reach(slug, viewer)
        ledger = backend.ledger(record)
        failed = [row async for row in ledger.rows(state=State.FAILED)]
        blocked = [row async for row in ledger.rows(state=State.BLOCKED)]
        return render(
            request,
            "errors.html",
            viewer,
            account=record,
            tab="errors",
            causes=group_failures(failed),
            blocked=blocked,
            rejected=await ledger.rejected(),
        )

    @app.post("/accounts/{slug}/retry")
    async def retry(request: Request, slug: str) -> Response:
        viewer, form = await posted(request)
        record = await reach(slug, viewer, write=True)
        ids = [int(v) for v in form.getlist("row") if v.isdigit()]
        if not ids:
            raise HTTPException(422, "no documents named to retry")
        queued = await backend.ledger(record).retry(ids)
        if queued:
            backend.scheduler.wake(slug)
        viewer.session.flashes.append(
            f"{queued} document version(s) queued again."
            if queued
            else "Nothing to queue: these are not failed or blocked any more (already queued or synced)."
        )
        back = form.get("back")
        return redirect(
            request,
            back if back and back.startswith("/") and "//" not in back else f"/accounts/{slug}/errors",
        )

    # Documents

    @app.get("/accounts/{slug}/documents", response_class=HTMLResponse)
    async def documents_page(
        request: Request,
        slug: str,
        state: str = "",
        kind: str = "",
        q: str = "",
        dated_from: str = "",
        dated_to: str = "",
        after: str = "",
    ) -> Response:
        viewer = await viewer_of(request)
        record = await reach(slug, viewer)
        chosen_state = State(state) if state in {s.value for s in State} else None
        chosen_kind = kind if kind in {k.value for k in Kind} else None
        rows = await backend.ledger(record).browse(
            after=int(after) if after.isdigit() else 0,
            limit=PAGE_SIZE,
            state=chosen_state,
            kind=chosen_kind,
            search=q.strip()[:200] or None,
            dated_from=_iso_date(dated_from),
            dated_to=_iso_date(dated_to),
        )
        filters = {"state": state, "kind": kind, "q": q, "dated_from": dated_from, "dated_to": dated_to}
        next_page = (
            urlencode({**{k: v for k, v in filters.items() if v}, "after": rows[-1].row_id})
            if len(rows) == PAGE_SIZE
            else None
        )
        return render(
            request,
            "documents.html",
            viewer,
            account=record,
            tab="documents",
            rows=rows,
            filters=filters,
            states=[s.value for s in State],
            kinds=[k.value for k in Kind],
            next_page=next_page,
            first_page=urlencode({k: v for k, v in filters.items() if v}) if after else None,
        )

    @app.get("/accounts/{slug}/documents/{kind}/{document_id}", response_class=HTMLResponse)
    async def document_page(request: Request, slug: str, kind: str, document_id: str) -> Response:
        viewer = await viewer_of(request)
        record = await reach(slug, viewer)
        timeline = await backend.ledger(record).timeline(kind, document_id)
        if timeline is None:
            raise HTTPException(404, f"no {kind} {document_id!r} in this account")
        return render(
            request,
            "document.html",
            viewer,
            account=record,
            tab="documents",
            kind=kind,
            document_id=document_id,
            versions=list(reversed(timeline.versions)),
            attachments=timeline.attachments,
            events=timeline.events,
        )

    # Doctor

    @app.get("/accounts/{slug}/doctor", response_class=HTMLResponse)
    async def doctor_page(request: Request, slug: str) -> Response:
        viewer = await viewer_of(request)
        record = await reach(slug, viewer)
        checks = _checks_of(record.doctor_report)
        runs = await backend.ledger(record).doctor_runs(20)
        return render(
            request,
            "doctor.html",
            viewer,
            account=record,
            tab="doctor",
            groups=DoctorReport(tuple(checks)).grouped() if checks else [],
            summary=DoctorReport(tuple(checks)).summary() if checks else {},
            runs=[_run_row(ran_at, passed, results) for ran_at, passed, results in runs],
        )

    @app.post("/accounts/{slug}/doctor")
    async def doctor_now(request: Request, slug: str) -> Response:
        viewer, _ = await posted(request)
        await reach(slug, viewer, write=True)
        report = await backend.doctor(slug)
        failed = [c.id for c in report.checks if c.status is Status.FAIL]
        viewer.session.flashes.append(
            f"The doctor ran: {len(failed)} check(s) failed ({', '.join(failed)})."
            if failed
            else "The doctor ran: no check failed."
        )
        return redirect(request, f"/accounts/{slug}/doctor")

    # Settings

    @app.get("/accounts/{slug}/settings", response_class=HTMLResponse)
    async def settings_page(request: Request, slug: str) -> Response:
        viewer = await viewer_of(request)
        record = await reach(slug, viewer)
        return await settings_view(request, viewer, record)

    async def settings_view(
        request: Request,
        viewer: Viewer,
        record: AccountRecord,
        *,
        status_code: int = 200,
        refused: list[CheckResult] | None = None,
        tested: list[CheckResult] | None = None,
        new_key: str | None = None,
        problem: str | None = None,
    ) -> HTMLResponse:
        keys = (
            [k for k in await backend.registry.keys() if k.account_slug == record.slug]
            if viewer.admin
            else []
        )
        readback = backend.ledger(record).readback()
        webhooks = [
            {
                "endpoint": endpoint,  # its secret is ciphertext and never rendered
                "states": Counter(await readback.delivery_counts(endpoint.id)),
                # The last ten failed, oldest first (paged by the database, not every delivery loaded).
                "failed": list(
                    reversed(
                        await readback.deliveries(endpoint.id, state="failed", limit=10, newest_first=True)
                    )
                ),
            }
            for endpoint in await readback.endpoints()
        ]
        return render(
            request,
            "settings.html",
            viewer,
            status_code=status_code,
            account=record,
            tab="settings",
            fields=CREDENTIAL_FIELDS,
            keys=keys,
            refused=refused,
            tested=tested,
            new_key=new_key,
            problem=problem,
            webhooks=webhooks,
        )

    @app.post("/accounts/{slug}/credentials")
    async def set_credentials(request: Request, slug: str) -> Response:
        viewer, form = await posted(request)
        record = await reach(slug, viewer, write=True, admin=True)
        given = {
            name: value.strip()
            for name, _ in CREDENTIAL_FIELDS
            if (value := form.get(name)) and value.strip()
        }
        if not given:
            viewer.session.flashes.append("No credentials changed: every field was left blank.")
            return redirect(request, f"/accounts/{slug}/settings")
        # Blank fields keep what is stored: a clerk changes the token secret without retyping the rest.
        merged = {**backend.accounts.environ(record), **given}
        await backend.accounts.set_credentials(slug, merged)
        backend.scheduler.wake(slug)
        viewer.session.flashes.append(
            f"Credentials saved ({', '.join(sorted(given))}); the doctor checks them before the next export."
        )
        return redirect(request, f"/accounts/{slug}/settings")

    @app.post("/accounts/{slug}/test-connection", response_class=HTMLResponse)
    async def test_connection(request: Request, slug: str) -> Response:
        viewer, _ = await posted(request)
        record = await reach(slug, viewer, write=True)
        report = await run_doctor(backend.accounts.environ(record), transport=backend.transport(record))
        connection = [c for c in report.checks if c.id in ("credentials", "clock", "connection")]
        return await settings_view(request, viewer, record, tested=connection)

    @app.post("/accounts/{slug}/mapping", response_class=HTMLResponse)
    async def set_mapping(request: Request, slug: str) -> Response:
        viewer, form = await posted(request)
        record = await reach(slug, viewer, write=True, admin=True)
        upload = form.files.get("mapping_file")
        text = form.get("mapping_text")
        if upload is not None:
            raw = upload[1]
            if len(raw) > MAX_MAPPING_BYTES:
                return await settings_view(
                    request, viewer, record, status_code=413, problem="The file is over 1 MB."
                )
            try:
                toml = raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError:
                return await settings_view(
                    request, viewer, record, status_code=422, problem="The file is not UTF-8 text."
                )
        elif text and text.strip():
            toml = text.replace("\r\n", "\n")
        else:
            return await settings_view(
                request, viewer, record, status_code=422, problem="Choose a mapping file (TOML) or paste one."
            )
        try:
            mapping = parse_mapping(toml, "the uploaded mapping")
        except MappingError as exc:
            return await settings_view(request, viewer, record, status_code=422, problem=str(exc))
        # The doctor checks the new mapping against the account before it takes effect, as `set-mapping` does.
        report = await run_doctor(
            backend.accounts.environ(record), mapping=mapping, transport=backend.transport(record)
        )
        failed = [c for c in report.checks if c.status is Status.FAIL]
        if failed:
            return await settings_view(request, viewer, record, status_code=422, refused=failed)
        stored = await backend.accounts.set_mapping(slug, toml)
        backend.scheduler.wake(slug)
        viewer.session.flashes.append(
            f"Mapping v{stored.mapping_version} saved: the doctor's checks passed. Documents that failed on the "
            "old mapping are queued again with the next export."
        )
        return redirect(request, f"/accounts/{slug}/settings")

    @app.post("/accounts/{slug}/pause")
    async def pause(request: Request, slug: str) -> Response:
        viewer, form = await posted(request)
        await reach(slug, viewer, write=True, admin=True)
        paused = form.get("paused") == "true"
        await backend.registry.update(
            slug, paused=paused, pause_reason="paused by an administrator (console)" if paused else None
        )
        if not paused:
            backend.scheduler.wake(slug)
        viewer.session.flashes.append("Exports paused." if paused else "Exports resumed.")
        return redirect(request, f"/accounts/{slug}/settings")

    @app.post("/accounts/{slug}/webhooks/{endpoint_id}/redeliver")
    async def redeliver(request: Request, slug: str, endpoint_id: int) -> Response:
        viewer, _ = await posted(request)
        record = await reach(slug, viewer, write=True)
        readback = backend.ledger(record).readback()
        if endpoint_id not in {endpoint.id for endpoint in await readback.endpoints()}:
            raise HTTPException(404, f"no webhook endpoint {endpoint_id} for this account")
        queued = await readback.redeliver(endpoint_id)
        viewer.session.flashes.append(
            f"{queued} failed deliveries to endpoint {endpoint_id} are due again (the webhook sender sends them)."
        )
        return redirect(request, f"/accounts/{slug}/settings#webhooks")

    @app.post("/accounts/{slug}/keys", response_class=HTMLResponse)
    async def add_key(request: Request, slug: str) -> Response:
        viewer, form = await posted(request)
        record = await reach(slug, viewer, write=True, admin=True)
        made = await create_key(
            backend.registry, account_slug=slug, read_only=form.get("read_only") == "true"
        )
        # Shown once, on this answer only (never kept, never shown again).
        return await settings_view(request, viewer, record, new_key=made.key)

    @app.post("/accounts/{slug}/keys/{key_id}/revoke")
    async def revoke_key(request: Request, slug: str, key_id: str) -> Response:
        viewer, _ = await posted(request)
        await reach(slug, viewer, write=True, admin=True)
        key = await backend.registry.key(key_id)
        if key is None or key.account_slug != slug:
            raise HTTPException(404, f"no key {key_id!r} for this account")
        await backend.registry.revoke_key(key_id)
        viewer.session.flashes.append(f"Key {key_id} revoked.")
        return redirect(request, f"/accounts/{slug}/settings")

    return app


def _bars(hours: Sequence[Any], field: str) -> list[Bar]:
    """One bar an hour (UTC) of an ``HourActivity`` counter."""
    return [
        Bar(
            hour.hour.astimezone(UTC).strftime("%H:00" if len(hours) <= 48 else "%d %b"), getattr(hour, field)
        )
        for hour in hours
    ]


def _iso_date(text: str) -> str | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date().isoformat() if text.strip() else None
    except ValueError:
        return None


def _run_row(ran_at: datetime, passed: bool, results: Mapping[str, Any]) -> dict[str, Any]:
    failed = sorted(k for k, v in results.items() if isinstance(v, Mapping) and v.get("status") == "fail")
    return {"ran_at": ran_at, "passed": passed, "failed": failed}
