"""A first mapping, proposed: the TMS companies, charge codes, terms and payment methods of a sample of the
user's documents matched to the NetSuite account's lists by fuzzy name matching (rapidfuzz), each with its
confidence (0–100). What matches clearly is filled in; what does not is left for a person, as a TODO naming the
doctor check that fails until it is filled.

Pure: the documents, the account's lists (`ReferenceData`) and its custom body fields in, a `Proposal` out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from rapidfuzz import fuzz, utils

from tms_netsuite.documents import (
    BillPayment,
    Carrier,
    CarrierBill,
    CreditMemo,
    Customer,
    CustomerDeposit,
    CustomerPayment,
    Document,
    Driver,
    DriverSettlement,
    Invoice,
    TripType,
    VendorCredit,
)
from tms_netsuite.mapping._config import AccountRole
from tms_netsuite.mapping._loader import format_key
from tms_netsuite.mapping._reference import Account, AccountType, ListRecord, ReferenceData, Subsidiary
from tms_netsuite.mapping._resolve import ROLE_TYPES

CLEAR_SCORE = 85.0
"""A match at least this good, and clearly ahead of the next (`MARGIN`), is taken without asking."""
MARGIN = 5.0

# What each account role is usually called in a carrier's chart of accounts: the text its names are matched to.
_ROLE_NAMES: dict[AccountRole, str] = {
    AccountRole.RECEIVABLE: "Accounts Receivable",
    AccountRole.PAYABLE: "Accounts Payable",
    AccountRole.UNDEPOSITED_FUNDS: "Undeposited Funds",
    AccountRole.BANK: "Operating Bank",
    AccountRole.DEDUCTION_RECOVERY: "Deduction Recovery",
    AccountRole.ESCROW: "Driver Escrow Liability",
    AccountRole.ADVANCES: "Driver Advances Receivable",
    AccountRole.QUICK_PAY_FEE: "Quick Pay Fee Income",
    AccountRole.FACTORING_FEES: "Factoring Fees",
    AccountRole.ACCRUED_WAGES: "Accrued Wages",
    AccountRole.WAGES_EXPENSE: "Company Driver Wages",
}
_OPTIONAL_ROLES = frozenset({AccountRole.ACCRUED_WAGES, AccountRole.WAGES_EXPENSE})
# The default of each payable book, by the name carriers' charts usually give it.
_BOOK_DEFAULTS = {"carrier_payable": "Purchased Transportation", "driver_payable": "Owner-Operator Pay"}
_BODY_FIELDS = ("load_number", "bol", "pro")
# Payable lines post to costs; deductions recover them (a cost account) or are income.
_PAYABLE_TYPES = frozenset({AccountType.EXPENSE, AccountType.COST_OF_GOODS_SOLD, AccountType.OTHER_EXPENSE})
_INCOME = frozenset({AccountType.INCOME, AccountType.OTHER_INCOME})


class Check(StrEnum):
    """The doctor check that fails while an entry is a TODO."""

    SUBSIDIARIES = "subsidiaries"
    ACCOUNTS = "accounts"
    LISTS = "lists"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A NetSuite record an entry could name: the text the mapping would hold, what people see, the score."""

    value: str
    label: str
    score: float
    table: str = ""  # for payable books: "account" or "expense_category"


@dataclass(frozen=True, slots=True)
class ProposedEntry:
    """One value of the mapping to propose: where it goes, what TMS value it stands for, the candidates (best
    first), whether the mapping is unusable without it, the check that fails while it is missing, the choice."""

    path: tuple[str, ...]
    tms: str
    candidates: tuple[Candidate, ...]
    required: bool
    check: Check
    chosen: Candidate | None = None

    @property
    def key(self) -> str:
        """The key as TOML writes it."""
        return format_key(self.path)

    def is_clear(self, min_score: float = CLEAR_SCORE) -> bool:
        """Whether the best candidate scores at least ``min_score``, and far enough ahead, to take unasked."""
        if not self.candidates or self.candidates[0].score < min_score:
            return False
        return len(self.candidates) == 1 or self.candidates[0].score - self.candidates[1].score >= MARGIN


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposed mapping: its entries in file order, the companies' trip types, the custom body fields."""

    entries: tuple[ProposedEntry, ...]
    trip_types: dict[str, TripType]
    body_fields: dict[str, str]

    def choose(self, key: str, candidate: Candidate | None) -> Proposal:
        """The proposal with ``candidate`` chosen (None: left as a TODO) for the entry at ``key``."""
        return replace(
            self, entries=tuple(replace(e, chosen=candidate) if e.key == key else e for e in self.entries)
        )

    def unclear(self) -> tuple[ProposedEntry, ...]:
        """The entries a person should decide: not clear, but with something to choose from."""
        return tuple(e for e in self.entries if e.chosen is None and e.candidates)

    def todos(self) -> tuple[ProposedEntry, ...]:
        """The entries left unfilled."""
        return tuple(e for e in self.entries if e.chosen is None)


def _score(query: str, text: str, *, every_word: bool = False) -> float:
    """rapidfuzz's WRatio; with ``every_word``, a text missing a word of the query scores at most 70 (a code
    FUEL_SURCHARGE is not the account Fuel, though 'fuel' is all of that name)."""
    score = float(fuzz.WRatio(query, text, processor=utils.default_process))
    if every_word:
        words = utils.default_process(text).split()
        for word in utils.default_process(query).split():
            if not any(fuzz.ratio(word, other) >= 85 for other in words):
                return min(score, 70.0)
    return score


def _code_words(code: str) -> str:
    """A TMS code as words: NET30 → NET 30, FUEL_SURCHARGE → FUEL SURCHARGE."""
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", code)
    return spaced.replace("_", " ").replace("-", " ").strip()


_Target = tuple[str, str, Sequence[str], str]


def _ranked(query: str, records: Iterable[_Target], *, every_word: bool = False) -> tuple[Candidate, ...]:
    """(value, label, texts matched, table) ranked by the best of their texts against ``query``."""
    found: dict[tuple[str, str], Candidate] = {}
    for value, label, texts, table in records:
        score = max((_score(query, text, every_word=every_word) for text in texts if text), default=0.0)
        key = (table, value)
        if key not in found or found[key].score < score:
            found[key] = Candidate(value, label, round(score, 1), table)
    return tuple(sorted(found.values(), key=lambda c: (-c.score, c.label))[:5])


def _entry(
    path: tuple[str, ...],
    tms: str,
    candidates: tuple[Candidate, ...],
    check: Check,
    *,
    required: bool,
    min_score: float,
) -> ProposedEntry:
    entry = ProposedEntry(path, tms, candidates, required, check)
    return replace(entry, chosen=candidates[0]) if entry.is_clear(min_score) else entry


def _active(records: Iterable[ListRecord]) -> list[ListRecord]:
    return [r for r in records if not r.is_inactive]


def _account_value(account: Account) -> str:
    return account.number or account.name


def _account_label(account: Account) -> str:
    return f"{account.number} {account.name}" if account.number else account.name


def _acronyms(name: str) -> tuple[str, ...]:
    """What a TMS might call a subsidiary for short: 'Freight Co US' → FCU, FCUS; 'Freight Co Canada' → FCCA."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    if not words:
        return ()
    initials = "".join(w[0] for w in words).upper()
    keep_short = "".join(w if w.isupper() and len(w) <= 3 else w[0] for w in words).upper()
    last_two = ("".join(w[0] for w in words[:-1]) + words[-1][:2]).upper()
    return tuple(dict.fromkeys((initials, keep_short, last_two)))


@dataclass(frozen=True, slots=True)
class _Sample:
    """What the sample says: each company's currencies and trip types, and the codes used per book."""

    currencies: dict[str, Counter[str]]
    trips: dict[str, Counter[TripType]]
    receivable: dict[str, str]  # charge code → category
    carrier_payable: dict[str, str]
    driver_payable: dict[str, str]
    deductions: dict[str, str]
    terms: set[str]
    payment_methods: set[str]


def _read_sample(documents: Iterable[Document]) -> _Sample:
    sample = _Sample({}, {}, {}, {}, {}, {}, set(), set())
    for doc in documents:
        sample.currencies.setdefault(doc.company, Counter())[doc.currency] += 1
        trips = sample.trips.setdefault(doc.company, Counter())
        if isinstance(doc, Invoice | CreditMemo):
            sample.receivable.update({line.charge_code: line.category.value for line in doc.lines})
        elif isinstance(doc, CarrierBill | VendorCredit):
            sample.carrier_payable.update({line.charge_code: line.category.value for line in doc.lines})
            trips[TripType.BROKERAGE] += isinstance(doc, CarrierBill)
        elif isinstance(doc, DriverSettlement):
            sample.driver_payable.update({line.charge_code: line.category.value for line in doc.earnings})
            sample.deductions.update({d.code: d.category.value for d in doc.deductions})
            trips[TripType.CARRIER] += 1
        if isinstance(doc, Customer | Carrier | Driver | Invoice | CarrierBill) and doc.terms:
            sample.terms.add(doc.terms)
        if isinstance(doc, CustomerPayment | BillPayment | CustomerDeposit):
            sample.payment_methods.add(doc.payment_method)
    return sample


def propose_mapping(
    documents: Iterable[Document],
    reference: ReferenceData,
    custom_fields: Iterable[str] = (),
    *,
    subsidiaries: Mapping[str, str] | None = None,
    min_score: float = CLEAR_SCORE,
) -> Proposal:
    """Match a sample of the user's documents to the account's lists.

    Companies go to subsidiaries with their documents' currency (by name and by acronym: FCUS → Freight Co
    US); each subsidiary's role accounts to accounts of the role's types available to it; charge codes and
    their categories to items (receivables), expense categories or accounts (payables); terms and payment
    methods by name; load number, BOL and PRO to the custom body fields by script id and name.
    ``subsidiaries`` holds the subsidiary a person chose for a company (by name), which then counts as sure;
    a match is taken unasked when it scores at least ``min_score`` and leads the next by `MARGIN`.
    """
    sample = _read_sample(documents)
    entries: list[ProposedEntry] = []
    chosen_subsidiaries: dict[str, Subsidiary | None] = {}
    for company in sorted(sample.currencies):
        entry = _company(company, sample, reference, min_score)
        picked = (subsidiaries or {}).get(company)
        if picked is not None:
            entry = replace(entry, chosen=Candidate(picked, picked, 100.0))
        entries.append(entry)
        chosen_subsidiaries[company] = next(
            (s for s in reference.subsidiaries if entry.chosen and s.name == entry.chosen.value), None
        )
    for subsidiary in dict.fromkeys(s for s in chosen_subsidiaries.values() if s is not None):
        entries += [_role(subsidiary, role, reference, min_score) for role in AccountRole]
    entries += _receivables(sample, reference, min_score)
    for book, codes in (
        ("carrier_payable", sample.carrier_payable),
        ("driver_payable", sample.driver_payable),
    ):
        entries += _payables(book, codes, reference, default=_BOOK_DEFAULTS[book], min_score=min_score)
    entries += _payables("deductions", sample.deductions, reference, default=None, min_score=min_score)
    entries += _named("terms", sample.terms, reference.terms, min_score)
    entries += _named("payment_methods", sample.payment_methods, reference.payment_methods, min_score)
    trip_types = {
        company: (counts.most_common(1)[0][0] if counts else TripType.BROKERAGE)
        for company, counts in sample.trips.items()
    }
    return Proposal(tuple(entries), trip_types, _body_fields(custom_fields))


def _company(company: str, sample: _Sample, reference: ReferenceData, min_score: float) -> ProposedEntry:
    currency = sample.currencies[company].most_common(1)[0][0]
    fitting = [
        s for s in _active(reference.subsidiaries) if isinstance(s, Subsidiary) and s.currency == currency
    ]
    candidates = _ranked(
        company,
        ((s.name, f"{s.name} ({s.currency})", (s.name, *_acronyms(s.name)), "") for s in fitting),
    )
    return _entry(
        ("companies", company, "subsidiary"),
        f"TMS company {company} ({currency})",
        candidates,
        Check.SUBSIDIARIES,
        required=True,
        min_score=min_score,
    )


def _role(
    subsidiary: Subsidiary, role: AccountRole, reference: ReferenceData, min_score: float
) -> ProposedEntry:
    types = ROLE_TYPES[role]
    accounts = [
        a
        for a in _active(reference.accounts)
        if isinstance(a, Account) and a.type in types and a.available_to(subsidiary.id)
    ]
    if role is AccountRole.BANK:
        accounts = [a for a in accounts if a.currency in (None, subsidiary.currency)]
    candidates = _ranked(
        _ROLE_NAMES[role], ((_account_value(a), _account_label(a), (a.name,), "") for a in accounts)
    )
    if len(candidates) == 1 and types <= {
        AccountType.ACCOUNTS_RECEIVABLE,
        AccountType.ACCOUNTS_PAYABLE,
        AccountType.BANK,
    }:
        # The only account of its type available to the subsidiary: the type says it, whatever its name.
        candidates = (replace(candidates[0], score=max(candidates[0].score, 95.0)),)
    return _entry(
        ("accounts", subsidiary.name, role.value),
        f"{role.value.replace('_', ' ')} account of {subsidiary.name}",
        candidates,
        Check.ACCOUNTS,
        required=role not in _OPTIONAL_ROLES,
        min_score=min_score,
    )


def _items(reference: ReferenceData) -> list[_Target]:
    return [(r.name, r.name, (r.name,), "") for r in _active(reference.items)]


def _receivables(sample: _Sample, reference: ReferenceData, min_score: float) -> list[ProposedEntry]:
    items = _items(reference)
    entries: list[ProposedEntry] = []
    categories = sorted(set(sample.receivable.values()))
    for category in categories:
        entries.append(
            _entry(
                ("charge_codes", "receivable", "categories", category),
                f"receivable charges of category {category}",
                _ranked(_code_words(category), items, every_word=True),
                Check.LISTS,
                required=False,
                min_score=min_score,
            )
        )
    by_category = {e.path[-1]: e.chosen for e in entries}
    for code, category in sorted(sample.receivable.items()):
        entry = _entry(
            ("charge_codes", "receivable", "codes", code),
            f"receivable charge code {code} ({category})",
            _ranked(_code_words(code), items, every_word=True),
            Check.LISTS,
            required=False,
            min_score=min_score,
        )
        fallback = by_category.get(category)
        if entry.chosen is not None and fallback is not None and entry.chosen.value == fallback.value:
            continue  # its category already lands there
        if entry.chosen is None and fallback is not None and not entry.candidates:
            continue
        entries.append(entry)
    return entries


def _payables(
    book: str, codes: dict[str, str], reference: ReferenceData, *, default: str | None, min_score: float
) -> list[ProposedEntry]:
    categories = _active(reference.expense_categories)
    # An expense category posts to its own account: an account of the same name adds nothing but a tie.
    named = {r.name.casefold() for r in categories}
    types = _PAYABLE_TYPES | (_INCOME if book == "deductions" else frozenset())
    targets: list[_Target] = [
        (r.name, f"expense category {r.name}", (r.name,), "expense_category") for r in categories
    ]
    targets += [
        (_account_value(a), f"account {_account_label(a)}", (a.name,), "account")
        for a in _active(reference.accounts)
        if isinstance(a, Account) and a.type in types and a.name.casefold() not in named
    ]
    entries: list[ProposedEntry] = []
    if codes and default is not None:
        entries.append(
            _entry(
                ("charge_codes", book, "default"),
                f"{book.replace('_', ' ')} lines by default",
                _ranked(default, targets),
                Check.LISTS,
                required=False,
                min_score=min_score,
            )
        )
    for category in sorted(set(codes.values())):
        entry = _entry(
            ("charge_codes", book, "categories", category),
            f"{book.replace('_', ' ')} lines of category {category}",
            _ranked(_code_words(category), targets, every_word=True),
            Check.LISTS,
            required=False,
            min_score=min_score,
        )
        if entry.chosen is not None:
            entries.append(entry)  # else the default (or deduction_recovery) takes them: nothing to ask
    for code, _category in sorted(codes.items()):
        entry = _entry(
            ("charge_codes", book, "codes", code),
            f"{book.replace('_', ' ')} code {code}",
            _ranked(_code_words(code), targets, every_word=True),
            Check.LISTS,
            required=False,
            min_score=min_score,
        )
        if entry.chosen is not None:
            entries.append(entry)
    return entries


def _named(
    table: str, codes: Iterable[str], records: Iterable[ListRecord], min_score: float
) -> list[ProposedEntry]:
    pool = [(r.name, r.name, (r.name,), "") for r in _active(records)]
    return [
        _entry(
            (table, code),
            f"TMS {table[:-1].replace('_', ' ')} {code}",
            _ranked(_code_words(code), pool, every_word=True),
            Check.LISTS,
            required=False,
            min_score=min_score,
        )
        for code in sorted(codes)
    ]


def _body_fields(custom_fields: Iterable[str]) -> dict[str, str]:
    fields = [f for f in custom_fields if f.startswith("custbody")]
    found: dict[str, str] = {}
    for reference in _BODY_FIELDS:
        ranked = sorted(
            (
                (_score(reference.replace("_", " "), f.removeprefix("custbody").replace("_", " ")), f)
                for f in fields
            ),
            reverse=True,
        )
        if ranked and ranked[0][0] >= CLEAR_SCORE:
            found[reference] = ranked[0][1]
    return found


_HEADER = """\
Proposed by `tms-netsuite init`: {source}.
After each value, the match's confidence (0-100) and what NetSuite calls the record. Review it before the
first export; `tms-netsuite doctor --mapping` checks every name against the account.
Entries marked TODO had no clear match: each says which doctor check fails (or what happens) until filled.
Records are named as people know them (subsidiary name, account number, item name) or as `id:<internal id>`.
"""
_TODO = "TODO"


def _value(candidate: Candidate) -> str:
    text = _toml_string(candidate.value)
    return f"{{ expense_category = {text} }}" if candidate.table == "expense_category" else text


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _line(entry: ProposedEntry) -> list[str]:
    key = format_key(entry.path[-1:])
    if entry.chosen is not None:
        return [f"{key} = {_value(entry.chosen)}  # {entry.chosen.score:.0f}: {entry.chosen.label}"]
    best = (
        f"best: {entry.candidates[0].label} at {entry.candidates[0].score:.0f}"
        if entry.candidates
        else "nothing of the right kind in NetSuite"
    )
    if entry.required:
        return [
            f"# {_TODO}: {entry.tms}: no clear match ({best}); the doctor's '{entry.check}' check fails "
            "until this names a NetSuite record",
            f"{key} = {_toml_string(f'{_TODO}: {entry.tms}')}",
        ]
    effect = (
        "its lines use the category's or the default's target"
        if entry.path[0] == "charge_codes"
        else f"documents naming it fail at export, and the doctor's '{entry.check}' check cannot see it"
    )
    return [f"# {_TODO}: {entry.tms}: no clear match ({best}); until filled, {effect}", f'# {key} = ""']


def render_mapping(proposal: Proposal, *, source: str) -> str:
    """The proposal as a mapping file (TOML) that loads as it is: required values left unmatched hold a
    ``TODO: …`` placeholder the doctor names, optional ones are commented out."""
    lines = [
        *(f"# {line}".rstrip() for line in _HEADER.format(source=source).splitlines()),
        "",
        "version = 1",
        "",
    ]
    lines += [
        "[options]",
        "auto_create_customers = true  # a customer NetSuite does not have yet is created on first use",
        "auto_create_vendors = true    # the same for carriers and owner-operators",
        'company_driver_settlements = "skip"  # company (W2) drivers are paid by payroll',
        "",
        '[body_fields]  # where load references go; "memo" appends them to the memo',
    ]
    for name in _BODY_FIELDS:
        field = proposal.body_fields.get(name)
        lines.append(
            f"{name} = {_toml_string(field)}"
            if field
            else f'{name} = "memo"  # no custom body field matched: create custbody_{name} to give it its own field'
        )
    tables: dict[tuple[str, ...], list[ProposedEntry]] = {}
    for entry in proposal.entries:
        tables.setdefault(entry.path[:-1], []).append(entry)
    for entry in proposal.entries:
        if entry.path[0] == "companies" and entry.chosen is None:
            # The placeholder names a subsidiary too, and every subsidiary needs its accounts table.
            placeholder = f"{_TODO}: {entry.tms}"
            tables[("accounts", placeholder)] = [
                ProposedEntry(
                    ("accounts", placeholder, role.value),
                    f"{role.value.replace('_', ' ')} account",
                    (),
                    True,
                    Check.ACCOUNTS,
                )
                for role in AccountRole
                if role not in _OPTIONAL_ROLES
            ]
    for path, entries in tables.items():
        lines += ["", f"[{format_key(path)}]"]
        for entry in entries:
            lines += _line(entry)
        if path[0] == "companies":
            lines.append(f'trip_type = "{proposal.trip_types.get(path[1], TripType.BROKERAGE).value}"')
    return "\n".join(lines) + "\n"
