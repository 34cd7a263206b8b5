"""Translation errors (document, field, cause, fix), entity linking order, and voids."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.documents import factories as f
from tms_netsuite.documents import Document, validate_document
from tms_netsuite.mapping import (
    Entity,
    Failed,
    MappingConfig,
    Operation,
    RecordType,
    ReferenceData,
    Skipped,
    Translated,
    translate,
)


def doc(data: dict[str, Any]) -> Document:
    return validate_document(data)


def no_auto_create(mapping: MappingConfig) -> MappingConfig:
    options = mapping.options.model_copy(
        update={"auto_create_customers": False, "auto_create_vendors": False}
    )
    return mapping.model_copy(update={"options": options})


def test_an_unmapped_charge_code_names_document_field_cause_and_fix(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """With no code, category or default entry, the error says which code, which subsidiary and where to add it."""
    receivable = mapping.charge_codes.receivable.model_copy(
        update={"default": None, "categories": {}, "codes": {}}
    )
    bare = mapping.model_copy(
        update={"charge_codes": mapping.charge_codes.model_copy(update={"receivable": receivable})}
    )
    result = translate(doc(f.invoice()), bare, reference)
    assert isinstance(result, Failed)
    lumper = next(e for e in result.errors if e.field == "$.lines[2].charge_code")
    assert lumper.cause == "charge code LUMPER has no item for subsidiary 'Freight Co US'"
    assert lumper.fix == "add it under [charge_codes.receivable.codes] in the mapping"
    assert str(lumper).startswith("invoice INV-1 v1, $.lines[2].charge_code: charge code LUMPER has no item")
    assert len(result.errors) == 5  # every line, not just the first


def test_an_item_unavailable_to_the_subsidiary(mapping: MappingConfig, reference: ReferenceData) -> None:
    """An item restricted to another subsidiary fails the line, naming the item, subsidiary and mapping line."""
    items = tuple(
        dataclasses.replace(item, subsidiaries=frozenset({"2"})) if item.name == "Lumper" else item
        for item in reference.items
    )
    result = translate(doc(f.invoice()), mapping, dataclasses.replace(reference, items=items))
    assert isinstance(result, Failed)
    (error,) = result.errors
    assert (
        error.cause
        == "charge code LUMPER: item 'Lumper' (id 203) is not available to subsidiary 'Freight Co US'"
    )
    line = mapping.line_of(("charge_codes", "receivable", "codes", "LUMPER"))
    assert (
        error.fix
        == f"change charge_codes.receivable.codes.LUMPER (line {line}) in the mapping, or fix NetSuite"
    )


def test_every_unresolved_reference_is_reported(mapping: MappingConfig, reference: ReferenceData) -> None:
    """Unmapped terms and an unknown payment method are both reported, each at its field."""
    data = f.customer_payment() | {"payment_method": "BITCOIN"}
    invoice = f.invoice() | {"terms": "NET99"}
    failures = [translate(doc(data), mapping, reference), translate(doc(invoice), mapping, reference)]
    fields = [(e.field, e.cause) for r in failures if isinstance(r, Failed) for e in r.errors]
    assert fields == [
        ("$.payment_method", "payment method 'BITCOIN' is not in the mapping"),
        ("$.terms", "term 'NET99' is not in the mapping"),
    ]


def test_an_unknown_company_fails_the_document(mapping: MappingConfig, reference: ReferenceData) -> None:
    """A TMS company the mapping does not route is an error with the table to add."""
    result = translate(doc(f.invoice() | {"invoice_as": "FCMX"}), mapping, reference)
    assert isinstance(result, Failed)
    assert [(e.field, e.fix) for e in result.errors] == [("$.invoice_as", "add [companies.FCMX]")]


def _with_customers(reference: ReferenceData, *customers: Entity) -> ReferenceData:
    return dataclasses.replace(reference, customers=customers)


def test_linking_order(mapping: MappingConfig, reference: ReferenceData) -> None:
    """NetSuite id on the TMS party first, then our external id, then an exact name in the subsidiary."""
    named = Entity(id="77", name="Great Lakes Paper Co", subsidiaries=frozenset({"1"}))
    ours = Entity(id="88", name="Renamed", external_id="TMS-CUSTOMER-C__1")  # compared without case
    strict = no_auto_create(mapping)

    def entity(data: dict[str, Any], ref: ReferenceData) -> object:
        result = translate(doc(data), strict, ref)
        assert isinstance(result, Translated), result
        return result.records[0].payload["entity"]

    with_id = f.invoice() | {"customer": f.CUSTOMER_REF | {"netsuite_id": "55"}}
    assert entity(with_id, _with_customers(reference, named, ours)) == {"id": "55"}
    assert entity(f.invoice(), _with_customers(reference, named, ours)) == {"id": "88"}
    assert entity(f.invoice(), _with_customers(reference, named)) == {"id": "77"}


def test_several_name_matches_are_an_error_listing_them(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """Two NetSuite customers with the TMS customer's name: an error listing both, never a guess."""
    twins = (Entity(id="77", name="Great Lakes Paper Co"), Entity(id="78", name="Great Lakes Paper Co"))
    result = translate(doc(f.invoice()), mapping, _with_customers(reference, *twins))
    assert isinstance(result, Failed)
    (error,) = result.errors
    assert "matches 2 NetSuite customer records" in error.cause
    assert "(id 77)" in error.cause
    assert "(id 78)" in error.cause
    assert "netsuite_id" in error.fix


def test_a_name_in_another_subsidiary_does_not_link(mapping: MappingConfig, reference: ReferenceData) -> None:
    """A same-named customer of the Canadian subsidiary is not the US invoice's customer: auto-create or fail."""
    canadian = Entity(id="77", name="Great Lakes Paper Co", subsidiaries=frozenset({"2"}))
    ref = _with_customers(reference, canadian)
    created = translate(doc(f.invoice()), mapping, ref)
    assert isinstance(created, Translated)
    assert created.records[0].payload["entity"] == {"externalId": "tms-customer-C__1"}
    failed = translate(doc(f.invoice()), no_auto_create(mapping), ref)
    assert isinstance(failed, Failed)
    assert "auto_create_customers = true" in failed.errors[0].fix


def test_a_party_linked_by_name_is_not_overwritten(mapping: MappingConfig, reference: ReferenceData) -> None:
    """A customer document whose party NetSuite has under another key is linked and left unchanged."""
    ref = _with_customers(reference, Entity(id="77", name="Great Lakes Paper Co"))
    result = translate(doc(f.customer()), mapping, ref)
    assert isinstance(result, Skipped)
    assert result.reason == "linked to NetSuite customer 77 by an exact name match; left unchanged"


def test_a_void_invoice_is_reversed_by_a_credit_memo(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """A void invoice keeps its invoice and gains a -reversal credit memo with its lines, applied in full."""
    data = f.invoice() | {"version": 2, "status": "void", "voided_on": "2026-10-09"}
    result = translate(doc(data), mapping, reference)
    assert isinstance(result, Translated)
    invoice, reversal = result.records
    assert (reversal.record_type, reversal.external_id) == (
        RecordType.CREDIT_MEMO,
        "tms-invoice-INV__1-reversal",
    )
    assert reversal.payload["item"] == invoice.payload["item"]
    assert reversal.payload["account"] == invoice.payload["account"]
    assert reversal.payload["tranDate"] == "2026-10-09"
    assert reversal.payload["apply"]["items"] == [
        {"doc": {"externalId": invoice.external_id}, "apply": True, "amount": 2369.48}
    ]


def test_a_void_carrier_bill_is_reversed_by_a_vendor_credit(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """A void carrier bill gains a -reversal vendor credit with its expense lines."""
    data = f.carrier_bill() | {"status": "void", "voided_on": "2026-10-06"}
    result = translate(doc(data), mapping, reference)
    assert isinstance(result, Translated)
    bill, reversal = result.records
    assert reversal.record_type is RecordType.VENDOR_CREDIT
    assert reversal.payload["expense"] == bill.payload["expense"]
    assert reversal.payload["apply"]["items"][0]["amount"] == 2050.0


def test_void_journal_entries(mapping: MappingConfig, reference: ReferenceData) -> None:
    """Without a reversal date a void journal gets a swapped -reversal; with a later one, NetSuite's own
    reversal is moved to the void date instead."""
    data = f.journal_entry() | {"status": "void", "voided_on": "2026-10-20"}
    result = translate(doc(data | {"reversal_date": None}), mapping, reference)
    assert isinstance(result, Translated)
    entry, reversal = result.records
    assert reversal.external_id == "tms-journal_entry-JE__1-reversal"
    original = [(line.get("debit"), line.get("credit")) for line in entry.payload["line"]["items"]]
    swapped = [(line.get("credit"), line.get("debit")) for line in reversal.payload["line"]["items"]]
    assert original == swapped
    moved = translate(doc(data), mapping, reference)
    assert isinstance(moved, Translated)
    (only,) = moved.records
    assert only.payload["reversalDate"] == "2026-10-20"


def test_void_payments_are_deleted_last_record_first(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """A void quick-pay payment deletes the payment, then its fee credit."""
    data = f.bill_payment() | {"status": "void", "voided_on": "2026-10-07"}
    result = translate(doc(data), mapping, reference)
    assert isinstance(result, Translated)
    assert [(r.operation, r.record_type) for r in result.records] == [
        (Operation.DELETE, RecordType.VENDOR_PAYMENT),
        (Operation.DELETE, RecordType.VENDOR_CREDIT),
    ]
    assert all(r.payload == {} for r in result.records)


def test_a_void_customer_becomes_inactive(mapping: MappingConfig, reference: ReferenceData) -> None:
    """Entities are never deleted: a void customer is written inactive."""
    result = translate(doc(f.customer() | {"status": "void"}), mapping, reference)
    assert isinstance(result, Translated)
    assert result.records[0].payload["isInactive"] is True
