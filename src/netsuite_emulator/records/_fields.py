"""The shape of a record type: its body fields, sublists and line fields, and how each maps to the store.

Field names follow the 2026.1 REST API Browser (camelCase; a few records keep NetSuite's lower-case names, as
``expenseCategory.expenseacct``). Writes accept field names in any case, as the 2020-era lower-case names
(``trandate``, ``isinactive``) still appear in clients.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "bool", "float", "int", "date", "datetime", "ref", "enum", "subsidiaries"]
Family = Literal["list", "entity", "relationship", "item", "transaction"]


@dataclass(frozen=True)
class Field:
    """One body field: ``column`` in the record's table (None: computed when read, never written)."""

    name: str
    column: str | None
    kind: Kind = "text"
    ref: str | None = None  # the REST record type a reference points to (lower case)
    readonly: bool = False
    label: str = ""  # as NetSuite names the field in "Please enter value(s) for: …"
    on_mainline: bool = False  # transactions: kept on the main line of transactionline, not on transaction
    on_subledger_line: bool = False  # payments and applications: kept on the line posting to A/R or A/P

    @property
    def title(self) -> str:
        return self.label or self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True)
class LineField:
    name: str
    column: str | None
    kind: Kind = "text"
    ref: str | None = None
    readonly: bool = False


@dataclass(frozen=True)
class Sublist:
    name: str
    fields: tuple[LineField, ...]
    keyed_by: str | None = None  # None: a non-keyed sublist, whose lines append on update

    def field(self, name: str) -> LineField | None:
        lowered = name.lower()
        return next((f for f in self.fields if f.name.lower() == lowered), None)


@dataclass(frozen=True)
class RecordType:
    name: str  # REST record id as the API Browser spells it (camelCase)
    table: str
    family: Family
    fields: tuple[Field, ...]
    refname: str  # SQL expression over the table (alias r) for refName
    sublists: tuple[Sublist, ...] = ()
    where: str = ""  # SQL condition (alias r) selecting this type's rows of a shared table
    defaults: tuple[tuple[str, object], ...] = ()  # columns set on create
    subsidiary: str | None = None  # column naming the subsidiary that governs visibility
    type_code: str = ""  # transactions: SuiteQL's transaction type
    label: str = ""  # transactions: the refName prefix ("Invoice #1001")
    required: tuple[str, ...] = ()  # REST fields a create must carry (beyond the rules of the family)

    @functools.cached_property
    def _fields_by_name(self) -> dict[str, Field]:
        return {f.name.lower(): f for f in self.fields}

    @property
    def key(self) -> str:
        return self.name.lower()

    def field(self, name: str) -> Field | None:
        return self._fields_by_name.get(name.lower())

    def sublist(self, name: str) -> Sublist | None:
        lowered = name.lower()
        return next((s for s in self.sublists if s.name.lower() == lowered), None)


def rw(
    name: str, column: str | None = None, kind: Kind = "text", ref: str | None = None, **kw: object
) -> Field:
    return Field(name, name.lower() if column is None else column, kind, ref, **kw)  # type: ignore[arg-type]


def ro(name: str, kind: Kind = "text", column: str | None = None, ref: str | None = None) -> Field:
    return Field(name, column, kind, ref, readonly=True)


ID = Field("id", "id", "text", readonly=True)
EXTERNAL_ID = Field("externalId", "externalid", "text")
INACTIVE = Field("isInactive", "isinactive", "bool")
