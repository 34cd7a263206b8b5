"""Resolving names to NetSuite records: mapping text, charge codes, accounts by role, and TMS parties."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from tms_netsuite.documents import ChargeCategory, DeductionCategory, EntityKind, Kind, PartyRef
from tms_netsuite.mapping._config import (
    AccountRole,
    Book,
    ExpenseTarget,
    KeyPath,
    MappingConfig,
)
from tms_netsuite.mapping._external_ids import external_id
from tms_netsuite.mapping._reference import Account, AccountType, ListKind, ListRecord, ReferenceData

T = AccountType
_POSTING_ASSETS = frozenset({T.OTHER_CURRENT_ASSET, T.OTHER_ASSET})
_INCOME = frozenset({T.INCOME, T.OTHER_INCOME})
_EXPENSE = frozenset({T.EXPENSE, T.COST_OF_GOODS_SOLD, T.OTHER_EXPENSE})

ROLE_TYPES: dict[AccountRole, frozenset[AccountType]] = {
    AccountRole.RECEIVABLE: frozenset({T.ACCOUNTS_RECEIVABLE}),
    AccountRole.PAYABLE: frozenset({T.ACCOUNTS_PAYABLE}),
    AccountRole.UNDEPOSITED_FUNDS: frozenset({T.OTHER_CURRENT_ASSET, T.BANK}),
    AccountRole.BANK: frozenset({T.BANK}),
    AccountRole.DEDUCTION_RECOVERY: _INCOME | _EXPENSE,
    AccountRole.ESCROW: frozenset({T.OTHER_CURRENT_LIABILITY, T.LONG_TERM_LIABILITY}),
    AccountRole.ADVANCES: _POSTING_ASSETS,
    AccountRole.QUICK_PAY_FEE: _INCOME,
    AccountRole.FACTORING_FEES: _EXPENSE,
    AccountRole.ACCRUED_WAGES: frozenset({T.OTHER_CURRENT_LIABILITY}),
    AccountRole.WAGES_EXPENSE: _EXPENSE,
}
"""The account types each role accepts."""

LINE_ACCOUNT_TYPES = frozenset(T) - {T.ACCOUNTS_RECEIVABLE, T.ACCOUNTS_PAYABLE, T.NON_POSTING, T.STATISTICAL}
"""Accounts an expense line may post to (NetSuite keeps A/R and A/P for the transaction's own total)."""

JOURNAL_ACCOUNT_TYPES = frozenset(T) - {T.NON_POSTING, T.STATISTICAL}
"""Accounts a journal line may post to: A/R and A/P too, with an entity on the line."""

ID_PREFIX = "id:"


def resolve_name(
    reference: ReferenceData,
    kind: ListKind,
    text: str,
    *,
    subsidiary: ListRecord | None = None,
    types: frozenset[AccountType] | None = None,
) -> ListRecord | str:
    """The record a mapping's text names, or the problem in words.

    The text is a name as people know it (for accounts also the number or "number name"), or
    ``id:<internal id>``. Ambiguous, inactive, unavailable-to-the-subsidiary and wrong-type records are
    problems, never guesses.
    """
    if text.startswith(ID_PREFIX):
        record = reference.by_id(kind, text.removeprefix(ID_PREFIX))
        if record is None:
            return f"NetSuite has no {kind} with internal id {text.removeprefix(ID_PREFIX)}"
    else:
        found = reference.by_name(kind, text)
        if not found:
            return f"NetSuite has no {kind} named '{text}'"
        if len(found) > 1:
            listed = ", ".join(record.describe() for record in found)
            return f"'{text}' names {len(found)} NetSuite {kind} records: {listed}"
        (record,) = found
    if record.is_inactive:
        return f"{kind} {record.describe()} is inactive in NetSuite"
    if subsidiary is not None and not record.available_to(subsidiary.id):
        return f"{kind} {record.describe()} is not available to subsidiary '{subsidiary.name}'"
    if types is not None and isinstance(record, Account) and record.type not in types:
        allowed = ", ".join(sorted(t.value for t in types))
        return f"account {record.describe()} has type {record.type.value}; expected one of {allowed}"
    return record


@dataclass(frozen=True, slots=True)
class BookEntry:
    """Where a charge code's mapping was found (specific, category or default) and what it says."""

    path: KeyPath
    level: str
    target: str | ExpenseTarget


def book_entry(
    config: MappingConfig, book: Book, code: str, category: ChargeCategory | DeductionCategory | None
) -> BookEntry | None:
    """Resolve a charge code through its table: the specific code, then its category, then the default."""
    table = getattr(config.charge_codes, book.value)
    base: KeyPath = ("charge_codes", book.value)
    categories: dict[Enum, str | ExpenseTarget] = table.categories
    if code in table.codes:
        return BookEntry((*base, "codes", code), "code", table.codes[code])
    if category is not None and category in categories:
        return BookEntry((*base, "categories", category.value), "category", categories[category])
    if table.default is not None:
        return BookEntry((*base, "default"), "default", table.default)
    return None


def target_of(entry: BookEntry) -> tuple[ListKind, str, str]:
    """The list, the name and the REST line field a book entry points at."""
    target = entry.target
    if isinstance(target, str):
        return ListKind.ITEM, target, "item"
    if target.account is not None:
        return ListKind.ACCOUNT, target.account, "account"
    return ListKind.EXPENSE_CATEGORY, target.expense_category or "", "category"


def book_entries(config: MappingConfig) -> Iterator[BookEntry]:
    """Every entry of every charge-code table."""
    for book in Book:
        table = getattr(config.charge_codes, book.value)
        base: KeyPath = ("charge_codes", book.value)
        for code, target in table.codes.items():
            yield BookEntry((*base, "codes", code), "code", target)
        for category, target in table.categories.items():
            yield BookEntry((*base, "categories", category.value), "category", target)
        if table.default is not None:
            yield BookEntry((*base, "default"), "default", table.default)


class LinkMode(Enum):
    """How a TMS party was found in NetSuite."""

    NETSUITE_ID = "the NetSuite id stored in the TMS"
    OURS = "our external id"
    NAME = "an exact name match"
    CREATE = "auto-create"


@dataclass(frozen=True, slots=True)
class Link:
    """A TMS party's NetSuite reference and how it was found."""

    ref: dict[str, str]
    mode: LinkMode
    external_id: str


ENTITY_LISTS = {
    EntityKind.CUSTOMER: ListKind.CUSTOMER,
    EntityKind.CARRIER: ListKind.VENDOR,
    EntityKind.DRIVER: ListKind.VENDOR,
}
ENTITY_DOCUMENTS = {
    EntityKind.CUSTOMER: Kind.CUSTOMER,
    EntityKind.CARRIER: Kind.CARRIER,
    EntityKind.DRIVER: Kind.DRIVER,
}


def link_entity(
    config: MappingConfig,
    reference: ReferenceData,
    party: PartyRef,
    kind: EntityKind,
    subsidiary: ListRecord,
) -> Link | tuple[str, str]:
    """Find a party in NetSuite: stored NetSuite id, then our external id, then an exact name match within
    the subsidiary, then auto-create if the mapping allows it. Returns the link, or (cause, fix)."""
    eid = external_id(ENTITY_DOCUMENTS[kind], party.id)
    list_kind = ENTITY_LISTS[kind]
    if party.netsuite_id is not None:
        return Link({"id": party.netsuite_id}, LinkMode.NETSUITE_ID, eid)
    ours = reference.by_external_id(list_kind, eid)
    if ours is not None:
        return Link({"id": ours.id}, LinkMode.OURS, eid)
    named = [
        record
        for record in reference.by_name(list_kind, party.name)
        if record.available_to(subsidiary.id) and not record.is_inactive
    ]
    if len(named) == 1:
        return Link({"id": named[0].id}, LinkMode.NAME, eid)
    who = f"{kind.value} '{party.name}' (TMS id {party.id})"
    if named:
        listed = ", ".join(record.describe() for record in named)
        return (
            f"{who} matches {len(named)} NetSuite {list_kind} records in subsidiary '{subsidiary.name}': {listed}",
            f"store the right NetSuite internal id on the TMS {kind.value} (netsuite_id)",
        )
    option = "auto_create_customers" if list_kind is ListKind.CUSTOMER else "auto_create_vendors"
    if getattr(config.options, option):
        return Link({"externalId": eid}, LinkMode.CREATE, eid)
    return (
        f"{who} is not in NetSuite for subsidiary '{subsidiary.name}'",
        f"create it in NetSuite, store its internal id on the TMS {kind.value}, "
        f"or set [options] {option} = true in the mapping",
    )
