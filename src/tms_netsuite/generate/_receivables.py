"""Cash in: factoring of the carrier's invoices, customer payments (full, partial, short, several invoices
at once) and credit memos (disputes, short pays, write-offs). Balances never go below zero."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tms_netsuite.documents import (
    ChargeCategory,
    ChargeLine,
    CreditMemo,
    CreditReason,
    CustomerPayment,
    EntityKind,
    EntityRef,
    InvoiceApplication,
    JournalEntry,
    JournalLine,
    JournalPurpose,
    Kind,
)
from tms_netsuite.generate import _data
from tms_netsuite.generate._world import OpenInvoice, World, cents

FACTOR_FEE = Decimal("0.03")


@dataclass(frozen=True)
class _Step:
    """One planned change to an invoice's balance."""

    day: dt.date
    amount: Decimal
    balance: Decimal  # open balance before the step
    credit: CreditReason | None = None


def factor_invoices(world: World) -> None:
    """Each Friday the carrier sells the week's invoices of factored customers: one journal entry."""
    friday = world.first + dt.timedelta(days=(4 - world.first.weekday()) % 7)
    while world.in_month(friday):
        batch = [
            invoice
            for invoice in world.invoices
            if invoice.customer.factored
            and not invoice.closed
            and invoice.balance > 0
            and friday - dt.timedelta(days=7) < invoice.settled_from <= friday
        ]
        if batch:
            _factoring_entry(world, friday, batch)
        friday += dt.timedelta(days=7)


def _factoring_entry(world: World, day: dt.date, batch: list[OpenInvoice]) -> None:
    market = _data.CA
    total = sum((invoice.balance for invoice in batch), Decimal(0))
    fee = cents(total * FACTOR_FEE)
    lines = [
        JournalLine(
            account="receivable",
            credit=world.money(invoice.balance, market),
            entity=EntityRef(
                id=invoice.customer.ref.id, name=invoice.customer.ref.name, kind=EntityKind.CUSTOMER
            ),
            memo=f"Invoice {invoice.document.number} sold to factor",
        )
        for invoice in batch
    ]
    lines.append(
        JournalLine(account="BANK_CA", debit=world.money(total - fee, market), memo="Factor advance")
    )
    lines.append(
        JournalLine(account="factoring_fees", debit=world.money(fee, market), memo="Factoring fee 3%")
    )
    world.emit(
        day,
        JournalEntry(
            kind=Kind.JOURNAL_ENTRY,
            schema_version=1,
            id=world.next_id("JE"),
            version=1,
            company=market.company,
            date=day,
            currency=market.currency,
            memo=f"Factoring schedule {day.isoformat()}",
            purpose=JournalPurpose.FACTORING,
            lines=tuple(lines),
        ),
    )
    for invoice in batch:
        invoice.closed = True


def collect(world: World) -> None:
    """Plan each open invoice's payments and credits, then emit payments grouped by customer and day."""
    receipts: dict[tuple[dt.date, str, str], list[tuple[OpenInvoice, _Step]]] = {}
    for invoice in world.invoices:
        if invoice.closed or invoice.balance <= 0:
            continue
        for step in _plan(world, invoice):
            if step.credit is not None:
                _credit_memo(world, invoice, step)
            else:
                key = (step.day, invoice.customer.ref.id, invoice.document.currency)
                receipts.setdefault(key, []).append((invoice, step))
            invoice.balance = step.balance - step.amount
    for (day, _, _), items in sorted(receipts.items(), key=lambda item: item[0]):
        _payment(world, day, items)


def _plan(world: World, invoice: OpenInvoice) -> list[_Step]:
    rng, balance, start = world.rng, invoice.balance, invoice.settled_from
    roll = rng.random()
    steps: list[_Step] = []
    if roll < 0.01:
        day = start + dt.timedelta(days=20)
        return [_Step(day, balance, balance, CreditReason.WRITE_OFF)] if world.in_month(day) else []
    if roll < 0.03:
        disputed = min(cents(balance * Decimal(rng.randint(5, 10)) / 100), balance)
        steps.append(_Step(start + dt.timedelta(days=2), disputed, balance, CreditReason.DISPUTE))
        balance -= disputed
    pay_day = start + dt.timedelta(days=max(3, round(rng.gauss(13, 6))))
    if balance <= 0 or not world.in_month(pay_day):
        return [step for step in steps if world.in_month(step.day)]
    if 0.03 <= roll < 0.11:
        first = cents(balance * Decimal(rng.randint(40, 80)) / 100)
        steps.append(_Step(pay_day, first, balance))
        rest = pay_day + dt.timedelta(days=rng.randint(5, 10))
        if world.in_month(rest):
            steps.append(_Step(rest, balance - first, balance - first))
    elif 0.11 <= roll < 0.16 and balance > 200:
        short = Decimal(rng.randrange(25, 151, 5))
        steps.append(_Step(pay_day, balance - short, balance))
        credit_day = pay_day + dt.timedelta(days=2)
        if world.in_month(credit_day):
            steps.append(_Step(credit_day, short, short, CreditReason.SHORT_PAY))
    else:
        steps.append(_Step(pay_day, balance, balance))
    return [step for step in steps if world.in_month(step.day)]


_CREDIT_CODES = {
    CreditReason.WRITE_OFF: ("WRITE_OFF", "Uncollectible balance written off"),
    CreditReason.DISPUTE: ("ADJUSTMENT", "Rate dispute settled"),
    CreditReason.SHORT_PAY: ("ADJUSTMENT", "Short payment accepted"),
    CreditReason.REBILL: ("ADJUSTMENT", "Rebill"),
}


def _credit_memo(world: World, invoice: OpenInvoice, step: _Step) -> None:
    reason = step.credit or CreditReason.REBILL
    code, text = _CREDIT_CODES[reason]
    document = invoice.document
    market = _data.CA if document.currency == "CAD" else _data.US
    line = ChargeLine(
        charge_code=code,
        category=ChargeCategory.ADJUSTMENT,
        description=text,
        rate=step.amount,
        amount=world.money(step.amount, market),
    )
    memo = CreditMemo(
        kind=Kind.CREDIT_MEMO,
        schema_version=1,
        id=world.next_id("CM"),
        version=1,
        company=document.company,
        date=step.day,
        currency=document.currency,
        customer=invoice.customer.ref,
        invoice=document.id,
        reason=reason,
        lines=(line,),
        invoice_balance=world.money(step.balance, market),
    )
    world.emit(step.day, memo)


def _payment(world: World, day: dt.date, items: list[tuple[OpenInvoice, _Step]]) -> None:
    rng = world.rng
    first = items[0][0]
    market = _data.CA if first.document.currency == "CAD" else _data.US
    method = rng.choices(("ACH", "CHECK", "WIRE"), weights=(6, 3, 1))[0]
    reference = {"ACH": "ACH", "CHECK": "CHK ", "WIRE": "WIRE-"}[method] + str(rng.randint(10000, 999999))
    applications = tuple(
        InvoiceApplication(
            invoice=invoice.document.id,
            amount=world.money(step.amount, market),
            invoice_balance=world.money(step.balance, market),
        )
        for invoice, step in items
    )
    total = sum((step.amount for _, step in items), Decimal(0))
    payment = CustomerPayment(
        kind=Kind.CUSTOMER_PAYMENT,
        schema_version=1,
        id=world.next_id("PMT"),
        version=1,
        company=first.document.company,
        date=day,
        currency=first.document.currency,
        customer=first.customer.ref,
        amount=world.money(total, market),
        payment_method=method,
        reference=reference,
        deposit_account=market.bank_key if method == "WIRE" else None,
        applications=applications,
    )
    world.emit(day, payment)
