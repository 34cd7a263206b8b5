"""Other TMS documents a translation needs, which the caller reads from its ledger: the documents a payment,
credit or deposit application applies (where they posted decides where it posts), and a carrier's other bills
under the same invoice number (for the `bill_number` policy). Translation stays pure: it only reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tms_netsuite.documents import (
    BillPayment,
    CarrierBill,
    CreditMemo,
    CustomerPayment,
    DepositApplication,
    Document,
    Kind,
    VendorCredit,
)

RelatedKey = tuple[Kind, str]
Related = Mapping[RelatedKey, Document]
"""The latest version of other documents, by kind and TMS id."""


@dataclass(frozen=True, slots=True)
class Lookups:
    """What to read for one document: other documents by kind and id, and carrier bills by invoice number."""

    documents: tuple[RelatedKey, ...] = ()
    carrier_invoice_numbers: tuple[str, ...] = ()


def lookups(document: Document) -> Lookups:
    """The other documents `translate` needs to see for this one (none for most kinds)."""
    if isinstance(document, CustomerPayment):
        return Lookups(tuple((Kind.INVOICE, app.invoice) for app in document.applications))
    if isinstance(document, BillPayment):
        return Lookups(tuple((Kind(app.bill.kind.value), app.bill.id) for app in document.applications))
    if isinstance(document, CreditMemo):
        return Lookups(((Kind.INVOICE, document.invoice),))
    if isinstance(document, VendorCredit):
        return Lookups(((Kind(document.bill.kind.value), document.bill.id),))
    if isinstance(document, DepositApplication):
        return Lookups(((Kind.CUSTOMER_DEPOSIT, document.deposit), (Kind.INVOICE, document.invoice)))
    if isinstance(document, CarrierBill):
        return Lookups(carrier_invoice_numbers=(document.carrier_invoice_number,))
    return Lookups()
