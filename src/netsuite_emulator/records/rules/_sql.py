"""The rows a write leaves: INSERT and UPDATE on the store's tables, with the schema's refusals as NetSuite's."""

from __future__ import annotations

import sqlite3
from typing import Any

from netsuite_emulator.records._io import Ctx, RecordError, user_error
from netsuite_emulator.records.rules._body import duplicate


def insert(ctx: Ctx, table: str, columns: dict[str, Any]) -> int:
    names = list(columns)
    quoted = '"transaction"' if table == "transaction" else table
    sql = f"INSERT INTO {quoted} ({', '.join(_q(n) for n in names)}) VALUES ({', '.join('?' for _ in names)})"  # noqa: S608
    try:
        cursor = ctx.conn.execute(sql, [columns[n] for n in names])
    except sqlite3.IntegrityError as exc:
        raise _integrity(exc) from None
    return int(cursor.lastrowid or 0)


def update(ctx: Ctx, table: str, record_id: int, columns: dict[str, Any]) -> None:
    update_where(ctx, table, {"id": record_id}, columns)


def update_where(ctx: Ctx, table: str, where: dict[str, Any], columns: dict[str, Any]) -> None:
    if not columns:
        return
    quoted = '"transaction"' if table == "transaction" else table
    assignments = ", ".join(f"{_q(n)} = ?" for n in columns)
    condition = " AND ".join(f"{_q(n)} = ?" for n in where)
    try:
        ctx.conn.execute(
            f"UPDATE {quoted} SET {assignments} WHERE {condition}",  # noqa: S608 -- names from the catalogue
            [*columns.values(), *where.values()],
        )
    except sqlite3.IntegrityError as exc:
        raise _integrity(exc) from None


def _q(name: str) -> str:
    return f'"{name}"' if name == "transaction" else name


def _integrity(exc: sqlite3.IntegrityError) -> RecordError:
    text = str(exc)
    if "UNIQUE" in text and "externalid" in text:
        return duplicate()
    if "UNIQUE" in text:
        return user_error("This entity already exists.")
    # A reference the schema refuses: treated as an invalid value (a guess at the wording's field).
    return user_error("Invalid reference: a referenced record does not exist.")
