"""Entities (customers, vendors) and their subsidiary relationships: names, primary subsidiaries and currencies,
the relationship rows that assign an entity to further subsidiaries, the address book."""

from __future__ import annotations

import sqlite3
from typing import Any

from netsuite_emulator.records._io import Ctx, coerce, invalid_value, mandatory, user_error
from netsuite_emulator.records.rules._body import (
    DEPENDENT_RECORDS,
    IGNORED_KEYS,
    Options,
    Parsed,
    items_of,
    unknown_field,
)
from netsuite_emulator.records.rules._lists import ListWriter
from netsuite_emulator.records.rules._sql import insert, update_where


class EntityWriter(ListWriter):
    """A customer or vendor: one primary subsidiary, kept in a relationship row beside the others."""

    def _check_new(self, columns: dict[str, Any]) -> None:
        self._entity_rules(columns, None)

    def _complete_new(self, columns: dict[str, Any]) -> None:
        columns["id"] = _next_entity_id(self.ctx)
        columns.setdefault("datecreated", self.ctx.stamp())
        columns["lastmodifieddate"] = self.ctx.stamp()

    def _after_create(self, record_id: int, columns: dict[str, Any], parsed: Parsed) -> None:
        self._primary_relationship(record_id, columns)
        self._address_book(record_id, parsed, Options(), creating=True)

    def _check_changes(
        self, row: sqlite3.Row, changes: dict[str, Any], merged: dict[str, Any], record_id: int
    ) -> dict[str, Any]:
        if "subsidiary" in changes and changes["subsidiary"] != row["subsidiary"]:
            # Documented: the primary subsidiary cannot be changed after the entity is saved; the wording
            # is a guess.
            raise user_error("The primary subsidiary of an entity cannot be changed.", "subsidiary")
        self._entity_rules(merged, record_id)
        changes = {k: merged[k] for k in (*changes, "entityid")}
        changes["lastmodifieddate"] = self.ctx.stamp()
        return changes

    def _after_update(self, record_id: int, parsed: Parsed, options: Options) -> None:
        self._address_book(record_id, parsed, options, creating=False)

    def _check_delete(self, record_id: int) -> None:
        ctx = self.ctx
        used = ctx.one(
            'SELECT 1 FROM "transaction" WHERE entity = ? UNION ALL '
            "SELECT 1 FROM transactionline WHERE entity = ? LIMIT 1",
            record_id,
            record_id,
        )
        if used is not None:
            raise user_error(DEPENDENT_RECORDS)
        ctx.conn.execute("DELETE FROM entityaddressbook WHERE entity = ?", (record_id,))
        relationships = f"{self.rt.table}subsidiaryrelationship"
        ctx.conn.execute(f"DELETE FROM {relationships} WHERE entity = ?", (record_id,))  # noqa: S608

    def _entity_rules(self, columns: dict[str, Any], record_id: int | None) -> None:
        ctx, rt = self.ctx, self.rt
        if columns.get("subsidiary") is None:
            if ctx.oneworld:
                raise mandatory(["Primary Subsidiary"], "subsidiary")
            columns["subsidiary"] = 1
        subsidiary = int(columns["subsidiary"])
        if subsidiary not in ctx.writable:
            raise invalid_value(subsidiary, "subsidiary")
        person = columns.get("isperson") == "T"
        if (
            person
            and not (columns.get("firstname") or columns.get("lastname"))
            and not columns.get("entityid")
        ):
            raise mandatory(["First Name", "Last Name"], "firstName")
        if not person and not columns.get("companyname") and not columns.get("entityid"):
            raise mandatory(["Company Name"], "companyName")
        if not columns.get("entityid"):
            names = (columns.get("firstname"), columns.get("lastname"))
            columns["entityid"] = " ".join(n for n in names if n) if person else columns.get("companyname")
        if columns.get("currency") is None:
            row = ctx.one("SELECT currency FROM subsidiary WHERE id = ?", subsidiary)
            columns["currency"] = row["currency"] if row else None
        clash = ctx.one(
            f"SELECT id FROM {rt.table} WHERE lower(entityid) = lower(?) AND id IS NOT ?",  # noqa: S608
            columns["entityid"],
            record_id,
        )
        if clash is not None:
            # NetSuite's message for a duplicate entity id, as commonly reported; not in Oracle's REST pages.
            kind = rt.key
            raise user_error(
                f"A {kind} record with this ID already exists. You must enter a unique {kind} ID for each "
                "record you create.",
                "entityId",
            )
        for column, kinds in (("receivablesaccount", {"AcctRec"}), ("payablesaccount", {"AcctPay"})):
            account = columns.get(column)
            if account is not None:
                row = ctx.one("SELECT accttype FROM account WHERE id = ?", account)
                if row is None or row["accttype"] not in kinds:
                    raise invalid_value(account, column)

    def _primary_relationship(self, entity: int, columns: dict[str, Any]) -> None:
        table = f"{self.rt.table}subsidiaryrelationship"
        insert(
            self.ctx,
            table,
            {"entity": entity, "subsidiary": columns["subsidiary"], "isprimarysub": "T",
             "primarycurrency": columns.get("currency")},
        )  # fmt: skip

    def _address_book(self, entity: int, parsed: Parsed, options: Options, *, creating: bool) -> None:
        given = parsed.sublists.get("addressBook")
        if given is None:
            return
        lines = items_of(given[1], "addressBook")
        ctx = self.ctx
        if lines is None or "addressbook" in options.replace:
            ctx.conn.execute("DELETE FROM entityaddressbook WHERE entity = ?", (entity,))
        row = ctx.one("SELECT COALESCE(MAX(id), 0) AS n FROM entityaddressbook WHERE entity = ?", entity)
        next_id = int(row["n"]) + 1 if row else 1
        for index, line in enumerate(lines or []):
            path = f"addressBook.items[{index}]"
            if not isinstance(line, dict):
                raise invalid_value("…", "addressBook", path)
            address = line.get("addressBookAddress") or {}
            if not isinstance(address, dict):
                raise invalid_value("…", "addressBookAddress", path + ".addressBookAddress")
            values: dict[str, Any] = {
                "label": coerce("text", line.get("label"), "label", path + ".label"),
                "defaultbilling": coerce("bool", line.get("defaultBilling", False), "defaultBilling", path),
                "defaultshipping": coerce(
                    "bool", line.get("defaultShipping", False), "defaultShipping", path
                ),
            }
            for key, value in address.items():
                column = key.lower()
                if column == "country" and isinstance(value, dict):
                    value = value.get("id")
                if column in ("addressee", "addr1", "addr2", "city", "state", "zip", "country"):
                    values[column] = coerce("text", value, key, f"{path}.addressBookAddress.{key}")
                elif column not in IGNORED_KEYS:
                    unknown_field(ctx, self.rt, key, f"{path}.addressBookAddress.{key}")
            line_id = line.get("id")
            existing = None
            if line_id is not None and not creating:
                existing = ctx.one(
                    "SELECT id FROM entityaddressbook WHERE entity = ? AND id = ?", entity, line_id
                )
            if existing is not None:
                update_where(ctx, "entityaddressbook", {"entity": entity, "id": existing["id"]}, values)
            else:
                insert(ctx, "entityaddressbook", {"entity": entity, "id": next_id, **values})
                next_id += 1


class RelationshipWriter(ListWriter):
    """A customer's or vendor's assignment to a subsidiary beyond its primary one."""

    def _check_new(self, columns: dict[str, Any]) -> None:
        self._relationship_rules(columns, None)

    def _check_changes(
        self, row: sqlite3.Row, changes: dict[str, Any], merged: dict[str, Any], record_id: int
    ) -> dict[str, Any]:
        for column in ("entity", "subsidiary"):
            if column in changes and changes[column] != row[column]:
                # Documented: only custom fields, externalId (and a vendor's credit limit) can be updated.
                raise user_error(
                    f"The field {column} of a subsidiary relationship cannot be changed.", column
                )
        return changes

    def _check_delete(self, record_id: int) -> None:
        ctx, rt = self.ctx, self.rt
        row = ctx.one(f"SELECT * FROM {rt.table} WHERE id = ?", record_id)  # noqa: S608 -- fixed names
        if row is not None:
            used = ctx.one(
                'SELECT 1 FROM "transaction" WHERE entity = ? AND subsidiary = ? LIMIT 1',
                row["entity"],
                row["subsidiary"],
            )
            # Documented: an assignment with transactions, and the primary one, cannot be deleted.
            if used is not None or row["isprimarysub"] == "T":
                raise user_error(DEPENDENT_RECORDS)

    def _relationship_rules(self, columns: dict[str, Any], record_id: int | None) -> None:
        ctx = self.ctx
        missing = [label for column, label in (("entity", "Entity"), ("subsidiary", "Subsidiary")) if columns.get(column) is None]  # fmt: skip
        if missing:
            raise mandatory(missing, "entity" if "Entity" in missing else "subsidiary")
        if int(columns["subsidiary"]) not in ctx.writable:
            raise invalid_value(columns["subsidiary"], "subsidiary")
        entity_table = "customer" if self.rt.key.startswith("customer") else "vendor"
        entity = ctx.one(f"SELECT currency FROM {entity_table} WHERE id = ?", columns["entity"])  # noqa: S608
        if columns.get("primarycurrency") is None and entity is not None:
            columns["primarycurrency"] = entity["currency"]
        columns["isprimarysub"] = "F"
        clash = ctx.one(
            f"SELECT id FROM {self.rt.table} WHERE entity = ? AND subsidiary = ? AND id IS NOT ?",  # noqa: S608
            columns["entity"],
            columns["subsidiary"],
            record_id,
        )
        if clash is not None:
            raise user_error("This entity already exists.", "subsidiary")


def _next_entity_id(ctx: Ctx) -> int:
    row = ctx.one(
        "SELECT MAX(m) AS n FROM (SELECT MAX(id) AS m FROM customer UNION ALL SELECT MAX(id) FROM vendor "
        "UNION ALL SELECT MAX(id) FROM employee)"
    )
    return int(row["n"] or 0) + 1 if row else 1
