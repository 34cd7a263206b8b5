"""Loads and what they bill: invoices (with accessorials, zero and negative lines, later versions, voids),
customer deposits, carrier bills for brokered loads, and driver pay for the carrier's own loads."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from tms_netsuite.documents import (
    BillKind,
    CarrierBill,
    ChargeLine,
    CustomerDeposit,
    DepositApplication,
    EntityKind,
    EntityRef,
    Invoice,
    JournalEntry,
    JournalLine,
    JournalPurpose,
    Kind,
    LoadReferences,
    Status,
    VendorRef,
)
from tms_netsuite.generate import _data
from tms_netsuite.generate._data import Lane, Market
from tms_netsuite.generate._world import TERMS_DAYS, OpenBill, OpenInvoice, Party, Week, World, cents

MILES_PER_DAY = 550


@dataclass(frozen=True)
class Load:
    """One shipment: who, where, when, and what the customer is charged."""

    number: str
    market: Market
    lane: Lane
    customer: Party
    pickup: dt.date
    delivery: dt.date
    lines: tuple[ChargeLine, ...]
    tonu: bool

    def amount(self, *codes: str) -> Decimal:
        """Total of the customer lines with these charge codes."""
        return sum((line.amount.amount for line in self.lines if line.charge_code in codes), Decimal(0))


def make_loads(world: World) -> None:
    """Every load of the month, with everything it bills."""
    for index in range(1, world.loads + 1):
        use_ca = world.rng.random() < 0.4
        market = _data.CA if use_ca else _data.US
        lane = world.rng.choice(market.lanes)
        pickup = world.day(1, (world.last - world.first).days - 1)
        delivery = pickup + dt.timedelta(days=max(1, math.ceil(lane.miles / MILES_PER_DAY)))
        tonu = world.rng.random() < 0.02
        load = Load(
            number=f"L{world.tag}-{index:04d}",
            market=market,
            lane=lane,
            customer=world.rng.choice(world.customers[market.company]),
            pickup=pickup,
            delivery=delivery,
            lines=tuple(_invoice_lines(world, market, lane, tonu)),
            tonu=tonu,
        )
        deposit = market is _data.US and world.rng.random() < 0.06
        cancelled = _bill_customer(world, load, deposit)
        if market is _data.US:
            _carrier_bill(world, load, cancelled)
        elif cancelled is None:
            _driver_pay(world, load)


def _invoice_lines(world: World, market: Market, lane: Lane, tonu: bool) -> list[ChargeLine]:
    if tonu:
        return [
            world.line(market, "TONU", "accessorial", Decimal(1), Decimal(250), "Truck ordered, not used")
        ]
    low, high = market.short_haul_rate if lane.miles < 300 else market.rate_per_mile
    miles = Decimal(lane.miles)
    lines = [
        world.line(
            market,
            "LINEHAUL",
            "linehaul",
            miles,
            world.uniform(low, high),
            f"{lane.origin} to {lane.destination}",
        ),
        world.line(market, "FUEL_SURCHARGE", "fuel_surcharge", miles, market.fuel_surcharge_per_mile),
    ]
    for code, category, rate_kind, low_rate, high_rate, chance in _data.ACCESSORIALS:
        if world.rng.random() >= chance:
            continue
        quantity = Decimal(
            world.rng.randint(2, 5)
            if rate_kind == "hourly"
            else world.rng.randint(1, 2)
            if rate_kind == "each"
            else 1
        )
        rate = Decimal(world.rng.randrange(int(low_rate), int(high_rate) + 1, 5))
        lines.append(world.line(market, code, category, quantity, rate))
    if world.rng.random() < 0.2:  # carrier-pay accessorials show on the customer invoice at zero
        lines.append(
            world.line(
                market,
                "DRIVER_ASSIST",
                "accessorial",
                Decimal(1),
                Decimal(0),
                "Driver assist (carrier pay only)",
            )
        )
    if world.rng.random() < 0.03:
        discount = Decimal(world.rng.randrange(25, 101, 5))
        lines.append(world.line(market, "ADJUSTMENT", "adjustment", Decimal(1), -discount, "Volume discount"))
    return lines


def _bill_customer(world: World, load: Load, deposit: bool) -> dt.date | None:
    """Invoice the load; returns the cancellation date when the load was cancelled and its invoice voided."""
    invoice_date = load.delivery + dt.timedelta(days=world.rng.choice((0, 0, 1)))
    if not world.in_month(invoice_date):
        return None
    market, customer = load.market, load.customer
    rng = world.rng
    references = LoadReferences(
        load_number=load.number,
        bol=f"BOL{rng.randint(1000000, 9999999)}",
        po=f"PO-{rng.randint(40000, 99999)}" if rng.random() < 0.7 else None,
        pro=f"PRO{rng.randint(100000, 999999)}" if rng.random() < 0.5 else None,
    )
    invoice = Invoice(
        kind=Kind.INVOICE,
        schema_version=1,
        id=f"INV-{load.number}",
        version=1,
        company=market.company,
        date=invoice_date,
        currency=market.currency,
        memo=f"{load.lane.origin} to {load.lane.destination}, {load.lane.miles} mi",
        number=f"T{load.number[1:]}",
        customer=customer.ref,
        terms=customer.terms,
        due_date=invoice_date + dt.timedelta(days=TERMS_DAYS[customer.terms]),
        references=references,
        lines=load.lines,
    )
    if deposit and load.pickup - dt.timedelta(days=2) >= world.first:
        _deposit(world, load, invoice)
        return None
    world.emit(invoice_date, invoice)
    return _revise(world, load, invoice)


def _revise(world: World, load: Load, invoice: Invoice) -> dt.date | None:
    """Most invoices stand; a few get a later version with detention added, a few are voided."""
    roll = world.rng.random()
    later = invoice.date + dt.timedelta(days=world.rng.randint(1, 3))
    if roll < 0.025 and world.in_month(later):
        void = invoice.model_copy(update={"version": 2, "status": Status.VOID, "voided_on": later})
        world.emit(later, Invoice.model_validate(void.model_dump()))
        return later
    if roll < 0.075 and world.in_month(later) and not load.tonu:
        detention = world.line(
            load.market, "DETENTION", "accessorial", Decimal(world.rng.randint(2, 4)), Decimal(75)
        )
        revised = invoice.model_copy(update={"version": 2, "lines": (*invoice.lines, detention)})
        invoice = Invoice.model_validate(revised.model_dump())
        world.emit(later, invoice)
        world.invoices.append(OpenInvoice(invoice, load.customer, invoice.total.amount, later))
        return None
    world.invoices.append(OpenInvoice(invoice, load.customer, invoice.total.amount, invoice.date))
    return None


def _deposit(world: World, load: Load, invoice: Invoice) -> None:
    """A prepaying customer: a deposit before pickup, applied to the invoice when it is issued."""
    total = invoice.total.amount
    amount = Decimal(int(total // 100) * 100)
    world.emit(invoice.date, invoice)
    if amount <= 0:
        world.invoices.append(OpenInvoice(invoice, load.customer, total, invoice.date))
        return
    market, when = load.market, load.pickup - dt.timedelta(days=2)
    deposit = CustomerDeposit(
        kind=Kind.CUSTOMER_DEPOSIT,
        schema_version=1,
        id=world.next_id("DEP"),
        version=1,
        company=market.company,
        date=when,
        currency=market.currency,
        customer=load.customer.ref,
        amount=world.money(amount, market),
        payment_method="WIRE",
        reference=f"WIRE-{world.rng.randint(100000, 999999)}",
        deposit_account=market.bank_key,
        load_number=load.number,
    )
    world.emit(when, deposit)
    application = DepositApplication(
        kind=Kind.DEPOSIT_APPLICATION,
        schema_version=1,
        id=world.next_id("DA"),
        version=1,
        company=market.company,
        date=invoice.date,
        currency=market.currency,
        customer=load.customer.ref,
        deposit=deposit.id,
        invoice=invoice.id,
        amount=world.money(amount, market),
        deposit_balance=world.money(amount, market),
        invoice_balance=world.money(total, market),
    )
    world.emit(invoice.date, application)
    world.invoices.append(OpenInvoice(invoice, load.customer, total - amount, invoice.date))


def _carrier_bill(world: World, load: Load, cancelled: dt.date | None) -> None:
    """The carrier's invoice for a brokered load, or an accrual when it has not arrived by month end."""
    carrier = world.rng.choice(world.carriers)
    lines = _carrier_lines(world, load)
    bill_date = load.delivery + dt.timedelta(days=world.rng.randint(1, 5))
    total = sum((line.amount.amount for line in lines), Decimal(0))
    if not world.in_month(bill_date):
        if cancelled is None:
            world.unbilled.append((load.number, total))
        return
    initials = "".join(word[0] for word in carrier.ref.name.split()[:2]).upper()
    bill = CarrierBill(
        kind=Kind.CARRIER_BILL,
        schema_version=1,
        id=f"CB-{load.number}",
        version=1,
        company=load.market.company,
        date=bill_date,
        currency=load.market.currency,
        carrier=carrier.ref,
        trip_number=f"TR{load.number[1:]}",
        load_number=load.number,
        carrier_invoice_number=f"{initials}{world.rng.randint(10000, 99999)}",
        terms=carrier.terms,
        due_date=bill_date + dt.timedelta(days=TERMS_DAYS[carrier.terms]),
        lines=tuple(lines),
    )
    world.emit(bill_date, bill)
    if cancelled is not None:
        voided_on = max(bill_date, cancelled) + dt.timedelta(days=1)
        if world.in_month(voided_on):
            void = bill.model_copy(update={"version": 2, "status": Status.VOID, "voided_on": voided_on})
            world.emit(voided_on, CarrierBill.model_validate(void.model_dump()))
        return
    payee = VendorRef(id=carrier.ref.id, name=carrier.ref.name)
    terms = TERMS_DAYS[carrier.terms]
    world.bills.append(
        OpenBill(
            bill.id, BillKind.CARRIER_BILL, payee, load.market, bill_date, total, terms, carrier.quick_pay
        )
    )


def _carrier_lines(world: World, load: Load) -> list[ChargeLine]:
    market, one = load.market, Decimal(1)
    if load.tonu:
        return [world.line(market, "TONU", "accessorial", one, Decimal(150), "Truck ordered, not used")]
    margin = Decimal(world.rng.randint(80, 88)) / 100
    all_in = cents(load.amount("LINEHAUL", "FUEL_SURCHARGE") * margin)
    lines = [world.line(market, "LINEHAUL", "linehaul", one, all_in, "All-in rate")]
    for line in load.lines:
        if line.charge_code == "LUMPER":  # the carrier paid the lumper; reimbursed at cost
            lines.append(
                world.line(market, "LUMPER", "accessorial", one, line.amount.amount, "Lumper receipt")
            )
        elif line.charge_code in ("DETENTION", "STOP_OFF"):
            lines.append(world.line(market, line.charge_code, "accessorial", line.quantity, Decimal(50)))
    if world.rng.random() < 0.15:
        lines.append(
            world.line(market, "TOLLS", "accessorial", one, Decimal(world.rng.randint(18, 65)), "Tolls")
        )
    return lines


def _driver_pay(world: World, load: Load) -> None:
    """The carrier's own load: pay lines to the driver's settlement week, sometimes an advance."""
    driver = world.rng.choice(world.drivers)
    start = load.delivery - dt.timedelta(days=load.delivery.weekday())
    week = world.weeks.setdefault((driver.ref.id, start), Week(driver, start))
    week.lines.extend(_pay_lines(world, load, driver))
    week.miles += 0 if load.tonu else load.lane.miles
    if driver.owner_operator and not load.tonu and world.rng.random() < 0.15:
        week.advance += _advance(world, load, driver)


def _pay_lines(world: World, load: Load, driver: Party) -> list[ChargeLine]:
    market, miles, one = load.market, Decimal(load.lane.miles), Decimal(1)
    trip = f"Load {load.number}, {load.lane.origin} to {load.lane.destination}"
    if load.tonu:
        return [
            world.line(
                market, "TONU", "accessorial", one, Decimal(150 if driver.owner_operator else 50), trip
            )
        ]
    if not driver.owner_operator:
        return [world.line(market, "LINEHAUL", "linehaul", miles, Decimal("0.62"), trip)]
    lines = [
        world.line(
            market, "LINEHAUL", "linehaul", miles, world.uniform(Decimal("1.95"), Decimal("2.25")), trip
        ),
        world.line(market, "FUEL_SURCHARGE", "fuel_surcharge", miles, market.fuel_surcharge_per_mile),
    ]
    for line in load.lines:
        if line.charge_code == "LUMPER":
            lines.append(
                world.line(market, "LUMPER", "accessorial", one, line.amount.amount, "Lumper reimbursement")
            )
        elif line.charge_code == "DETENTION":
            lines.append(world.line(market, "DETENTION", "accessorial", line.quantity, Decimal(40)))
    if world.rng.random() < 0.2:
        lines.append(
            world.line(
                market, "TOLLS", "accessorial", one, Decimal(world.rng.randint(12, 48)), "Toll reimbursement"
            )
        )
    return lines


def _advance(world: World, load: Load, driver: Party) -> Decimal:
    """An e-check advance at pickup: receivable from the owner-operator until his settlement recovers it."""
    amount = Decimal(world.rng.randrange(200, 501, 50))
    market = load.market
    entity = EntityRef(id=driver.ref.id, name=driver.ref.name, kind=EntityKind.DRIVER)
    entry = JournalEntry(
        kind=Kind.JOURNAL_ENTRY,
        schema_version=1,
        id=world.next_id("JE"),
        version=1,
        company=market.company,
        date=load.pickup,
        currency=market.currency,
        memo=f"E-check advance, load {load.number}",
        purpose=JournalPurpose.ADVANCE,
        lines=(
            JournalLine(
                account="advances", debit=world.money(amount, market), entity=entity, memo="Driver advance"
            ),
            JournalLine(
                account="BANK_CA",
                credit=world.money(amount, market),
                memo=f"E-check {world.rng.randint(10000, 99999)}",
            ),
        ),
    )
    world.emit(load.pickup, entry)
    return amount
