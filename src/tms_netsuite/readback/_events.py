"""The events read-back and the ledger give the TMS, and what each one's body says.

Every body has ``id`` (stable: the same change always has the same id, the ``webhook-id`` of its delivery),
``type``, ``account``, ``occurred_at`` (UTC), ``document`` (the TMS document: kind, id, version; null for a
record the TMS never sent) and ``netsuite`` (the record: type, internal id, external id, deep link); amounts are
decimal strings in the record's ``currency``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tms_netsuite.ledger import NewEvent

INVOICE_PAID = "invoice.paid"
INVOICE_PARTIALLY_PAID = "invoice.partially_paid"
INVOICE_REOPENED = "invoice.reopened"  # a payment or credit on it was removed: more remains than before
BILL_PAID = "bill.paid"
BILL_PARTIALLY_PAID = "bill.partially_paid"
BILL_REOPENED = "bill.reopened"
PAYMENT_ENTERED = "payment.entered_in_netsuite"  # a payment, credit or application a person entered
RECORD_CHANGED = "record.changed_in_netsuite"  # total or lines no longer what the TMS sent
RECORD_VOIDED = "record.voided_in_netsuite"
RECORD_DELETED = "record.deleted_in_netsuite"
DOCUMENT_SYNCED = "document.synced"
DOCUMENT_FAILED = "document.failed"

EVENT_TYPES = (  # every type, for documentation and the service's filters
    INVOICE_PAID,
    INVOICE_PARTIALLY_PAID,
    INVOICE_REOPENED,
    BILL_PAID,
    BILL_PARTIALLY_PAID,
    BILL_REOPENED,
    PAYMENT_ENTERED,
    RECORD_CHANGED,
    RECORD_VOIDED,
    RECORD_DELETED,
    DOCUMENT_SYNCED,
    DOCUMENT_FAILED,
)


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def event(
    event_type: str,
    dedupe_key: str,
    *,
    account: str,
    occurred_at: str,
    document: Mapping[str, Any] | None,
    netsuite: Mapping[str, Any] | None,
    **fields: Any,
) -> NewEvent:
    """An event to keep (its ``id`` is added when it is kept)."""
    body = {
        "account": account,
        "occurred_at": occurred_at,
        "document": dict(document) if document is not None else None,
        "netsuite": dict(netsuite) if netsuite is not None else None,
        **fields,
    }
    return NewEvent(type=event_type, dedupe_key=dedupe_key, payload=body)
