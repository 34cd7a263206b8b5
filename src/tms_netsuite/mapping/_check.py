"""Checking a whole mapping against a NetSuite account's lists, before any document is translated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tms_netsuite.mapping._config import AccountRole, KeyPath, MappingConfig
from tms_netsuite.mapping._loader import MappingProblem
from tms_netsuite.mapping._reference import AccountType, ListKind, ListRecord, ReferenceData
from tms_netsuite.mapping._resolve import (
    JOURNAL_ACCOUNT_TYPES,
    LINE_ACCOUNT_TYPES,
    ROLE_TYPES,
    book_entries,
    resolve_name,
    target_of,
)

_TABLES: tuple[tuple[str, ListKind], ...] = (
    ("currencies", ListKind.CURRENCY),
    ("terms", ListKind.TERM),
    ("payment_methods", ListKind.PAYMENT_METHOD),
    ("bank_accounts", ListKind.ACCOUNT),
    ("journal_accounts", ListKind.ACCOUNT),
)


def check_mapping(mapping: MappingConfig, reference: ReferenceData) -> tuple[MappingProblem, ...]:
    """Every name in the mapping that does not resolve to a usable NetSuite record, at its key and line.

    Subsidiaries must exist; each role account must exist, be active, have a type fit for the role and
    be available to its subsidiary; items, expense categories, terms, classes… must exist and be active.
    Whether an item is available to a given subsidiary is checked per document, where it is known.
    """
    return tuple(_Checker(mapping, reference).problems())


@dataclass(frozen=True)
class _Checker:
    mapping: MappingConfig
    reference: ReferenceData

    def check(
        self,
        path: KeyPath,
        kind: ListKind,
        text: str,
        subsidiary: ListRecord | None = None,
        types: frozenset[AccountType] | None = None,
    ) -> Iterator[MappingProblem]:
        if kind is ListKind.ACCOUNT and types is None:
            types = LINE_ACCOUNT_TYPES
        found = resolve_name(self.reference, kind, text, subsidiary=subsidiary, types=types)
        if isinstance(found, str):
            yield MappingProblem(path, self.mapping.line_of(path), found, self.mapping.source)

    def problems(self) -> Iterator[MappingProblem]:
        subsidiaries: dict[str, ListRecord] = {}
        for key, company in self.mapping.companies.items():
            path = ("companies", key, "subsidiary")
            yield from self.check(path, ListKind.SUBSIDIARY, company.subsidiary)
            found = resolve_name(self.reference, ListKind.SUBSIDIARY, company.subsidiary)
            if not isinstance(found, str):
                subsidiaries[company.subsidiary] = found
        for name, accounts in self.mapping.accounts.items():
            for role in AccountRole:
                text = accounts.get(role)
                if text is not None:
                    path = ("accounts", name, role.value)
                    yield from self.check(
                        path, ListKind.ACCOUNT, text, subsidiaries.get(name), ROLE_TYPES[role]
                    )
        for entry in book_entries(self.mapping):
            kind, text, _ = target_of(entry)
            yield from self.check(entry.path, kind, text)
        for table, kind in _TABLES:
            types = JOURNAL_ACCOUNT_TYPES if table == "journal_accounts" else None
            for key, text in getattr(self.mapping, table).items():
                yield from self.check((table, key), kind, text, types=types)
        for index, rule in enumerate(self.mapping.dimensions):
            yield from self.check(("dimensions", index, "value"), ListKind(rule.dimension.value), rule.value)
