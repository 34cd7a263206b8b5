"""A write's body as the rules see it: body fields, sublists and custom fields sorted apart, the update options,
and the checks every family shares (unknown names, external ids)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from netsuite_emulator.records._io import EXTERNAL_ID, Ctx, RecordError, coerce, invalid_value, user_error
from netsuite_emulator.records._types import Field, Kind, RecordType, Sublist

DEPENDENT_RECORDS = "This record cannot be deleted because it has dependent records."
IGNORED_KEYS = frozenset({"links", "refname"})


@dataclass(frozen=True)
class Options:
    """What the request's query string asks of an update."""

    replace: frozenset[str] = frozenset()  # lower-case names
    replace_selected: bool = False


@dataclass
class Parsed:
    """A body split into body fields (as written), sublists (as written) and custom fields (stored values)."""

    fields: dict[str, tuple[Field, Any]] = field(default_factory=dict)
    sublists: dict[str, tuple[Sublist, Any]] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)


CUSTOM_KINDS: dict[str, Kind] = {
    "Check Box": "bool",
    "Decimal Number": "float",
    "Currency": "float",
    "Percent": "float",
    "Integer Number": "int",
    "Date": "date",
}


def custom_fields(conn: sqlite3.Connection) -> dict[str, dict[str, Kind]]:
    """Custom fields by the table that keeps them (``transaction``, ``customer``, ``vendor``): one column each,
    named by its script id, added to the table on first use, as SuiteQL shows custom fields as columns."""
    tables: dict[str, dict[str, Kind]] = {"transaction": {}, "customer": {}, "vendor": {}}
    rows = conn.execute("SELECT scriptid, fieldtype, fieldvaluetype FROM customfield WHERE isinactive = 'F'")
    for row in rows.fetchall():
        script_id = str(row["scriptid"]).lower()
        if not script_id.isidentifier():
            continue
        kind = CUSTOM_KINDS.get(row["fieldvaluetype"], "text")
        if row["fieldtype"] == "BODY":
            tables["transaction"][script_id] = kind
        elif row["fieldtype"] == "ENTITY":
            tables["customer"][script_id] = kind
            tables["vendor"][script_id] = kind
    for table, columns in tables.items():
        quoted = '"transaction"' if table == "transaction" else table
        present = {r[1] for r in conn.execute(f"PRAGMA table_info({quoted})").fetchall()}
        for column, kind in columns.items():
            if column not in present:
                sql_type = {"float": "REAL", "int": "INTEGER"}.get(kind, "TEXT")
                conn.execute(f"ALTER TABLE {quoted} ADD COLUMN {column} {sql_type}")
    return tables


def parse_body(ctx: Ctx, rt: RecordType, body: dict[str, Any], custom: dict[str, Kind]) -> Parsed:
    """Sort a body's keys; unknown names follow X-NetSuite-PropertyNameValidation (read-only fields and the
    ``links``/``refName`` of a read shape sent back are ignored)."""
    parsed = Parsed()
    for name, value in body.items():
        lowered = name.lower()
        if lowered in IGNORED_KEYS:
            continue
        found = rt.field(name)
        if found is not None:
            if not found.readonly:
                parsed.fields[found.name] = (found, value)
            continue
        sublist = rt.sublist(name)
        if sublist is not None:
            parsed.sublists[sublist.name] = (sublist, value)
            continue
        if lowered in custom:
            parsed.custom[lowered] = coerce(custom[lowered], _custom_scalar(value), name, name)
            continue
        unknown_field(ctx, rt, name)
    return parsed


def _custom_scalar(value: object) -> object:
    # A select custom field may be written as a reference; the emulator keeps its id.
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    return value


def unknown_field(ctx: Ctx, rt: RecordType, name: str, path: str | None = None) -> None:
    if ctx.name_validation == "ignore":
        return
    # The wording of the refusal and of the warning is a guess: NetSuite documents the header, not the text.
    text = f"Invalid field name: '{name[:100]}' is not a field of the {rt.key} record."
    if ctx.name_validation == "error":
        raise RecordError(400, "INVALID_CONTENT", f"Error while accessing a resource. {text}", path or name)
    ctx.warnings.append(text)


def check_external_id(value: object, path: str = "externalId") -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not EXTERNAL_ID.fullmatch(str(value)):
        # External ids are limited to letters, digits, '_' and '-' (documented); the refusal is a guess.
        raise invalid_value(value, "externalId", path)
    return str(value)


def duplicate() -> RecordError:
    return user_error("This entity already exists.", "externalId")


def items_of(value: Any, sublist: str) -> list[Any] | None:
    """The lines of a sublist as written: ``{"items": […]}``; None when the sublist is emptied."""
    if value is None:
        return None
    if isinstance(value, dict):
        items = value.get("items", [])
        if items is None:
            return None
        if isinstance(items, list):
            return items
    raise invalid_value("…", sublist, sublist)
