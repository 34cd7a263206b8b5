"""The state of one document's translation: resolutions made, errors collected, dependencies noted.

Every resolver returns None on failure after recording a `TranslationProblem`, so one pass reports every
problem of a document instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tms_netsuite.documents import (
    CarrierBill,
    ChargeCategory,
    DeductionCategory,
    Document,
    EntityKind,
    Invoice,
    Kind,
    PartyRef,
    TripType,
)
from tms_netsuite.mapping._config import (
    AccountRole,
    Book,
    Company,
    KeyPath,
    MappingConfig,
    SubsidiaryAccounts,
)
from tms_netsuite.mapping._external_ids import external_id
from tms_netsuite.mapping._loader import format_key
from tms_netsuite.mapping._records import DocumentKey, RecordKey, RecordType, TranslationProblem
from tms_netsuite.mapping._reference import AccountType, ListKind, ListRecord, ReferenceData
from tms_netsuite.mapping._related import Related
from tms_netsuite.mapping._resolve import (
    JOURNAL_ACCOUNT_TYPES,
    LINE_ACCOUNT_TYPES,
    ROLE_TYPES,
    Link,
    LinkMode,
    book_entry,
    link_entity,
    resolve_name,
    target_of,
)

Ref = dict[str, str]
MEMO_LIMIT = 999
_ROLES = frozenset(role.value for role in AccountRole)
# undepFunds as the 2026.1 REST schemas type it (an object with an id), not the boolean older answers show.
UNDEPOSITED: dict[str, str] = {"id": "T"}
NOT_UNDEPOSITED: dict[str, str] = {"id": "F"}
_ENTITY_RECORDS = {
    EntityKind.CUSTOMER: RecordType.CUSTOMER,
    EntityKind.CARRIER: RecordType.VENDOR,
    EntityKind.DRIVER: RecordType.VENDOR,
}


def number(amount: Decimal) -> float:
    """An amount as a JSON number; exact, as documents carry at most 15 significant digits."""
    return float(amount)


def memo(*parts: str | None) -> str | None:
    """Non-empty parts joined, cut to NetSuite's memo length."""
    text = "; ".join(part for part in parts if part)
    return text[:MEMO_LIMIT] or None


def posting_company(document: Document) -> str:
    """The TMS company whose subsidiary a document posts to: Invoice-As for invoices, Tender-As for carrier
    bills, else its own company."""
    if isinstance(document, Invoice) and document.invoice_as:
        return document.invoice_as
    if isinstance(document, CarrierBill) and document.tender_as:
        return document.tender_as
    return document.company


@dataclass(frozen=True, slots=True)
class Route:
    """Where a document posts: the TMS company, its mapping and its NetSuite subsidiary."""

    company_key: str
    company: Company
    subsidiary: ListRecord
    accounts: SubsidiaryAccounts

    @property
    def ref(self) -> Ref:
        """The subsidiary as a reference."""
        return {"id": self.subsidiary.id}


class Context:
    """Resolves what one document needs against the mapping and the reference data."""

    def __init__(
        self, document: Document, config: MappingConfig, reference: ReferenceData, related: Related
    ) -> None:
        self.document = document
        self.config = config
        self.reference = reference
        self.related = related
        self.key = DocumentKey(document.kind, document.id, document.version)
        self.errors: list[TranslationProblem] = []

    def fail(self, field: str, cause: str, fix: str) -> None:
        """Record why the document cannot be translated."""
        self.errors.append(TranslationProblem(self.key, field, cause, fix))

    def where(self, path: KeyPath) -> str:
        """A mapping key with its line, for fixes."""
        line = self.config.line_of(path)
        return f"{format_key(path)} (line {line})" if line else format_key(path)

    def eid(self, suffix: str = "") -> str:
        """This document's external id, with an optional fixed suffix."""
        return external_id(self.document.kind, self.document.id, suffix)

    def ours(
        self, record_type: RecordType, kind: Kind, tms_id: str, suffix: str = ""
    ) -> tuple[Ref, RecordKey]:
        """A reference to another document's record, by its external id, and its key as a dependency."""
        eid = external_id(kind, tms_id, suffix)
        return {"externalId": eid}, RecordKey(record_type, eid)

    def route(self, company_key: str, field: str) -> Route | None:
        """The subsidiary a TMS company posts to."""
        company = self.config.companies.get(company_key)
        if company is None:
            self.fail(
                field, f"company {company_key!r} is not in the mapping", f"add [companies.{company_key}]"
            )
            return None
        path = ("companies", company_key, "subsidiary")
        found = resolve_name(self.reference, ListKind.SUBSIDIARY, company.subsidiary)
        if isinstance(found, str):
            self.fail(field, found, f"correct {self.where(path)} in the mapping")
            return None
        return Route(company_key, company, found, self.config.accounts[company.subsidiary])

    def route_of(self, kind: Kind, tms_id: str, field: str) -> Route | None:
        """Where another document posts, as its own translation routes it; None when it is not known."""
        other = self.related.get((kind, tms_id))
        if other is None:
            return None
        return self.route(posting_company(other), field)

    def named(
        self,
        kind: ListKind,
        text: str,
        *,
        field: str,
        subject: str,
        path: KeyPath,
        route: Route | None = None,
        types: frozenset[AccountType] = LINE_ACCOUNT_TYPES,
    ) -> Ref | None:
        """A record a mapping names, available to the route's subsidiary (an account also of fitting type)."""
        subsidiary = route.subsidiary if route is not None else None
        found = resolve_name(self.reference, kind, text, subsidiary=subsidiary, types=types)
        if isinstance(found, str):
            self.fail(
                field, f"{subject}: {found}", f"change {self.where(path)} in the mapping, or fix NetSuite"
            )
            return None
        return {"id": found.id}

    def account(self, route: Route, role: AccountRole, field: str) -> Ref | None:
        """A subsidiary's default account for a role."""
        path = ("accounts", route.company.subsidiary, role.value)
        text = route.accounts.get(role)
        if text is None:
            self.fail(
                field,
                f"subsidiary '{route.subsidiary.name}' has no {role.value} account",
                f"add {format_key(path)}",
            )
            return None
        found = resolve_name(
            self.reference, ListKind.ACCOUNT, text, subsidiary=route.subsidiary, types=ROLE_TYPES[role]
        )
        if isinstance(found, str):
            self.fail(
                field, f"the {role.value} account: {found}", f"change {self.where(path)} in the mapping"
            )
            return None
        return {"id": found.id}

    def charge(
        self,
        route: Route,
        book: Book,
        code: str,
        category: ChargeCategory | DeductionCategory | None,
        field: str,
    ) -> dict[str, Ref] | None:
        """A line's item, account or expense category: ``{"item": ref}``, ``{"account": ref}`` or ``{"category": ref}``."""
        entry = book_entry(self.config, book, code, category)
        if entry is None:
            if book is Book.DEDUCTIONS:
                ref = self.account(route, AccountRole.DEDUCTION_RECOVERY, field)
                return {"account": ref} if ref is not None else None
            what = "item" if book is Book.RECEIVABLE else "account or expense category"
            self.fail(
                field,
                f"charge code {code} has no {what} for subsidiary '{route.subsidiary.name}'",
                f"add it under [charge_codes.{book.value}.codes] in the mapping",
            )
            return None
        kind, text, line_field = target_of(entry)
        ref = self.named(kind, text, field=field, subject=f"charge code {code}", path=entry.path, route=route)
        return {line_field: ref} if ref is not None else None

    def currency(self) -> Ref | None:
        """The document's currency: mapped under [currencies], else the NetSuite currency with that ISO code."""
        code = self.document.currency
        text = self.config.currencies.get(code, code)
        return self.named(
            ListKind.CURRENCY, text, field="$.currency", subject=f"currency {code}", path=("currencies", code)
        )

    def mapped(
        self,
        table: str,
        kind: ListKind,
        key: str,
        field: str,
        route: Route | None = None,
        types: frozenset[AccountType] = LINE_ACCOUNT_TYPES,
    ) -> Ref | None:
        """A TMS key looked up in a mapping table ([terms], [payment_methods], [bank_accounts], …)."""
        text = getattr(self.config, table).get(key)
        if text is None:
            self.fail(
                field, f"{kind} {key!r} is not in the mapping", f"add {key} under [{table}] in the mapping"
            )
            return None
        subject = f"{kind} {key}"
        return self.named(
            kind, text, field=field, subject=subject, path=(table, key), route=route, types=types
        )

    def funds(self, route: Route, key: str | None, role: AccountRole, field: str) -> dict[str, Any] | None:
        """The account cash lands in: a [bank_accounts] key, else the role's default.

        Undeposited funds is not named as an account: NetSuite takes ``undepFunds`` set instead, written as the
        2026.1 REST schemas type it, an object ``{"id": "T"}`` (recorded sandbox answers read it back as a
        boolean; the schema lists no ids, and "T"/"F" follow SuiteQL's booleans).
        """
        if key is None:
            ref = self.account(route, role, field)
            if ref is None:
                return None
            return (
                {"undepFunds": dict(UNDEPOSITED)}
                if role is AccountRole.UNDEPOSITED_FUNDS
                else {"account": ref}
            )
        account = self.mapped("bank_accounts", ListKind.ACCOUNT, key, field, route)
        if account is None:
            return None
        return (
            {"undepFunds": dict(NOT_UNDEPOSITED), "account": account}
            if role is AccountRole.UNDEPOSITED_FUNDS
            else {"account": account}
        )

    def journal_account(self, route: Route, key: str, field: str) -> Ref | None:
        """A journal line's account: [journal_accounts], else an account role of the subsidiary."""
        if key in self.config.journal_accounts:
            return self.mapped("journal_accounts", ListKind.ACCOUNT, key, field, route, JOURNAL_ACCOUNT_TYPES)
        if key in _ROLES:
            return self.account(route, AccountRole(key), field)
        self.fail(
            field, f"journal account {key!r} is not in the mapping", f"add {key} under [journal_accounts]"
        )
        return None

    def dimensions(self, route: Route, trip_type: TripType | None) -> dict[str, Ref]:
        """Class, department and location from the first matching rule of each."""
        found: dict[str, Ref] = {}
        for index, rule in enumerate(self.config.dimensions):
            field = rule.dimension.value
            if field in found or not rule.matches(
                trip_type=trip_type, company=route.company_key, kind=self.document.kind
            ):
                continue
            kind = ListKind(field)
            ref = self.named(
                kind,
                rule.value,
                field="$",
                subject=f"{field} rule",
                path=("dimensions", index, "value"),
                route=route,
            )
            if ref is not None:
                found[field] = ref
        return found

    def link(self, party: PartyRef, kind: EntityKind, route: Route, field: str) -> Link | None:
        """A TMS party's NetSuite customer or vendor."""
        found = link_entity(self.config, self.reference, party, kind, route.subsidiary)
        if isinstance(found, tuple):
            self.fail(field, *found)
            return None
        return found

    def party(
        self, party: PartyRef, kind: EntityKind, route: Route, field: str
    ) -> tuple[Ref | None, tuple[RecordKey, ...]]:
        """A party as a transaction references it, and the entity record it waits for when auto-created."""
        link = self.link(party, kind, route, field)
        if link is None:
            return None, ()
        if link.mode is LinkMode.CREATE:
            return link.ref, (RecordKey(_ENTITY_RECORDS[kind], link.external_id),)
        return link.ref, ()

    @staticmethod
    def entity_record(kind: EntityKind) -> RecordType:
        """The NetSuite record type a TMS party becomes."""
        return _ENTITY_RECORDS[kind]
