"""The ASGI application: NetSuite's REST web services paths and the RESTlet-domain tokeninfo, on one host."""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._async import AsyncService, AsyncSettings
from ._errors import NetSuiteJSON, error_response, invalid_login, iso_utc_ms
from .auth import (
    REST,
    RESTLETS,
    LoginFailure,
    Principal,
    TokenRequestError,
    audit_failure,
    audit_success,
    authenticate,
    base_string_uri,
    issue_token,
    query_parameters,
    signing_jwks,
)
from .files import FileService
from .governance import ConnectionDropped, Governor
from .permissions import LEVEL_NAMES, PERMISSIONS, Requirement
from .records import RecordService
from .store import AccountStore
from .suiteql import SuiteQLEndpoint

logger = logging.getLogger("netsuite_emulator")

MAX_REST_BODY = 104 * 1024 * 1024  # NetSuite's REST request size limit
MAX_TOKEN_BODY = 64 * 1024
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_FORM = "application/x-www-form-urlencoded"
_SUBTABS = {"ADMI": "Setup", "LIST": "Lists", "TRAN": "Transactions", "REPO": "Reports", "REGT": "Lists"}


class BodyTooLarge(Exception):
    pass


class BodyIncomplete(Exception):
    """The request body ended short of its Content-Length: the client stopped sending (half-closed or went
    away). Answered 400 by the guard; nothing of the request is handled."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused past ``limit`` bytes whether or not Content-Length announced it; read once."""
    cached: bytes | None = getattr(request.state, "body", None)
    if cached is not None:
        return cached
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise BodyIncomplete from exc
    if declared.isdigit() and size < int(declared):
        raise BodyIncomplete
    request.state.body = b"".join(chunks)
    return bytes(request.state.body)


def _too_large() -> Response:
    # NetSuite's answer to an oversized REST request is not documented; 413 with INVALID_REQUEST is a guess.
    return error_response(
        413, "INVALID_REQUEST", "The request body exceeds the REST web services size limit."
    )


class _Handlers:
    def __init__(
        self,
        store: AccountStore,
        clock: Callable[[], float],
        new_id: Callable[[], str],
        governor: Governor | None,
        async_settings: AsyncSettings,
    ) -> None:
        self.store = store
        self.clock = clock
        self.new_id = new_id
        self.governor = governor  # the effective concurrency limit, when governance is on
        self.records = RecordService(store, clock, self._record_body, _permission_violation)
        self.files = FileService(store, clock, self._limited_body, _permission_violation)
        self.jobs = AsyncService(store, clock, self.records.handle, governor, async_settings)

    async def login(self, request: Request, service: str) -> Principal | Response:
        """Authenticate and audit; the Principal, or NetSuite's 401."""
        now = self.clock()
        params = query_parameters(request.scope.get("query_string", b""))
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == _FORM:
            try:
                body = await read_body(request, MAX_REST_BODY)  # RFC 5849: form bodies enter the base string
            except BodyTooLarge:
                return _too_large()
            params += parse_qsl(body.decode("latin-1"), keep_blank_values=True, errors="replace")
        host = request.headers.get("host") or "{}:{}".format(
            *(request.scope.get("server") or ("localhost", 80))
        )
        raw_path = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
        uri = base_string_uri(request.url.scheme, host, raw_path)
        authorization = request.headers.get("authorization")
        try:
            principal = authenticate(
                self.store,
                authorization=authorization,
                method=request.method,
                uri=uri,
                params=params,
                service=service,
                now=now,
            )
        except LoginFailure as failure:
            audit_failure(self.store, failure, now, request.method, request.url.path)
            return invalid_login(self._bearer_challenge(authorization))
        audit_success(self.store, principal, now, request.method, request.url.path)
        return principal

    def _bearer_challenge(self, authorization: str | None) -> dict[str, str] | None:
        if not authorization or not authorization.strip().lower().startswith("bearer"):
            return None
        realm = self.store.company().account_id
        return {
            "WWW-Authenticate": f'Bearer realm="{realm}", error="invalid_token", '
            'error_description="Invalid login attempt."'
        }

    async def server_time(self, request: Request) -> Response:
        principal = await self.login(request, REST)
        if isinstance(principal, Response):
            return principal
        return NetSuiteJSON({"serverTime": iso_utc_ms(self.clock())})

    async def governance_limits(self, request: Request) -> Response:
        principal = await self.login(request, REST)
        if isinstance(principal, Response):
            return principal
        if not principal.role.is_administrator:
            # Documented as administrator-only; the refusal's wording is a guess.
            return error_response(
                403,
                "INSUFFICIENT_PERMISSION",
                "Only an administrator can view the account's governance limits.",
            )
        limit = self.governor.limit if self.governor else self.store.company().concurrency_limit
        body: dict[str, Any] = {
            "accountConcurrencyLimit": limit,
            "accountUnallocatedConcurrencyLimit": limit - self.store.allocated_concurrency(),
        }
        allocation = principal.integration.concurrency_limit
        if allocation is not None:
            body["integrationConcurrencyLimit"] = allocation
        body["integrationLimitType"] = "integrationSpecific" if allocation is not None else "accountLimit"
        return NetSuiteJSON(body)

    async def token_info(self, request: Request) -> Response:
        principal = await self.login(request, RESTLETS)
        if isinstance(principal, Response):
            return principal
        # Oracle lists the fields (company name and id, role name and id, entity id) but not their JSON keys:
        # these names are the emulator's guess.
        return JSONResponse(
            {
                "companyName": self.store.company().name,
                "companyId": self.store.company().account_id,
                "roleName": principal.role.name,
                "roleId": str(principal.role.id),
                "entityId": str(principal.entity.id),
            }
        )

    async def token(self, request: Request) -> Response:
        now = self.clock()
        no_store = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        try:
            if request.headers.get("content-type", "").split(";")[0].strip().lower() != _FORM:
                raise TokenRequestError("invalid_request", "InvalidRequest")
            try:
                body = await read_body(request, MAX_TOKEN_BODY)
            except BodyTooLarge:
                raise TokenRequestError("invalid_request", "InvalidRequest") from None
            form = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            response, principal = issue_token(self.store, form, now, self.new_id)
        except LoginFailure as failure:
            audit_failure(self.store, failure, now, request.method, request.url.path)
            error, status = "invalid_grant", 400
            if isinstance(failure, TokenRequestError):
                error, status = failure.error, failure.status
            return JSONResponse({"error": error}, status, headers=no_store)
        audit_success(self.store, principal, now, request.method, request.url.path)
        return JSONResponse(response, headers=no_store)

    async def keys(self, request: Request) -> Response:
        """The public key of the emulator's access tokens (clients need not verify them)."""
        return JSONResponse(signing_jwks())

    async def record(self, request: Request) -> Response:
        principal = await self.login(request, REST)
        if isinstance(principal, Response):
            return principal
        if AsyncService.wanted(request) and request.method in ("POST", "PUT", "PATCH"):
            body = await self._record_body(request)
            if isinstance(body, Response):
                return body
            return await self.jobs.submit(request, principal, body)
        return await self.records.handle(request, principal)

    async def async_job(self, request: Request) -> Response:
        principal = await self.login(request, REST)
        if isinstance(principal, Response):
            return principal
        return await self.jobs.handle(request, principal)

    async def document(self, request: Request) -> Response:
        principal = await self.login(request, REST)
        if isinstance(principal, Response):
            return principal
        return await self.files.handle(request, principal)

    async def attach(self, request: Request) -> Response:
        principal = await self.login(request, REST)
        if isinstance(principal, Response):
            return principal
        return await self.files.attach(request, principal)

    async def _limited_body(self, request: Request, limit: int) -> bytes | Response:
        try:
            return await read_body(request, limit)
        except BodyTooLarge:
            return _too_large()

    async def _record_body(self, request: Request) -> bytes | Response:
        try:
            return await read_body(request, MAX_REST_BODY)
        except BodyTooLarge:
            return _too_large()

    async def other_rest(self, request: Request) -> Response:
        principal = await self.login(request, REST)
        if isinstance(principal, Response):
            return principal
        if request.method == "OPTIONS":  # clients probe connectivity and credentials with OPTIONS → 204
            return Response(status_code=204)
        return error_response(
            404, "INVALID_REQUEST", "The requested resource does not exist."
        )  # wording: a guess


def _permission_violation(requirement: Requirement) -> Response:
    """403 INSUFFICIENT_PERMISSION, worded like NetSuite's permission violation (the REST wording is a guess)."""
    name = PERMISSIONS[requirement.permkey][0]
    subtab = _SUBTABS.get(requirement.permkey.split("_", 1)[0], "Setup")
    level = LEVEL_NAMES[requirement.level]
    return error_response(
        403,
        "INSUFFICIENT_PERMISSION",
        f"Permission Violation: You need the '{subtab} -> {name}' permission at level {level} to access "
        "this page. Please contact your account administrator.",
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    if status == 405:
        return error_response(405, "INVALID_REQUEST", f"The {request.method} method is not supported here.")
    if status == 404:
        return error_response(404, "INVALID_REQUEST", "The requested resource does not exist.")
    return error_response(status, "INVALID_REQUEST", "The request could not be understood by the server.")


class _Guard:
    """Outermost layer: a Date header from the account's clock on every answer, and never a traceback."""

    def __init__(self, app: ASGIApp, clock: Callable[[], float], new_id: Callable[[], str]) -> None:
        self.app, self.clock, self.new_id = app, clock, new_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_dated(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", formatdate(self.clock(), usegmt=True).encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_dated)
        except ConnectionDropped:
            raise  # the drop fault: the server (or ASGITransport) breaks the connection
        except Exception:
            logger.exception("unexpected error while serving %s", scope.get("path", "?"))
            if not started:
                await _unexpected(self.new_id)(scope, receive, send_dated)


async def _incomplete(request: Request, exc: Exception) -> Response:
    """A client that went away altogether never reads this answer; one that half-closed does."""
    # NetSuite answers a user's error with a 4xx and its error body (section_156570709583.html, "Error Handling
    # in REST Web Services"); its answer to a body cut short of its Content-Length is not documented: the status
    # follows HTTP (RFC 9110 §15.5.1, message framing) and the code and wording are a guess.
    return error_response(
        400, "INVALID_REQUEST", "The request body is shorter than its Content-Length header."
    )


def _unexpected(new_id: Callable[[], str]) -> Response:
    return error_response(500, "UNEXPECTED_ERROR", f"An unexpected error occurred. Error ID: {new_id()[:20]}")


async def _suiteql_body(request: Request) -> bytes | None:
    try:
        return await read_body(request, MAX_REST_BODY)
    except BodyTooLarge:
        return None


def create_app(
    store: AccountStore,
    clock: Callable[[], float],
    new_id: Callable[[], str],
    governor: Governor | None = None,
    async_settings: AsyncSettings | None = None,
) -> ASGIApp:
    """The application; ``governor`` (concurrency limit, latency, faults) wraps every governed request;
    ``async_settings`` are the emulator's assumptions about async jobs (see :mod:`netsuite_emulator._async`)."""
    handlers = _Handlers(store, clock, new_id, governor, async_settings or AsyncSettings())
    suiteql = SuiteQLEndpoint(store, clock, handlers.login, _suiteql_body, _too_large)

    async def _server_error(request: Request, exc: Exception) -> Response:
        return _unexpected(new_id)

    routes = [
        Route("/services/rest/system/v1/serverTime", handlers.server_time, methods=["GET"]),
        Route("/services/rest/system/v1/governanceLimits", handlers.governance_limits, methods=["GET"]),
        Route("/services/rest/auth/oauth2/v1/token", handlers.token, methods=["POST"]),
        Route("/services/rest/auth/oauth2/v1/keys", handlers.keys, methods=["GET"]),
        Route("/rest/tokeninfo", handlers.token_info, methods=["GET"]),
        Route("/services/rest/query/v1/suiteql", suiteql.handle, methods=["POST"]),
        # ORA/article_0113084334.html: attach and detach are actions in the record service's URL.
        Route(
            "/services/rest/record/v1/{rtype}/{ref}/!attach/{other}/{oref}",
            handlers.attach,
            methods=_ALL_METHODS,
        ),
        Route(
            "/services/rest/record/v1/{rtype}/{ref}/!detach/{other}/{oref}",
            handlers.attach,
            methods=_ALL_METHODS,
        ),
        Route("/services/rest/record/v1/{path:path}", handlers.record, methods=_ALL_METHODS),
        Route("/services/rest/document/v1/{path:path}", handlers.document, methods=_ALL_METHODS),
        Route("/services/rest/async/v1/job/{path:path}", handlers.async_job, methods=_ALL_METHODS),
        Route("/services/rest/{path:path}", handlers.other_rest, methods=_ALL_METHODS),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            StarletteHTTPException: _http_error,
            BodyIncomplete: _incomplete,
            Exception: _server_error,
        },
    )
    return _Guard(app if governor is None else governor.wrap(app, new_id), clock, new_id)
