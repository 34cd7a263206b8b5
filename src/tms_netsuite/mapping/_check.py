"""Checking a whole mapping against a NetSuite account's lists, before any document is translated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tms_netsuite.mapping._config import AccountRole, Book, KeyPath, MappingConfig
from tms_netsuite.mapping._loader import MappingProblem
from tms_netsuite.mapping._reference import AccountType, Item, ListKind, ListRecord, ReferenceData
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

    def item_account(self, path: KeyPath, text: str, *, sales: bool) -> Iterator[MappingProblem]:
        """The account an item posts to on this book's transactions exists and is active: NetSuite refuses
        every line of an item whose income (sales) or expense (purchases) account is missing or inactive."""
        item = resolve_name(self.reference, ListKind.ITEM, text)
        if not isinstance(item, Item):
            return
        which, account_id = ("income", item.income_account) if sales else ("expense", item.expense_account)
        account = next((a for a in self.reference.accounts if a.id == account_id), None)
        if account_id is None:
            problem = f"item {item.describe()} has no {which} account"
        elif account is None:
            problem = f"the {which} account (id {account_id}) of item {item.describe()} does not exist"
        elif account.is_inactive:
            problem = f"the {which} account {account.describe()} of item {item.describe()} is inactive"
        else:
            return
        fix = (
            f"; set an active {which} account on the item at Lists > Accounting > Items, or reactivate the "
            "account at Lists > Accounting > Accounts"
        )
        yield MappingProblem(path, self.mapping.line_of(path), problem + fix, self.mapping.source)

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
            if kind is ListKind.ITEM:
                yield from self.item_account(entry.path, text, sales=entry.path[1] == Book.RECEIVABLE.value)
        for table, kind in _TABLES:
            types = JOURNAL_ACCOUNT_TYPES if table == "journal_accounts" else None
            for key, text in getattr(self.mapping, table).items():
                yield from self.check((table, key), kind, text, types=types)
        for index, rule in enumerate(self.mapping.dimensions):
            yield from self.check(("dimensions", index, "value"), ListKind(rule.dimension.value), rule.value)


@dataclass(frozen=True, slots=True)
class SubsidiaryFit:
    """What one subsidiary of the mapping can use of the accounts (``group`` "accounts") or other list records
    (``group`` "lists") the mapping names: in OneWorld each is shared with some subsidiaries only."""

    subsidiary: str
    group: str
    named: int
    unusable: tuple[str, ...]  # the records it cannot use, as error messages show them
    needed: tuple[str, ...]  # of those, the ones its documents would name (charge codes, dimension rules)


def subsidiary_fit(mapping: MappingConfig, reference: ReferenceData) -> tuple[SubsidiaryFit, ...]:
    """Per subsidiary of the mapping's companies, which of the records the mapping names it can use.

    A charge code's record is needed by every subsidiary (any company's documents may carry the code); a
    dimension rule's by its company's subsidiary, or by all; bank and journal account keys by none (a document
    names them itself). Role accounts are checked per subsidiary by ``check_mapping`` and are left out here.
    Names that do not resolve are ``check_mapping``'s problems and are left out too.
    """
    subsidiaries: dict[str, ListRecord] = {}
    by_company: dict[str, str] = {}
    for key, company in mapping.companies.items():
        found = resolve_name(reference, ListKind.SUBSIDIARY, company.subsidiary)
        if not isinstance(found, str):
            subsidiaries.setdefault(found.id, found)
            by_company[key] = found.id
    every = frozenset(subsidiaries)
    named: dict[tuple[str, str], tuple[ListRecord, str, set[str]]] = {}

    def name(kind: ListKind, text: str, needed_by: frozenset[str]) -> None:
        found = resolve_name(reference, kind, text)
        if isinstance(found, str):
            return
        group = "accounts" if kind is ListKind.ACCOUNT else "lists"
        label = found.describe() if group == "accounts" else f"{kind} {found.describe()}"
        _, _, needing = named.setdefault((group, f"{kind}:{found.id}"), (found, label, set()))
        needing.update(needed_by)

    for entry in book_entries(mapping):
        kind, text, _ = target_of(entry)
        name(kind, text, every)
    for rule in mapping.dimensions:
        owner = by_company.get(rule.company) if rule.company else None
        needed = every if rule.company is None else frozenset({owner} if owner else ())
        name(ListKind(rule.dimension.value), rule.value, needed)
    for table in ("bank_accounts", "journal_accounts"):
        for text in getattr(mapping, table).values():
            name(ListKind.ACCOUNT, text, frozenset())
    fits: list[SubsidiaryFit] = []
    for subsidiary in subsidiaries.values():
        for group in ("accounts", "lists"):
            records = [entry for (g, _), entry in named.items() if g == group]
            unusable = [
                (label, needing)
                for record, label, needing in records
                if not record.available_to(subsidiary.id)
            ]
            fits.append(
                SubsidiaryFit(
                    subsidiary=subsidiary.name,
                    group=group,
                    named=len(records),
                    unusable=tuple(label for label, _ in unusable),
                    needed=tuple(label for label, needing in unusable if subsidiary.id in needing),
                )
            )
    return tuple(fits)
