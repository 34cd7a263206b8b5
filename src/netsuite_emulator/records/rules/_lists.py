"""Records of the list families (accounts, classes, terms, items, …): the base writer the entity and
relationship writers extend."""

from __future__ import annotations

import sqlite3
from typing import Any

from netsuite_emulator.records._io import (
    Ctx,
    RecordError,
    coerce,
    invalid_value,
    mandatory,
    resolve,
    table_sql,
    user_error,
)
from netsuite_emulator.records._types import ACCOUNT_TYPE_NAMES, ENTITY_TABLES, Kind, RecordType
from netsuite_emulator.records.rules._body import (
    DEPENDENT_RECORDS,
    Options,
    Parsed,
    check_external_id,
    duplicate,
)
from netsuite_emulator.records.rules._deleted import record_deletion
from netsuite_emulator.records.rules._sql import insert, update
from netsuite_emulator.store import SHARED_LISTS, subsidiary_ids, subsidiary_text


class ListWriter:
    """Create, update and delete a record of a list-like family; subclasses add their family's rules."""

    def __init__(self, ctx: Ctx, rt: RecordType, custom: dict[str, Kind]) -> None:
        self.ctx, self.rt, self.custom = ctx, rt, custom

    def _columns(self, parsed: Parsed, options: Options) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for name, (f, value) in parsed.fields.items():
            if f.column is None:
                continue
            if name == "externalId":
                columns["externalid"] = None if value is None else check_external_id(value)
            elif value is None:
                columns[f.column] = None
            elif f.kind == "subsidiaries":
                columns[f.column] = self._multiselect(value, name)
            elif f.kind == "ref":
                columns[f.column] = resolve(self.ctx, f.ref or "", value, name, name)
            else:
                columns[f.column] = coerce(f.kind, value, name, name)
        columns.update(parsed.custom)
        if options.replace_selected:
            for name in options.replace:
                named = self.rt.field(name)
                if (
                    named is not None
                    and named.column
                    and not named.readonly
                    and named.name not in parsed.fields
                ):
                    columns[named.column] = None
        return columns

    def _multiselect(self, value: object, name: str) -> str | None:
        """A written multi-select: ``{"items": [{"id": …}, …]}`` as Oracle documents its format (the whole
        selection: a write replaces it), or one reference as the emulator also accepts (whether NetSuite does is
        not documented). Stored as the comma list SuiteQL shows."""
        values = (
            value["items"] if isinstance(value, dict) and isinstance(value.get("items"), list) else [value]
        )
        return subsidiary_text(resolve(self.ctx, "subsidiary", v, name, name) for v in values)

    def _sync_subsidiaries(self, record_id: int, columns: dict[str, Any]) -> None:
        """Keep the mapping table (AccountSubsidiaryMap and its kin) in step with the record's multi-select."""
        map_table = SHARED_LISTS.get(self.rt.table)
        if map_table is None or "subsidiary" not in columns:
            return
        table = self.rt.table
        self.ctx.conn.execute(f"DELETE FROM {map_table} WHERE {table} = ?", (record_id,))  # noqa: S608 -- fixed names
        self.ctx.conn.executemany(
            f"INSERT INTO {map_table} ({table}, subsidiary) VALUES (?, ?)",  # noqa: S608 -- fixed names
            [(record_id, s) for s in sorted(subsidiary_ids(columns["subsidiary"]))],
        )

    def create(self, parsed: Parsed, external_id: str | None = None) -> int:
        columns = dict(self.rt.defaults)
        columns.update(self._columns(parsed, Options()))
        if external_id is not None:
            columns["externalid"] = external_id
        self._check_new(columns)
        if columns.get("externalid") is not None and self._external_id_taken(
            str(columns["externalid"]), None
        ):
            raise duplicate()
        self._complete_new(columns)
        record_id = insert(self.ctx, self.rt.table, columns)
        self._sync_subsidiaries(record_id, columns)
        self._after_create(record_id, columns, parsed)
        return record_id

    def update(self, record_id: int, parsed: Parsed, options: Options) -> None:
        rt, ctx = self.rt, self.ctx
        row = ctx.one(f"SELECT * FROM {rt.table} WHERE id = ?", record_id)  # noqa: S608 -- fixed names
        if row is None:
            raise RecordError(404, "NONEXISTENT_ID", "The record instance does not exist.")
        changes = self._columns(parsed, options)
        changes = self._check_changes(row, changes, {**dict(row), **changes}, record_id)
        if changes.get("externalid") is not None and self._external_id_taken(
            changes["externalid"], record_id
        ):
            raise duplicate()
        if changes:
            update(ctx, rt.table, record_id, changes)
            self._sync_subsidiaries(record_id, changes)
        self._after_update(record_id, parsed, options)

    def delete(self, record_id: int) -> None:
        self._check_delete(record_id)
        try:
            self.ctx.conn.execute(f"DELETE FROM {table_sql(self.rt)} WHERE id = ?", (record_id,))  # noqa: S608
        except sqlite3.IntegrityError:
            raise user_error(DEPENDENT_RECORDS) from None
        record_deletion(self.ctx, self.rt.key, record_id, None)

    def _external_id_taken(self, external_id: str, record_id: int | None) -> bool:
        """Whether another record of the table (or, for an entity, of any entity table: customers, vendors and
        employees are one record group) holds the id; the columns compare without case."""
        tables = ENTITY_TABLES if self.rt.table in ENTITY_TABLES else (self.rt.table,)
        for table in tables:
            row = self.ctx.one(
                f"SELECT id FROM {table} WHERE externalid = ? AND id IS NOT ?",  # noqa: S608 -- fixed names
                external_id,
                record_id if table == self.rt.table else None,
            )
            if row is not None:
                return True
        return False

    # -- the family's rules: a plain list's here ----------------------------------------------------------

    def _check_new(self, columns: dict[str, Any]) -> None:
        required = (self.rt.field(n) for n in self.rt.required)
        missing = [f for f in required if f is not None and f.column and columns.get(f.column) is None]
        if missing:
            raise mandatory([f.title for f in missing], missing[0].name)
        self._list_rules(columns)

    def _check_changes(
        self, row: sqlite3.Row, changes: dict[str, Any], merged: dict[str, Any], record_id: int
    ) -> dict[str, Any]:
        for name in self.rt.required:
            f = self.rt.field(name)
            if f is not None and f.column and merged.get(f.column) is None:
                raise mandatory([f.title], f.name)
        self._list_rules(merged)
        return changes

    def _complete_new(self, columns: dict[str, Any]) -> None:
        """Columns NetSuite sets itself on create."""

    def _after_create(self, record_id: int, columns: dict[str, Any], parsed: Parsed) -> None:
        """Rows beside the record's own that a create leaves."""

    def _after_update(self, record_id: int, parsed: Parsed, options: Options) -> None:
        """Rows beside the record's own that an update changes."""

    def _check_delete(self, record_id: int) -> None:
        """Refuse a delete the family forbids (the schema refuses the rest)."""

    def _list_rules(self, columns: dict[str, Any]) -> None:
        rt = self.rt
        if rt.key == "account" and columns.get("accttype") not in ACCOUNT_TYPE_NAMES:
            raise invalid_value(columns.get("accttype"), "acctType")
        if rt.family in ("list", "item") and rt.subsidiary and rt.key not in ("subsidiary",):
            for owner in sorted(subsidiary_ids(columns.get(rt.subsidiary))):
                if owner not in self.ctx.writable:
                    raise invalid_value(owner, "subsidiary")
