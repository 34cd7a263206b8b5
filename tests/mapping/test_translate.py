"""Translation, flow by flow: the NetSuite record types, external ids and REST payload shapes."""

from __future__ import annotations

from typing import Any

from tests.documents import factories as f
from tms_netsuite.documents import Document, validate_document
from tms_netsuite.mapping import (
    CompanyDriverSettlements,
    MappingConfig,
    NetSuiteWrite,
    Operation,
    RecordKey,
    RecordType,
    ReferenceData,
    Skipped,
    Translated,
    translate,
)
from tms_netsuite.mapping._reference import ListKind


def doc(data: dict[str, Any]) -> Document:
    return validate_document(data)


def records(
    document: Document, mapping: MappingConfig, reference: ReferenceData
) -> tuple[NetSuiteWrite, ...]:
    result = translate(document, mapping, reference)
    assert isinstance(result, Translated), result
    return result.records


def ref_id(reference: ReferenceData, kind: ListKind, name: str) -> dict[str, str]:
    (record,) = reference.by_name(kind, name)
    return {"id": record.id}


def test_invoice(mapping: MappingConfig, reference: ReferenceData) -> None:
    """invoice → invoice: item lines by charge code, tranId, otherRefNum, load references to custom fields."""
    (record,) = records(doc(f.invoice()), mapping, reference)
    assert (record.record_type, record.external_id, record.operation) == (
        RecordType.INVOICE,
        "tms-invoice-INV__1",
        Operation.UPSERT,
    )
    body = record.payload
    assert body["externalId"] == "tms-invoice-INV__1"
    assert body["entity"] == {"externalId": "tms-customer-C__1"}
    assert body["subsidiary"] == ref_id(reference, ListKind.SUBSIDIARY, "Freight Co US")
    assert body["currency"] == ref_id(reference, ListKind.CURRENCY, "USD")
    assert body["terms"] == ref_id(reference, ListKind.TERM, "Net 30")
    assert body["account"] == ref_id(reference, ListKind.ACCOUNT, "1200")  # the subsidiary's A/R
    assert (body["tranId"], body["otherRefNum"], body["tranDate"], body["dueDate"]) == (
        "T1001",
        "PO-5",
        "2026-10-05",
        "2026-11-04",
    )
    assert (body["custbody_load_number"], body["custbody_bol"], body["custbody_pro"]) == (
        "L-1001",
        "BOL77",
        "PRO9",
    )
    assert body["class"] == ref_id(reference, ListKind.CLASS, "Brokerage")
    assert body["location"] == ref_id(reference, ListKind.LOCATION, "Dallas Terminal")
    items = body["item"]["items"]
    names = ["Linehaul", "Fuel Surcharge", "Lumper", "Accessorial", "Rate Adjustment"]
    assert [line["item"] for line in items] == [ref_id(reference, ListKind.ITEM, n) for n in names]
    assert [line["amount"] for line in items] == [1754.2, 415.28, 250.0, 0.0, -50.0]
    assert (items[0]["quantity"], items[0]["rate"]) == (716.0, 2.45)
    assert record.depends_on == (RecordKey(RecordType.CUSTOMER, "tms-customer-C__1"),)
    assert record.replace == ("item",)


def test_load_references_default_to_the_memo(mapping: MappingConfig, reference: ReferenceData) -> None:
    """Without custom body fields, load number, BOL and PRO are appended to the memo."""
    plain = mapping.model_copy(update={"body_fields": type(mapping.body_fields)()})
    (record,) = records(doc(f.invoice()), plain, reference)
    body = record.payload
    assert "custbody_load_number" not in body
    assert body["memo"] == "Load L-1001; BOL BOL77; PRO PRO9"


def test_carrier_bill(mapping: MappingConfig, reference: ReferenceData) -> None:
    """carrier_bill → vendorBill: expense lines by account or expense category, tranId = carrier invoice number."""
    (record,) = records(doc(f.carrier_bill()), mapping, reference)
    body = record.payload
    assert (record.record_type, record.external_id) == (RecordType.VENDOR_BILL, "tms-carrier_bill-CB__1")
    assert body["entity"] == {"externalId": "tms-carrier-CR__1"}
    assert body["tranId"] == "BR55012"
    assert body["account"] == ref_id(reference, ListKind.ACCOUNT, "2000")  # the subsidiary's A/P
    lines = body["expense"]["items"]
    assert lines[0] == {
        "account": ref_id(reference, ListKind.ACCOUNT, "5000"),
        "amount": 1800.0,
        "memo": "LINEHAUL",
    }
    assert lines[1]["category"] == ref_id(reference, ListKind.EXPENSE_CATEGORY, "Lumper Fees")
    assert "Trip TR-1001" in body["memo"]
    assert record.replace == ("expense",)


def test_owner_operator_settlement(mapping: MappingConfig, reference: ReferenceData) -> None:
    """driver_settlement → vendorBill of earnings + vendorCredit of deductions, advances and escrow, applied."""
    bill, credit = records(doc(f.driver_settlement()), mapping, reference)
    assert (bill.record_type, bill.external_id) == (RecordType.VENDOR_BILL, "tms-driver_settlement-ST__1")
    assert (credit.record_type, credit.external_id) == (
        RecordType.VENDOR_CREDIT,
        "tms-driver_settlement-ST__1-credit",
    )
    assert bill.payload["subsidiary"] == ref_id(reference, ListKind.SUBSIDIARY, "Freight Co Canada")
    assert bill.payload["currency"] == ref_id(reference, ListKind.CURRENCY, "CAD")
    assert bill.payload["class"] == ref_id(reference, ListKind.CLASS, "Carrier")
    account = lambda number: ref_id(reference, ListKind.ACCOUNT, number)  # noqa: E731
    assert [line["account"] for line in bill.payload["expense"]["items"]] == [account("5100")] * 2
    withheld = credit.payload["expense"]["items"]
    # fuel and insurance by category, equipment falls back to deduction_recovery; then advances, escrow
    assert [line["account"] for line in withheld] == [
        account(n) for n in ("5200", "6100", "4950", "1300", "2300")
    ]
    assert [line["amount"] for line in withheld] == [560.0, 95.0, 175.0, 300.0, 50.0]
    assert credit.payload["apply"]["items"] == [
        {"doc": {"externalId": bill.external_id}, "apply": True, "amount": 1180.0}
    ]
    assert bill.key in credit.depends_on


def test_a_credit_never_applies_beyond_the_settlement(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """When deductions exceed earnings, the credit applies only the bill's amount; the rest stays open."""
    data = f.driver_settlement()
    data["deductions"][0]["amount"] = f.cad("1600.00")
    _, credit = records(doc(data), mapping, reference)
    assert credit.payload["apply"]["items"][0]["amount"] == 1704.0


def test_company_driver_settlements_are_skipped_or_accrued(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """W2 pay is skipped (an outcome, not a failure), or posted as accrued wages when the mapping asks."""
    w2 = doc(f.driver_settlement("company"))
    skipped = translate(w2, mapping, reference)
    assert isinstance(skipped, Skipped)
    assert "payroll" in skipped.reason
    options = mapping.options.model_copy(
        update={"company_driver_settlements": CompanyDriverSettlements.ACCRUE_WAGES}
    )
    (entry,) = records(w2, mapping.model_copy(update={"options": options}), reference)
    assert entry.record_type is RecordType.JOURNAL_ENTRY
    lines = entry.payload["line"]["items"]
    assert lines[0]["account"] == ref_id(reference, ListKind.ACCOUNT, "5110")
    assert lines[1]["account"] == ref_id(reference, ListKind.ACCOUNT, "2150")
    assert (lines[0]["debit"], lines[1]["credit"]) == (1704.0, 1704.0)


def test_customer_payment(mapping: MappingConfig, reference: ReferenceData) -> None:
    """customer_payment → customerPayment to undeposited funds, apply lines by invoice external id."""
    (record,) = records(doc(f.customer_payment()), mapping, reference)
    body = record.payload
    assert record.record_type is RecordType.CUSTOMER_PAYMENT
    assert body["customer"] == {"externalId": "tms-customer-C__1"}
    assert (body["payment"], body["undepFunds"]) == (1500.0, {"id": "T"})
    assert "account" not in body
    assert body["paymentMethod"] == ref_id(reference, ListKind.PAYMENT_METHOD, "ACH")
    assert body["apply"]["items"] == [
        {"doc": {"externalId": "tms-invoice-INV__1"}, "apply": True, "amount": 1000.0},
        {"doc": {"externalId": "tms-invoice-INV__2"}, "apply": True, "amount": 500.0},
    ]
    assert RecordKey(RecordType.INVOICE, "tms-invoice-INV__2") in record.depends_on


def test_customer_payment_to_a_named_bank_account(mapping: MappingConfig, reference: ReferenceData) -> None:
    """A deposit_account key from [bank_accounts] posts to that account instead of undeposited funds."""
    (record,) = records(doc(f.customer_payment() | {"deposit_account": "OPERATING_US"}), mapping, reference)
    assert record.payload["undepFunds"] == {"id": "F"}
    assert record.payload["account"] == ref_id(reference, ListKind.ACCOUNT, "1010")


def test_quick_pay_bill_payment(mapping: MappingConfig, reference: ReferenceData) -> None:
    """A quick-pay fee is a vendorCredit to fee income applied to the bill, then a vendorPayment of the net."""
    credit, payment = records(doc(f.bill_payment()), mapping, reference)
    bill = {"externalId": "tms-carrier_bill-CB__1"}
    assert (credit.record_type, credit.external_id) == (
        RecordType.VENDOR_CREDIT,
        "tms-bill_payment-BP__1-fee",
    )
    assert credit.payload["expense"]["items"][0]["account"] == ref_id(reference, ListKind.ACCOUNT, "4810")
    assert credit.payload["apply"]["items"] == [{"doc": bill, "apply": True, "amount": 41.0}]
    assert (payment.record_type, payment.external_id) == (RecordType.VENDOR_PAYMENT, "tms-bill_payment-BP__1")
    assert payment.payload["apply"]["items"] == [{"doc": bill, "apply": True, "amount": 2009.0}]
    assert payment.payload["account"] == ref_id(reference, ListKind.ACCOUNT, "1010")
    assert payment.payload["entity"] == {"externalId": "tms-carrier-CR__1"}
    assert credit.key in payment.depends_on


def test_credit_memo(mapping: MappingConfig, reference: ReferenceData) -> None:
    """credit_memo → creditMemo with item lines, applied to its invoice."""
    (record,) = records(doc(f.credit_memo()), mapping, reference)
    assert record.record_type is RecordType.CREDIT_MEMO
    assert record.payload["item"]["items"][0]["item"] == ref_id(reference, ListKind.ITEM, "Rate Adjustment")
    assert record.payload["apply"]["items"] == [
        {"doc": {"externalId": "tms-invoice-INV__1"}, "apply": True, "amount": 75.0}
    ]


def test_vendor_credit(mapping: MappingConfig, reference: ReferenceData) -> None:
    """vendor_credit → vendorCredit: claim lines by category to Cargo Claims, applied to the bill."""
    (record,) = records(doc(f.vendor_credit()), mapping, reference)
    assert (record.record_type, record.payload["tranId"]) == (RecordType.VENDOR_CREDIT, "CLM-1")
    assert record.payload["expense"]["items"][0]["account"] == ref_id(reference, ListKind.ACCOUNT, "5400")
    assert record.payload["apply"]["items"][0]["doc"] == {"externalId": "tms-carrier_bill-CB__1"}


def test_customer_deposit(mapping: MappingConfig, reference: ReferenceData) -> None:
    """customer_deposit → customerDeposit with payment, clearing account and payment method."""
    (record,) = records(doc(f.customer_deposit()), mapping, reference)
    body = record.payload
    assert record.record_type is RecordType.CUSTOMER_DEPOSIT
    assert (body["payment"], body["undepFunds"], body["custbody_load_number"]) == (
        2000.0,
        {"id": "T"},
        "L-1001",
    )
    assert body["paymentMethod"] == ref_id(reference, ListKind.PAYMENT_METHOD, "Wire")


def test_deposit_application_is_a_transform(mapping: MappingConfig, reference: ReferenceData) -> None:
    """deposit_application → depositApplication by !transform of our customerDeposit."""
    (record,) = records(doc(f.deposit_application()), mapping, reference)
    deposit = RecordKey(RecordType.CUSTOMER_DEPOSIT, "tms-customer_deposit-DEP__1")
    assert (record.record_type, record.operation, record.transform_from) == (
        RecordType.DEPOSIT_APPLICATION,
        Operation.TRANSFORM,
        deposit,
    )
    assert deposit in record.depends_on
    assert record.payload["apply"]["items"] == [
        {"doc": {"externalId": "tms-invoice-INV__1"}, "apply": True, "amount": 2000.0}
    ]
    assert "subsidiary" not in record.payload  # the deposit carries it


def test_journal_entry(mapping: MappingConfig, reference: ReferenceData) -> None:
    """journal_entry → journalEntry: account keys and roles resolved, entity on the A/R line, reversal date."""
    (record,) = records(doc(f.journal_entry()), mapping, reference)
    body = record.payload
    account = lambda number: ref_id(reference, ListKind.ACCOUNT, number)  # noqa: E731
    lines = body["line"]["items"]
    assert [line["account"] for line in lines] == [account("5000"), account("1200"), account("2100")]
    assert [line.get("debit") for line in lines] == [1800.0, 10.0, None]
    assert lines[2]["credit"] == 1810.0
    assert lines[1]["entity"] == {"externalId": "tms-customer-C__1"}
    assert body["reversalDate"] == "2026-11-01"
    assert record.replace == ("line",)


def test_master_data(mapping: MappingConfig, reference: ReferenceData) -> None:
    """customer → customer; carrier and owner-operator → vendor; a company driver → nothing (skipped)."""
    (customer,) = records(doc(f.customer()), mapping, reference)
    assert (customer.record_type, customer.external_id) == (RecordType.CUSTOMER, "tms-customer-C__1")
    assert customer.payload["companyName"] == "Great Lakes Paper Co"
    address = customer.payload["addressBook"]["items"][0]["addressBookAddress"]
    assert (address["city"], address["country"]) == ("Green Bay", {"id": "US"})
    (carrier,) = records(doc(f.carrier()), mapping, reference)
    assert (carrier.record_type, carrier.payload["printOnCheckAs"]) == (
        RecordType.VENDOR,
        "Lone Pine Factoring",
    )
    assert carrier.payload["comments"] == "MC MC123456; DOT 2345678"
    (driver,) = records(doc(f.driver()), mapping, reference)
    assert (driver.record_type, driver.payload["is1099Eligible"]) == (RecordType.VENDOR, True)
    assert isinstance(translate(doc(f.driver("company")), mapping, reference), Skipped)


def test_an_entity_used_by_a_second_subsidiary(mapping: MappingConfig, reference: ReferenceData) -> None:
    """other_companies adds a subsidiary relationship per further subsidiary, suffixed -sub<id>."""
    entity, relationship = records(doc(f.customer() | {"other_companies": ["FCCA"]}), mapping, reference)
    assert relationship.record_type is RecordType.CUSTOMER_SUBSIDIARY_RELATIONSHIP
    assert relationship.external_id == "tms-customer-C__1-sub2"
    assert relationship.payload["entity"] == {"externalId": entity.external_id}
    assert relationship.payload["subsidiary"] == ref_id(reference, ListKind.SUBSIDIARY, "Freight Co Canada")
    assert relationship.depends_on == (entity.key,)
