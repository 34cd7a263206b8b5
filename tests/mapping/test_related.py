"""Translation that reads other documents: payments, credits and applications post where what they apply
posted; carrier invoice numbers a carrier reuses follow `[options] bill_number`. Pure."""

from __future__ import annotations

from typing import Any

from tests.documents import factories as f
from tms_netsuite.documents import Document, Kind, validate_document
from tms_netsuite.mapping import Failed, MappingConfig, ReferenceData, Related, Translated, lookups, translate
from tms_netsuite.mapping._config import BillNumber
from tms_netsuite.mapping._reference import ListKind


def doc(data: dict[str, Any]) -> Document:
    return validate_document(data)


def related(*documents: Document) -> Related:
    return {(document.kind, document.id): document for document in documents}


def payload(
    document: Document, mapping: MappingConfig, reference: ReferenceData, known: Related
) -> dict[str, Any]:
    result = translate(document, mapping, reference, known)
    assert isinstance(result, Translated), result
    return dict(result.records[-1].payload)


def subsidiary(reference: ReferenceData, name: str) -> dict[str, str]:
    (record,) = reference.by_name(ListKind.SUBSIDIARY, name)
    return {"id": record.id}


CANADIAN_INVOICE = f.invoice() | {"invoice_as": "FCCA"}


def test_lookups_name_what_each_kind_applies() -> None:
    assert lookups(doc(f.customer_payment())).documents == ((Kind.INVOICE, "INV-1"), (Kind.INVOICE, "INV-2"))
    assert lookups(doc(f.bill_payment())).documents == ((Kind.CARRIER_BILL, "CB-1"),)
    assert lookups(doc(f.vendor_credit())).documents == ((Kind.CARRIER_BILL, "CB-1"),)
    assert lookups(doc(f.deposit_application())).documents == (
        (Kind.CUSTOMER_DEPOSIT, "DEP-1"),
        (Kind.INVOICE, "INV-1"),
    )
    assert lookups(doc(f.carrier_bill())).carrier_invoice_numbers == ("BR55012",)
    assert lookups(doc(f.invoice())).documents == ()


def test_a_payment_posts_in_the_subsidiary_of_its_invoices_with_their_ar_account(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    pay = doc(f.customer_payment() | {"applications": [{"invoice": "INV-1", "amount": f.usd("100.00")}]})
    unknown = payload(pay, mapping, reference, {})
    known = payload(pay, mapping, reference, related(doc(CANADIAN_INVOICE)))
    (receivable,) = reference.by_name(ListKind.ACCOUNT, "1200")
    # Invoices the ledger does not hold: the payment's own company routes it.
    assert (unknown["subsidiary"], unknown["arAcct"]) == (
        subsidiary(reference, "Freight Co US"),
        {"id": receivable.id},
    )
    assert known["subsidiary"] == subsidiary(reference, "Freight Co Canada")
    assert known["arAcct"] == {"id": receivable.id}


def test_a_payment_of_invoices_in_two_subsidiaries_fails_with_the_reason(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    result = translate(doc(f.customer_payment()), mapping, reference, related(doc(CANADIAN_INVOICE)))
    assert isinstance(result, Failed)
    (problem,) = result.errors
    assert problem.field == "$.applications"
    assert (
        "Freight Co Canada, A/R account 1200: INV-1; Freight Co US, A/R account 1200: INV-2" in problem.cause
    )


def test_a_credit_memo_follows_its_invoice(mapping: MappingConfig, reference: ReferenceData) -> None:
    body = payload(doc(f.credit_memo()), mapping, reference, related(doc(CANADIAN_INVOICE)))
    assert body["subsidiary"] == subsidiary(reference, "Freight Co Canada")


def test_a_reused_carrier_invoice_number_gets_the_load_number_on_the_later_bill(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    earlier = doc(f.carrier_bill())
    later = doc(f.carrier_bill() | {"id": "CB-2", "date": "2026-10-09", "load_number": "L-1002"})
    other_carrier = doc(
        f.carrier_bill() | {"id": "CB-0", "date": "2026-10-01", "carrier": {"id": "CR-9", "name": "X"}}
    )
    both = related(earlier, later, other_carrier)
    assert payload(earlier, mapping, reference, both)["tranId"] == "BR55012"
    assert payload(later, mapping, reference, both)["tranId"] == "BR55012-L-1002"
    as_is = mapping.model_copy(
        update={"options": mapping.options.model_copy(update={"bill_number": BillNumber.AS_IS})}
    )
    assert payload(later, as_is, reference, both)["tranId"] == "BR55012"
