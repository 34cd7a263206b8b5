"""The REST record service: ``/services/rest/record/v1/{type}[/{id}[/{sublist}[/{line}]]]`` and
``POST /services/rest/record/v1/{type}/{id}/!transform/{target}``.

Create answers 204 with the new record's ``Location``; ``PUT …/eid:{externalId}`` upserts; GET gives the read
shape (references as ``{links, id, refName}``, sublists as links unless ``expandSubResources=true``); PATCH
leaves omitted fields alone, clears ``null`` ones, merges keyed sublists by key and appends the lines of
non-keyed ones unless ``replace`` names them (PUT onto an existing record appends them, ``replace`` or not); DELETE answers 204 unless other transactions depend on the record;
a collection GET answers ids and links, filtered by ``q`` and paged by ``limit``/``offset``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from netsuite_emulator._errors import ERROR_MEDIA_TYPE, NetSuiteJSON, error_body, error_response
from netsuite_emulator.auth import Principal
from netsuite_emulator.permissions import (
    ANALYTICS_PERMISSION,
    CREATE,
    EDIT,
    FULL,
    VIEW,
    Requirement,
    accessible_subsidiaries,
    has_permission,
    record_permission,
)
from netsuite_emulator.store import AccountStore

from ._account_view import PAYMENT_INSTRUMENTS, account_view
from ._filter import Condition, bad_query, matcher, parse_query
from ._io import (
    Ctx,
    RecordError,
    multiselect_items,
    not_found,
    render_field,
    render_line,
    scalar,
    table_sql,
)
from ._read import address_lines, apply_lines, by_external_id, entity_balance, find, visible
from ._types import RecordType, Sublist, record_type
from .rules import (
    SUBLEDGER_LINE,
    TRANSACTION_RULES,
    TRANSFORMS,
    Draft,
    ListWriter,
    Options,
    TransactionWriter,
    check_external_id,
    custom_fields,
    line_values,
    list_writer,
    parse_body,
    split_lines,
    transform_draft,
)

METADATA_CATALOG = "metadata-catalog"
COLLECTION_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=collection"
MAX_LIMIT = 1000
_VALIDATION_MODES = ("error", "warning", "ignore")

BodyReader = Callable[[Request], Awaitable["bytes | Response"]]
Violation = Callable[[Requirement], Response]


class RecordService:
    def __init__(
        self,
        store: AccountStore,
        clock: Callable[[], float],
        read_body: BodyReader,
        permission_violation: Violation,
    ) -> None:
        self.store, self.clock = store, clock
        self.read_body, self.violation = read_body, permission_violation
        with store.write() as conn:
            self.custom = custom_fields(conn)

    # -- dispatch ---------------------------------------------------------------------------------------

    async def handle(self, request: Request, principal: Principal) -> Response:
        method = request.method
        if method == "OPTIONS":  # clients probe connectivity and credentials with OPTIONS → 204
            return Response(status_code=204)
        segments = request.path_params["path"].split("/")
        type_name = segments[0]
        if type_name == METADATA_CATALOG and request.method in ("GET", "HEAD"):
            return self._metadata(segments[1:])
        rt = record_type(type_name)
        if rt is None:
            return self._unmodelled(request, principal, type_name, segments)
        rt = self._view(rt)
        verb = "GET" if method == "HEAD" else method
        try:
            if len(segments) == 4 and segments[2] == "!transform" and verb == "POST":
                return await self._transform(request, principal, rt, segments[1], segments[3])
            requirement = record_permission(rt.key, verb)
            if requirement is None:
                raise _method_not_allowed(method)
            if not has_permission(self.store, principal.role.id, requirement):
                return self.violation(requirement)
            if len(segments) == 1 or (len(segments) == 2 and segments[1] == ""):
                if verb == "GET":
                    return self._collection(request, principal, rt)
                if verb == "POST":
                    return await self._write(request, principal, rt, None, "create")
                raise _method_not_allowed(method)
            if len(segments) == 2:
                ref = segments[1]
                if verb == "GET":
                    return self._read(request, principal, rt, ref)
                if verb in ("PATCH", "PUT", "DELETE"):
                    return await self._write(request, principal, rt, ref, verb.lower())
                raise _method_not_allowed(method)
            if len(segments) in (3, 4) and verb == "GET":
                return self._sub_resource(request, principal, rt, segments[1], segments[2:])
            raise not_found()
        except RecordError as error:
            return _error(error)

    def _view(self, rt: RecordType) -> RecordType:
        """The record type as this account's features and preferences shape it."""
        return account_view(
            rt,
            payment_instruments=self.store.feature_enabled(PAYMENT_INSTRUMENTS),
            bill_approval=self.store.company().vendor_bill_approval,
        )

    def _metadata(self, segments: list[str]) -> Response:
        """``GET /record/v1/metadata-catalog/{type}``: the record's JSON Schema as this account has it
        (``Accept: application/schema+json``, ORA/section_1540810174.html); only the record-type form is modelled,
        with ``properties`` (name → type and title) and nothing of NetSuite's further keywords."""
        rt = record_type(segments[0]) if len(segments) == 1 and segments[0] else None
        if rt is None:
            return _error(not_found())
        rt = self._view(rt)
        kinds = {"bool": "boolean", "float": "number", "int": "integer", "ref": "object", "enum": "object"}
        properties: dict[str, Any] = {
            f.name: {
                "title": f.title,
                "type": kinds.get(f.kind, "string"),
                **({"readOnly": True} if f.readonly else {}),
            }
            for f in rt.fields
        }
        for sublist in rt.sublists:
            properties[sublist.name] = {"title": sublist.name, "type": "object"}
        body = {"type": "object", "properties": properties}
        return Response(json.dumps(body), media_type="application/schema+json")

    def _unmodelled(
        self, request: Request, principal: Principal, type_name: str, segments: list[str]
    ) -> Response:
        """Record types NetSuite has and the emulator does not model: permission-checked, and empty."""
        requirement = record_permission(type_name, "GET" if request.method == "HEAD" else request.method)
        if requirement is None:
            # The text is from a live test; the status and code are guesses.
            shown = type_name[:100]
            return error_response(404, "NONEXISTENT_ID", f"Record type '{shown}' does not exist.")
        if not has_permission(self.store, principal.role.id, requirement):
            return self.violation(requirement)
        if len(segments) == 1 and request.method == "GET":
            refusal = self._workbook_refusal(principal)
            if refusal is not None:
                return refusal
            return _collection_response(request, [], 0, 0, MAX_LIMIT)
        return _error(not_found())

    def _context(self, conn: sqlite3.Connection, request: Request, principal: Principal) -> Ctx:
        store = self.store
        role = principal.role
        writable = accessible_subsidiaries(store, role.id, principal.entity.id)
        subsidiaries = conn.execute("SELECT id, parent FROM subsidiary").fetchall()
        visible = frozenset(int(r["id"]) for r in subsidiaries) if role.cross_subsidiary_viewing else writable
        mode = request.headers.get("x-netsuite-propertynamevalidation", "warning").strip().lower()
        base = str(request.base_url).rstrip("/") + "/services/rest/record/v1"
        company = store.company()
        return Ctx(
            conn=conn,
            role=role.id,
            user=principal.entity.id,
            base=base,
            now=self.clock(),
            writable=writable,
            visible=visible | writable,
            parents={int(r["id"]): r["parent"] for r in subsidiaries},
            oneworld=company.oneworld,
            period_override=store.permission_level(role.id, "ADMI_PERIODOVERRIDE") >= FULL,
            name_validation=mode if mode in _VALIDATION_MODES else "warning",
            bill_approval=company.vendor_bill_approval,
            journal_approval=company.journal_approval,
            may_approve_bills=store.permission_level(role.id, "TRAN_VENDBILLAPPRV") >= EDIT,
            may_approve_journals=store.permission_level(role.id, "TRAN_JOURNALAPPRV") >= EDIT,
            date_outside_period=company.date_outside_period,
            closed_period_default=company.closed_period_default,
        )

    def _workbook_refusal(self, principal: Principal) -> Response | None:
        # Collection queries need SuiteAnalytics Workbook; by-id reads do not. Publicly reported behaviour,
        # not documented by Oracle.
        if self.store.permission_level(principal.role.id, ANALYTICS_PERMISSION) < EDIT:
            return error_response(
                400,
                "USER_ERROR",
                "Your current role does not have permission to perform this action. "
                "Please contact your account administrator.",
            )
        return None

    # -- reads ------------------------------------------------------------------------------------------

    def _read(self, request: Request, principal: Principal, rt: RecordType, ref: str) -> Response:
        params = request.query_params
        expand = params.get("expandSubResources", "").lower() == "true"
        simple = params.get("simpleEnumFormat", "").lower() == "true"
        fields = [f.strip() for f in params.get("fields", "").split(",") if f.strip()]
        with self.store.write() as conn:
            ctx = self._context(conn, request, principal)
            record_id = find(ctx, rt, ref)
            if rt.key == "employee" and not principal.role.is_administrator:
                admin = ctx.one(
                    "SELECT 1 FROM employeerolesforsearch WHERE entity = ? AND role = 3", record_id
                )
                if admin is not None:
                    # Documented: records load in edit mode, so a non-administrator cannot read an administrator.
                    raise RecordError(
                        403,
                        "INSUFFICIENT_PERMISSION",
                        "For security reasons, only an administrator is allowed to edit an administrator record.",
                    )
            body = self.render(ctx, rt, record_id, expand=expand, simple_enum=simple, fields=fields)
        return NetSuiteJSON(body)

    def render(
        self,
        ctx: Ctx,
        rt: RecordType,
        record_id: int,
        *,
        expand: bool = False,
        simple_enum: bool = False,
        fields: list[str] | None = None,
    ) -> dict[str, Any]:
        row = ctx.one(f"SELECT * FROM {table_sql(rt)} WHERE id = ?", record_id)  # noqa: S608 -- catalogue names
        if row is None:
            raise not_found()
        main = subledger = None
        if rt.family == "transaction":
            main = ctx.one(
                "SELECT * FROM transactionline WHERE \"transaction\" = ? AND mainline = 'T'", record_id
            )
            if TRANSACTION_RULES[rt.type_code].subledger_field is not None:
                subledger = ctx.one(
                    'SELECT * FROM transactionline WHERE "transaction" = ? AND id = ?',
                    record_id,
                    SUBLEDGER_LINE,
                )
        href = f"{ctx.base}/{rt.key}/{record_id}"
        body: dict[str, Any] = {"links": [{"rel": "self", "href": href}]}
        wanted = {f.lower() for f in fields or []}
        for f in rt.fields:
            if wanted and f.name.lower() not in wanted and f.name != "id":
                continue
            if f.name == "balance" and rt.family == "entity":
                value: Any = entity_balance(ctx, rt, record_id)
            else:
                line = subledger if f.on_subledger_line else main
                value = render_field(ctx, rt, f, row, line, href, expand=expand, simple_enum=simple_enum)
            if value is not None:
                body[f.name] = value
        table = "transaction" if rt.family == "transaction" else rt.table
        for column, kind in self.custom.get(table, {}).items():
            if (not wanted or column in wanted) and column in row.keys() and row[column] is not None:  # noqa: SIM118 -- sqlite3.Row: `in` tests values
                body[column] = scalar(kind, row[column])
        if wanted:
            return body
        for sublist in rt.sublists:
            collection: dict[str, Any] = {"links": [{"rel": "self", "href": f"{href}/{sublist.name}"}]}
            if expand:
                items = self.sublist_lines(ctx, rt, record_id, sublist, href)
                collection.update({"items": items, "totalResults": len(items)})
            body[sublist.name] = collection
        return body

    def sublist_lines(
        self, ctx: Ctx, rt: RecordType, record_id: int, sublist: Sublist, href: str
    ) -> list[dict[str, Any]]:
        if sublist.name == "apply":
            return apply_lines(ctx, record_id, href)
        if sublist.name == "addressBook":
            return address_lines(ctx, record_id, href)
        lines = ctx.all('SELECT * FROM transactionline WHERE "transaction" = ? ORDER BY id', record_id)
        result: list[dict[str, Any]] = []
        rules = TRANSACTION_RULES[rt.type_code]
        start = 0 if rules.journal else 1  # journal lines count from 0, as the real fixture shows
        for name, line in split_lines(rules, lines):
            if name != sublist.name:
                continue
            number = start + len(result)
            values = {k: v for k, v in line_values(rules, name, line).items() if v is not None}
            values["line"] = number
            result.append(render_line(ctx, sublist, values, f"{href}/{sublist.name}/{number}"))
        return result

    def _sub_resource(
        self, request: Request, principal: Principal, rt: RecordType, ref: str, rest: list[str]
    ) -> Response:
        with self.store.write() as conn:
            ctx = self._context(conn, request, principal)
            record_id = find(ctx, rt, ref)
            href = f"{ctx.base}/{rt.key}/{record_id}"
            multiselect = rt.field(rest[0])
            if multiselect is not None and multiselect.kind == "subsidiaries" and len(rest) == 1:
                row = ctx.one(f"SELECT subsidiary FROM {table_sql(rt)} WHERE id = ?", record_id)  # noqa: S608
                items = multiselect_items(ctx, row["subsidiary"] if row else None)
                return _multiselect_response(f"{href}/{multiselect.name}", items)
            sublist = rt.sublist(rest[0])
            if sublist is None:
                raise not_found()
            items = self.sublist_lines(ctx, rt, record_id, sublist, href)
            if len(rest) == 2:
                found = next((i for i in items if str(i.get("line", "")) == rest[1]), None)
                if found is None:
                    raise not_found()
                return NetSuiteJSON(found)
        body = {
            "links": [{"rel": "self", "href": f"{href}/{sublist.name}"}],
            "count": len(items),
            "hasMore": False,
            "items": items,
            "offset": 0,
            "totalResults": len(items),
        }
        return NetSuiteJSON(body, media_type=COLLECTION_MEDIA_TYPE)

    def _collection(self, request: Request, principal: Principal, rt: RecordType) -> Response:
        refusal = self._workbook_refusal(principal)
        if refusal is not None:
            return refusal
        params = request.query_params
        limit = _int_param(params.get("limit"), MAX_LIMIT, "limit", 1, MAX_LIMIT)
        offset = _int_param(params.get("offset"), 0, "offset", 0, 10**9)
        groups = parse_query(params["q"]) if params.get("q") else []
        with self.store.write() as conn:
            ctx = self._context(conn, request, principal)
            tests = [[self._test(ctx, rt, c) for c in group] for group in groups]
            where = f"WHERE {rt.where}" if rt.where else ""
            rows = ctx.all(f"SELECT r.* FROM {table_sql(rt)} r {where} ORDER BY r.id")  # noqa: S608
            mains: dict[int, sqlite3.Row] = {}
            if rt.family == "transaction" and any(
                (f := rt.field(c.field)) is not None and f.on_mainline for g in groups for c in g
            ):
                mains = {
                    int(m["transaction"]): m
                    for m in ctx.all("SELECT * FROM transactionline WHERE mainline = 'T'")
                }
            ids = [
                int(row["id"])
                for row in rows
                if visible(ctx, rt, row)
                and (not tests or any(all(test(row, mains) for test in group) for group in tests))
            ]
        page = ids[offset : offset + limit]
        items = [{"links": [{"rel": "self", "href": f"{ctx.base}/{rt.key}/{i}"}], "id": str(i)} for i in page]
        return _collection_response(request, items, len(ids), offset, limit)

    def _test(
        self, ctx: Ctx, rt: RecordType, condition: Condition
    ) -> Callable[[sqlite3.Row, dict[int, Any]], bool]:
        f = rt.field(condition.field)
        table = "transaction" if rt.family == "transaction" else rt.table
        custom = self.custom.get(table, {})
        if f is None or f.column is None:
            column = condition.field.lower()
            if column not in custom:
                raise bad_query(f"{condition.field!r} is not a filterable body field of {rt.key}")
            test = matcher(condition, custom[column])
            return lambda row, mains: test(row[column] if column in row.keys() else None)  # noqa: SIM118 -- sqlite3.Row: `in` tests values
        test = matcher(condition, f.kind)
        column_name = f.column
        if f.on_mainline:
            return lambda row, mains: test(
                mains[int(row["id"])][column_name] if int(row["id"]) in mains else None
            )
        return lambda row, mains: test(row[column_name])

    # -- writes -----------------------------------------------------------------------------------------

    async def _json(self, request: Request) -> dict[str, Any]:
        raw = await self.read_body(request)
        if isinstance(raw, Response):
            raise _Answered(raw)
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError, RecursionError):
            # The detail is from a live test; the error code is a guess.
            raise RecordError(400, "INVALID_CONTENT", "Invalid content in the request body.") from None
        if not isinstance(body, dict):
            raise RecordError(400, "INVALID_CONTENT", "Invalid content in the request body.")
        return body

    async def _write(
        self, request: Request, principal: Principal, rt: RecordType, ref: str | None, operation: str
    ) -> Response:
        body: dict[str, Any] = {}
        if operation != "delete":
            try:
                body = await self._json(request)
            except _Answered as answered:
                return answered.response
        options = _options(request)
        with self.store.write() as conn:
            ctx = self._context(conn, request, principal)
            if operation == "delete":
                record_id = find(ctx, rt, ref or "")
                _writer(ctx, rt, self.custom).delete(record_id)
                return Response(status_code=204)
            if operation == "put" and not (ref or "").startswith("eid:"):
                # Documented: upsert is only PUT with an external id; the refusal's wording is a guess.
                raise RecordError(
                    405,
                    "INVALID_REQUEST",
                    "PUT is only supported with an external id: …/{type}/eid:{externalId}.",
                )
            if rt.key == "depositapplication" and operation != "patch":
                existing = None
                if operation == "put":
                    existing = by_external_id(ctx, rt, check_external_id((ref or "")[4:], "externalId"))
                if existing is None:
                    raise _transform_only()
            record_id = self._apply_write(ctx, rt, ref, operation, body, options)
            location = f"{ctx.base}/{rt.key}/{record_id}"
            warnings = list(ctx.warnings)
        return _written(location, warnings)

    def _apply_write(
        self,
        ctx: Ctx,
        rt: RecordType,
        ref: str | None,
        operation: str,
        body: dict[str, Any],
        options: Options,
    ) -> int:
        table = "transaction" if rt.family == "transaction" else rt.table
        parsed = parse_body(ctx, rt, body, self.custom.get(table, {}))
        if operation == "create":
            return _create(ctx, rt, parsed, self.custom, None)
        if operation == "put":
            external_id = check_external_id((ref or "")[4:], "externalId")
            parsed.fields.pop("externalId", None)  # the path's external id wins over the body's (a guess)
            existing = by_external_id(ctx, rt, external_id)
            if existing is None:
                return _create(ctx, rt, parsed, self.custom, external_id)
            # An upsert onto a record that exists is an update: keyed sublist lines with matching keys are
            # updated, the rest added, and non-keyed lines always appended ("Updating a Sublist",
            # https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html). `replace=`
            # is documented for POST and PATCH only ("Replacing a Sublist", section_1545297048.html); "Using the
            # Upsert Operation" (section_156335203191.html) says nothing of it on PUT. Undocumented, so the
            # emulator ignores it here rather than refuse it with an error NetSuite may not send: a client that
            # counts on `replace` with PUT sees its lines doubled in tests, as it might in NetSuite.
            _update(ctx, rt, existing, parsed, Options(), self.custom)
            return existing
        record_id = find(ctx, rt, ref or "")
        _update(ctx, rt, record_id, parsed, options, self.custom)
        return record_id

    async def _transform(
        self, request: Request, principal: Principal, source: RecordType, ref: str, target_name: str
    ) -> Response:
        target = record_type(target_name)
        target = None if target is None else self._view(target)
        if target is None or (source.key, target.key) not in TRANSFORMS:
            # Wording: a guess.
            raise RecordError(
                400,
                "INVALID_REQUEST",
                f"A {source.key} record cannot be transformed into '{target_name[:100]}'.",
            )
        for requirement in (Requirement(_permkey(source), VIEW), Requirement(_permkey(target), CREATE)):
            if not has_permission(self.store, principal.role.id, requirement):
                return self.violation(requirement)
        try:
            body = await self._json(request)
        except _Answered as answered:
            return answered.response
        options = _options(request)
        with self.store.write() as conn:
            ctx = self._context(conn, request, principal)
            source_id = find(ctx, source, ref)
            draft = transform_draft(ctx, source, source_id, target)
            parsed = parse_body(ctx, target, body, self.custom.get("transaction", {}))
            writer = TransactionWriter(ctx, target, self.custom.get("transaction", {}))
            # The transform's body sets body fields and adds lines, as an update of the copied record would.
            writer.merge(draft, parsed, options, existing=True)
            record_id = writer.save(draft, None)
            location = f"{ctx.base}/{target.key}/{record_id}"
            warnings = list(ctx.warnings)
        return _written(location, warnings)


class _Answered(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _permkey(rt: RecordType) -> str:
    requirement = record_permission(rt.key, "GET")
    return requirement.permkey if requirement else "ADMI_KERNEL"


def _transform_only() -> RecordError:
    # Documented: a deposit application is created only by transforming a customer deposit. Wording: a guess.
    return RecordError(
        400,
        "USER_ERROR",
        "Error while accessing a resource. A deposit application can only be created by transforming a customer "
        "deposit: POST /record/v1/customerDeposit/{id}/!transform/depositApplication.",
    )


def _writer(ctx: Ctx, rt: RecordType, custom: dict[str, dict[str, Any]]) -> TransactionWriter | ListWriter:
    if rt.family == "transaction":
        return TransactionWriter(ctx, rt, custom.get("transaction", {}))
    return list_writer(ctx, rt, custom.get(rt.table, {}))


def _create(
    ctx: Ctx, rt: RecordType, parsed: Any, custom: dict[str, dict[str, Any]], external_id: str | None
) -> int:
    writer = _writer(ctx, rt, custom)
    if isinstance(writer, TransactionWriter):
        draft = Draft()
        writer.merge(draft, parsed, Options(), existing=False)
        if external_id is not None:
            draft.values["externalId"] = external_id
        return writer.save(draft, None)
    return writer.create(parsed, external_id)


def _update(
    ctx: Ctx, rt: RecordType, record_id: int, parsed: Any, options: Options, custom: dict[str, dict[str, Any]]
) -> None:
    writer = _writer(ctx, rt, custom)
    if isinstance(writer, TransactionWriter):
        source, draft = writer.load(record_id)
        writer.merge(draft, parsed, options, existing=True)
        writer.save(draft, record_id, source)
        return
    writer.update(record_id, parsed, options)


def _options(request: Request) -> Options:
    params = request.query_params
    replace = frozenset(p.strip().lower() for p in params.get("replace", "").split(",") if p.strip())
    return Options(replace, params.get("replaceSelectedFields", "").lower() == "true")


def _multiselect_response(href: str, items: list[dict[str, Any]]) -> Response:
    # The sub-resource a multi-select's link names, read like a sublist's (Oracle's multi-select example shows
    # the same items, links and totalResults inside the record).
    body = {
        "links": [{"rel": "self", "href": href}],
        "count": len(items),
        "hasMore": False,
        "items": items,
        "offset": 0,
        "totalResults": len(items),
    }
    return NetSuiteJSON(body, media_type=COLLECTION_MEDIA_TYPE)


def _int_param(value: str | None, default: int, name: str, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        # The wording is a guess; NetSuite limits a page to 1000 records.
        raise RecordError(
            400,
            "INVALID_PARAMETER",
            f"Invalid value for the query parameter {name}: it must be a whole number from {low} to {high}.",
            None,
            **{"o:errorQueryParam": name},
        )
    return int(value)


def _collection_response(
    request: Request, items: list[dict[str, Any]], total: int, offset: int, limit: int
) -> Response:
    url = request.url
    links = [{"rel": "self", "href": str(url)}]
    if offset + limit < total:
        links.append(
            {"rel": "next", "href": str(url.include_query_params(limit=limit, offset=offset + limit))}
        )
    if offset > 0:
        links.append(
            {
                "rel": "previous",
                "href": str(url.include_query_params(limit=limit, offset=max(offset - limit, 0))),
            }
        )
    body = {
        "links": links,
        "count": len(items),
        "hasMore": offset + len(items) < total,
        "items": items,
        "offset": offset,
        "totalResults": total,
    }
    return NetSuiteJSON(body, media_type=COLLECTION_MEDIA_TYPE)


def _written(location: str, warnings: list[str]) -> Response:
    headers = {"Location": location}
    if warnings:
        # How NetSuite returns property-name warnings is documented only as "in response headers"; the header
        # (RFC 9111's Warning, code 299) is the emulator's guess.
        text = "; ".join(warnings)[:2000].replace('"', "'")
        headers["Warning"] = f'299 - "{text}"'
    return Response(status_code=204, headers=headers)


def _method_not_allowed(method: str) -> RecordError:
    return RecordError(405, "INVALID_REQUEST", f"The {method[:10]} method is not supported here.")


def _error(error: RecordError) -> Response:
    extra = dict(error.extra)
    if error.path:
        extra["o:errorPath"] = error.path
    body = error_body(error.status, error.code, error.detail, **extra)
    return NetSuiteJSON(body, error.status, media_type=ERROR_MEDIA_TYPE)
