"""The REST document service (``/services/rest/document/v1/{file|folder}[/{id}]``) and ``!attach`` / ``!detach``
of files on the record service.

Sources (ORA = docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/):

- ORA/article_0909085903.html "Working with File Cabinet Records in REST Web Services": the document service
  works on File Cabinet files and folders; requests are synchronous; "There is a 10 MB upload and download limit
  for requests sent to the document service"; collections are filtered and paged with the record service's
  search options (``q``, ``limit``, ``offset``); metadata at ``…/document/v1/metadata-catalog``.
- ORA/article_0113084334.html "Attach and Detach Operations": ``POST …/record/v1/{type}/{id}/!attach/{type}/{id}``
  (and ``!detach``), only contact and file records can be attached, the body may be empty (JSON), 204 on success.
- ORA/section_N3481947.html (SOAP attach/detach): "A user error is thrown if you attempt to attach files or records
  that do not exist"; a file can be attached to any record other than a custom record.
- "Please enter value(s) for: Folder" without a folder: NetSuite's mandatory-field wording (ORA/section_4229271179
  for N/file; apideck's NetSuite connector quotes ``USER_ERROR: Please enter value(s) for: Folder``).

Guesses, said where they are made below: the JSON shape of a file (``name``, ``folder``, ``content`` as base64,
``fileType``, ``description``) and of a folder (``name``, ``parent``), since the stored copy of Oracle's page shows
no example body; the status and wording of the 10 MB refusal, of a second file of the same name in one folder,
of attaching a record type that takes no files; attaching what is attached again being a quiet 204.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from netsuite_emulator._errors import ERROR_MEDIA_TYPE, NetSuiteJSON, error_body, error_response
from netsuite_emulator.auth import Principal
from netsuite_emulator.permissions import (
    ANALYTICS_PERMISSION,
    CREATE,
    EDIT,
    VIEW,
    Requirement,
    accessible_subsidiaries,
    has_permission,
    record_permission,
)
from netsuite_emulator.records._filter import Condition, bad_query, matcher, parse_query
from netsuite_emulator.records._io import RecordError, invalid_value, mandatory, not_found, user_error
from netsuite_emulator.store import AccountStore

FILE_LIMIT = 10 * 1024 * 1024  # "a 10 MB upload and download limit" (bytes of the file, MiB: a guess)
# The JSON body of a 10 MB file: base64 grows it by a third; names and folder beside it.
_BODY_LIMIT = FILE_LIMIT * 4 // 3 + 64 * 1024
FILE_CABINET = "LIST_FILECABINET"  # Documents and Files
DOCUMENT_PATH = "/services/rest/document/v1"
COLLECTION_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=collection"
MAX_LIMIT = 1000

# NetSuite's file types (SOAP MediaType / N/file.Type names) by extension: the File Cabinet types a file by its
# extension when none is given (ORA/section_N542268.html: "The File Cabinet shows the file extension and lists
# the file type").
FILE_TYPES: dict[str, str] = {
    "pdf": "PDF",
    "png": "PNGIMAGE",
    "jpg": "JPGIMAGE",
    "jpeg": "JPGIMAGE",
    "gif": "GIFIMAGE",
    "tif": "TIFFIMAGE",
    "tiff": "TIFFIMAGE",
    "txt": "PLAINTEXT",
    "csv": "CSV",
    "xls": "EXCEL",
    "xlsx": "EXCEL",
    "doc": "WORD",
    "docx": "WORD",
    "xml": "XMLDOC",
    "json": "JSON",
    "zip": "ZIP",
}
OTHER_TYPE = "MISCBINARY"
# The records an exporter attaches files to: the transactions in "transaction", entities in their tables.
_ENTITY_TABLES = {"customer": "customer", "vendor": "vendor", "employee": "employee"}

BodyReader = Callable[[Request, int], Awaitable["bytes | Response"]]
Violation = Callable[[Requirement], Response]


class FileService:
    def __init__(
        self,
        store: AccountStore,
        clock: Callable[[], float],
        read_body: BodyReader,
        permission_violation: Violation,
    ) -> None:
        self.store, self.clock = store, clock
        self.read_body, self.violation = read_body, permission_violation

    # -- the document service ----------------------------------------------------------------------------

    async def handle(self, request: Request, principal: Principal) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS":
            return Response(status_code=204)
        segments = [s for s in request.path_params["path"].split("/") if s != ""]
        if segments == ["metadata-catalog"] and method == "GET":
            return _metadata(str(request.base_url).rstrip("/"))
        if not segments or segments[0] not in ("file", "folder") or len(segments) > 2:
            return _answer(not_found())
        kind = segments[0]
        level = {"GET": VIEW, "POST": CREATE, "PATCH": EDIT, "DELETE": EDIT}.get(method)
        if level is None:
            return error_response(
                405, "INVALID_REQUEST", f"The {request.method} method is not supported here."
            )
        requirement = Requirement(FILE_CABINET, level)
        if not has_permission(self.store, principal.role.id, requirement):
            return self.violation(requirement)
        base = str(request.base_url).rstrip("/") + DOCUMENT_PATH
        try:
            if len(segments) == 1 and method == "GET":
                return self._collection(request, principal, kind, base)
            if len(segments) == 1 and method == "POST":
                body = await self.read_body(request, _BODY_LIMIT)
                if isinstance(body, Response):
                    return _too_large()
                return self._create(kind, _json(body), base)
            if len(segments) == 2 and method == "GET":
                return self._read(kind, segments[1], base)
            if len(segments) == 2 and method == "DELETE":
                return self._delete(kind, segments[1])
            return error_response(
                405, "INVALID_REQUEST", f"The {request.method} method is not supported here."
            )
        except RecordError as error:
            return _answer(error)

    def _create(self, kind: str, body: dict[str, Any], base: str) -> Response:
        now = _timestamp(self.clock())
        with self.store.write() as conn:
            if kind == "folder":
                new_id = _create_folder(conn, body, now)
            else:
                new_id = _create_file(conn, body, now, base)
        return Response(status_code=204, headers={"Location": f"{base}/{kind}/{new_id}"})

    def _read(self, kind: str, ref: str, base: str) -> Response:
        with self.store.write() as conn:
            row = _row(conn, kind, ref)
            if kind == "folder":
                return NetSuiteJSON(_folder_json(row, base))
            content = conn.execute(
                "SELECT content FROM emulator_filecontent WHERE file = ?", (row["id"],)
            ).fetchone()
            body = _file_json(row, base)
            # The content comes base64-encoded in the read (a guess at the shape; the 10 MB download limit holds).
            body["content"] = base64.b64encode(bytes(content["content"])).decode("ascii") if content else ""
            return NetSuiteJSON(body)

    def _delete(self, kind: str, ref: str) -> Response:
        with self.store.write() as conn:
            row = _row(conn, kind, ref)
            if kind == "folder":
                if conn.execute(
                    "SELECT 1 FROM file WHERE folder = ? UNION ALL SELECT 1 FROM mediaitemfolder WHERE parent = ?",
                    (row["id"], row["id"]),
                ).fetchone():
                    raise user_error("This folder is not empty.")  # wording: a guess
                conn.execute("DELETE FROM mediaitemfolder WHERE id = ?", (row["id"],))
            else:
                conn.execute("DELETE FROM emulator_fileattachment WHERE file = ?", (row["id"],))
                conn.execute("DELETE FROM emulator_filecontent WHERE file = ?", (row["id"],))
                conn.execute("DELETE FROM file WHERE id = ?", (row["id"],))
        return Response(status_code=204)

    def _collection(self, request: Request, principal: Principal, kind: str, base: str) -> Response:
        if self.store.permission_level(principal.role.id, ANALYTICS_PERMISSION) < EDIT:
            # As the record service's collection queries (publicly reported behaviour; assumed to hold here).
            return error_response(
                400,
                "USER_ERROR",
                "Your current role does not have permission to perform this action. "
                "Please contact your account administrator.",
            )
        params = request.query_params
        limit = _int_param(params.get("limit"), MAX_LIMIT, "limit", 1, MAX_LIMIT)
        offset = _int_param(params.get("offset"), 0, "offset", 0, 10**9)
        groups = parse_query(params["q"]) if params.get("q") else []
        fields = _FOLDER_FIELDS if kind == "folder" else _FILE_FIELDS
        tests = [[_test(fields, condition) for condition in group] for group in groups]
        table = "mediaitemfolder" if kind == "folder" else "file"
        with self.store.write() as conn:
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()  # noqa: S608 -- two fixed names
        ids = [int(r["id"]) for r in rows if not tests or any(all(t(r) for t in group) for group in tests)]
        page = ids[offset : offset + limit]
        items = [{"links": [{"rel": "self", "href": f"{base}/{kind}/{i}"}], "id": str(i)} for i in page]
        links = [{"rel": "self", "href": str(request.url)}]
        body = {
            "links": links,
            "count": len(items),
            "hasMore": offset + len(items) < len(ids),
            "items": items,
            "offset": offset,
            "totalResults": len(ids),
        }
        return NetSuiteJSON(body, media_type=COLLECTION_MEDIA_TYPE)

    # -- !attach / !detach on the record service -------------------------------------------------------------

    async def attach(self, request: Request, principal: Principal) -> Response:
        """``POST …/record/v1/{type}/{id}/!attach|!detach/{file|contact}/{id}``."""
        params = request.path_params
        action = "attach" if "/!attach/" in request.url.path else "detach"
        record_type, ref = str(params["rtype"]).lower(), str(params["ref"])
        other_type, other_ref = str(params["other"]).lower(), str(params["oref"])
        if request.method != "POST":
            return error_response(
                405, "INVALID_REQUEST", f"The {request.method} method is not supported here."
            )
        body = await self.read_body(request, 64 * 1024)
        if isinstance(body, Response):
            return _too_large()
        requirement = record_permission(record_type, "PATCH")
        if requirement is None:
            return error_response(404, "NONEXISTENT_ID", f"Record type '{record_type[:100]}' does not exist.")
        try:
            if body.strip():
                _json(body)  # optional attributes (a contact's role); nothing for files
            if other_type == "contact":
                # Contacts can be attached too (documented); the emulator models no contacts.
                raise invalid_value(other_ref, "contact")
            if other_type != "file":
                # Documented: only contact and file records can be attached; the answer's wording is a guess.
                raise user_error(
                    f"You cannot {action} a record of type {other_type[:100]}; only contact and file."
                )
            if not has_permission(self.store, principal.role.id, requirement):
                return self.violation(requirement)
            files = Requirement(FILE_CABINET, VIEW)
            if not has_permission(self.store, principal.role.id, files):
                return self.violation(files)
            with self.store.write() as conn:
                record_id = _target(conn, self.store, principal, record_type, ref)
                file_row = _file_by_ref(conn, other_ref)
                if file_row is None:
                    # "A user error is thrown if you attempt to attach files or records that do not exist";
                    # the wording is NetSuite's invalid-reference wording for a select field.
                    raise invalid_value(other_ref, "file")
                if action == "attach":
                    conn.execute(
                        "INSERT OR IGNORE INTO emulator_fileattachment (file, recordtype, record, attached) "
                        "VALUES (?, ?, ?, ?)",
                        (file_row["id"], record_type, record_id, _timestamp(self.clock())),
                    )
                else:
                    conn.execute(
                        "DELETE FROM emulator_fileattachment WHERE file = ? AND recordtype = ? AND record = ?",
                        (file_row["id"], record_type, record_id),
                    )
        except RecordError as error:
            return _answer(error)
        return Response(status_code=204)


# -- rows ----------------------------------------------------------------------------------------------------


def _row(conn: sqlite3.Connection, kind: str, ref: str) -> sqlite3.Row:
    row = _file_by_ref(conn, ref) if kind == "file" else _folder_by_ref(conn, ref)
    if row is None:
        raise not_found()
    return row


def _file_by_ref(conn: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    if not ref.isdigit() or len(ref) > 18:
        return None
    row: sqlite3.Row | None = conn.execute("SELECT * FROM file WHERE id = ?", (int(ref),)).fetchone()
    return row


def _folder_by_ref(conn: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    if not ref.isdigit() or len(ref) > 18:
        return None
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM mediaitemfolder WHERE id = ?", (int(ref),)
    ).fetchone()
    return row


def _reference(value: Any) -> str | None:
    """A reference written as ``{"id": "5"}``, ``"5"`` or ``5``; None when absent."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or value == "":
        return None
    return str(value)


def _name(body: dict[str, Any], label: str) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise mandatory([label], "name")
    if len(name) > 255 or any(c in name for c in '/\\:*?"<>|') or name.strip() != name:
        raise invalid_value(
            name, "name"
        )  # the File Cabinet refuses path characters in names (guess: wording)
    return name


def _create_folder(conn: sqlite3.Connection, body: dict[str, Any], now: str) -> int:
    name = _name(body, "Name")
    parent = _reference(body.get("parent"))
    if parent is not None and _folder_by_ref(conn, parent) is None:
        raise invalid_value(parent, "parent")
    try:
        cursor = conn.execute(
            "INSERT INTO mediaitemfolder (name, parent, description, externalid, lastmodifieddate) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                name,
                None if parent is None else int(parent),
                body.get("description"),
                body.get("externalId"),
                now,
            ),
        )
    except sqlite3.IntegrityError:
        # Two folders of one name under one parent: the File Cabinet refuses it (the wording is a guess).
        raise user_error(f"A folder with the name {name} already exists in this folder.", "name") from None
    return int(cursor.lastrowid or 0)


def _create_file(conn: sqlite3.Connection, body: dict[str, Any], now: str, base: str) -> int:
    folder = _reference(body.get("folder"))
    if folder is None:
        raise mandatory(["Folder"], "folder")
    name = _name(body, "Name")
    if _folder_by_ref(conn, folder) is None:
        raise invalid_value(folder, "folder")
    content = body.get("content")
    if not isinstance(content, str):
        raise mandatory(["Content"], "content")
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_value(content[:20] + "…", "content") from None
    if len(data) > FILE_LIMIT:
        raise _over_limit()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    file_type = body.get("fileType") or FILE_TYPES.get(extension, OTHER_TYPE)
    if not isinstance(file_type, str) or file_type not in {*FILE_TYPES.values(), OTHER_TYPE}:
        raise invalid_value(file_type, "fileType")
    try:
        cursor = conn.execute(
            "INSERT INTO file (name, folder, filetype, filesize, description, url, externalid, createddate, "
            "lastmodifieddate) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)",
            (
                name,
                int(folder),
                file_type,
                len(data),
                body.get("description"),
                body.get("externalId"),
                now,
                now,
            ),
        )
    except sqlite3.IntegrityError:
        # A second file of one name in one folder. The UI asks before overwriting; what the document service
        # answers is not documented: the emulator refuses, the stricter reading (a guess).
        raise user_error(f"A file with the name {name} already exists in this folder.", "name") from None
    file_id = int(cursor.lastrowid or 0)
    # NetSuite's file URL is the media link the UI opens (/core/media/media.nl?id=…); the hash parameter is left out.
    conn.execute("UPDATE file SET url = ? WHERE id = ?", (f"/core/media/media.nl?id={file_id}", file_id))
    conn.execute("INSERT INTO emulator_filecontent (file, content) VALUES (?, ?)", (file_id, data))
    return file_id


def _target(
    conn: sqlite3.Connection, store: AccountStore, principal: Principal, record_type: str, ref: str
) -> int:
    """The record a file is attached to, if it exists and the role sees it (else NetSuite's 404)."""
    if ref.startswith("eid:"):
        column, value = "externalid", ref[4:]
    elif ref.isdigit() and len(ref) < 19:
        column, value = "id", ref
    else:
        raise not_found()
    table = _ENTITY_TABLES.get(record_type)
    if table is None:
        row = conn.execute(
            f'SELECT id, subsidiary FROM "transaction" WHERE recordtype = ? AND {column} = ?',  # noqa: S608
            (record_type, value),
        ).fetchone()
    else:
        sql = f"SELECT id, NULL AS subsidiary FROM {table} WHERE {column} = ?"  # noqa: S608 -- fixed names
        row = conn.execute(sql, (value,)).fetchone()
    if row is None:
        raise not_found()
    role = principal.role
    hidden = row["subsidiary"] is not None and not role.cross_subsidiary_viewing
    if hidden and int(row["subsidiary"]) not in accessible_subsidiaries(store, role.id, principal.entity.id):
        raise not_found()
    return int(row["id"])


# -- shapes --------------------------------------------------------------------------------------------------


def _ref_json(base: str, kind: str, value: Any, name: str | None = None) -> dict[str, Any] | None:
    if value is None:
        return None
    body: dict[str, Any] = {"links": [{"rel": "self", "href": f"{base}/{kind}/{value}"}], "id": str(value)}
    if name is not None:
        body["refName"] = name
    return body


def _file_json(row: sqlite3.Row, base: str) -> dict[str, Any]:
    return _without_none(
        {
            "links": [{"rel": "self", "href": f"{base}/file/{row['id']}"}],
            "id": str(row["id"]),
            "name": row["name"],
            "folder": _ref_json(base, "folder", row["folder"]),
            "fileType": row["filetype"],
            "fileSize": row["filesize"],
            "description": row["description"],
            "url": row["url"],
            "isInactive": row["isinactive"] == "T",
            "externalId": row["externalid"],
            "createdDate": row["createddate"],
            "lastModifiedDate": row["lastmodifieddate"],
        }
    )


def _folder_json(row: sqlite3.Row, base: str) -> dict[str, Any]:
    return _without_none(
        {
            "links": [{"rel": "self", "href": f"{base}/folder/{row['id']}"}],
            "id": str(row["id"]),
            "name": row["name"],
            "parent": _ref_json(base, "folder", row["parent"]),
            "description": row["description"],
            "isInactive": row["isinactive"] == "T",
            "externalId": row["externalid"],
            "lastModifiedDate": row["lastmodifieddate"],
        }
    )


def _without_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


# REST field → (column, matcher kind) for ``q``.
_FILE_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("id", "int"),
    "name": ("name", "text"),
    "folder": ("folder", "ref"),
    "filetype": ("filetype", "text"),
    "filesize": ("filesize", "int"),
    "externalid": ("externalid", "text"),
    "isinactive": ("isinactive", "bool"),
    "createddate": ("createddate", "datetime"),
    "lastmodifieddate": ("lastmodifieddate", "datetime"),
}
_FOLDER_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("id", "int"),
    "name": ("name", "text"),
    "parent": ("parent", "ref"),
    "externalid": ("externalid", "text"),
    "isinactive": ("isinactive", "bool"),
}


def _test(fields: dict[str, tuple[str, str]], condition: Condition) -> Callable[[sqlite3.Row], bool]:
    known = fields.get(condition.field.lower())
    if known is None:
        raise bad_query(f"{condition.field!r} is not a filterable field")
    column, kind = known
    test = matcher(condition, kind)
    return lambda row: test(row[column])


# -- plumbing ------------------------------------------------------------------------------------------------


def _json(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except (UnicodeDecodeError, ValueError):
        raise RecordError(400, "INVALID_CONTENT", "The request body is not valid JSON.") from None  # guess
    if not isinstance(parsed, dict):
        raise RecordError(400, "INVALID_CONTENT", "The request body must be a JSON object.")  # guess
    return parsed


def _over_limit() -> RecordError:
    # The limit is documented; the status, code and wording of the refusal are a guess.
    return RecordError(
        400,
        "USER_ERROR",
        "The file exceeds the 10 MB limit for requests sent to the document service.",
        "content",
    )


def _too_large() -> Response:
    return _answer(_over_limit())


def _answer(error: RecordError) -> Response:
    extra = dict(error.extra)
    if error.path:
        extra["o:errorPath"] = error.path
    body = error_body(error.status, error.code, error.detail, **extra)
    return NetSuiteJSON(body, error.status, media_type=ERROR_MEDIA_TYPE)


def _int_param(raw: str | None, default: int, name: str, low: int, high: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise RecordError(400, "INVALID_PARAMETER", f"Invalid value for query parameter {name}.", None)
    return int(raw)


def _timestamp(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _metadata(root: str) -> Response:
    """The service's metadata: which record types it serves (the full schema is the real catalog's)."""
    items = [
        {
            "name": kind,
            "links": [{"rel": "alternate", "href": f"{root}{DOCUMENT_PATH}/metadata-catalog/{quote(kind)}"}],
        }
        for kind in ("file", "folder")
    ]
    return NetSuiteJSON({"items": items})
