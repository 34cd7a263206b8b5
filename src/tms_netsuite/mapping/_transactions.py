"""The transaction builders: one per transaction kind, the NetSuite records such a document becomes, and the
body helpers the entity builders share.

Builders return records even when resolutions failed (with None in place of references); `translate`
discards them when the context holds errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tms_netsuite.documents import (
    BillPayment,
    BillRef,
    CarrierBill,
    ChargeLine,
    CreditMemo,
    CustomerDeposit,
    CustomerPayment,
    DepositApplication,
    DriverSettlement,
    DriverType,
    EntityKind,
    Invoice,
    JournalEntry,
    Kind,
    Status,
    VendorCredit,
    VendorKind,
)
from tms_netsuite.mapping._config import AccountRole, BillApproval, BillNumber, Book, CompanyDriverSettlements
from tms_netsuite.mapping._context import Context, Ref, Route, memo, number, posting_company
from tms_netsuite.mapping._records import NetSuiteWrite, Operation, RecordKey, RecordType
from tms_netsuite.mapping._reference import ListKind

Body = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Skip:
    """A builder's decision that the document becomes nothing."""

    reason: str


Built = list[NetSuiteWrite] | Skip

_REFERENCE_LABELS = {"load_number": "Load", "bol": "BOL", "pro": "PRO"}


def clean(body: Body) -> Body:
    """The body without unset fields (NetSuite keeps its defaults for omitted fields)."""
    return {key: value for key, value in body.items() if value is not None}


def header(ctx: Context, route: Route, date: dt.date, ledger: AccountRole | None = None) -> Body:
    """Fields every transaction starts with; `ledger` names the A/R or A/P account it posts to."""
    body: Body = {"subsidiary": route.ref, "currency": ctx.currency(), "tranDate": date.isoformat()}
    if ledger is not None:
        body["account"] = ctx.account(route, ledger, "$.company")
    return body


def references(ctx: Context, values: dict[str, str | None]) -> tuple[Body, list[str]]:
    """Load number, BOL and PRO: to their mapped body fields, or to memo notes."""
    body: Body = {}
    notes: list[str] = []
    for role, value in values.items():
        if value is None:
            continue
        target = getattr(ctx.config.body_fields, role)
        if target == "memo":
            notes.append(f"{_REFERENCE_LABELS[role]} {value}")
        else:
            body[target] = value
    return body, notes


def sublist(lines: Sequence[Body]) -> Body:
    """A REST sublist body."""
    return {"items": list(lines)}


def apply_line(doc: Ref, amount: float) -> Body:
    """One line of an ``apply`` sublist."""
    return {"doc": doc, "apply": True, "amount": amount}


def item_lines(ctx: Context, route: Route, lines: Sequence[ChargeLine]) -> list[Body]:
    """Invoice and credit-memo lines by charge code → item."""
    result = []
    for index, line in enumerate(lines):
        target = ctx.charge(
            route, Book.RECEIVABLE, line.charge_code, line.category, f"$.lines[{index}].charge_code"
        )
        result.append(
            clean(
                {
                    **(target or {}),
                    "quantity": number(line.quantity),
                    "rate": number(line.rate),
                    "amount": number(line.amount.amount),
                    "description": line.description or line.charge_code,
                }
            )
        )
    return result


def expense_lines(
    ctx: Context, route: Route, book: Book, lines: Sequence[ChargeLine], field: str
) -> list[Body]:
    """Bill and credit lines by charge code → account or expense category."""
    result = []
    for index, line in enumerate(lines):
        target = ctx.charge(route, book, line.charge_code, line.category, f"$.{field}[{index}].charge_code")
        memo_text = line.description or line.charge_code
        result.append({**(target or {}), "amount": number(line.amount.amount), "memo": memo_text})
    return result


def approval(ctx: Context) -> Body:
    """A new vendor bill's approval status: Approved when the account routes bills for approval and the mapping
    says the integration approves its own (``approvalStatus`` 2; its role needs Vendor Bill Approval); else
    NetSuite's default (Pending Approval under routing) for people to approve."""
    if ctx.reference.bill_approval_routing and ctx.config.options.bill_approval is BillApproval.APPROVE:
        return {"approvalStatus": {"id": "2"}}
    return {}


def bill_ref(ctx: Context, bill: BillRef) -> tuple[Ref, RecordKey]:
    """A carrier bill's or settlement's vendor bill, by external id."""
    return ctx.ours(RecordType.VENDOR_BILL, Kind(bill.kind.value), bill.id)


def _terms(ctx: Context, key: str | None) -> Ref | None:
    return ctx.mapped("terms", ListKind.TERM, key, "$.terms") if key is not None else None


def _invoice(ctx: Context, doc: Invoice) -> Built:
    route = ctx.route(posting_company(doc), "$.invoice_as" if doc.invoice_as else "$.company")
    if route is None:
        return []
    customer, needs = ctx.party(doc.customer, EntityKind.CUSTOMER, route, "$.customer")
    refs = doc.references
    fields, notes = references(ctx, {"load_number": refs.load_number, "bol": refs.bol, "pro": refs.pro})
    supplement = f"Supplements invoice {doc.supplemental_to}" if doc.supplemental_to else None
    body = {
        **header(ctx, route, doc.date, AccountRole.RECEIVABLE),
        "tranId": doc.number,
        "entity": customer,
        "dueDate": doc.due_date.isoformat() if doc.due_date else None,
        "terms": _terms(ctx, doc.terms),
        "otherRefNum": refs.po,
        **fields,
        "memo": memo(doc.memo, *notes, supplement),
        **ctx.dimensions(route, doc.trip_type or route.company.trip_type),
        "item": sublist(item_lines(ctx, route, doc.lines)),
    }
    return [NetSuiteWrite.build(RecordType.INVOICE, ctx.eid(), clean(body), depends_on=needs)]


def _carrier_bill(ctx: Context, doc: CarrierBill) -> Built:
    route = ctx.route(posting_company(doc), "$.tender_as" if doc.tender_as else "$.company")
    if route is None:
        return []
    carrier, needs = ctx.party(doc.carrier, EntityKind.CARRIER, route, "$.carrier")
    fields, notes = references(ctx, {"load_number": doc.load_number})
    body = {
        **header(ctx, route, doc.date, AccountRole.PAYABLE),
        "tranId": _bill_number(ctx, doc),
        "entity": carrier,
        "dueDate": doc.due_date.isoformat() if doc.due_date else None,
        "terms": _terms(ctx, doc.terms),
        **fields,
        "memo": memo(doc.memo, f"Trip {doc.trip_number}", *notes),
        **ctx.dimensions(route, doc.trip_type or route.company.trip_type),
        "expense": sublist(expense_lines(ctx, route, Book.CARRIER_PAYABLE, doc.lines, "lines")),
        **approval(ctx),
    }
    return [NetSuiteWrite.build(RecordType.VENDOR_BILL, ctx.eid(), clean(body), depends_on=needs)]


def _bill_number(ctx: Context, doc: CarrierBill) -> str:
    """The carrier's invoice number; with `suffix_on_reuse`, a bill whose carrier used that number on an earlier
    bill (by date, then TMS id: the same answer however the bills are exported) carries its load number too."""
    number = doc.carrier_invoice_number
    if ctx.config.options.bill_number is BillNumber.AS_IS:
        return number
    mine = (doc.date, doc.id)
    for (kind, _), other in ctx.related.items():
        if (
            kind is Kind.CARRIER_BILL
            and isinstance(other, CarrierBill)
            and other.id != doc.id
            and other.carrier.id == doc.carrier.id
            and other.carrier_invoice_number == number
            and (other.date, other.id) < mine
        ):
            return f"{number}-{doc.load_number}"
    return number


_LEDGER_LABELS = {AccountRole.RECEIVABLE: "A/R", AccountRole.PAYABLE: "A/P"}


def _applied_route(
    ctx: Context, applied: Sequence[tuple[Kind, str]], role: AccountRole, what: str, noun: str, field: str
) -> tuple[Route, Ref | None] | None:
    """Where a payment or credit posts: the subsidiary of the documents it applies (its own company's for those
    the ledger does not hold), and the A/R or A/P account they posted to (None when it applies nothing).

    NetSuite lists in a payment's or credit's apply sublist only documents of one subsidiary and one A/R (A/P)
    account; one that applies documents of several is refused here with the reason (the result is None)."""
    own = ctx.route(ctx.document.company, "$.company")
    if own is None:
        return None
    label = _LEDGER_LABELS[role]
    groups: dict[tuple[str, str | None], tuple[Route, list[str]]] = {}
    for index, (kind, tms_id) in enumerate(applied):
        route = ctx.route_of(kind, tms_id, f"{field}[{index}]") or own
        key = (route.subsidiary.id, route.accounts.get(role))
        groups.setdefault(key, (route, []))[1].append(tms_id)
    if len(groups) > 1 and ctx.document.status is Status.VOID:
        return own, None  # a void deletes by external id: what its body would name does not matter
    if len(groups) > 1:
        described = "; ".join(
            f"{route.subsidiary.name}, {label} account {account}: {', '.join(ids)}"
            for (_, account), (route, ids) in groups.items()
        )
        ctx.fail(
            field,
            f"{what} {ctx.document.id} applies {noun} of more than one NetSuite subsidiary or {label} account "
            f"({described}); NetSuite applies a {what} only within one subsidiary and one {label} account",
            f"record it in the TMS as one {what} per subsidiary and {label} account, then export again",
        )
        return None
    if not groups:
        return own, None
    route = next(iter(groups.values()))[0]
    return route, ctx.account(route, role, field)


def _settlement(ctx: Context, doc: DriverSettlement) -> Built:
    route = ctx.route(doc.company, "$.company")
    if route is None:
        return []
    if doc.driver_type is DriverType.COMPANY:
        return _company_driver(ctx, doc, route)
    driver, needs = ctx.party(doc.driver, EntityKind.DRIVER, route, "$.driver")
    common = {
        **header(ctx, route, doc.date, AccountRole.PAYABLE),
        "entity": driver,
        **ctx.dimensions(route, route.company.trip_type),
    }
    period = f"Settlement {doc.number} for {doc.period_start}–{doc.period_end}"
    bill = NetSuiteWrite.build(
        RecordType.VENDOR_BILL,
        ctx.eid(),
        clean(
            {
                **common,
                "tranId": doc.number,
                "dueDate": doc.due_date.isoformat() if doc.due_date else None,
                "memo": memo(doc.memo, period),
                "expense": sublist(expense_lines(ctx, route, Book.DRIVER_PAYABLE, doc.earnings, "earnings")),
                **approval(ctx),
            }
        ),
        depends_on=needs,
    )
    withheld = _withheld_lines(ctx, route, doc)
    if not withheld:
        return [bill]
    applied = min(doc.withheld.amount, doc.gross.amount)
    credit = NetSuiteWrite.build(
        RecordType.VENDOR_CREDIT,
        ctx.eid("credit"),
        clean(
            {
                **common,
                "memo": memo(f"Deductions, advances and escrow: {period}"),
                "expense": sublist(withheld),
                "apply": sublist([apply_line({"externalId": bill.external_id}, number(applied))]),
            }
        ),
        depends_on=(*needs, bill.key),
    )
    return [bill, credit]


def _withheld_lines(ctx: Context, route: Route, doc: DriverSettlement) -> list[Body]:
    lines: list[Body] = []
    for index, deduction in enumerate(doc.deductions):
        field = f"$.deductions[{index}].code"
        target = ctx.charge(route, Book.DEDUCTIONS, deduction.code, deduction.category, field)
        note = deduction.description or deduction.code
        lines.append({**(target or {}), "amount": number(deduction.amount.amount), "memo": note})
    for field, role, label in (
        ("advances_recovered", AccountRole.ADVANCES, "Advance recovered"),
        ("escrow", AccountRole.ESCROW, "Escrow"),
    ):
        for index, line in enumerate(getattr(doc, field)):
            account = ctx.account(route, role, f"$.{field}[{index}]")
            text = memo(label, line.reference, line.description)
            lines.append({"account": account, "amount": number(line.amount.amount), "memo": text})
    return lines


def _company_driver(ctx: Context, doc: DriverSettlement, route: Route) -> Built:
    if ctx.config.options.company_driver_settlements is CompanyDriverSettlements.SKIP:
        return Skip(
            f"company (W2) driver {doc.driver.name}: payroll pays company drivers; set [options] "
            'company_driver_settlements = "accrue_wages" to post accrued wages as a journal entry'
        )
    gross = number(doc.gross.amount)
    note = f"Accrued wages, {doc.driver.name}, {doc.period_start}–{doc.period_end}"
    lines = [
        {
            "account": ctx.account(route, AccountRole.WAGES_EXPENSE, "$.earnings"),
            "debit": gross,
            "memo": note,
        },
        {
            "account": ctx.account(route, AccountRole.ACCRUED_WAGES, "$.earnings"),
            "credit": gross,
            "memo": note,
        },
    ]
    body = {**header(ctx, route, doc.date), "memo": memo(doc.memo, note), "line": sublist(lines)}
    return [NetSuiteWrite.build(RecordType.JOURNAL_ENTRY, ctx.eid(), clean(body))]


def _customer_payment(ctx: Context, doc: CustomerPayment) -> Built:
    invoices = [(Kind.INVOICE, app.invoice) for app in doc.applications]
    found = _applied_route(ctx, invoices, AccountRole.RECEIVABLE, "payment", "invoices", "$.applications")
    if found is None:
        return []
    route, ar_account = found
    customer, needs = ctx.party(doc.customer, EntityKind.CUSTOMER, route, "$.customer")
    applies, keys = [], list(needs)
    for app in doc.applications:
        ref, key = ctx.ours(RecordType.INVOICE, Kind.INVOICE, app.invoice)
        applies.append(apply_line(ref, number(app.amount.amount)))
        keys.append(key)
    body = {
        **header(ctx, route, doc.date),
        "customer": customer,
        "payment": number(doc.amount.amount),
        **(ctx.funds(route, doc.deposit_account, AccountRole.UNDEPOSITED_FUNDS, "$.deposit_account") or {}),
        ctx.reference.payment_field: ctx.mapped(
            "payment_methods", ListKind.PAYMENT_METHOD, doc.payment_method, "$.payment_method"
        ),
        "memo": memo(doc.reference, doc.memo),
        "arAcct": ar_account,
        "apply": sublist(applies),
    }
    return [NetSuiteWrite.build(RecordType.CUSTOMER_PAYMENT, ctx.eid(), clean(body), depends_on=tuple(keys))]


def _bill_payment(ctx: Context, doc: BillPayment) -> Built:
    applied = [(Kind(app.bill.kind.value), app.bill.id) for app in doc.applications]
    found = _applied_route(ctx, applied, AccountRole.PAYABLE, "bill payment", "bills", "$.applications")
    if found is None:
        return []
    route, ap_account = found
    vendor, needs = ctx.party(doc.payee, EntityKind(doc.payee.kind.value), route, "$.payee")
    common = {**header(ctx, route, doc.date), "entity": vendor}
    bills = [bill_ref(ctx, app.bill) for app in doc.applications]
    records: list[NetSuiteWrite] = []
    fee_applies = [
        apply_line(ref, number(app.quick_pay_fee.amount))
        for app, (ref, _) in zip(doc.applications, bills, strict=True)
        if app.quick_pay_fee is not None
    ]
    if fee_applies:
        fee = number(doc.fees.amount)
        account = ctx.account(route, AccountRole.QUICK_PAY_FEE, "$.applications")
        body = {
            **common,
            "account": ap_account or ctx.account(route, AccountRole.PAYABLE, "$.company"),
            "memo": memo(f"Quick-pay fee withheld from payment {doc.reference or doc.id}"),
            "expense": sublist([{"account": account, "amount": fee, "memo": "Quick-pay fee"}]),
            "apply": sublist(fee_applies),
        }
        keys = (*needs, *(key for _, key in bills))
        records.append(
            NetSuiteWrite.build(RecordType.VENDOR_CREDIT, ctx.eid("fee"), clean(body), depends_on=keys)
        )
    net = [
        apply_line(ref, number(app.amount.amount - (app.quick_pay_fee.amount if app.quick_pay_fee else 0)))
        for app, (ref, _) in zip(doc.applications, bills, strict=True)
    ]
    body = {
        **common,
        **(ctx.funds(route, doc.bank_account, AccountRole.BANK, "$.bank_account") or {}),
        "tranId": doc.reference,
        "memo": memo(doc.payment_method, doc.memo),
        "apAcct": ap_account,
        "apply": sublist(net),
    }
    keys = (*needs, *(key for _, key in bills), *(record.key for record in records))
    records.append(NetSuiteWrite.build(RecordType.VENDOR_PAYMENT, ctx.eid(), clean(body), depends_on=keys))
    return records


def _credit_memo(ctx: Context, doc: CreditMemo) -> Built:
    found = _applied_route(
        ctx, [(Kind.INVOICE, doc.invoice)], AccountRole.RECEIVABLE, "credit", "invoices", "$.invoice"
    )
    if found is None:
        return []
    route = found[0]
    customer, needs = ctx.party(doc.customer, EntityKind.CUSTOMER, route, "$.customer")
    invoice, key = ctx.ours(RecordType.INVOICE, Kind.INVOICE, doc.invoice)
    body = {
        **header(ctx, route, doc.date, AccountRole.RECEIVABLE),
        "tranId": doc.number,
        "entity": customer,
        "memo": memo(f"{doc.reason.value.replace('_', ' ').capitalize()}, invoice {doc.invoice}", doc.memo),
        **ctx.dimensions(route, route.company.trip_type),
        "item": sublist(item_lines(ctx, route, doc.lines)),
        "apply": sublist([apply_line(invoice, number(doc.total.amount))]),
    }
    return [NetSuiteWrite.build(RecordType.CREDIT_MEMO, ctx.eid(), clean(body), depends_on=(*needs, key))]


def _vendor_credit(ctx: Context, doc: VendorCredit) -> Built:
    bill_key = (Kind(doc.bill.kind.value), doc.bill.id)
    found = _applied_route(ctx, [bill_key], AccountRole.PAYABLE, "bill credit", "bills", "$.bill")
    if found is None:
        return []
    route = found[0]
    vendor, needs = ctx.party(doc.vendor, EntityKind(doc.vendor.kind.value), route, "$.vendor")
    bill, key = bill_ref(ctx, doc.bill)
    book = Book.CARRIER_PAYABLE if doc.vendor.kind is VendorKind.CARRIER else Book.DRIVER_PAYABLE
    body = {
        **header(ctx, route, doc.date, AccountRole.PAYABLE),
        "tranId": doc.reference,
        "entity": vendor,
        "memo": memo(f"{doc.reason.value.replace('_', ' ').capitalize()}, bill {doc.bill.id}", doc.memo),
        **ctx.dimensions(route, route.company.trip_type),
        "expense": sublist(expense_lines(ctx, route, book, doc.lines, "lines")),
        "apply": sublist([apply_line(bill, number(doc.total.amount))]),
    }
    return [NetSuiteWrite.build(RecordType.VENDOR_CREDIT, ctx.eid(), clean(body), depends_on=(*needs, key))]


def _customer_deposit(ctx: Context, doc: CustomerDeposit) -> Built:
    route = ctx.route(doc.company, "$.company")
    if route is None:
        return []
    customer, needs = ctx.party(doc.customer, EntityKind.CUSTOMER, route, "$.customer")
    fields, notes = references(ctx, {"load_number": doc.load_number})
    body = {
        **header(ctx, route, doc.date),
        "customer": customer,
        "payment": number(doc.amount.amount),
        **(ctx.funds(route, doc.deposit_account, AccountRole.UNDEPOSITED_FUNDS, "$.deposit_account") or {}),
        ctx.reference.payment_field: ctx.mapped(
            "payment_methods", ListKind.PAYMENT_METHOD, doc.payment_method, "$.payment_method"
        ),
        **fields,
        "memo": memo(doc.reference, doc.memo, *notes),
    }
    return [NetSuiteWrite.build(RecordType.CUSTOMER_DEPOSIT, ctx.eid(), clean(body), depends_on=needs)]


def _deposit_application(ctx: Context, doc: DepositApplication) -> Built:
    own = ctx.route(doc.company, "$.company")
    if own is None:
        return []
    deposit_route = ctx.route_of(Kind.CUSTOMER_DEPOSIT, doc.deposit, "$.deposit") or own
    invoice_route = ctx.route_of(Kind.INVOICE, doc.invoice, "$.invoice") or deposit_route
    if invoice_route.subsidiary.id != deposit_route.subsidiary.id:
        ctx.fail(
            "$.invoice",
            f"deposit {doc.deposit} is in {deposit_route.subsidiary.name} and invoice {doc.invoice} in "
            f"{invoice_route.subsidiary.name}; NetSuite applies a deposit only to invoices of its subsidiary",
            "apply the deposit to an invoice of the same subsidiary, or record the deposit for the company that "
            "bills the invoice",
        )
        return []
    _, deposit_key = ctx.ours(RecordType.CUSTOMER_DEPOSIT, Kind.CUSTOMER_DEPOSIT, doc.deposit)
    invoice, invoice_key = ctx.ours(RecordType.INVOICE, Kind.INVOICE, doc.invoice)
    body = {
        "tranDate": doc.date.isoformat(),
        "memo": memo(doc.memo, f"Deposit {doc.deposit} applied to invoice {doc.invoice}"),
        "arAcct": ctx.account(invoice_route, AccountRole.RECEIVABLE, "$.invoice"),
        "apply": sublist([apply_line(invoice, number(doc.amount.amount))]),
    }
    return [
        NetSuiteWrite.build(
            RecordType.DEPOSIT_APPLICATION,
            ctx.eid(),
            clean(body),
            operation=Operation.TRANSFORM,
            transform_from=deposit_key,
            depends_on=(deposit_key, invoice_key),
        )
    ]


def _journal_entry(ctx: Context, doc: JournalEntry) -> Built:
    route = ctx.route(doc.company, "$.company")
    if route is None:
        return []
    dimensions = ctx.dimensions(route, route.company.trip_type)
    lines: list[Body] = []
    needs: list[RecordKey] = []
    for index, line in enumerate(doc.lines):
        entity: Ref | None = None
        if line.entity is not None:
            entity, wait = ctx.party(line.entity, line.entity.kind, route, f"$.lines[{index}].entity")
            needs.extend(wait)
        side = {"debit": number(line.signed)} if line.signed > 0 else {"credit": number(-line.signed)}
        account = ctx.journal_account(route, line.account, f"$.lines[{index}].account")
        lines.append(clean({"account": account, **side, "entity": entity, "memo": line.memo, **dimensions}))
    body = {
        **header(ctx, route, doc.date),
        "memo": memo(doc.memo, doc.purpose.value.capitalize()),
        "reversalDate": _reversal_date(doc),
        "line": sublist(lines),
    }
    return [NetSuiteWrite.build(RecordType.JOURNAL_ENTRY, ctx.eid(), clean(body), depends_on=tuple(needs))]


def _reversal_date(doc: JournalEntry) -> str | None:
    # A void before NetSuite's scheduled reversal moves the reversal to the void date.
    if doc.reversal_date is None:
        return None
    voided = doc.voided_on if doc.status is Status.VOID else None
    return min(doc.reversal_date, voided or doc.reversal_date).isoformat()


Builder = Callable[[Context, Any], Built]

TRANSACTION_BUILDERS: dict[Kind, Builder] = {
    Kind.INVOICE: _invoice,
    Kind.CARRIER_BILL: _carrier_bill,
    Kind.DRIVER_SETTLEMENT: _settlement,
    Kind.CUSTOMER_PAYMENT: _customer_payment,
    Kind.BILL_PAYMENT: _bill_payment,
    Kind.CREDIT_MEMO: _credit_memo,
    Kind.VENDOR_CREDIT: _vendor_credit,
    Kind.CUSTOMER_DEPOSIT: _customer_deposit,
    Kind.DEPOSIT_APPLICATION: _deposit_application,
    Kind.JOURNAL_ENTRY: _journal_entry,
}
