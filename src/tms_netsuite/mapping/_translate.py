"""Translation: a document + the mapping + reference data → the NetSuite records to write. Pure.

Voids follow a per-kind policy: entities become inactive; invoices, carrier bills and journal entries are
reversed by a ``-reversal`` record dated the void date (they stay on the books, as accountants expect);
payments, credits, deposits, applications and settlements are deleted, which reopens what they applied to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Any

from tms_netsuite.documents import CarrierBill, Document, Invoice, JournalEntry, Kind, Status
from tms_netsuite.mapping._config import ClosedPeriod, MappingConfig
from tms_netsuite.mapping._context import Context, number
from tms_netsuite.mapping._entities import ENTITY_BUILDERS
from tms_netsuite.mapping._external_ids import Suffix
from tms_netsuite.mapping._records import (
    Failed,
    NetSuiteWrite,
    Operation,
    RecordType,
    Skipped,
    Translated,
    Translation,
)
from tms_netsuite.mapping._reference import ReferenceData, Side
from tms_netsuite.mapping._related import Related
from tms_netsuite.mapping._transactions import TRANSACTION_BUILDERS, Skip, apply_line, clean, sublist


class VoidPolicy(Enum):
    """What a void document version becomes."""

    INACTIVATE = "inactivate"
    REVERSE = "reverse"
    DELETE = "delete"


VOID_POLICIES: dict[Kind, VoidPolicy] = {
    Kind.CUSTOMER: VoidPolicy.INACTIVATE,
    Kind.CARRIER: VoidPolicy.INACTIVATE,
    Kind.DRIVER: VoidPolicy.INACTIVATE,
    Kind.INVOICE: VoidPolicy.REVERSE,
    Kind.CARRIER_BILL: VoidPolicy.REVERSE,
    Kind.JOURNAL_ENTRY: VoidPolicy.REVERSE,
    Kind.DRIVER_SETTLEMENT: VoidPolicy.DELETE,
    Kind.CUSTOMER_PAYMENT: VoidPolicy.DELETE,
    Kind.BILL_PAYMENT: VoidPolicy.DELETE,
    Kind.CREDIT_MEMO: VoidPolicy.DELETE,
    Kind.VENDOR_CREDIT: VoidPolicy.DELETE,
    Kind.CUSTOMER_DEPOSIT: VoidPolicy.DELETE,
    Kind.DEPOSIT_APPLICATION: VoidPolicy.DELETE,
}

BUILDERS = {**ENTITY_BUILDERS, **TRANSACTION_BUILDERS}
_COPIED = ("entity", "subsidiary", "currency", "account", "class", "department", "location")


def translate(
    document: Document, mapping: MappingConfig, reference: ReferenceData, related: Related | None = None
) -> Translation:
    """The NetSuite records one document version becomes, in write order; or why it has none.

    `related` holds the other documents `lookups(document)` names, as the caller's ledger has them: a
    payment, credit or deposit application posts where the documents it applies posted (its own company's
    subsidiary when they are unknown), and a carrier bill's number follows `[options] bill_number`.

    Never raises for bad data or an incomplete mapping: those become `Failed` with every error found.
    """
    ctx = Context(document, mapping, reference, related or {})
    built = BUILDERS[document.kind](ctx, document)
    if ctx.errors:
        return Failed(ctx.key, tuple(ctx.errors))
    if isinstance(built, Skip):
        return Skipped(ctx.key, built.reason)
    records = tuple(built)
    if document.status is Status.VOID:
        records = _void(ctx, document, records)
    records = tuple(_in_open_period(ctx, record) for record in records)
    if ctx.errors:
        return Failed(ctx.key, tuple(ctx.errors))
    return Translated(ctx.key, records)


_SIDES = {
    RecordType.INVOICE: Side.RECEIVABLES,
    RecordType.CREDIT_MEMO: Side.RECEIVABLES,
    RecordType.CUSTOMER_PAYMENT: Side.RECEIVABLES,
    RecordType.CUSTOMER_DEPOSIT: Side.RECEIVABLES,
    RecordType.DEPOSIT_APPLICATION: Side.RECEIVABLES,
    RecordType.VENDOR_BILL: Side.PAYABLES,
    RecordType.VENDOR_CREDIT: Side.PAYABLES,
    RecordType.VENDOR_PAYMENT: Side.PAYABLES,
}
_PERIOD_FIX = (
    "reopen or unlock it at Setup > Accounting > Manage Accounting Periods and `tms-netsuite retry`, or set "
    '[options] closed_period = "next_open_period" to post such documents in the next open period (NetSuite\'s '
    '"Allow Transaction Date Outside of the Posting Period" must then be Warn or Allow)'
)


def _in_open_period(ctx: Context, record: NetSuiteWrite) -> NetSuiteWrite:
    """A transaction dated in a closed or locked period, by the mapping's ``closed_period`` policy: it fails (with
    the others of its document), or posts in the next open period with its date kept. Periods unknown: as is."""
    payload = record.payload
    text = payload.get("tranDate")
    if record.operation is Operation.DELETE or not isinstance(text, str) or "postingPeriod" in payload:
        return record
    period = ctx.reference.period_of(dt.date.fromisoformat(text))
    side = _SIDES.get(record.record_type, Side.GENERAL)
    if period is None or period.open_for(side):
        return record
    why = f"{text} falls in {period.name}, which is {period.why_not(side)}"
    if ctx.config.options.closed_period is ClosedPeriod.FAIL:
        ctx.fail("$.date", why, _PERIOD_FIX)
        return record
    later = ctx.reference.next_open_period(period, side)
    if later is None:
        ctx.fail("$.date", f"{why}, and no later period is open", "open the next period in NetSuite")
        return record
    payload.pop("externalId", None)
    payload["postingPeriod"] = {"id": later.id}
    return NetSuiteWrite.build(
        record.record_type,
        record.external_id,
        payload,
        operation=record.operation,
        depends_on=record.depends_on,
        transform_from=record.transform_from,
    )


def _void(ctx: Context, document: Document, records: tuple[NetSuiteWrite, ...]) -> tuple[NetSuiteWrite, ...]:
    policy = VOID_POLICIES[document.kind]
    if policy is VoidPolicy.INACTIVATE:
        return records  # the entity builders set isInactive from the status
    if policy is VoidPolicy.DELETE:
        return tuple(
            NetSuiteWrite.build(record.record_type, record.external_id, {}, operation=Operation.DELETE)
            for record in reversed(records)
        )
    return records + _REVERSALS[document.kind](ctx, document, records[0])


def _reverse_invoice(ctx: Context, doc: Invoice, invoice: NetSuiteWrite) -> tuple[NetSuiteWrite, ...]:
    return _credit(
        ctx,
        doc.voided_on,
        f"Void of invoice {doc.number}",
        RecordType.CREDIT_MEMO,
        "item",
        invoice,
        doc.total.amount,
    )


def _reverse_bill(ctx: Context, doc: CarrierBill, bill: NetSuiteWrite) -> tuple[NetSuiteWrite, ...]:
    note = f"Void of carrier invoice {doc.carrier_invoice_number}"
    return _credit(ctx, doc.voided_on, note, RecordType.VENDOR_CREDIT, "expense", bill, doc.total.amount)


def _credit(
    ctx: Context,
    voided_on: dt.date | None,
    note: str,
    record_type: RecordType,
    lines: str,
    original: NetSuiteWrite,
    total: Decimal,
) -> tuple[NetSuiteWrite, ...]:
    """A credit with the original's lines, applied to it in full (nothing to reverse at zero)."""
    if total == 0:
        return ()
    source = original.payload
    body = {
        **{field: source[field] for field in (*_COPIED, lines) if field in source},
        "tranDate": (voided_on or dt.date.fromisoformat(source["tranDate"])).isoformat(),
        "memo": note,
        "apply": sublist([apply_line({"externalId": original.external_id}, number(total))]),
    }
    depends = (*original.depends_on, original.key)
    return (NetSuiteWrite.build(record_type, ctx.eid(Suffix.REVERSAL), clean(body), depends_on=depends),)


def _reverse_journal(ctx: Context, doc: JournalEntry, entry: NetSuiteWrite) -> tuple[NetSuiteWrite, ...]:
    """Reverse on the void date, unless NetSuite's own reversal does it (the builder moved an auto-reversal
    later than the void date back to the void date)."""
    voided_on = doc.voided_on or doc.date
    if doc.reversal_date is not None:
        return ()
    source = entry.payload
    swapped = [
        {**{k: v for k, v in line.items() if k not in ("debit", "credit")}, **_swap(line)}
        for line in source["line"]["items"]
    ]
    body = {
        "subsidiary": source["subsidiary"],
        "currency": source.get("currency"),
        "tranDate": voided_on.isoformat(),
        "memo": f"Void of journal entry {doc.id}",
        "line": sublist(swapped),
    }
    depends = (*entry.depends_on, entry.key)
    return (
        NetSuiteWrite.build(
            RecordType.JOURNAL_ENTRY, ctx.eid(Suffix.REVERSAL), clean(body), depends_on=depends
        ),
    )


def _swap(line: dict[str, Any]) -> dict[str, Any]:
    return {"credit": line["debit"]} if "debit" in line else {"debit": line["credit"]}


_REVERSALS: dict[Kind, Callable[[Context, Any, NetSuiteWrite], tuple[NetSuiteWrite, ...]]] = {
    Kind.INVOICE: _reverse_invoice,
    Kind.CARRIER_BILL: _reverse_bill,
    Kind.JOURNAL_ENTRY: _reverse_journal,
}
