"""What the connector knows of a NetSuite account's lists: names and numbers → internal ids.

A later step fills `ReferenceData` from SuiteQL at run start; translation only reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property


class AccountType(StrEnum):
    """NetSuite account types, as SuiteQL's ``account.accttype`` spells them."""

    BANK = "Bank"
    ACCOUNTS_RECEIVABLE = "AcctRec"
    OTHER_CURRENT_ASSET = "OthCurrAsset"
    FIXED_ASSET = "FixedAsset"
    OTHER_ASSET = "OthAsset"
    ACCOUNTS_PAYABLE = "AcctPay"
    CREDIT_CARD = "CredCard"
    OTHER_CURRENT_LIABILITY = "OthCurrLiab"
    LONG_TERM_LIABILITY = "LongTermLiab"
    EQUITY = "Equity"
    INCOME = "Income"
    COST_OF_GOODS_SOLD = "COGS"
    EXPENSE = "Expense"
    OTHER_INCOME = "OthIncome"
    OTHER_EXPENSE = "OthExpense"
    DEFERRED_REVENUE = "DeferRevenue"
    DEFERRED_EXPENSE = "DeferExpense"
    UNBILLED_RECEIVABLE = "UnbilledRec"
    NON_POSTING = "NonPosting"
    STATISTICAL = "Stat"


class ListKind(StrEnum):
    """The NetSuite lists a mapping names records from."""

    SUBSIDIARY = "subsidiary"
    ACCOUNT = "account"
    ITEM = "item"
    EXPENSE_CATEGORY = "expense category"
    CLASS = "class"
    DEPARTMENT = "department"
    LOCATION = "location"
    CURRENCY = "currency"
    TERM = "term"
    PAYMENT_METHOD = "payment method"
    CUSTOMER = "customer"
    VENDOR = "vendor"


@dataclass(frozen=True, kw_only=True)
class ListRecord:
    """A record of a NetSuite list. `subsidiaries` None means available to every subsidiary."""

    id: str
    name: str
    is_inactive: bool = False
    subsidiaries: frozenset[str] | None = None

    def available_to(self, subsidiary_id: str) -> bool:
        """Whether the record may be used on a transaction of that subsidiary."""
        return self.subsidiaries is None or subsidiary_id in self.subsidiaries

    def aliases(self) -> tuple[str, ...]:
        """The texts a person may name this record by."""
        return (self.name,)

    def describe(self) -> str:
        """How error messages show the record."""
        return f"'{self.name}' (id {self.id})"


@dataclass(frozen=True, kw_only=True)
class Subsidiary(ListRecord):
    """A subsidiary with its base currency (ISO code)."""

    currency: str
    full_name: str | None = None

    def aliases(self) -> tuple[str, ...]:
        """Name or full hierarchical name ("Parent : Child")."""
        return (self.name, self.full_name) if self.full_name else (self.name,)


@dataclass(frozen=True, kw_only=True)
class Account(ListRecord):
    """A general-ledger account; `currency` is set for bank accounts."""

    type: AccountType
    number: str | None = None
    currency: str | None = None

    def aliases(self) -> tuple[str, ...]:
        """Number, name, or "number name" as NetSuite displays it."""
        if not self.number:
            return (self.name,)
        return (self.number, self.name, f"{self.number} {self.name}")

    def describe(self) -> str:
        """Number and name."""
        label = f"{self.number} {self.name}" if self.number else self.name
        return f"'{label}' (id {self.id}, {self.type.value})"


@dataclass(frozen=True, kw_only=True)
class Item(ListRecord):
    """An item with the internal ids of the accounts it posts to: ``income_account`` on sales (invoices, credit
    memos), ``expense_account`` on purchases (bills, credits); None when the item has none."""

    income_account: str | None = None
    expense_account: str | None = None


@dataclass(frozen=True, kw_only=True)
class Currency(ListRecord):
    """A currency: `symbol` is its ISO 4217 code."""

    symbol: str

    def aliases(self) -> tuple[str, ...]:
        """Name or ISO code."""
        return (self.name, self.symbol)


@dataclass(frozen=True, kw_only=True)
class Entity(ListRecord):
    """A customer or vendor already in NetSuite, with its external id if it has one."""

    external_id: str | None = None


class Side(StrEnum):
    """The books a transaction posts to, for the period locks NetSuite keeps per side."""

    RECEIVABLES = "A/R"
    PAYABLES = "A/P"
    GENERAL = "general ledger"


@dataclass(frozen=True, kw_only=True)
class Period:
    """A posting (month) period and what NetSuite lets post in it."""

    id: str
    name: str
    start: date
    end: date
    closed: bool = False
    all_locked: bool = False
    ar_locked: bool = False
    ap_locked: bool = False

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def open_for(self, side: Side) -> bool:
        """Whether a transaction of that side may post in it."""
        if self.closed or self.all_locked:
            return False
        return not (
            (side is Side.RECEIVABLES and self.ar_locked) or (side is Side.PAYABLES and self.ap_locked)
        )

    def why_not(self, side: Side) -> str:
        """Why a transaction of that side may not post in it."""
        return (
            "closed" if self.closed else f"locked for {'all transactions' if self.all_locked else side.value}"
        )


def _index(records: Iterable[ListRecord]) -> dict[str, tuple[ListRecord, ...]]:
    index: dict[str, list[ListRecord]] = {}
    for record in records:
        for alias in dict.fromkeys(record.aliases()):
            index.setdefault(alias, []).append(record)
    return {alias: tuple(found) for alias, found in index.items()}


@dataclass(frozen=True, kw_only=True)
class ReferenceData:
    """The lists of one NetSuite account, as read at run start. Immutable; lookups are indexed once."""

    subsidiaries: tuple[Subsidiary, ...] = ()
    accounts: tuple[Account, ...] = ()
    items: tuple[ListRecord, ...] = ()  # Item records when read from an account
    expense_categories: tuple[ListRecord, ...] = ()
    classes: tuple[ListRecord, ...] = ()
    departments: tuple[ListRecord, ...] = ()
    locations: tuple[ListRecord, ...] = ()
    currencies: tuple[Currency, ...] = ()
    terms: tuple[ListRecord, ...] = ()
    payment_methods: tuple[ListRecord, ...] = ()
    customers: tuple[Entity, ...] = ()
    vendors: tuple[Entity, ...] = ()
    periods: tuple[Period, ...] = ()  # posting periods; empty when they could not be read
    # What the record schemas (the metadata catalog) show of the account's features and preferences; None:
    # not read. Payment Instruments: customer payments and deposits take paymentOption, not paymentMethod.
    payment_instruments: bool | None = None
    bill_approval_routing: bool | None = None  # vendor bills carry approvalStatus (approval routing is on)

    @property
    def payment_field(self) -> str:
        """The body field a customer payment or deposit names its payment method in."""
        return "paymentOption" if self.payment_instruments else "paymentMethod"

    def period_of(self, day: date) -> Period | None:
        """The posting period that holds the date."""
        return next((period for period in self.periods if period.holds(day)), None)

    def next_open_period(self, after: Period, side: Side) -> Period | None:
        """The first period after ``after`` that a transaction of that side may post in."""
        later = sorted((p for p in self.periods if p.start > after.end), key=lambda p: p.start)
        return next((period for period in later if period.open_for(side)), None)

    def records(self, kind: ListKind) -> tuple[ListRecord, ...]:
        """Every record of a list."""
        return self._lists[kind]

    def by_id(self, kind: ListKind, internal_id: str) -> ListRecord | None:
        """The record with that internal id."""
        return self._by_id[kind].get(internal_id)

    def by_name(self, kind: ListKind, text: str) -> tuple[ListRecord, ...]:
        """Records a person's text names exactly (several when the name is ambiguous)."""
        return self._by_name[kind].get(text, ())

    def by_external_id(self, kind: ListKind, external_id: str) -> ListRecord | None:
        """The entity carrying that external id (NetSuite compares external ids without case)."""
        return self._by_external_id[kind].get(external_id.casefold())

    @cached_property
    def _lists(self) -> dict[ListKind, tuple[ListRecord, ...]]:
        return {
            ListKind.SUBSIDIARY: self.subsidiaries,
            ListKind.ACCOUNT: self.accounts,
            ListKind.ITEM: self.items,
            ListKind.EXPENSE_CATEGORY: self.expense_categories,
            ListKind.CLASS: self.classes,
            ListKind.DEPARTMENT: self.departments,
            ListKind.LOCATION: self.locations,
            ListKind.CURRENCY: self.currencies,
            ListKind.TERM: self.terms,
            ListKind.PAYMENT_METHOD: self.payment_methods,
            ListKind.CUSTOMER: self.customers,
            ListKind.VENDOR: self.vendors,
        }

    @cached_property
    def _by_id(self) -> dict[ListKind, dict[str, ListRecord]]:
        return {kind: {record.id: record for record in records} for kind, records in self._lists.items()}

    @cached_property
    def _by_name(self) -> dict[ListKind, dict[str, tuple[ListRecord, ...]]]:
        return {kind: _index(records) for kind, records in self._lists.items()}

    @cached_property
    def _by_external_id(self) -> dict[ListKind, dict[str, ListRecord]]:
        return {
            kind: {
                record.external_id.casefold(): record
                for record in records
                if isinstance(record, Entity) and record.external_id
            }
            for kind, records in self._lists.items()
        }
