"""What changed in one transaction since read-back last saw it (or since the connector wrote it), as events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tms_netsuite.ledger import NewEvent, OurRecord, Snapshot
from tms_netsuite.readback import _events as ev
from tms_netsuite.readback._window import utc_of

# SuiteQL transaction type codes.
INVOICE, BILL = "CustInvc", "VendBill"
# What applies to an invoice or a bill, by its type code, as the event names it.
APPLYING = {
    "CustPymt": "payment",
    "CustCred": "credit",
    "DepAppl": "deposit_application",
    "VendPymt": "bill_payment",
    "VendCred": "vendor_credit",
}
_PREFIX = {INVOICE: "invoice", BILL: "bill"}
_PAID = {INVOICE: ev.INVOICE_PAID, BILL: ev.BILL_PAID}
_PARTLY = {INVOICE: ev.INVOICE_PARTIALLY_PAID, BILL: ev.BILL_PARTIALLY_PAID}
_REOPENED = {INVOICE: ev.INVOICE_REOPENED, BILL: ev.BILL_REOPENED}
_CENT = Decimal("0.005")


@dataclass(frozen=True, slots=True)
class Context:
    """What one page's detection shares: the account, the users' offset, currencies, and which transactions the
    connector wrote (to tell a payment from the TMS from one a person entered)."""

    account: str
    offset_seconds: int
    currencies: Mapping[str, str]
    ours: Mapping[str, OurRecord]


def decimal(value: str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def netsuite_ref(row: Mapping[str, str], ours: OurRecord | None) -> dict[str, Any]:
    return {
        "type": ours.record_type if ours else row.get("recordtype"),
        "internal_id": row["id"],
        "external_id": ours.external_id if ours else row.get("externalid"),
        "url": ours.url if ours else None,
        "number": row.get("tranid"),
    }


def document_ref(ours: OurRecord | None) -> dict[str, Any] | None:
    return None if ours is None else {"kind": ours.kind, "id": ours.tms_id, "version": ours.version}


def expected_total(ours: OurRecord) -> Decimal | None:
    """The total the TMS document sent (invoices and carrier bills: the sum of their lines), or None."""
    lines = ours.payload.get("lines")
    if ours.kind not in ("invoice", "carrier_bill") or not isinstance(lines, list):
        return None
    try:
        return sum((Decimal(str(line["amount"]["amount"])) for line in lines), Decimal(0))
    except (KeyError, TypeError, InvalidOperation):
        return None


def detect(
    row: Mapping[str, str],
    ours: OurRecord,
    previous: Snapshot | None,
    applied: Sequence[Mapping[str, str]],
    line_count: int | None,
    ctx: Context,
) -> tuple[Snapshot, list[NewEvent]]:
    """The snapshot of one of our transactions as it is now, and the events its changes make."""
    kind = row.get("type", "")
    total = decimal(row.get("foreigntotal")) or Decimal(0)
    remaining = decimal(row.get("foreignamountunpaid")) if kind in _PREFIX else None
    voided = row.get("voided") == "T"
    snapshot = Snapshot(
        internal_id=row["id"],
        record_type=ours.record_type,
        external_id=ours.external_id,
        url=ours.url,
        tms_kind=ours.kind,
        tms_id=ours.tms_id,
        tms_version=ours.version,
        last_modified=row["lm"],
        total=str(total),
        amount_remaining=None if remaining is None else str(remaining),
        status=row.get("status"),
        line_count=line_count,
        voided=voided,
        deleted=False,
    )
    common: dict[str, Any] = {
        "account": ctx.account,
        "occurred_at": utc_of(row["lm"], ctx.offset_seconds),
        "document": document_ref(ours),
        "netsuite": netsuite_ref(row, ours),
    }
    currency = ctx.currencies.get(row.get("currency", ""), ours.payload.get("currency"))
    events: list[NewEvent] = []
    was_total = decimal(previous.total) if previous else expected_total(ours)
    was_lines = previous.line_count if previous else None
    changes: dict[str, Any] = {}
    if was_total is not None and abs(total - was_total) > _CENT:
        changes["total"] = {"was": ev.money(was_total), "now": ev.money(total)}
    if was_lines is not None and line_count is not None and was_lines != line_count:
        changes["line_count"] = {"was": was_lines, "now": line_count}
    if changes and not voided:  # a void zeroes the total and lines: it is announced as a void, not an edit
        key = f"{ev.RECORD_CHANGED}:{row['id']}:{row['lm']}:{total}:{line_count}"
        events.append(ev.event(ev.RECORD_CHANGED, key, **common, currency=currency, changes=changes))
    if voided and not (previous and previous.voided):
        events.append(
            ev.event(ev.RECORD_VOIDED, f"{ev.RECORD_VOIDED}:{row['id']}", **common, currency=currency)
        )
    if remaining is not None and not voided:
        was_remaining = decimal(previous.amount_remaining) if previous else (was_total or total)
        if was_remaining is None:
            was_remaining = total
        event_type = None
        if remaining <= _CENT and was_remaining > _CENT:
            event_type = _PAID[kind]
        elif _CENT < remaining < was_remaining - _CENT:
            event_type = _PARTLY[kind]
        elif remaining > was_remaining + _CENT:
            event_type = _REOPENED[kind]
        if event_type is not None:
            amounts = {
                "total": ev.money(total),
                "paid": ev.money(total - remaining),
                "remaining": ev.money(remaining),
                "remaining_before": ev.money(was_remaining),
            }
            key = f"{event_type}:{row['id']}:{row['lm']}:{remaining}"
            events.append(
                ev.event(
                    event_type,
                    key,
                    **common,
                    currency=currency,
                    amounts=amounts,
                    applied=[applied_entry(link, ctx) for link in applied],
                )
            )
    return snapshot, events


def applied_entry(link: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    """One payment, credit or application on a document: what it is, how much, and who entered it."""
    ours = ctx.ours.get(link["nextdoc"])
    amount = decimal(link.get("foreignamount"))
    return {
        "kind": APPLYING.get(link.get("nexttype", ""), link.get("nexttype")),
        "amount": ev.money(abs(amount) if amount is not None else None),
        "entered_in": "tms" if ours is not None else "netsuite",
        "document": document_ref(ours),
        "netsuite": {
            "type": ours.record_type if ours else link.get("nextrecordtype"),
            "internal_id": link["nextdoc"],
            "external_id": ours.external_id if ours else link.get("nextexternalid"),
            "url": ours.url if ours else None,
        },
    }


def entered_by_person(
    row: Mapping[str, str], links: Sequence[Mapping[str, str]], ctx: Context
) -> NewEvent | None:
    """A payment, credit or application a person entered in NetSuite against documents the TMS sent (once)."""
    targets = [ctx.ours[link["previousdoc"]] for link in links if link["previousdoc"] in ctx.ours]
    if not targets:
        return None
    amounts = {link["previousdoc"]: decimal(link.get("foreignamount")) for link in links}
    return ev.event(
        ev.PAYMENT_ENTERED,
        f"{ev.PAYMENT_ENTERED}:{row['id']}",
        account=ctx.account,
        occurred_at=utc_of(row["lm"], ctx.offset_seconds),
        document=None,
        netsuite=netsuite_ref(row, None),
        kind=APPLYING.get(row.get("type", ""), row.get("type")),
        currency=ctx.currencies.get(row.get("currency", "")),
        amount=ev.money(decimal(row.get("foreigntotal"))),
        applied_to=[
            {
                "document": document_ref(target),
                "netsuite": {
                    "type": target.record_type,
                    "internal_id": target.internal_id,
                    "external_id": target.external_id,
                    "url": target.url,
                },
                "amount": ev.money(abs(a) if (a := amounts.get(target.internal_id)) is not None else None),
            }
            for target in targets
        ],
    )
