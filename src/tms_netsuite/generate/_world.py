"""The generator's state: a seeded random source, the month, the documents so far and open balances.

The generated business is two TMS companies.

FCUS is a US brokerage (USD): it invoices shippers and pays carriers, some by quick pay. FCCA is a
Canadian asset carrier (CAD): it invoices shippers, factors some invoices, and settles weekly with
owner-operators (deductions, escrow, advances) and company drivers. Balances are tracked so no payment,
credit or deposit application ever exceeds what is open.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tms_netsuite.documents import (
    BillKind,
    ChargeCategory,
    ChargeLine,
    Document,
    Invoice,
    Kind,
    Money,
    PartyRef,
    Unit,
    VendorRef,
)
from tms_netsuite.generate._data import Market

CENT = Decimal("0.01")
UNITS = {"LINEHAUL": Unit.MILE, "FUEL_SURCHARGE": Unit.MILE, "DETENTION": Unit.HOUR, "STOP_OFF": Unit.STOP}
TERMS_DAYS = {"NET15": 15, "NET30": 30, "NET45": 45, "DUE_ON_RECEIPT": 0}
# Same-day documents are emitted in this order, so a reader meets what a document refers to first.
PHASES = {
    Kind.CUSTOMER: 0,
    Kind.CARRIER: 0,
    Kind.DRIVER: 0,
    Kind.CUSTOMER_DEPOSIT: 1,
    Kind.JOURNAL_ENTRY: 1,
    Kind.INVOICE: 2,
    Kind.CARRIER_BILL: 2,
    Kind.DRIVER_SETTLEMENT: 2,
    Kind.CREDIT_MEMO: 3,
    Kind.VENDOR_CREDIT: 3,
    Kind.DEPOSIT_APPLICATION: 4,
    Kind.CUSTOMER_PAYMENT: 5,
    Kind.BILL_PAYMENT: 5,
}


def cents(value: Decimal) -> Decimal:
    """Rounded to the cent, half up, as TMSs print money."""
    return value.quantize(CENT, ROUND_HALF_UP)


def parse_month(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``YYYY-MM`` month.

    Raises:
        ValueError: for anything else.
    """
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"month must look like 2026-10, got {month!r}") from None
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class Party:
    """A generated party and the generator's private facts about it."""

    ref: PartyRef
    market: Market
    terms: str
    quick_pay: bool = False
    factored: bool = False
    owner_operator: bool = True
    escrow: bool = False
    trailer_rent: bool = False


@dataclass
class OpenInvoice:
    """An invoice as the generator tracks it."""

    document: Invoice
    customer: Party
    balance: Decimal
    settled_from: dt.date  # payments and credits come after any later version
    closed: bool = False


@dataclass
class OpenBill:
    """A payable (carrier bill or settlement) as the generator tracks it."""

    id: str
    kind: BillKind
    payee: VendorRef
    market: Market
    date: dt.date
    balance: Decimal
    terms_days: int
    quick_pay: bool = False


@dataclass
class Week:
    """A driver's loads delivered in one settlement week."""

    driver: Party
    start: dt.date
    lines: list[ChargeLine] = field(default_factory=list)
    miles: int = 0
    advance: Decimal = Decimal(0)


class World:
    """The month being generated: its random source, calendar, documents so far and open balances."""

    def __init__(self, loads: int, seed: int, month: str) -> None:
        if loads < 0:
            raise ValueError("loads must be zero or more")
        self.rng = random.Random(seed)
        self.first, self.last = parse_month(month)
        self.tag = self.first.strftime("%y%m")
        self.loads = loads
        self.events: list[tuple[dt.date, int, int, Document]] = []
        self.order = itertools.count()
        self.counters: dict[str, Iterator[int]] = {}
        self.invoices: list[OpenInvoice] = []
        self.bills: list[OpenBill] = []
        self.weeks: dict[tuple[str, dt.date], Week] = {}
        self.unbilled: list[tuple[str, Decimal]] = []  # (load number, expected carrier cost) at month end
        self.customers: dict[str, list[Party]] = {}
        self.carriers: list[Party] = []
        self.drivers: list[Party] = []

    # -- plumbing ---------------------------------------------------------------------------------

    def emit(self, day: dt.date, document: Document) -> None:
        self.events.append((day, PHASES[document.kind], next(self.order), document))

    def next_id(self, prefix: str) -> str:
        counter = self.counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}-{self.tag}-{next(counter):04d}"

    def day(self, low: int, high: int) -> dt.date:
        return self.first + dt.timedelta(days=self.rng.randint(low, high) - 1)

    def in_month(self, day: dt.date) -> bool:
        return day <= self.last

    def money(self, amount: Decimal, market: Market) -> Money:
        return Money(amount=cents(amount), currency=market.currency)

    def line(
        self,
        market: Market,
        code: str,
        category: str,
        quantity: Decimal,
        rate: Decimal,
        text: str | None = None,
    ) -> ChargeLine:
        amount = cents(quantity * rate)
        return ChargeLine(
            charge_code=code,
            category=ChargeCategory(category),
            description=text,
            quantity=quantity,
            unit=UNITS.get(code, Unit.EACH) if quantity != 1 else Unit.FLAT,
            rate=rate,
            amount=self.money(amount, market),
        )

    def uniform(self, low: Decimal, high: Decimal) -> Decimal:
        return cents(low + (high - low) * Decimal(str(round(self.rng.random(), 4))))

    def documents(self) -> Iterator[Document]:
        self.events.sort(key=lambda event: event[:3])
        for _, _, _, document in self.events:
            yield document
