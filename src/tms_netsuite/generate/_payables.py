"""Cash out: claims against carriers, owner-operator and company-driver settlements, bill payments (quick
pay withholds a fee), and the month-end accrual for carrier invoices not yet received."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from tms_netsuite.documents import (
    AmountLine,
    BillApplication,
    BillKind,
    BillPayment,
    BillRef,
    ChargeCategory,
    ChargeLine,
    Deduction,
    DeductionCategory,
    DriverSettlement,
    DriverType,
    JournalEntry,
    JournalLine,
    JournalPurpose,
    Kind,
    VendorCredit,
    VendorCreditReason,
    VendorKind,
    VendorRef,
)
from tms_netsuite.generate import _data
from tms_netsuite.generate._world import OpenBill, Week, World, cents

QUICK_PAY_FEE = Decimal("0.02")
FUEL_PER_MILE = Decimal("0.94")  # CAD: ~6.5 mpg at ~6.10 CAD a US gallon
SETTLEMENT_PAY_DAYS = 2


def claims(world: World) -> None:
    """A few carrier bills draw a cargo claim or a late-delivery chargeback the day after."""
    for bill in world.bills:
        if bill.kind is not BillKind.CARRIER_BILL or world.rng.random() >= 0.05:
            continue
        day = bill.date + dt.timedelta(days=1)
        cargo = world.rng.random() < 0.6
        amount = min(Decimal(world.rng.randrange(150, 601, 25) if cargo else 100), cents(bill.balance / 2))
        if not world.in_month(day) or amount <= 0:
            continue
        code, text = ("CARGO_CLAIM", "Damaged pallets") if cargo else ("LATE_DELIVERY", "Missed appointment")
        line = ChargeLine(
            charge_code=code,
            category=ChargeCategory.CLAIM,
            description=text,
            rate=amount,
            amount=world.money(amount, bill.market),
        )
        credit = VendorCredit(
            kind=Kind.VENDOR_CREDIT,
            schema_version=1,
            id=world.next_id("VC"),
            version=1,
            company=bill.market.company,
            date=day,
            currency=bill.market.currency,
            reference=f"CLM-{world.rng.randint(1000, 9999)}",
            vendor=bill.payee,
            bill=BillRef(kind=bill.kind, id=bill.id),
            reason=VendorCreditReason.CARGO_CLAIM if cargo else VendorCreditReason.CHARGEBACK,
            lines=(line,),
            bill_balance=world.money(bill.balance, bill.market),
        )
        world.emit(day, credit)
        bill.balance -= amount
        bill.date = day  # payments follow the claim


def settle(world: World) -> None:
    """Weekly statements (Monday to Sunday, issued the Wednesday after) for every driver who moved freight."""
    for (_, start), week in sorted(world.weeks.items(), key=lambda item: (item[0][1], item[0][0])):
        statement = start + dt.timedelta(days=9)
        if not world.in_month(statement) or not week.lines:
            continue
        _settlement(world, week, statement)


def _settlement(world: World, week: Week, statement: dt.date) -> None:
    driver, market = week.driver, _data.CA
    owner = driver.owner_operator
    escrow = (
        (AmountLine(description="Weekly escrow", amount=world.money(Decimal(50), market)),)
        if owner and driver.escrow
        else ()
    )
    advances = (
        (AmountLine(description="E-check advance recovered", amount=world.money(week.advance, market)),)
        if owner and week.advance
        else ()
    )
    document = DriverSettlement(
        kind=Kind.DRIVER_SETTLEMENT,
        schema_version=1,
        id=f"ST-{driver.ref.id}-{week.start.strftime('%Y%m%d')}",
        version=1,
        company=market.company,
        date=statement,
        currency=market.currency,
        number=world.next_id("S"),
        driver=driver.ref,
        driver_type=DriverType.OWNER_OPERATOR if owner else DriverType.COMPANY,
        period_start=week.start,
        period_end=week.start + dt.timedelta(days=6),
        due_date=statement + dt.timedelta(days=SETTLEMENT_PAY_DAYS),
        earnings=tuple(week.lines),
        deductions=tuple(_deductions(world, week)) if owner else (),
        advances_recovered=advances,
        escrow=escrow,
    )
    world.emit(statement, document)
    if owner:
        balance = document.gross.amount - min(document.withheld.amount, document.gross.amount)
        payee = VendorRef(id=driver.ref.id, name=driver.ref.name, kind=VendorKind.DRIVER)
        bill = OpenBill(
            document.id, BillKind.DRIVER_SETTLEMENT, payee, market, statement, balance, SETTLEMENT_PAY_DAYS
        )
        world.bills.append(bill)


def _deductions(world: World, week: Week) -> Iterator[Deduction]:
    market = _data.CA

    def deduction(code: str, category: DeductionCategory, amount: Decimal, text: str) -> Deduction:
        return Deduction(code=code, category=category, description=text, amount=world.money(amount, market))

    if week.miles:
        fuel = cents(Decimal(week.miles) * FUEL_PER_MILE * Decimal(world.rng.randint(85, 110)) / 100)
        yield deduction("FUEL_CARD", DeductionCategory.FUEL, fuel, "Fuel card purchases")
    yield deduction("INSURANCE", DeductionCategory.INSURANCE, Decimal(95), "Occupational accident insurance")
    if week.driver.trailer_rent:
        yield deduction("TRAILER_RENT", DeductionCategory.EQUIPMENT, Decimal(175), "Trailer rental")
    yield deduction("ELD", DeductionCategory.OTHER, Decimal(15), "ELD subscription")


def pay_bills(world: World) -> None:
    """Quick pay a day or three after the bill, less the fee; everything else on its due date."""
    runs: dict[tuple[dt.date, str, str, str], list[tuple[OpenBill, Decimal | None]]] = {}
    for bill in world.bills:
        if bill.balance <= 0:
            continue
        if bill.quick_pay:
            day = bill.date + dt.timedelta(days=world.rng.randint(1, 3))
            fee: Decimal | None = cents(bill.balance * QUICK_PAY_FEE)
        else:
            day, fee = bill.date + dt.timedelta(days=bill.terms_days), None
        if world.in_month(day):
            # A quick pay is its own payment; due bills of one payee on one day share a payment run.
            group = bill.id if fee is not None else ""
            runs.setdefault((day, bill.payee.kind.value, bill.payee.id, group), []).append((bill, fee))
    for (day, *_), items in sorted(runs.items(), key=lambda item: item[0]):
        _bill_payment(world, day, items)


def _bill_payment(world: World, day: dt.date, items: list[tuple[OpenBill, Decimal | None]]) -> None:
    first = items[0][0]
    market = first.market
    method = "ACH" if world.rng.random() < 0.8 else "CHECK"
    applications = tuple(
        BillApplication(
            bill=BillRef(kind=bill.kind, id=bill.id),
            amount=world.money(bill.balance, market),
            bill_balance=world.money(bill.balance, market),
            quick_pay_fee=world.money(fee, market) if fee else None,
        )
        for bill, fee in items
    )
    net = sum((bill.balance - (fee or 0) for bill, fee in items), Decimal(0))
    payment = BillPayment(
        kind=Kind.BILL_PAYMENT,
        schema_version=1,
        id=world.next_id("BP"),
        version=1,
        company=market.company,
        date=day,
        currency=market.currency,
        payee=first.payee,
        amount=world.money(net, market),
        payment_method=method,
        reference=f"{'ACH' if method == 'ACH' else 'CHK '}{world.rng.randint(10000, 999999)}",
        bank_account=market.bank_key if world.rng.random() < 0.2 else None,
        applications=applications,
        memo="Quick pay" if items[0][1] else None,
    )
    world.emit(day, payment)
    for bill, _ in items:
        bill.balance = Decimal(0)


def accrue(world: World) -> None:
    """Month-end accrual of carrier costs for delivered loads whose carrier invoice has not arrived; NetSuite
    reverses it on the first of next month."""
    if not world.unbilled:
        return
    market = _data.US
    total = sum((cost for _, cost in world.unbilled), Decimal(0))
    lines = [
        JournalLine(
            account="PURCHASED_TRANSPORTATION", debit=world.money(cost, market), memo=f"Load {number}"
        )
        for number, cost in world.unbilled
    ]
    lines.append(
        JournalLine(account="ACCRUED_PT", credit=world.money(total, market), memo="Unbilled carrier costs")
    )
    entry = JournalEntry(
        kind=Kind.JOURNAL_ENTRY,
        schema_version=1,
        id=world.next_id("JE"),
        version=1,
        company=market.company,
        date=world.last,
        currency=market.currency,
        memo="Accrued purchased transportation",
        purpose=JournalPurpose.ACCRUAL,
        reversal_date=world.last + dt.timedelta(days=1),
        lines=tuple(lines),
    )
    world.emit(world.last, entry)
