"""The freight-data generator: deterministic, valid, and consistent as a ledger."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from functools import cache

import pytest

from tms_netsuite.documents import (
    Accepted,
    BillPayment,
    Carrier,
    CarrierBill,
    CreditMemo,
    Customer,
    CustomerPayment,
    DepositApplication,
    Document,
    Driver,
    DriverSettlement,
    DriverType,
    Invoice,
    JournalEntry,
    Kind,
    Status,
    VendorCredit,
    read_documents,
    write_documents,
)
from tms_netsuite.generate import generate


def jsonl(loads: int, seed: int, month: str = "2026-10") -> str:
    stream = io.StringIO()
    write_documents(generate(loads, seed, month), stream)
    return stream.getvalue()


@cache
def month_of(loads: int = 240, seed: int = 11) -> tuple[Document, ...]:
    return tuple(generate(loads, seed))


def test_same_arguments_give_the_same_bytes() -> None:
    """Two runs with the same loads, seed and month write identical JSON Lines."""
    assert jsonl(40, 5) == jsonl(40, 5)


def test_seed_and_month_change_the_output() -> None:
    """Another seed gives other data; another month moves every transaction into that month."""
    assert jsonl(40, 5) != jsonl(40, 6)
    november = list(generate(40, 5, "2026-11"))
    dates = [doc.date for doc in november if hasattr(doc, "date")]
    assert dates
    assert all(dt.date(2026, 11, 1) <= day <= dt.date(2026, 11, 30) for day in dates)


def test_every_line_is_a_valid_document() -> None:
    """The generated JSON Lines read back without a single rejection."""
    results = list(read_documents(jsonl(120, 2).splitlines()))
    assert results
    assert all(isinstance(result, Accepted) for result in results)


def test_a_month_has_every_kind_versions_and_voids() -> None:
    """A busy month carries every document kind, later versions, voids and both driver types."""
    documents = month_of()
    assert {doc.kind for doc in documents} == set(Kind)
    assert any(doc.version > 1 and doc.status is Status.ACTIVE for doc in documents)
    assert any(doc.status is Status.VOID for doc in documents)
    settlements = [doc for doc in documents if isinstance(doc, DriverSettlement)]
    assert {s.driver_type for s in settlements} == set(DriverType)
    invoices = [doc for doc in documents if isinstance(doc, Invoice)]
    assert any(line.amount.amount == 0 for doc in invoices for line in doc.lines)
    assert any(line.amount.amount < 0 for doc in invoices for line in doc.lines)
    payments = [doc for doc in documents if isinstance(doc, BillPayment)]
    assert any(app.quick_pay_fee for doc in payments for app in doc.applications)


def test_transactions_fall_in_the_month_and_masters_come_first() -> None:
    """Transaction dates lie in the month; customers, carriers and drivers precede every transaction."""
    documents = month_of()
    masters = {Kind.CUSTOMER, Kind.CARRIER, Kind.DRIVER}
    last_master = max(i for i, doc in enumerate(documents) if doc.kind in masters and doc.version == 1)
    first_transaction = min(i for i, doc in enumerate(documents) if doc.kind not in masters)
    assert last_master < first_transaction
    dates = [doc.date for doc in documents if not isinstance(doc, Customer | Carrier | Driver)]
    assert all(dt.date(2026, 10, 1) <= day <= dt.date(2026, 10, 31) for day in dates)


def _receivable_steps(doc: Document) -> list[tuple[str, Decimal, Decimal | None]]:
    if isinstance(doc, CustomerPayment):
        return [
            (a.invoice, a.amount.amount, a.invoice_balance and a.invoice_balance.amount)
            for a in doc.applications
        ]
    if isinstance(doc, CreditMemo):
        return [(doc.invoice, doc.total.amount, doc.invoice_balance and doc.invoice_balance.amount)]
    if isinstance(doc, DepositApplication):
        return [(doc.invoice, doc.amount.amount, doc.invoice_balance and doc.invoice_balance.amount)]
    return []


@pytest.mark.parametrize("seed", [1, 11, 29])
def test_cash_and_credits_never_exceed_an_invoice(seed: int) -> None:
    """Replaying the stream: every application fits the invoice's open balance and states it correctly."""
    total: dict[str, Decimal] = {}
    applied: Counter[str] = Counter()
    voided: set[str] = set()
    for doc in generate(150, seed):
        if isinstance(doc, Invoice):
            total[doc.id] = doc.total.amount  # a later version replaces the total
            if doc.status is Status.VOID:
                voided.add(doc.id)
        for invoice, amount, stated in _receivable_steps(doc):
            open_balance = total[invoice] - applied[invoice]
            assert invoice not in voided
            assert 0 < amount <= open_balance
            assert stated is None or stated == open_balance
            applied[invoice] += amount
    assert sum(applied.values()) > 0


def _payable_steps(doc: Document) -> list[tuple[str, Decimal]]:
    if isinstance(doc, BillPayment):
        return [(a.bill.id, a.amount.amount) for a in doc.applications]
    if isinstance(doc, VendorCredit):
        return [(doc.bill.id, doc.total.amount)]
    return []


@pytest.mark.parametrize("seed", [1, 11])
def test_payments_and_credits_never_exceed_a_bill(seed: int) -> None:
    """Carrier bills and settlements are never paid or credited beyond what is open."""
    open_balance: dict[str, Decimal] = {}
    for doc in generate(150, seed):
        if isinstance(doc, CarrierBill) and doc.status is Status.ACTIVE:
            open_balance[doc.id] = doc.total.amount
        if isinstance(doc, DriverSettlement):
            open_balance[doc.id] = doc.gross.amount - min(doc.withheld.amount, doc.gross.amount)
        for bill, amount in _payable_steps(doc):
            assert 0 < amount <= open_balance[bill]
            open_balance[bill] -= amount


def test_journal_entries_balance() -> None:
    """Debits equal credits in every generated journal entry, recomputed here from the lines."""
    entries = [doc for doc in month_of() if isinstance(doc, JournalEntry)]
    assert {entry.purpose.value for entry in entries} >= {"accrual", "factoring", "advance"}
    for entry in entries:
        debits = sum((line.debit.amount for line in entry.lines if line.debit), Decimal(0))
        credits = sum((line.credit.amount for line in entry.lines if line.credit), Decimal(0))
        assert debits == credits > 0


def test_ids_are_unique_per_kind_and_version() -> None:
    """No two documents share kind, id and version."""
    keys = Counter((doc.kind, doc.id, doc.version) for doc in month_of())
    assert max(keys.values()) == 1


def test_zero_loads_give_master_data_only() -> None:
    """With no loads there are parties but no transactions."""
    documents = list(generate(0, 1))
    assert documents
    assert {doc.kind for doc in documents} <= {Kind.CUSTOMER, Kind.CARRIER, Kind.DRIVER}


@pytest.mark.parametrize(("loads", "month"), [(-1, "2026-10"), (5, "2026-13"), (5, "October")])
def test_bad_arguments_are_refused(loads: int, month: str) -> None:
    """A negative load count or a malformed month raises ValueError."""
    with pytest.raises(ValueError, match=r"loads|month"):
        generate(loads, 1, month)


def test_a_large_month_has_more_drivers_than_the_name_pool() -> None:
    """1,800 loads need 225 drivers, more than there are first × last names: each still gets a distinct name."""
    drivers = {doc.id: doc.name for doc in generate(1800, 1) if doc.kind is Kind.DRIVER}
    assert len(drivers) == 1800 // 8
    assert len(set(drivers.values())) == len(drivers)
