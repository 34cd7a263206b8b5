"""Reads of stored records: finding one by id or external id within what the role sees, and the values a read
shows beside the record's columns (an entity's balance, a transaction's applications, an address book)."""

from __future__ import annotations

import sqlite3
from typing import Any

from ._io import EXTERNAL_ID, Ctx, not_found, table_sql
from ._types import RECORD_TYPES, RecordType
from .rules import TRANSACTION_RULES


def by_external_id(ctx: Ctx, rt: RecordType, external_id: str) -> int | None:
    where = f"AND {rt.where}" if rt.where else ""
    row = ctx.one(f"SELECT r.* FROM {table_sql(rt)} r WHERE r.externalid = ? {where}", external_id)  # noqa: S608
    if row is None or not visible(ctx, rt, row):
        return None
    return int(row["id"])


def find(ctx: Ctx, rt: RecordType, ref: str) -> int:
    """The internal id a path names (an id or ``eid:…``), if the record exists and the role may see it."""
    where = f"AND {rt.where}" if rt.where else ""
    if ref.startswith("eid:"):
        external_id = ref[4:]
        if not EXTERNAL_ID.fullmatch(external_id):
            raise not_found()
        row = ctx.one(f"SELECT r.* FROM {table_sql(rt)} r WHERE r.externalid = ? {where}", external_id)  # noqa: S608
    elif ref.isdigit() and len(ref) < 19:
        row = ctx.one(f"SELECT r.* FROM {table_sql(rt)} r WHERE r.id = ? {where}", int(ref))  # noqa: S608
    else:
        raise not_found()
    if row is None or not visible(ctx, rt, row):
        raise not_found()
    return int(row["id"])


def visible(ctx: Ctx, rt: RecordType, row: sqlite3.Row) -> bool:
    """Records of subsidiaries outside the role's reach do not exist for it."""
    if rt.subsidiary is None:
        return True
    owner = row[rt.subsidiary]
    if rt.family in ("list", "item") and rt.key not in ("subsidiary", "employee"):
        keys = row.keys()
        return ctx.can_see(owner, row["includechildren"] if "includechildren" in keys else "F")
    return owner is None or int(owner) in ctx.visible


def entity_balance(ctx: Ctx, rt: RecordType, record_id: int) -> float:
    """What the entity owes or is owed: its open documents less its unapplied payments and credits."""
    side = [r for r in TRANSACTION_RULES.values() if r.subledger and r.subledger.entity_table == rt.table]
    documents = [r.type_code for r in side if r.balance == "document"]
    credits = [r.type_code for r in side if r.balance == "applied" and not r.from_deposit]
    row = ctx.one(
        f'SELECT COALESCE((SELECT SUM(foreignamountunpaid) FROM "transaction" WHERE entity = ? AND type IN ({_marks(documents)})), 0) '  # noqa: S608
        f'- COALESCE((SELECT SUM(foreignpaymentamountunused) FROM "transaction" WHERE entity = ? AND type IN ({_marks(credits)})), 0) '
        "AS b",
        record_id,
        *documents,
        record_id,
        *credits,
    )
    return round(float(row["b"]), 2) if row else 0.0


def _marks(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def apply_lines(ctx: Ctx, record_id: int, href: str) -> list[dict[str, Any]]:
    """The documents this transaction applies to. (NetSuite's apply sublist also lists the entity's other open
    documents with ``apply: false``; the emulator lists only the applied ones.)"""
    lines: list[dict[str, Any]] = []
    links = ctx.all(
        "SELECT l.foreignamount, t.* FROM previoustransactionlinelink l "
        'JOIN "transaction" t ON t.id = l.previousdoc WHERE l.nextdoc = ? ORDER BY l.rowid',
        record_id,
    )
    for number, link in enumerate(links, start=1):
        lines.append(
            {
                "links": [{"rel": "self", "href": f"{href}/apply/{number}"}],
                "apply": True,
                "amount": float(link["foreignamount"]),
                "applyDate": link["trandate"],
                "doc": ctx.reference("transaction", int(link["id"])),
                "due": float(link["foreignamountunpaid"] or 0.0),
                "line": number,
                "refNum": link["tranid"],
                "total": float(link["foreigntotal"]),
                "type": RECORD_TYPES[str(link["recordtype"])].label,
            }
        )
    return lines


def address_lines(ctx: Ctx, entity: int, href: str) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for row in ctx.all("SELECT * FROM entityaddressbook WHERE entity = ? ORDER BY id", entity):
        address = {
            key: row[column]
            for key, column in (("addressee", "addressee"), ("addr1", "addr1"), ("addr2", "addr2"), ("city", "city"),
                                ("state", "state"), ("zip", "zip"))
            if row[column] is not None
        }  # fmt: skip
        if row["country"] is not None:
            address["country"] = {"id": row["country"], "refName": row["country"]}
        lines.append(
            {
                "links": [{"rel": "self", "href": f"{href}/addressBook/{row['id']}"}],
                "id": int(row["id"]),
                "label": row["label"],
                "defaultBilling": row["defaultbilling"] == "T",
                "defaultShipping": row["defaultshipping"] == "T",
                "addressBookAddress": address,
            }
        )
    return lines
