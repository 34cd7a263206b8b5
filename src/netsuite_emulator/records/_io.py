"""What the record service shares between reads and writes: the request context, NetSuite-shaped record
errors, references (written as ``{"id": …}``, ``{"externalId": …}`` or a bare id; read as
``{"links": […], "id": "…", "refName": "…"}``), value coercion and the read shape of a record."""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from netsuite_emulator.store import SHARED_LISTS, subsidiary_ids

from ._account_view import APPROVAL_NAMES
from ._types import (
    ACCOUNT_TYPE_NAMES,
    BY_TYPE_CODE,
    ENTITY_TABLES,
    ITEM_TYPE_NAMES,
    ITEM_TYPES,
    RECORD_TYPES,
    STATUS_NAMES,
    Field,
    Kind,
    RecordType,
    Sublist,
)

# Checkboxes the 2026.1 REST schemas type as an object {id, refName} (customerPayment, customerDeposit:
# wsjmnh/netsuite-record-rest-docs docs/schemas) where recorded sandbox answers show a boolean
# (fixtures/netsuite-real/customer_deposit.json): both are accepted, as no source shows either refused. The
# schema lists no ids; 'T'/'F' (SuiteQL's booleans) and true/false are accepted, a guess.
OBJECT_BOOLEANS = frozenset({"undepfunds"})
EXTERNAL_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")
_INTERNAL_ID = re.compile(r"-?[0-9]{1,18}")
CENT = 0.005


class RecordError(Exception):
    """A refusal, answered as NetSuite's error body."""

    def __init__(self, status: int, code: str, detail: str, path: str | None = None, **extra: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.path, self.extra = status, code, detail, path, extra


def user_error(detail: str, path: str | None = None) -> RecordError:
    """400 USER_ERROR, worded as NetSuite words record validation failures."""
    return RecordError(400, "USER_ERROR", f"Error while accessing a resource. {detail}", path)


def mandatory(labels: Iterable[str], path: str | None = None) -> RecordError:
    """A missing mandatory field: NetSuite's documented wording."""
    return user_error(f"Please enter value(s) for: {', '.join(labels)}.", path)


def invalid_value(value: object, name: str, path: str | None = None) -> RecordError:
    """A value outside a field's choices (a reference that does not exist, is inactive or not visible): the
    documented INVALID_CONTENT wording."""
    shown = str(value)[:100]
    return RecordError(
        400,
        "INVALID_CONTENT",
        f"Error while accessing resource: You have entered an Invalid Field Value {shown} for the following "
        f"field: {name}",
        path or name,
    )


def not_found() -> RecordError:
    # The wording live NetSuite answers with (the documentation says "Record does not exist.").
    return RecordError(
        404, "NONEXISTENT_ID", "The record instance does not exist. Provide a valid record instance ID."
    )


def iso_datetime(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: float) -> float:
    return round(value + 0.0, 2)


@dataclass
class Ctx:
    """One request's view of the account."""

    conn: sqlite3.Connection
    role: int
    user: int
    base: str  # …/services/rest/record/v1
    now: float
    writable: frozenset[int]  # subsidiaries the role may write
    visible: frozenset[int]  # subsidiaries the role may read
    parents: dict[int, int | None]
    oneworld: bool
    period_override: bool
    name_validation: str = "warning"
    # Accounting preferences (see store.Company) and the role's approval permissions.
    bill_approval: bool = False
    journal_approval: bool = False
    may_approve_bills: bool = False
    may_approve_journals: bool = False
    date_outside_period: str = "DISALLOW"
    closed_period_default: str = "FIRST_OPEN"
    context: str = "WEBSERVICES"  # how the change was made, as DeletedRecord's context shows it (a guess)
    warnings: list[str] = field(default_factory=list)
    _refnames: dict[tuple[str, int], tuple[str, str] | None] = field(default_factory=dict)

    def one(self, sql: str, *params: object) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, *params: object) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def today(self) -> str:
        return dt.datetime.fromtimestamp(self.now, dt.UTC).date().isoformat()

    def stamp(self) -> str:
        return iso_datetime(self.now)

    # -- subsidiaries --------------------------------------------------------------------------------------

    def descends(self, child: int, ancestor: int) -> bool:
        seen: set[int] = set()
        current: int | None = child
        while current is not None and current not in seen:
            if current == ancestor:
                return True
            seen.add(current)
            current = self.parents.get(current)
        return False

    def available(self, owners: object, include_children: object, subsidiary: int) -> bool:
        """Whether a list record of ``owners`` (its stored subsidiary or multi-select '1, 2'; none: every
        subsidiary) is available to ``subsidiary``: one of them, or with Include Children a descendant of one."""
        selected = subsidiary_ids(owners)
        if not selected or subsidiary in selected:
            return True
        return include_children == "T" and any(self.descends(subsidiary, owner) for owner in selected)

    def can_see(self, owners: object, include_children: object = "F") -> bool:
        if not subsidiary_ids(owners):
            return True
        return any(self.available(owners, include_children, s) for s in self.visible)

    # -- references ---------------------------------------------------------------------------------------

    def link(self, type_key: str, record_id: object) -> list[dict[str, str]]:
        return [{"rel": "self", "href": f"{self.base}/{type_key}/{record_id}"}]

    def target(self, ref: str, record_id: int) -> tuple[str, str] | None:
        """(REST type in lower case, refName) of the record a reference of kind ``ref`` points to."""
        cache_key = (ref, record_id)
        if cache_key in self._refnames:
            return self._refnames[cache_key]
        found = self._target(ref, record_id)
        self._refnames[cache_key] = found
        return found

    def _target(self, ref: str, record_id: int) -> tuple[str, str] | None:
        if ref == "item":
            row = self.one("SELECT itemid, itemtype, subtype FROM item WHERE id = ?", record_id)
            if row is None:
                return None
            rt = ITEM_TYPES.get((row["itemtype"], row["subtype"]))
            return (rt.key if rt else "item", row["itemid"])
        if ref == "entity":
            for table in ENTITY_TABLES:
                row = self.one(f"SELECT entityid FROM {table} WHERE id = ?", record_id)  # noqa: S608 -- fixed names
                if row is not None:
                    return (table, row["entityid"])
            return None
        if ref == "transaction":
            row = self.one('SELECT type, tranid, id FROM "transaction" WHERE id = ?', record_id)
            if row is None:
                return None
            rt = BY_TYPE_CODE[row["type"]]
            return (rt.key, transaction_refname(rt, row["tranid"], row["id"]))
        rt = RECORD_TYPES[ref]
        row = self.one(f"SELECT {rt.refname} AS n FROM {_table(rt)} r WHERE r.id = ?", record_id)  # noqa: S608
        if row is None:
            return None
        name = row["n"] if rt.family != "transaction" else transaction_refname(rt, row["n"], record_id)
        return (rt.key, "" if name is None else str(name))

    def reference(self, ref: str, record_id: int | None) -> dict[str, Any] | None:
        if record_id is None:
            return None
        found = self.target(ref, record_id)
        if found is None:
            return {"links": [], "id": str(record_id)}
        type_key, name = found
        return {"links": self.link(type_key, record_id), "id": str(record_id), "refName": name}


def _table(rt: RecordType) -> str:
    return '"transaction"' if rt.table == "transaction" else rt.table


def table_sql(rt: RecordType) -> str:
    return _table(rt)


def transaction_refname(rt: RecordType, tranid: object, record_id: object) -> str:
    return f"{rt.label} #{tranid if tranid is not None else record_id}"


# -- writing values ----------------------------------------------------------------------------------------


def ref_value(value: object, name: str, path: str) -> tuple[str, str]:
    """('id', '12') or ('externalId', 'X') from a reference as written."""
    if isinstance(value, bool):
        raise invalid_value(value, name, path)
    if isinstance(value, int | str):
        text = str(value).strip()
        if _INTERNAL_ID.fullmatch(text):
            return ("id", text)
        raise invalid_value(value, name, path)
    if isinstance(value, dict):
        if "id" in value and value["id"] is not None:
            return ref_value(value["id"], name, path)
        external = value.get("externalId")
        if isinstance(external, str) and external:
            return ("externalId", external)
    raise invalid_value(_shown(value), name, path)


def _shown(value: object) -> str:
    if isinstance(value, dict):
        inner = value.get("id", value.get("externalId", ""))
        return str(inner)
    return str(value)


def resolve(ctx: Ctx, ref: str, value: object, name: str, path: str, *, write: bool = True) -> int:
    """The internal id a written reference names: it must exist, be visible and (when written) active."""
    how, key = ref_value(value, name, path)
    tables = _ref_tables(ref)
    for table, where in tables:
        column = "id" if how == "id" else "externalid"
        row = ctx.one(f"SELECT * FROM {table} r WHERE r.{column} = ? {where}", key)  # noqa: S608 -- fixed names
        if row is None:
            continue
        if write and str(row["isinactive"] if "isinactive" in row.keys() else "F") == "T":  # noqa: SIM118 -- sqlite3.Row: `in` tests values
            raise invalid_value(key, name, path)
        if not _row_visible(ctx, table, row):
            raise invalid_value(key, name, path)
        return int(row["id"])
    raise invalid_value(key, name, path)


def _ref_tables(ref: str) -> list[tuple[str, str]]:
    if ref == "item":
        return [("item", "")]
    if ref == "entity":
        return [(t, "") for t in ENTITY_TABLES]
    if ref == "transaction":
        return [('"transaction"', "")]
    rt = RECORD_TYPES[ref]
    where = f"AND {rt.where}" if rt.where else ""
    return [(_table(rt), where)]


def _row_visible(ctx: Ctx, table: str, row: sqlite3.Row) -> bool:
    keys = row.keys()
    if table == "subsidiary":
        return int(row["id"]) in ctx.visible
    if "subsidiary" not in keys:
        return True
    owner = row["subsidiary"]
    if table in SHARED_LISTS:
        return ctx.can_see(owner, row["includechildren"])
    return owner is None or int(owner) in ctx.visible


def coerce(kind: Kind, value: object, name: str, path: str) -> object:
    """A written scalar as the store keeps it; None clears."""
    if value is None:
        return None
    if kind == "text" or kind == "enum":
        if isinstance(value, dict) and kind == "enum" and "id" in value:
            value = value["id"]
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value)
            if len(text) > 4000:
                raise invalid_value(text[:40] + "…", name, path)
            return text
        raise invalid_value(value, name, path)
    if kind == "bool":
        if isinstance(value, dict) and name.lower() in OBJECT_BOOLEANS and "id" in value:
            value = value["id"]
        if isinstance(value, bool):
            return "T" if value else "F"
        if isinstance(value, str) and value.lower() in ("true", "false", "t", "f"):
            return "T" if value.lower() in ("true", "t") else "F"
        raise invalid_value(value, name, path)
    if kind in ("float", "int"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise invalid_value(value, name, path)
        try:
            number = float(value)
        except ValueError:
            raise invalid_value(value, name, path) from None
        if not math.isfinite(number) or abs(number) >= 1e15:
            raise invalid_value(value, name, path)
        return int(number) if kind == "int" else number
    if kind == "date":
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                pass
        raise invalid_value(value, name, path)
    raise invalid_value(value, name, path)


# -- reading -----------------------------------------------------------------------------------------------


def scalar(
    kind: Kind, value: object, *, simple_enum: bool = False, names: dict[str, str] | None = None
) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return value == "T"
    if kind == "float":
        return float(value)  # type: ignore[arg-type]
    if kind == "int":
        return int(value)  # type: ignore[call-overload]
    if kind == "enum":
        text = str(value)
        if simple_enum:
            return text
        return {"id": text, "refName": (names or {}).get(text, text)}
    if kind == "text":
        return str(value)
    return value


def enum_names(rt: RecordType, f: Field, row: sqlite3.Row) -> dict[str, str] | None:
    if f.name == "status" and rt.family == "transaction":
        return STATUS_NAMES.get(rt.type_code, {})
    if f.name in ("acctType",):
        return ACCOUNT_TYPE_NAMES
    if f.name == "itemType":
        return ITEM_TYPE_NAMES
    if f.name == "approvalStatus":
        return APPROVAL_NAMES
    return None


def render_field(
    ctx: Ctx,
    rt: RecordType,
    f: Field,
    row: sqlite3.Row,
    main: sqlite3.Row | None,
    self_href: str,
    *,
    expand: bool,
    simple_enum: bool,
) -> Any:
    source = main if f.on_mainline or f.on_subledger_line else row  # the caller passes the line it keeps
    if f.column is None or source is None or f.column not in source.keys():  # noqa: SIM118 -- sqlite3.Row: `in` tests values
        return None
    value = source[f.column]
    if f.kind == "ref":
        return ctx.reference(f.ref or "", None if value is None else int(value))
    if f.kind == "subsidiaries":
        # A multi-select: a sub-resource link (the recorded account, class and location answers), with its
        # items when expanded (Oracle, "Format of Multiselects", ORA/section_1545142093.html).
        body: dict[str, Any] = {"links": [{"rel": "self", "href": f"{self_href}/{f.name}"}]}
        if expand:
            items = multiselect_items(ctx, value)
            body.update({"items": items, "totalResults": len(items)})
        return body
    return scalar(f.kind, value, simple_enum=simple_enum, names=enum_names(rt, f, row))


def multiselect_items(ctx: Ctx, value: object) -> list[dict[str, Any]]:
    """The subsidiaries a stored multi-select holds, as Oracle's example shows them: links and id."""
    return [{"links": ctx.link("subsidiary", i), "id": str(i)} for i in sorted(subsidiary_ids(value))]


def render_line(ctx: Ctx, sublist: Sublist, values: dict[str, Any], href: str) -> dict[str, Any]:
    """One sublist line from REST-level values (references as ids)."""
    line: dict[str, Any] = {"links": [{"rel": "self", "href": href}]}
    for lf in sublist.fields:
        value = values.get(lf.name)
        if value is None:
            continue
        line[lf.name] = ctx.reference(lf.ref or "", int(value)) if lf.kind == "ref" else value
    return line
