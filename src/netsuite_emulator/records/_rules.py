"""Writes with NetSuite's business rules: lists, entities, subsidiary relationships and transactions.

Every write runs inside one store transaction (the caller's ``store.write()``): a refusal raises
:class:`RecordError` and rolls back, so a refused request leaves the account as it was.

Where NetSuite's documentation gives an error's wording it is used; the other texts are marked as guesses.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ._io import (
    CENT,
    EXTERNAL_ID,
    Ctx,
    RecordError,
    coerce,
    invalid_value,
    mandatory,
    money,
    ref_value,
    resolve,
    table_sql,
    transaction_refname,
    user_error,
)
from ._types import (
    BY_TYPE_CODE,
    Field,
    Kind,
    RecordType,
    Sublist,
)

DEPENDENT_RECORDS = "This record cannot be deleted because it has dependent records."
LINES_NEEDED = "You must enter at least one line item for this transaction."
IGNORED_KEYS = frozenset({"links", "refname"})

# GL sign of the main line per transaction type; item and expense lines carry the opposite sign.
MAIN_SIGN = {
    "CustInvc": 1,
    "CustCred": -1,
    "VendBill": -1,
    "VendCred": 1,
    "CustPymt": 1,
    "VendPymt": -1,
    "CustDep": 1,
    "DepAppl": 0,
    "Journal": 0,
}
AR_TYPES = frozenset({"CustInvc", "CustCred", "CustPymt", "CustDep", "DepAppl"})
AP_TYPES = frozenset({"VendBill", "VendCred", "VendPymt"})
SALES_TYPES = frozenset({"CustInvc", "CustCred"})
# What each applying type applies to, and the link type it leaves in previoustransactionlinelink.
APPLY_TARGETS = {
    "CustPymt": ("CustInvc",),
    "CustCred": ("CustInvc",),
    "VendPymt": ("VendBill",),
    "VendCred": ("VendBill",),
    "DepAppl": ("CustInvc",),
}
LINK_TYPES = {
    "CustPymt": "Payment",
    "VendPymt": "Payment",
    "CustCred": "Credit",
    "VendCred": "Credit",
    "DepAppl": "DepAppl",
}
ENTITY_FIELD = {
    "CustInvc": "entity",
    "CustCred": "entity",
    "VendBill": "entity",
    "VendCred": "entity",
    "VendPymt": "entity",
    "CustPymt": "customer",
    "CustDep": "customer",
}
ENTITY_TABLE = {"CustInvc": "customer", "CustCred": "customer", "CustPymt": "customer", "CustDep": "customer",
                "DepAppl": "customer", "VendBill": "vendor", "VendCred": "vendor", "VendPymt": "vendor"}  # fmt: skip
LINE_SUBLISTS = ("item", "expense", "line")
BANKABLE = frozenset({"Bank"})
NOT_ON_LINES = frozenset({"AcctRec", "AcctPay", "NonPosting", "Stat"})
SALE_SUBTYPES = frozenset({"Sale", "Resale"})
PURCHASE_SUBTYPES = frozenset({"Purchase", "Resale"})


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


def _items(value: Any, sublist: str) -> list[Any] | None:
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


# -- lists, entities and relationships ---------------------------------------------------------------------


class ListWriter:
    """Create, update and delete records of the list-like families."""

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
            elif f.kind in ("ref", "subsidiaries"):
                target = f.ref or ""
                if (
                    f.kind == "subsidiaries"
                    and isinstance(value, dict)
                    and isinstance(value.get("items"), list)
                ):
                    items = value["items"]
                    # One subsidiary per record in the emulator (NetSuite allows several).
                    value = items[0] if items else None
                    if value is None:
                        columns[f.column] = None
                        continue
                columns[f.column] = resolve(self.ctx, target, value, name, name)
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

    def create(self, parsed: Parsed, external_id: str | None = None) -> int:
        rt, ctx = self.rt, self.ctx
        columns = dict(rt.defaults)
        columns.update(self._columns(parsed, Options()))
        if external_id is not None:
            columns["externalid"] = external_id
        if rt.family == "entity":
            self._entity(columns, None)
        elif rt.family == "relationship":
            self._relationship(columns, None)
        else:
            required = (rt.field(n) for n in rt.required)
            missing = [f for f in required if f is not None and f.column and columns.get(f.column) is None]
            if missing:
                raise mandatory([f.title for f in missing], missing[0].name)
            self._list_rules(columns)
        if columns.get("externalid") is not None and self._external_id_taken(
            str(columns["externalid"]), None
        ):
            raise duplicate()
        if rt.family == "entity":
            columns["id"] = _next_entity_id(ctx)
            columns.setdefault("datecreated", ctx.stamp())
            columns["lastmodifieddate"] = ctx.stamp()
        record_id = _insert(ctx, rt.table, columns)
        if rt.family == "entity":
            self._primary_relationship(record_id, columns)
            self._address_book(record_id, parsed, Options(), creating=True)
        return record_id

    def update(self, record_id: int, parsed: Parsed, options: Options) -> None:
        rt, ctx = self.rt, self.ctx
        row = ctx.one(f"SELECT * FROM {rt.table} WHERE id = ?", record_id)  # noqa: S608 -- fixed names
        if row is None:
            raise RecordError(404, "NONEXISTENT_ID", "The record instance does not exist.")
        changes = self._columns(parsed, options)
        merged = {**dict(row), **changes}
        if rt.family == "entity":
            if "subsidiary" in changes and changes["subsidiary"] != row["subsidiary"]:
                # Documented: the primary subsidiary cannot be changed after the entity is saved; the wording
                # is a guess.
                raise user_error("The primary subsidiary of an entity cannot be changed.", "subsidiary")
            self._entity(merged, record_id)
            changes = {k: merged[k] for k in (*changes, "entityid")}
            changes["lastmodifieddate"] = ctx.stamp()
        elif rt.family == "relationship":
            for column in ("entity", "subsidiary"):
                if column in changes and changes[column] != row[column]:
                    # Documented: only custom fields, externalId (and a vendor's credit limit) can be updated.
                    raise user_error(
                        f"The field {column} of a subsidiary relationship cannot be changed.", column
                    )
        else:
            for name in rt.required:
                f = rt.field(name)
                if f is not None and f.column and merged.get(f.column) is None:
                    raise mandatory([f.title], f.name)
            self._list_rules(merged)
        if changes.get("externalid") is not None and self._external_id_taken(
            changes["externalid"], record_id
        ):
            raise duplicate()
        if changes:
            _update(ctx, rt.table, record_id, changes)
        if rt.family == "entity":
            self._address_book(record_id, parsed, options, creating=False)

    def _external_id_taken(self, external_id: str, record_id: int | None) -> bool:
        row = self.ctx.one(
            f"SELECT id FROM {self.rt.table} WHERE externalid = ? AND id IS NOT ?",  # noqa: S608 -- fixed names
            external_id,
            record_id,
        )
        return row is not None

    def _list_rules(self, columns: dict[str, Any]) -> None:
        rt = self.rt
        if rt.key == "account":
            from ._types import ACCOUNT_TYPE_NAMES

            if columns.get("accttype") not in ACCOUNT_TYPE_NAMES:
                raise invalid_value(columns.get("accttype"), "acctType")
        if rt.family in ("list", "item") and rt.subsidiary and rt.key not in ("subsidiary",):
            owner = columns.get(rt.subsidiary)
            if owner is not None and int(owner) not in self.ctx.writable:
                raise invalid_value(owner, "subsidiary")

    def _entity(self, columns: dict[str, Any], record_id: int | None) -> None:
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
        _insert(
            self.ctx,
            table,
            {"entity": entity, "subsidiary": columns["subsidiary"], "isprimarysub": "T",
             "primarycurrency": columns.get("currency")},
        )  # fmt: skip

    def _relationship(self, columns: dict[str, Any], record_id: int | None) -> None:
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

    def _address_book(self, entity: int, parsed: Parsed, options: Options, *, creating: bool) -> None:
        given = parsed.sublists.get("addressBook")
        if given is None:
            return
        lines = _items(given[1], "addressBook")
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
                _update_where(ctx, "entityaddressbook", {"entity": entity, "id": existing["id"]}, values)
            else:
                _insert(ctx, "entityaddressbook", {"entity": entity, "id": next_id, **values})
                next_id += 1

    def delete(self, record_id: int) -> None:
        ctx, rt = self.ctx, self.rt
        if rt.family == "entity":
            used = ctx.one(
                'SELECT 1 FROM "transaction" WHERE entity = ? UNION ALL '
                "SELECT 1 FROM transactionline WHERE entity = ? LIMIT 1",
                record_id,
                record_id,
            )
            if used is not None:
                raise user_error(DEPENDENT_RECORDS)
            ctx.conn.execute("DELETE FROM entityaddressbook WHERE entity = ?", (record_id,))
            relationships = f"{rt.table}subsidiaryrelationship"
            ctx.conn.execute(f"DELETE FROM {relationships} WHERE entity = ?", (record_id,))  # noqa: S608
        elif rt.family == "relationship":
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
        try:
            ctx.conn.execute(f"DELETE FROM {table_sql(rt)} WHERE id = ?", (record_id,))  # noqa: S608
        except sqlite3.IntegrityError:
            raise user_error(DEPENDENT_RECORDS) from None


def _next_entity_id(ctx: Ctx) -> int:
    row = ctx.one(
        "SELECT MAX(m) AS n FROM (SELECT MAX(id) AS m FROM customer UNION ALL SELECT MAX(id) FROM vendor "
        "UNION ALL SELECT MAX(id) FROM employee)"
    )
    return int(row["n"] or 0) + 1 if row else 1


def _insert(ctx: Ctx, table: str, columns: dict[str, Any]) -> int:
    names = list(columns)
    quoted = '"transaction"' if table == "transaction" else table
    sql = f"INSERT INTO {quoted} ({', '.join(_q(n) for n in names)}) VALUES ({', '.join('?' for _ in names)})"  # noqa: S608
    try:
        cursor = ctx.conn.execute(sql, [columns[n] for n in names])
    except sqlite3.IntegrityError as exc:
        raise _integrity(exc) from None
    return int(cursor.lastrowid or 0)


def _update(ctx: Ctx, table: str, record_id: int, columns: dict[str, Any]) -> None:
    _update_where(ctx, table, {"id": record_id}, columns)


def _update_where(ctx: Ctx, table: str, where: dict[str, Any], columns: dict[str, Any]) -> None:
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


# -- transactions ------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """A transaction as a write leaves it, before the rules complete and check it."""

    values: dict[str, Any] = field(default_factory=dict)  # REST field name → stored value
    custom: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # REST line field → value
    apply: list[dict[str, Any]] = field(default_factory=list)  # {"doc", "amount", "apply", "path"}
    created_from: int | None = None
    paths: dict[str, str] = field(default_factory=dict)


class TransactionWriter:
    def __init__(self, ctx: Ctx, rt: RecordType, custom: dict[str, Kind]) -> None:
        self.ctx, self.rt, self.custom = ctx, rt, custom
        self.code = rt.type_code

    # -- from the request -------------------------------------------------------------------------------

    def merge(self, draft: Draft, parsed: Parsed, options: Options, *, existing: bool) -> None:
        """Body fields replace, ``null`` clears; keyed sublists (apply) merge by key; the other sublists append
        unless named in ``replace``."""
        for name, (f, value) in parsed.fields.items():
            draft.values[name] = self._value(f, value)
        draft.custom.update(parsed.custom)
        if options.replace_selected:
            for name in options.replace:
                named = self.rt.field(name)
                if named is not None and not named.readonly and named.name not in parsed.fields:
                    draft.values[named.name] = None
                if name in self.custom and name not in parsed.custom:
                    draft.custom[name] = None
        for name, (sublist, value) in parsed.sublists.items():
            lines = _items(value, name)
            replace = lines is None or name.lower() in options.replace or not existing
            if sublist.keyed_by == "doc":
                self._merge_apply(draft, lines or [], replace=replace)
                continue
            new = [
                self._line(sublist, line, f"{name}.items[{index}]") for index, line in enumerate(lines or [])
            ]
            draft.lines[name] = new if replace else [*draft.lines.get(name, []), *new]

    def _value(self, f: Field, value: Any) -> Any:
        if value is None:
            return None
        if f.name == "externalId":
            return check_external_id(value)
        if f.kind == "ref":
            return resolve(self.ctx, f.ref or "", value, f.name, f.name)
        return coerce(f.kind, value, f.name, f.name)

    def _line(self, sublist: Sublist, line: Any, path: str) -> dict[str, Any]:
        if not isinstance(line, dict):
            raise invalid_value("…", sublist.name, path)
        values: dict[str, Any] = {"_path": path}
        for key, value in line.items():
            lf = sublist.field(key)
            if lf is None:
                if key.lower() not in IGNORED_KEYS:
                    unknown_field(self.ctx, self.rt, key, f"{path}.{key}")
                continue
            if lf.readonly or value is None:
                continue
            if lf.kind == "ref":
                values[lf.name] = resolve(self.ctx, lf.ref or "", value, lf.name, f"{path}.{lf.name}")
            else:
                values[lf.name] = coerce(lf.kind, value, lf.name, f"{path}.{lf.name}")
        return values

    def _merge_apply(self, draft: Draft, lines: list[Any], *, replace: bool) -> None:
        if replace:
            draft.apply = []
        targets = APPLY_TARGETS.get(self.code, ())
        for index, line in enumerate(lines):
            path = f"apply.items[{index}]"
            if not isinstance(line, dict) or "doc" not in line:
                raise mandatory(["Doc"], path + ".doc")
            doc = self._apply_doc(line["doc"], targets, path + ".doc")
            amount = line.get("amount")
            if amount is not None:
                amount = coerce("float", amount, "amount", path + ".amount")
            flag = line.get("apply", True)
            if not isinstance(flag, bool):
                raise invalid_value(flag, "apply", path + ".apply")
            for key in line:
                if key not in APPLY_KEYS and key.lower() not in IGNORED_KEYS:
                    unknown_field(self.ctx, self.rt, key, f"{path}.{key}")
            entry = {"doc": doc, "amount": amount, "apply": flag, "path": path}
            found = next((e for e in draft.apply if e["doc"] == doc), None)
            if found is not None:
                found.update(entry)
            else:
                draft.apply.append(entry)

    def _apply_doc(self, value: Any, targets: tuple[str, ...], path: str) -> int:
        how, key = ref_value(value, "doc", path)
        marks = ", ".join("?" for _ in targets)
        column = "id" if how == "id" else "externalid"
        row = self.ctx.one(
            f'SELECT id FROM "transaction" WHERE {column} = ? AND type IN ({marks})',  # noqa: S608
            key,
            *targets,
        )
        if row is None:
            raise invalid_value(key, "doc", path)
        return int(row["id"])

    # -- from the store ---------------------------------------------------------------------------------

    def load(self, record_id: int) -> tuple[sqlite3.Row, Draft]:
        ctx, rt = self.ctx, self.rt
        row = ctx.one('SELECT * FROM "transaction" WHERE id = ? AND type = ?', record_id, self.code)
        if row is None:
            raise RecordError(404, "NONEXISTENT_ID", "The record instance does not exist.")
        lines = ctx.all('SELECT * FROM transactionline WHERE "transaction" = ? ORDER BY id', record_id)
        main = next((line for line in lines if line["mainline"] == "T"), None)
        draft = Draft(created_from=row["createdfrom"])
        for f in rt.fields:
            if f.readonly or f.column is None:
                continue
            source = main if f.on_mainline else row
            if source is not None and f.column in source.keys():  # noqa: SIM118 -- sqlite3.Row: `in` tests values
                draft.values[f.name] = source[f.column]
        for column in self.custom:
            draft.custom[column] = row[column] if column in row.keys() else None  # noqa: SIM118 -- sqlite3.Row: `in` tests values
        for sublist, line in split_lines(self.code, lines):
            draft.lines.setdefault(sublist, []).append(line_values(self.code, sublist, line))
        for link in ctx.all(
            "SELECT previousdoc, foreignamount FROM previoustransactionlinelink WHERE nextdoc = ? ORDER BY rowid",
            record_id,
        ):
            draft.apply.append(
                {"doc": link["previousdoc"], "amount": link["foreignamount"], "apply": True, "path": "apply"}
            )
        return row, draft

    # -- the rules --------------------------------------------------------------------------------------

    def save(self, draft: Draft, record_id: int | None, source: sqlite3.Row | None = None) -> int:
        """Complete and check a draft, then write it (create when ``record_id`` is None)."""
        ctx, code = self.ctx, self.code
        v = draft.values
        deposit = None
        if code == "DepAppl":
            deposit = ctx.one('SELECT * FROM "transaction" WHERE id = ?', draft.created_from)
            if deposit is None:
                raise RecordError(404, "NONEXISTENT_ID", "The record instance does not exist.")
        entity = self._entity(v, deposit)
        subsidiary = self._subsidiary(v, entity, deposit)
        self._assigned(entity, subsidiary)
        currency, rate = self._currency(v, entity, subsidiary, deposit)
        trandate = v.get("tranDate") or ctx.today()
        v["tranDate"] = trandate
        period = self._period(v.get("postingPeriod"), trandate)
        for name in ("class", "department", "location"):
            self._segment(name, v.get(name), subsidiary, name)
        account, undep = self._body_account(v, entity, subsidiary, currency)
        lines = self._lines(draft, subsidiary, entity)
        total = self._total(draft, lines)
        applied = self._apply(draft, record_id, entity, currency, total, deposit)
        if code in ("CustPymt", "VendPymt", "DepAppl"):
            total = self._payment_total(v, applied, deposit, record_id)
        if total < -CENT:
            raise user_error("The total of this transaction cannot be negative.", "total")  # wording: a guess
        stamp = ctx.stamp()
        row: dict[str, Any] = {
            "type": code,
            "recordtype": self.rt.key,
            "tranid": v.get("tranId")
            or (self._next_number() if code not in ("VendBill", "VendCred") else None),
            "trandate": trandate,
            "duedate": v.get("dueDate"),
            "entity": entity,
            "subsidiary": subsidiary,
            "currency": currency,
            "exchangerate": rate,
            "postingperiod": period,
            "memo": v.get("memo"),
            "otherrefnum": v.get("otherRefNum"),
            "terms": v.get("terms"),
            "paymentmethod": v.get("paymentMethod"),
            "undepfunds": undep,
            "createdfrom": draft.created_from,
            "reversaldate": v.get("reversalDate"),
            "foreigntotal": money(total),
            "externalid": v.get("externalId"),
            "lastmodifieddate": stamp,
            **draft.custom,
        }
        if v.get("externalId") is not None:
            clash = ctx.one(
                'SELECT id FROM "transaction" WHERE recordtype = ? AND externalid = ? AND id IS NOT ?',
                self.rt.key,
                v["externalId"],
                record_id,
            )
            if clash is not None:
                raise duplicate()
        if record_id is None:
            row["createddate"] = stamp
            record_id = _insert(ctx, "transaction", row)
        else:
            if source is not None and row["tranid"] is None:
                row["tranid"] = source["tranid"]
            _update(ctx, "transaction", record_id, row)
        self._write_lines(record_id, v, lines, account, entity, subsidiary, total)
        old_docs = [r["previousdoc"] for r in ctx.all(
            "SELECT previousdoc FROM previoustransactionlinelink WHERE nextdoc = ?", record_id)]  # fmt: skip
        ctx.conn.execute("DELETE FROM previoustransactionlinelink WHERE nextdoc = ?", (record_id,))
        for doc, amount in applied:
            _insert(
                ctx,
                "previoustransactionlinelink",
                {"previousdoc": doc, "previoustype": self._type_of(doc), "nextdoc": record_id,
                 "nexttype": code, "linktype": LINK_TYPES[code], "foreignamount": money(amount)},
            )  # fmt: skip
        for doc in {*old_docs, *(doc for doc, _ in applied)}:
            refresh(ctx, doc)
        refresh(ctx, record_id)
        if deposit is not None:
            refresh(ctx, int(deposit["id"]))
        return record_id

    def _type_of(self, doc: int) -> str:
        row = self.ctx.one('SELECT type FROM "transaction" WHERE id = ?', doc)
        return str(row["type"]) if row else ""

    def _next_number(self) -> str:
        row = self.ctx.one('SELECT COUNT(*) AS n FROM "transaction" WHERE type = ?', self.code)
        return str(int(row["n"]) + 1 if row else 1)

    def _entity(self, v: dict[str, Any], deposit: sqlite3.Row | None) -> int | None:
        if deposit is not None:
            return int(deposit["entity"])
        name = ENTITY_FIELD.get(self.code)
        if name is None:
            return None
        entity = v.get(name)
        if entity is None:
            f = self.rt.field(name)
            raise mandatory([f.title if f else name], name)
        return int(entity)

    def _subsidiary(self, v: dict[str, Any], entity: int | None, deposit: sqlite3.Row | None) -> int:
        ctx = self.ctx
        if deposit is not None:
            return int(deposit["subsidiary"])
        subsidiary = v.get("subsidiary")
        if subsidiary is None and entity is not None:
            table = ENTITY_TABLE[self.code]
            row = ctx.one(f"SELECT subsidiary FROM {table} WHERE id = ?", entity)  # noqa: S608 -- fixed names
            subsidiary = row["subsidiary"] if row else None
        if subsidiary is None:
            if ctx.oneworld:
                raise mandatory(["Subsidiary"], "subsidiary")
            subsidiary = 1
        subsidiary = int(subsidiary)
        if subsidiary not in ctx.writable:
            raise invalid_value(subsidiary, "subsidiary")
        v["subsidiary"] = subsidiary
        return subsidiary

    def _assigned(self, entity: int | None, subsidiary: int, path: str | None = None) -> None:
        if entity is None or self.code == "Journal":
            return
        table = ENTITY_TABLE[self.code]
        if not entity_in_subsidiary(self.ctx, table, entity, subsidiary):
            # SOAP's wording for this case (INVALID_KEY_OR_REF); the REST code is not documented: USER_ERROR.
            raise user_error(
                f"Invalid entity reference key {entity} for subsidiary {subsidiary}.",
                path or ENTITY_FIELD.get(self.code, "entity"),
            )

    def _currency(
        self, v: dict[str, Any], entity: int | None, subsidiary: int, deposit: sqlite3.Row | None
    ) -> tuple[int, float]:
        ctx = self.ctx
        sub = ctx.one("SELECT currency FROM subsidiary WHERE id = ?", subsidiary)
        base = int(sub["currency"]) if sub else 1
        if deposit is not None:
            currency = int(deposit["currency"])
        elif v.get("currency") is not None:
            currency = int(v["currency"])
        elif entity is not None:
            row = ctx.one(f"SELECT currency FROM {ENTITY_TABLE[self.code]} WHERE id = ?", entity)  # noqa: S608
            currency = int(row["currency"]) if row and row["currency"] is not None else base
        else:
            currency = base
        if entity is not None and deposit is None:
            table = ENTITY_TABLE[self.code]
            allowed = {
                r["c"]
                for r in ctx.all(
                    f"SELECT currency AS c FROM {table} WHERE id = ? UNION "  # noqa: S608 -- fixed names
                    f"SELECT primarycurrency FROM {table}subsidiaryrelationship WHERE entity = ?",
                    entity,
                    entity,
                )
            }
            if currency not in allowed:
                field_name = ENTITY_FIELD[self.code]
                # The INVALID_KEY_OR_REF family's wording (SOAP); the REST code is a guess.
                raise user_error(
                    f"Invalid currency reference key {currency} for {field_name} {entity}.", "currency"
                )
        v["currency"] = currency
        rate = v.get("exchangeRate")
        if rate is None or currency == base:
            rates = {
                r["id"]: float(r["exchangerate"])
                for r in ctx.all("SELECT id, exchangerate FROM currency WHERE id IN (?, ?)", currency, base)
            }
            rate = rates.get(currency, 1.0) / (rates.get(base) or 1.0)
        if float(rate) <= 0:
            raise invalid_value(rate, "exchangeRate")
        return currency, round(float(rate), 8)

    def _period(self, given: int | None, trandate: str) -> int:
        ctx = self.ctx
        if given is not None:
            row = ctx.one("SELECT * FROM accountingperiod WHERE id = ?", given)
            if row is None or row["isyear"] == "T" or row["isquarter"] == "T":
                raise invalid_value(given, "postingPeriod")
        else:
            row = ctx.one(
                "SELECT * FROM accountingperiod WHERE isyear = 'F' AND isquarter = 'F' AND isadjust = 'F' "
                "AND startdate <= ? AND enddate >= ? ORDER BY id LIMIT 1",
                trandate,
                trandate,
            )
            if row is None:
                # Wording: a guess (NetSuite needs a period for every posting date).
                raise user_error(f"No accounting period is set up for the date {trandate}.", "tranDate")
        path = "postingPeriod" if given is not None else "tranDate"
        name = row["periodname"]
        if row["closed"] == "T":
            # "Transactions can never be posted in closed periods" (documented); the wording is a guess.
            raise user_error(
                f"The accounting period {name} is closed. You cannot post to a closed period.", path
            )
        if not ctx.period_override:
            locks = [("alllocked", "all transactions")]
            if self.code in AR_TYPES:
                locks.append(("arlocked", "Accounts Receivable"))
            if self.code in AP_TYPES:
                locks.append(("aplocked", "Accounts Payable"))
            for column, what in locks:
                if row[column] == "T":
                    # Wording: a guess; locks are documented per module, overridable by ADMI_PERIODOVERRIDE.
                    raise user_error(f"The accounting period {name} is locked for {what}.", path)
        return int(row["id"])

    def _segment(self, name: str, value: int | None, subsidiary: int, path: str) -> None:
        if value is None:
            return
        table = {"class": "classification"}.get(name, name)
        row = self.ctx.one(f"SELECT * FROM {table} WHERE id = ?", value)  # noqa: S608 - location has no includechildren
        owner = row["subsidiary"] if row else None
        children = row["includechildren"] if row and "includechildren" in row.keys() else "F"  # noqa: SIM118 -- sqlite3.Row: `in` tests values
        if row is not None and not self.ctx.available(owner, children, subsidiary):
            raise user_error(f"Invalid {name} reference key {value} for subsidiary {subsidiary}.", path)

    def _account(self, account: int, subsidiary: int, path: str, name: str = "account") -> sqlite3.Row:
        row = self.ctx.one("SELECT * FROM account WHERE id = ?", account)
        if row is None or row["isinactive"] == "T":
            raise invalid_value(account, name, path)
        if not self.ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
            raise user_error(f"Invalid account reference key {account} for subsidiary {subsidiary}.", path)
        return row

    def _special(self, kind: str, special: str, subsidiary: int) -> int | None:
        rows = self.ctx.all(
            "SELECT id, subsidiary, includechildren FROM account WHERE accttype = ? AND isinactive = 'F' "
            "ORDER BY (sspecacct = ?) DESC, id",
            kind,
            special,
        )
        for row in rows:
            if self.ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
                return int(row["id"])
        return None

    def _undeposited(self, subsidiary: int) -> int | None:
        for row in self.ctx.all(
            "SELECT id, subsidiary, includechildren FROM account WHERE sspecacct = 'UndepFunds' AND isinactive = 'F'"
        ):
            if self.ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
                return int(row["id"])
        return None

    def _body_account(
        self, v: dict[str, Any], entity: int | None, subsidiary: int, currency: int
    ) -> tuple[int | None, str | None]:
        ctx, code = self.ctx, self.code
        account = v.get("account")
        if code in ("CustInvc", "CustCred", "VendBill", "VendCred"):
            kind = "AcctRec" if code in SALES_TYPES else "AcctPay"
            if account is None and entity is not None:
                column = "receivablesaccount" if kind == "AcctRec" else "payablesaccount"
                row = ctx.one(f"SELECT {column} AS a FROM {ENTITY_TABLE[code]} WHERE id = ?", entity)  # noqa: S608
                account = row["a"] if row else None
            if account is None:
                account = self._special(kind, kind, subsidiary)
                if account is None:
                    field_label = "A/R Account" if kind == "AcctRec" else "A/P Account"
                    raise mandatory([field_label], "account")
            row = self._account(int(account), subsidiary, "account")
            if row["accttype"] != kind:
                raise invalid_value(account, "account")
            return int(account), None
        if code in ("CustPymt", "CustDep"):
            undep = v.get("undepFunds")
            if undep == "T" or (undep is None and account is None):
                special = self._undeposited(subsidiary)
                if special is None:
                    raise mandatory(["Account"], "account")
                return special, "T"
            if account is None:
                raise mandatory(["Account"], "account")
            row = self._account(int(account), subsidiary, "account")
            if row["accttype"] not in BANKABLE and row["sspecacct"] != "UndepFunds":
                raise invalid_value(account, "account")
            self._account_currency(row, currency)
            return int(account), "T" if row["sspecacct"] == "UndepFunds" else "F"
        if code == "VendPymt":
            if account is None:
                raise mandatory(["Account"], "account")
            row = self._account(int(account), subsidiary, "account")
            if row["accttype"] not in BANKABLE:
                raise invalid_value(account, "account")
            self._account_currency(row, currency)
            return int(account), None
        return None, None

    def _account_currency(self, row: sqlite3.Row, currency: int) -> None:
        # A bank account in one currency takes only transactions in that currency: not in the list otherwise.
        if row["currency"] is not None and int(row["currency"]) != currency:
            raise invalid_value(row["id"], "account")

    def _lines(self, draft: Draft, subsidiary: int, entity: int | None) -> list[dict[str, Any]]:
        """Complete every line (accounts, amounts) and check it; the lines in write order."""
        code = self.code
        out: list[dict[str, Any]] = []
        names = [s.name for s in self.rt.sublists if s.name in LINE_SUBLISTS]
        for name in names:
            for line in draft.lines.get(name, []):
                path = str(line.get("_path", name))
                if name == "item":
                    out.append(self._item_line(line, subsidiary, path))
                elif name == "expense":
                    out.append(self._expense_line(line, subsidiary, path))
                else:
                    out.append(self._journal_line(line, subsidiary, path))
                for segment in ("class", "department", "location"):
                    self._segment(segment, line.get(segment), subsidiary, f"{path}.{segment}")
        if names and not out:
            raise user_error(LINES_NEEDED, names[0])
        if code == "Journal":
            debits = sum(line.get("debit") or 0.0 for line in out)
            credits = sum(line.get("credit") or 0.0 for line in out)
            if abs(debits - credits) > CENT:
                # Wording: a guess (NetSuite refuses an unbalanced journal entry).
                raise user_error(
                    f"The journal entry is out of balance: debits total {debits:.2f} and credits total "
                    f"{credits:.2f}.",
                    "line",
                )
        return out

    def _item_line(self, line: dict[str, Any], subsidiary: int, path: str) -> dict[str, Any]:
        item_id = line.get("item")
        if item_id is None:
            raise mandatory(["Item"], path + ".item")
        item = self.ctx.one("SELECT * FROM item WHERE id = ?", item_id)
        if item is None:
            raise invalid_value(item_id, "item", path + ".item")
        sales = self.code in SALES_TYPES
        if item["subtype"] not in (SALE_SUBTYPES if sales else PURCHASE_SUBTYPES):
            raise invalid_value(item_id, "item", path + ".item")
        if not self.ctx.available(item["subsidiary"], item["includechildren"], subsidiary):
            raise user_error(
                f"Invalid item reference key {item_id} for subsidiary {subsidiary}.", path + ".item"
            )
        account = item["incomeaccount"] if sales else item["expenseaccount"]
        row = self.ctx.one("SELECT * FROM account WHERE id = ?", account) if account is not None else None
        if row is None or row["isinactive"] == "T":
            which = "income" if sales else "expense"
            # Wording: a guess (the item's posting account is missing or inactive).
            raise user_error(
                f"The {which} account of item {item['itemid']} does not exist or is inactive.", path + ".item"
            )
        if not self.ctx.available(row["subsidiary"], row["includechildren"], subsidiary):
            raise user_error(
                f"Invalid account reference key {account} for subsidiary {subsidiary}.", path + ".item"
            )
        quantity, rate, amount = line.get("quantity"), line.get("rate"), line.get("amount")
        if amount is None:
            if rate is None:
                raise mandatory(["Amount"], path + ".amount")
            amount = (1.0 if quantity is None else quantity) * rate
        elif rate is None and quantity:
            rate = amount / quantity
        return {**line, "account": int(account), "amount": money(amount), "rate": rate, "quantity": quantity}

    def _expense_line(self, line: dict[str, Any], subsidiary: int, path: str) -> dict[str, Any]:
        account, category = line.get("account"), line.get("category")
        if account is None and category is not None:
            row = self.ctx.one("SELECT expenseacct FROM expensecategory WHERE id = ?", category)
            account = row["expenseacct"] if row else None
        if account is None:
            raise mandatory(["Account"], path + ".account")
        row = self._account(int(account), subsidiary, path + ".account")
        if row["accttype"] in NOT_ON_LINES:
            raise invalid_value(account, "account", path + ".account")
        if line.get("amount") is None:
            raise mandatory(["Amount"], path + ".amount")
        return {**line, "account": int(account), "amount": money(line["amount"])}

    def _journal_line(self, line: dict[str, Any], subsidiary: int, path: str) -> dict[str, Any]:
        account = line.get("account")
        if account is None:
            raise mandatory(["Account"], path + ".account")
        row = self._account(int(account), subsidiary, path + ".account")
        if row["accttype"] in ("NonPosting", "Stat"):
            raise invalid_value(account, "account", path + ".account")
        debit, credit = line.get("debit"), line.get("credit")
        if (debit is None) == (credit is None) or (debit or credit or 0) < 0:
            # Wording: a guess (each journal line carries a debit or a credit).
            raise user_error("Enter either a debit or a credit amount on each journal line.", path)
        line_sub = line.get("subsidiary")
        if line_sub is not None and int(line_sub) != subsidiary:
            # A journal entry posts in one subsidiary (intercompany entries are another record type).
            raise user_error(
                "All lines of a journal entry must be in the subsidiary of the entry.", path + ".subsidiary"
            )
        entity = line.get("entity")
        kind = row["accttype"]
        if kind in ("AcctRec", "AcctPay"):
            table = "customer" if kind == "AcctRec" else "vendor"
            if entity is None or self.ctx.one(f"SELECT 1 FROM {table} WHERE id = ?", entity) is None:  # noqa: S608
                who = "customer" if kind == "AcctRec" else "vendor"
                # Wording: a guess (an A/R or A/P journal line must name its customer or vendor).
                raise user_error(
                    f"A journal line that posts to {row['acctname']} must name a {who} in the entity field.",
                    path + ".entity",
                )
        if entity is not None:
            for table in ("customer", "vendor"):
                found = self.ctx.one(f"SELECT 1 FROM {table} WHERE id = ?", entity)  # noqa: S608 -- fixed names
                if found is not None and not entity_in_subsidiary(self.ctx, table, int(entity), subsidiary):
                    raise user_error(
                        f"Invalid entity reference key {entity} for subsidiary {subsidiary}.",
                        path + ".entity",
                    )
        return {
            **line,
            "account": int(account),
            "debit": None if debit is None else money(debit),
            "credit": None if credit is None else money(credit),
        }

    def _total(self, draft: Draft, lines: list[dict[str, Any]]) -> float:
        code = self.code
        if code == "Journal":
            return money(sum(line.get("debit") or 0.0 for line in lines))
        if code in ("CustInvc", "CustCred", "VendBill", "VendCred"):
            return money(sum(line["amount"] for line in lines))
        if code == "CustDep":
            payment = draft.values.get("payment")
            if payment is None or payment <= 0:
                raise mandatory(["Payment Amount"], "payment")
            return money(payment)
        return 0.0

    def _apply(
        self,
        draft: Draft,
        record_id: int | None,
        entity: int | None,
        currency: int,
        total: float,
        deposit: sqlite3.Row | None,
    ) -> list[tuple[int, float]]:
        """(document, amount) pairs this transaction applies, each checked against what remains open."""
        ctx, code = self.ctx, self.code
        if code not in APPLY_TARGETS:
            return []
        if code == "DepAppl" and deposit is not None:
            available: float | None = remaining_of_deposit(ctx, int(deposit["id"]), record_id)
            available_label = "the deposit's unapplied amount"
        elif code in ("CustCred", "VendCred"):
            available, available_label = total, "the credit's total"
        elif code == "CustPymt" and draft.values.get("payment") is not None:
            available, available_label = float(draft.values["payment"]), "the payment amount"
        else:
            available, available_label = None, ""
        result: list[tuple[int, float]] = []
        for entry in draft.apply:
            doc_id, path = int(entry["doc"]), str(entry["path"])
            doc = ctx.one('SELECT * FROM "transaction" WHERE id = ?', doc_id)
            if (
                doc is None
                or doc["entity"] != entity
                or doc["currency"] != currency
                or int(doc["subsidiary"]) not in ctx.visible
            ):
                raise invalid_value(doc_id, "doc", path + ".doc")
            mine = ctx.one(
                "SELECT foreignamount FROM previoustransactionlinelink WHERE previousdoc = ? AND nextdoc = ?",
                doc_id,
                record_id,
            )
            open_amount = money(float(doc["foreignamountunpaid"] or 0.0) + (float(mine[0]) if mine else 0.0))
            amount = entry["amount"]
            if not entry["apply"] or (amount is not None and abs(amount) <= CENT):
                continue
            if amount is None:
                left = None if available is None else available - sum(a for _, a in result)
                amount = open_amount if left is None else min(open_amount, max(left, 0.0))
                if amount <= CENT:
                    continue
            if amount < 0:
                raise invalid_value(amount, "amount", path + ".amount")
            if amount > open_amount + CENT:
                refname = transaction_refname(BY_TYPE_CODE[doc["type"]], doc["tranid"], doc["id"])
                # Wording: a guess (NetSuite refuses to apply more than a document's amount due).
                raise user_error(
                    f"The amount applied to {refname} ({amount:.2f}) exceeds its amount remaining "
                    f"({open_amount:.2f}).",
                    path + ".amount",
                )
            result.append((doc_id, money(amount)))
        applied = money(sum(a for _, a in result))
        if available is not None and applied > available + CENT:
            # Wording: a guess.
            raise user_error(
                f"The total amount applied ({applied:.2f}) exceeds {available_label} ({available:.2f}).",
                "apply",
            )
        return result

    def _payment_total(
        self,
        v: dict[str, Any],
        applied: list[tuple[int, float]],
        deposit: sqlite3.Row | None,
        record_id: int | None,
    ) -> float:
        total = money(sum(a for _, a in applied))
        if self.code == "CustPymt":
            payment = v.get("payment")
            if payment is not None:
                if payment < 0:
                    raise invalid_value(payment, "payment")
                total = money(payment)
            if total <= CENT:
                raise mandatory(["Payment Amount"], "payment")
            return total
        if total <= CENT:
            raise user_error(LINES_NEEDED, "apply")
        return total

    def _write_lines(
        self,
        record_id: int,
        v: dict[str, Any],
        lines: list[dict[str, Any]],
        account: int | None,
        entity: int | None,
        subsidiary: int,
        total: float,
    ) -> None:
        conn = self.ctx.conn
        conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (record_id,))
        sign = MAIN_SIGN[self.code]
        rows: list[tuple[Any, ...]] = []
        if self.code != "Journal":
            rows.append(
                (record_id, 0, 0, "T", None, account, None, None, None, money(sign * total), None, None,
                 v.get("memo"), v.get("class"), v.get("department"), v.get("location"), subsidiary, entity)
            )  # fmt: skip
        for index, line in enumerate(lines):
            line_id = index if self.code == "Journal" else index + 1
            if self.code == "Journal":
                debit, credit = line.get("debit"), line.get("credit")
                amount = money((debit or 0.0) - (credit or 0.0))
                memo = line.get("memo")
            else:
                debit = credit = None
                amount = money(-sign * line["amount"])
                memo = line.get("description") if line.get("item") is not None else line.get("memo")
            rows.append(
                (record_id, line_id, line_id, "T" if self.code == "Journal" and index == 0 else "F",
                 line.get("item"), line.get("account"), line.get("category"), line.get("quantity"),
                 line.get("rate"), amount, debit, credit, memo, line.get("class"), line.get("department"),
                 line.get("location"), subsidiary, line.get("entity", entity))
            )  # fmt: skip
        conn.executemany(
            'INSERT INTO transactionline ("transaction", id, linesequencenumber, mainline, item, account, category, '
            "quantity, rate, foreignamount, debitforeignamount, creditforeignamount, memo, class, department, "
            "location, subsidiary, entity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    # -- delete -----------------------------------------------------------------------------------------

    def delete(self, record_id: int) -> None:
        ctx = self.ctx
        row = ctx.one('SELECT * FROM "transaction" WHERE id = ?', record_id)
        if row is None:
            raise RecordError(404, "NONEXISTENT_ID", "The record instance does not exist.")
        self._period(row["postingperiod"], row["trandate"])
        dependents = ctx.one(
            "SELECT 1 FROM previoustransactionlinelink WHERE previousdoc = ? UNION ALL "
            "SELECT 1 FROM \"transaction\" WHERE createdfrom = ? AND type = 'DepAppl' LIMIT 1",
            record_id,
            record_id,
        )
        if dependents is not None:
            raise user_error(DEPENDENT_RECORDS)
        docs = [r["previousdoc"] for r in ctx.all(
            "SELECT previousdoc FROM previoustransactionlinelink WHERE nextdoc = ?", record_id)]  # fmt: skip
        ctx.conn.execute("DELETE FROM previoustransactionlinelink WHERE nextdoc = ?", (record_id,))
        ctx.conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (record_id,))
        ctx.conn.execute('UPDATE "transaction" SET createdfrom = NULL WHERE createdfrom = ?', (record_id,))
        ctx.conn.execute('DELETE FROM "transaction" WHERE id = ?', (record_id,))
        for doc in docs:
            refresh(ctx, doc)
        if row["type"] == "DepAppl" and row["createdfrom"] is not None:
            refresh(ctx, int(row["createdfrom"]))


APPLY_KEYS = {"doc": True, "apply": True, "amount": True, "line": True, "total": True, "due": True,
              "refNum": True, "applyDate": True, "type": True}  # fmt: skip


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


def remaining_of_deposit(ctx: Ctx, deposit: int, excluding: int | None) -> float:
    row = ctx.one(
        'SELECT t.foreigntotal - COALESCE((SELECT SUM(a.foreigntotal) FROM "transaction" a '
        "WHERE a.createdfrom = t.id AND a.type = 'DepAppl' AND a.id IS NOT ?), 0) AS left "
        'FROM "transaction" t WHERE t.id = ?',
        excluding,
        deposit,
    )
    return money(float(row["left"])) if row else 0.0


def refresh(ctx: Ctx, record_id: int) -> None:
    """Recompute a transaction's amounts applied or remaining and its status, as NetSuite shows them."""
    row = ctx.one('SELECT * FROM "transaction" WHERE id = ?', record_id)
    if row is None:
        return
    code, total = row["type"], float(row["foreigntotal"])
    updates: dict[str, Any] = {}
    if code in ("CustInvc", "VendBill"):
        paid = ctx.one(
            "SELECT COALESCE(SUM(foreignamount), 0) AS s FROM previoustransactionlinelink WHERE previousdoc = ?",
            record_id,
        )
        paid_amount = money(float(paid["s"]) if paid else 0.0)
        if paid_amount > total + CENT:
            # Wording: a guess (a document's total cannot fall below what was paid or credited on it).
            raise user_error(
                f"The total ({total:.2f}) is less than the amount already paid or credited ({paid_amount:.2f}).",
                "total",
            )
        unpaid = money(total - paid_amount)
        updates = {
            "foreignamountpaid": paid_amount,
            "foreignamountunpaid": unpaid,
            "status": "B" if unpaid <= CENT else "A",
        }
    elif code in ("CustPymt", "VendPymt", "CustCred", "VendCred", "DepAppl", "CustDep"):
        if code == "CustDep":
            used = money(total - remaining_of_deposit(ctx, record_id, None))
        else:
            found = ctx.one(
                "SELECT COALESCE(SUM(foreignamount), 0) AS s FROM previoustransactionlinelink WHERE nextdoc = ?",
                record_id,
            )
            used = money(float(found["s"]) if found else 0.0)
        unused = money(total - used)
        updates = {"foreignpaymentamountused": used, "foreignpaymentamountunused": unused}
        if code in ("CustCred", "VendCred"):
            updates["status"] = "B" if unused <= CENT else "A"
        elif code == "CustPymt":
            updates["status"] = "B" if row["undepfunds"] == "T" else "C"
        elif code == "CustDep":
            updates["status"] = "C" if unused <= CENT else ("A" if row["undepfunds"] == "T" else "B")
    elif code == "Journal":
        updates = {"status": "B"}
    if updates:
        _update(ctx, "transaction", record_id, updates)


def split_lines(code: str, lines: list[sqlite3.Row]) -> list[tuple[str, sqlite3.Row]]:
    """The non-main lines by sublist name, in order."""
    result: list[tuple[str, sqlite3.Row]] = []
    for line in lines:
        if code == "Journal":
            result.append(("line", line))
        elif line["mainline"] != "T":
            result.append(("item" if line["item"] is not None else "expense", line))
    return result


def line_values(code: str, sublist: str, line: sqlite3.Row) -> dict[str, Any]:
    """A stored line as REST-level values (positive amounts; references as ids)."""
    base = {"class": line["class"], "department": line["department"], "location": line["location"]}
    if sublist == "line":
        return {**base, "account": line["account"], "debit": line["debitforeignamount"],
                "credit": line["creditforeignamount"], "memo": line["memo"], "entity": line["entity"],
                "subsidiary": line["subsidiary"]}  # fmt: skip
    amount = money(-MAIN_SIGN[code] * float(line["foreignamount"]))
    if sublist == "item":
        return {**base, "item": line["item"], "quantity": line["quantity"], "rate": line["rate"],
                "amount": amount, "description": line["memo"], "account": line["account"]}  # fmt: skip
    return {
        **base,
        "account": line["account"],
        "category": line["category"],
        "amount": amount,
        "memo": line["memo"],
    }


def transform_draft(ctx: Ctx, source_rt: RecordType, source_id: int, target: RecordType) -> Draft:
    """The draft a transform starts from: invoice → creditMemo copies the invoice and applies to it;
    customerDeposit → depositApplication names the deposit."""
    writer = TransactionWriter(ctx, source_rt, {})
    row, source = writer.load(source_id)
    if target.type_code == "DepAppl":
        return Draft(created_from=source_id)
    draft = Draft(created_from=source_id)
    for name in ("entity", "subsidiary", "currency", "account", "class", "department", "location", "memo"):
        if source.values.get(name) is not None:
            draft.values[name] = source.values[name]
    draft.lines["item"] = [
        {k: v for k, v in line.items() if k != "account"} for line in source.lines.get("item", [])
    ]
    remaining = float(row["foreignamountunpaid"] or 0.0)
    if remaining > CENT:
        draft.apply = [{"doc": source_id, "amount": None, "apply": True, "path": "apply"}]
    return draft


TRANSFORMS = {("invoice", "creditmemo"), ("customerdeposit", "depositapplication")}
