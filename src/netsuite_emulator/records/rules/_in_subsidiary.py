"""What a transaction in one subsidiary may name: accounts, segments and entities available to that subsidiary,
and the special accounts NetSuite picks when none is given."""

from __future__ import annotations

import sqlite3

from netsuite_emulator.records._io import Ctx, invalid_value, user_error


def account_in(ctx: Ctx, account: int, subsidiary: int, path: str, name: str = "account") -> sqlite3.Row:
    row = ctx.one("SELECT * FROM account WHERE id = ?", account)
    if row is None or row["isinactive"] == "T":
        raise invalid_value(account, name, path)
    if not ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
        raise user_error(f"Invalid account reference key {account} for subsidiary {subsidiary}.", path)
    return row


def check_account_currency(row: sqlite3.Row, currency: int) -> None:
    # A bank account in one currency takes only transactions in that currency: not in the list otherwise.
    if row["currency"] is not None and int(row["currency"]) != currency:
        raise invalid_value(row["id"], "account")


def special_account(ctx: Ctx, kind: str, special: str, subsidiary: int) -> int | None:
    rows = ctx.all(
        "SELECT id, subsidiary, includechildren FROM account WHERE accttype = ? AND isinactive = 'F' "
        "ORDER BY (sspecacct = ?) DESC, id",
        kind,
        special,
    )
    for row in rows:
        if ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
            return int(row["id"])
    return None


def undeposited_funds(ctx: Ctx, subsidiary: int) -> int | None:
    for row in ctx.all(
        "SELECT id, subsidiary, includechildren FROM account WHERE sspecacct = 'UndepFunds' AND isinactive = 'F'"
    ):
        if ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
            return int(row["id"])
    return None


def check_segment(ctx: Ctx, name: str, value: int | None, subsidiary: int, path: str) -> None:
    if value is None:
        return
    table = {"class": "classification"}.get(name, name)
    row = ctx.one(f"SELECT * FROM {table} WHERE id = ?", value)  # noqa: S608 - location has no includechildren
    owner = row["subsidiary"] if row else None
    children = row["includechildren"] if row and "includechildren" in row.keys() else "F"  # noqa: SIM118 -- sqlite3.Row: `in` tests values
    if row is not None and not ctx.available(owner, children, subsidiary):
        raise user_error(f"Invalid {name} reference key {value} for subsidiary {subsidiary}.", path)


def entity_in_subsidiary(ctx: Ctx, table: str, entity: int, subsidiary: int) -> bool:
    """The entity's primary subsidiary, or one a subsidiary relationship record assigns it to."""
    row = ctx.one(
        f"SELECT 1 FROM {table} WHERE id = ? AND subsidiary = ? UNION ALL "  # noqa: S608 -- fixed names
        f"SELECT 1 FROM {table}subsidiaryrelationship WHERE entity = ? AND subsidiary = ? LIMIT 1",
        entity,
        subsidiary,
        entity,
        subsidiary,
    )
    return row is not None
