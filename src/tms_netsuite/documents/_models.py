"""The TMS accounting documents, one pydantic model per kind, and their discriminated union."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field, TypeAdapter

from tms_netsuite.documents._attachments import MAX_ATTACHMENTS, Attachment
from tms_netsuite.documents._common import (
    Address,
    BillRef,
    ChargeCategory,
    Code,
    CompanyKey,
    Consistent,
    CreditReason,
    CurrencyCode,
    DeductionCategory,
    DriverType,
    EntityRef,
    Frozen,
    JournalPurpose,
    Kind,
    Loc,
    LongText,
    Money,
    Name,
    NetSuiteId,
    PartyRef,
    Problem,
    Quantity,
    Rate,
    ShortText,
    Status,
    TmsId,
    TripType,
    Unit,
    VendorCreditReason,
    VendorRef,
    Version,
    field_names,
    walk_money,
)
from tms_netsuite.documents._currencies import minor_units

# Dates outside this window are typing errors (a year 2062 for 2026), not freight.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
MAX_LINES = 500


def _money_sum(amounts: Iterable[Money], currency: str) -> Money:
    return Money(amount=sum((m.amount for m in amounts), Decimal(0)), currency=currency)


def _fmt(money: Money) -> str:
    return f"{money.amount} {money.currency}"


def _positive(loc: Loc, money: Money | None, what: str) -> Iterator[Problem]:
    if money is not None and money.amount <= 0:
        yield loc, f"{what} must be positive, got {_fmt(money)}"


def _not_beyond(loc: Loc, applied: Money, limit: Money | None, what: str) -> Iterator[Problem]:
    if limit is not None and limit.currency == applied.currency and applied.amount > limit.amount:
        yield loc, f"applies {_fmt(applied)}, more than the {what} of {_fmt(limit)}"


def _duplicates(loc: Loc, keys: list[str], what: str) -> Iterator[Problem]:
    for key, count in Counter(keys).items():
        if count > 1:
            yield loc, f"{what} {key!r} appears {count} times; combine its amounts in one application"


class _Document(Consistent):
    """The envelope every document carries."""

    kind: Kind
    schema_version: Literal[1] = Field(description="Version of this document schema.")
    id: TmsId = Field(description="The document's id in the TMS; stable across versions.")
    version: Version = Field(description="A newer version of the same id supersedes an older one.")
    company: CompanyKey = Field(description="The TMS company (legal entity) the document belongs to.")
    status: Status = Status.ACTIVE


class _Entity(_Document):
    """Master data: a party that becomes a NetSuite customer or vendor."""

    name: Name
    currency: CurrencyCode
    terms: Code | None = None
    email: ShortText | None = None
    phone: ShortText | None = None
    netsuite_id: NetSuiteId | None = Field(
        default=None, description="The NetSuite internal id when the TMS already links this party."
    )
    other_companies: tuple[CompanyKey, ...] = Field(
        default=(), max_length=50, description="Further TMS companies that bill or pay this party."
    )

    def _problems(self) -> Iterator[Problem]:
        if self.company in self.other_companies:
            yield ("other_companies",), f"repeats the document's own company {self.company!r}"
        yield from _duplicates(("other_companies",), list(self.other_companies), "company")


class Customer(_Entity):
    """A bill-to customer (shipper or broker)."""

    kind: Literal[Kind.CUSTOMER]
    billing_address: Address | None = None


class Factor(Frozen):
    """The factoring company a carrier's receivables are assigned to (payments go there)."""

    name: Name
    remit_to: Address | None = None


class Carrier(_Entity):
    """A motor carrier a broker tenders loads to; a NetSuite vendor."""

    kind: Literal[Kind.CARRIER]
    mc_number: ShortText | None = None
    dot_number: ShortText | None = None
    remit_to: Address | None = None
    factoring_company: Factor | None = None


class Driver(_Entity):
    """A driver: owner-operators are vendors, company drivers are payroll."""

    kind: Literal[Kind.DRIVER]
    driver_type: DriverType
    address: Address | None = None


class _Transaction(_Document):
    """A document that posts to the ledger."""

    date: dt.date = Field(description="Transaction date in the company's time zone.")
    currency: CurrencyCode
    memo: LongText | None = None
    voided_on: dt.date | None = Field(default=None, description="Required when status is void.")

    # (earlier, later) field pairs that must not be out of order.
    DATE_ORDER: ClassVar[tuple[tuple[str, str], ...]] = (("date", "voided_on"),)

    def _problems(self) -> Iterator[Problem]:
        yield from self._date_problems()
        for loc, money in walk_money(self):
            if money.currency != self.currency:
                yield (
                    (*loc, "currency"),
                    f"currency {money.currency} differs from the document's {self.currency}",
                )
        if self.status is Status.VOID and self.voided_on is None:
            yield ("voided_on",), "a void document needs the date it was voided"
        if self.status is Status.ACTIVE and self.voided_on is not None:
            yield ("voided_on",), "an active document cannot have a void date"

    def _date_problems(self) -> Iterator[Problem]:
        values = {name: getattr(self, name) for name in field_names(type(self))}
        dates = {name: value for name, value in values.items() if isinstance(value, dt.date)}
        for name, value in dates.items():
            if not EARLIEST_DATE <= value <= LATEST_DATE:
                yield (name,), f"{value} is outside {EARLIEST_DATE.year}-{LATEST_DATE.year}"
        for earlier, later in self.DATE_ORDER:
            first, second = dates.get(earlier), dates.get(later)
            if first is not None and second is not None and second < first:
                yield (later,), f"{later} {second} is before {earlier} {first}"

    def _total(self, amounts: Iterable[Money]) -> Money:
        return _money_sum(amounts, self.currency)


class ChargeLine(Consistent):
    """A line by charge code: quantity × rate = amount (zero and negative lines are legal)."""

    charge_code: Code = Field(description="TMS charge code, e.g. LINEHAUL, FUEL_SURCHARGE, DETENTION.")
    category: ChargeCategory
    description: LongText | None = None
    quantity: Quantity = Decimal(1)
    unit: Unit | None = None
    rate: Rate
    amount: Money

    def _problems(self) -> Iterator[Problem]:
        places = minor_units(self.amount.currency)
        expected = (self.quantity * self.rate).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        # One minor unit of slack: TMSs round half-up or half-even.
        if abs(expected - self.amount.amount) > Decimal(1).scaleb(-places):
            yield ("amount", "amount"), f"{self.amount.amount} is not quantity × rate ({expected})"


class LoadReferences(Frozen):
    """The shipment numbers an invoice carries."""

    load_number: ShortText
    bol: ShortText | None = None
    po: ShortText | None = None
    pro: ShortText | None = None


class Invoice(_Transaction):
    """A customer freight invoice."""

    kind: Literal[Kind.INVOICE]
    number: ShortText = Field(description="The TMS invoice number; NetSuite tranId.")
    customer: PartyRef
    invoice_as: CompanyKey | None = Field(default=None, description="Billing company; defaults to company.")
    trip_type: TripType | None = None
    terms: Code | None = None
    due_date: dt.date | None = None
    references: LoadReferences
    lines: tuple[ChargeLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    supplemental_to: TmsId | None = Field(default=None, description="TMS id of the invoice this one adds to.")
    attachments: tuple[Attachment, ...] | None = Field(
        default=None,
        max_length=MAX_ATTACHMENTS,
        description="Files to attach to the NetSuite transaction (POD, BOL, rate confirmation).",
    )

    DATE_ORDER = (*_Transaction.DATE_ORDER, ("date", "due_date"))

    @property
    def total(self) -> Money:
        """Sum of the lines."""
        return self._total(line.amount for line in self.lines)

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        if self.supplemental_to == self.id:
            yield ("supplemental_to",), "an invoice cannot supplement itself"
        if self.total.amount < 0:
            yield ("lines",), f"total {_fmt(self.total)} is negative; send a credit_memo instead"


class CarrierBill(_Transaction):
    """A carrier's invoice for a trip (brokerage payable)."""

    kind: Literal[Kind.CARRIER_BILL]
    carrier: PartyRef
    tender_as: CompanyKey | None = Field(default=None, description="Paying company; defaults to company.")
    trip_type: TripType | None = None
    trip_number: ShortText
    load_number: ShortText
    carrier_invoice_number: ShortText = Field(description="NetSuite tranId.")
    terms: Code | None = None
    due_date: dt.date | None = None
    lines: tuple[ChargeLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    attachments: tuple[Attachment, ...] | None = Field(
        default=None,
        max_length=MAX_ATTACHMENTS,
        description="Files to attach to the NetSuite transaction (POD, BOL, rate confirmation).",
    )

    DATE_ORDER = (*_Transaction.DATE_ORDER, ("date", "due_date"))

    @property
    def total(self) -> Money:
        """Sum of the lines."""
        return self._total(line.amount for line in self.lines)

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        if self.total.amount < 0:
            yield ("lines",), f"total {_fmt(self.total)} is negative; send a vendor_credit instead"


class Deduction(Frozen):
    """An amount withheld from an owner-operator's pay."""

    code: Code
    category: DeductionCategory
    description: LongText | None = None
    amount: Money


class AmountLine(Frozen):
    """An advance recovered or an escrow contribution."""

    description: LongText | None = None
    reference: ShortText | None = None
    amount: Money


class DriverSettlement(_Transaction):
    """A driver's pay statement for a period."""

    kind: Literal[Kind.DRIVER_SETTLEMENT]
    number: ShortText = Field(description="Statement number; NetSuite tranId.")
    driver: PartyRef
    driver_type: DriverType
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date | None = None
    earnings: tuple[ChargeLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    deductions: tuple[Deduction, ...] = Field(default=(), max_length=MAX_LINES)
    advances_recovered: tuple[AmountLine, ...] = Field(default=(), max_length=MAX_LINES)
    escrow: tuple[AmountLine, ...] = Field(default=(), max_length=MAX_LINES)
    attachments: tuple[Attachment, ...] | None = Field(
        default=None,
        max_length=MAX_ATTACHMENTS,
        description="Files to attach to the NetSuite transaction (POD, BOL, rate confirmation).",
    )

    DATE_ORDER = (
        *_Transaction.DATE_ORDER,
        ("period_start", "period_end"),
        ("period_start", "date"),
        ("date", "due_date"),
    )

    @property
    def gross(self) -> Money:
        """Total earnings."""
        return self._total(line.amount for line in self.earnings)

    @property
    def withheld(self) -> Money:
        """Deductions, advances recovered and escrow together."""
        lines = (*self.advances_recovered, *self.escrow)
        return self._total((*(d.amount for d in self.deductions), *(line.amount for line in lines)))

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        yield from _positive(("earnings",), self.gross, "total earnings")
        for field in ("deductions", "advances_recovered", "escrow"):
            for index, line in enumerate(getattr(self, field)):
                yield from _positive((field, index, "amount", "amount"), line.amount, "amount")


class InvoiceApplication(Frozen):
    """Part of a payment applied to an invoice."""

    invoice: TmsId
    amount: Money
    invoice_balance: Money | None = Field(default=None, description="Open balance before this payment.")


class CustomerPayment(_Transaction):
    """Cash received from a customer, applied to invoices (partial payments allowed)."""

    kind: Literal[Kind.CUSTOMER_PAYMENT]
    customer: PartyRef
    amount: Money
    payment_method: Code
    reference: ShortText | None = None
    deposit_account: Code | None = Field(
        default=None, description="Key in [bank_accounts]; default clearing."
    )
    applications: tuple[InvoiceApplication, ...] = Field(default=(), max_length=MAX_LINES)

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        yield from _positive(("amount", "amount"), self.amount, "payment amount")
        for index, app in enumerate(self.applications):
            loc = ("applications", index, "amount", "amount")
            yield from _positive(loc, app.amount, "applied amount")
            yield from _not_beyond(loc, app.amount, app.invoice_balance, "invoice's open balance")
        yield from _duplicates(("applications",), [a.invoice for a in self.applications], "invoice")
        applied = self._total(app.amount for app in self.applications)
        yield from _not_beyond(("applications",), applied, self.amount, "payment amount")


class BillApplication(Frozen):
    """Part of a bill payment: the bill amount settled, and any quick-pay fee withheld from it."""

    bill: BillRef
    amount: Money = Field(description="Amount of the bill settled, fee included.")
    bill_balance: Money | None = None
    quick_pay_fee: Money | None = None


class BillPayment(_Transaction):
    """A payment to a carrier or owner-operator; quick pay withholds a fee."""

    kind: Literal[Kind.BILL_PAYMENT]
    payee: VendorRef
    amount: Money = Field(description="Cash paid: applications less quick-pay fees.")
    payment_method: Code
    reference: ShortText | None = None
    bank_account: Code | None = Field(default=None, description="Key in [bank_accounts]; default bank.")
    applications: tuple[BillApplication, ...] = Field(min_length=1, max_length=MAX_LINES)

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        for index, app in enumerate(self.applications):
            loc: Loc = ("applications", index)
            yield from _positive((*loc, "amount", "amount"), app.amount, "applied amount")
            yield from _not_beyond(
                (*loc, "amount", "amount"), app.amount, app.bill_balance, "bill's open balance"
            )
            fee = app.quick_pay_fee
            yield from _positive((*loc, "quick_pay_fee", "amount"), fee, "quick-pay fee")
            if fee is not None and fee.amount >= app.amount.amount:
                yield (*loc, "quick_pay_fee", "amount"), "quick-pay fee must be less than the amount settled"
        bills = [f"{a.bill.kind.value}:{a.bill.id}" for a in self.applications]
        yield from _duplicates(("applications",), bills, "bill")
        net = self._total(a.amount for a in self.applications).amount - self.fees.amount
        if net != self.amount.amount:
            yield ("amount", "amount"), f"{self.amount.amount} is not the applications less fees ({net})"

    @property
    def fees(self) -> Money:
        """Quick-pay fees across the applications."""
        return self._total(a.quick_pay_fee for a in self.applications if a.quick_pay_fee is not None)


class CreditMemo(_Transaction):
    """A credit to a customer against one invoice (rebill, short pay, dispute, write-off)."""

    kind: Literal[Kind.CREDIT_MEMO]
    number: ShortText | None = Field(
        default=None, description="NetSuite tranId; NetSuite numbers it if absent."
    )
    customer: PartyRef
    invoice: TmsId = Field(description="TMS id of the invoice the credit applies to.")
    reason: CreditReason
    lines: tuple[ChargeLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    invoice_balance: Money | None = None
    attachments: tuple[Attachment, ...] | None = Field(
        default=None,
        max_length=MAX_ATTACHMENTS,
        description="Files to attach to the NetSuite transaction (POD, BOL, rate confirmation).",
    )

    @property
    def total(self) -> Money:
        """Sum of the lines."""
        return self._total(line.amount for line in self.lines)

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        yield from _positive(("lines",), self.total, "credit total")
        yield from _not_beyond(("lines",), self.total, self.invoice_balance, "invoice's open balance")


class VendorCredit(_Transaction):
    """Money a carrier or owner-operator owes back against one bill (claims, chargebacks)."""

    kind: Literal[Kind.VENDOR_CREDIT]
    reference: ShortText | None = Field(default=None, description="NetSuite tranId.")
    vendor: VendorRef
    bill: BillRef
    reason: VendorCreditReason
    lines: tuple[ChargeLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    bill_balance: Money | None = None
    attachments: tuple[Attachment, ...] | None = Field(
        default=None,
        max_length=MAX_ATTACHMENTS,
        description="Files to attach to the NetSuite transaction (POD, BOL, rate confirmation).",
    )

    @property
    def total(self) -> Money:
        """Sum of the lines."""
        return self._total(line.amount for line in self.lines)

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        yield from _positive(("lines",), self.total, "credit total")
        yield from _not_beyond(("lines",), self.total, self.bill_balance, "bill's open balance")


class CustomerDeposit(_Transaction):
    """A customer's prepayment, held as a liability until applied to an invoice."""

    kind: Literal[Kind.CUSTOMER_DEPOSIT]
    customer: PartyRef
    amount: Money
    payment_method: Code
    reference: ShortText | None = None
    deposit_account: Code | None = None
    load_number: ShortText | None = None

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        yield from _positive(("amount", "amount"), self.amount, "deposit amount")


class DepositApplication(_Transaction):
    """A customer deposit applied to an invoice."""

    kind: Literal[Kind.DEPOSIT_APPLICATION]
    customer: PartyRef
    deposit: TmsId = Field(description="TMS id of the customer_deposit.")
    invoice: TmsId = Field(description="TMS id of the invoice.")
    amount: Money
    deposit_balance: Money | None = None
    invoice_balance: Money | None = None

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        loc: Loc = ("amount", "amount")
        yield from _positive(loc, self.amount, "applied amount")
        yield from _not_beyond(loc, self.amount, self.deposit_balance, "deposit's unapplied balance")
        yield from _not_beyond(loc, self.amount, self.invoice_balance, "invoice's open balance")


class JournalLine(Consistent):
    """One side of a journal entry: exactly one of debit or credit."""

    account: Code = Field(description="Key in the mapping's [journal_accounts], or an account role.")
    debit: Money | None = None
    credit: Money | None = None
    entity: EntityRef | None = None
    memo: LongText | None = None

    def _problems(self) -> Iterator[Problem]:
        if (self.debit is None) == (self.credit is None):
            yield ("debit",), "a journal line has exactly one of debit or credit"
        yield from _positive(("debit", "amount"), self.debit, "debit")
        yield from _positive(("credit", "amount"), self.credit, "credit")

    @property
    def signed(self) -> Decimal:
        """Debit positive, credit negative."""
        if self.debit is not None:
            return self.debit.amount
        return -self.credit.amount if self.credit is not None else Decimal(0)


class JournalEntry(_Transaction):
    """A balanced entry within one company: accruals, factoring, escrow, advances."""

    kind: Literal[Kind.JOURNAL_ENTRY]
    purpose: JournalPurpose
    reversal_date: dt.date | None = Field(
        default=None, description="NetSuite reverses the entry on this date."
    )
    lines: tuple[JournalLine, ...] = Field(min_length=2, max_length=1000)

    DATE_ORDER = (*_Transaction.DATE_ORDER, ("date", "reversal_date"))

    def _problems(self) -> Iterator[Problem]:
        yield from super()._problems()
        imbalance = sum((line.signed for line in self.lines), Decimal(0))
        if imbalance != 0:
            debits = sum((line.debit.amount for line in self.lines if line.debit), Decimal(0))
            yield (
                ("lines",),
                f"unbalanced: debits {debits} and credits {debits - imbalance} differ by {imbalance}",
            )


Document = Annotated[
    Customer
    | Carrier
    | Driver
    | Invoice
    | CarrierBill
    | DriverSettlement
    | CustomerPayment
    | BillPayment
    | CreditMemo
    | VendorCredit
    | CustomerDeposit
    | DepositApplication
    | JournalEntry,
    Field(discriminator="kind"),
]
"""Any TMS document; the `kind` field selects the model."""

DOCUMENT_ADAPTER: TypeAdapter[Document] = TypeAdapter(Document)

MODELS: dict[Kind, type[_Document]] = {
    Kind(get_args(model.model_fields["kind"].annotation)[0]): model
    for model in (
        Customer,
        Carrier,
        Driver,
        Invoice,
        CarrierBill,
        DriverSettlement,
        CustomerPayment,
        BillPayment,
        CreditMemo,
        VendorCredit,
        CustomerDeposit,
        DepositApplication,
        JournalEntry,
    )
}
