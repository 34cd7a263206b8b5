"""Read-back against the emulator with people's actions: payments in full and in part, a bill paid, one payment
for two invoices, an edited total, a deleted bill; each change one event, once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.readback.conftest import Account, of_type

pytestmark = pytest.mark.anyio


async def test_paying_an_invoice_and_a_bill_makes_one_event_each_once(
    make_account: Callable[..., Account],
) -> None:
    account = make_account()
    await account.export()
    first = await account.sync()
    assert of_type(first.events, "document.synced"), "the first pass announces every exported document"
    [invoice, *_] = await account.open_documents("CustInvc")
    [bill, *_] = await account.open_documents("VendBill")
    account.clock.advance(120)
    account.person.pay_invoice(invoice["externalid"])
    account.person.pay_bill(bill["externalid"])
    second = await account.sync()
    assert sorted(e.type for e in second.events) == [
        "bill.paid",
        "invoice.paid",
        "payment.entered_in_netsuite",
        "payment.entered_in_netsuite",
    ]
    [paid] = of_type(second.events, "invoice.paid")
    body = paid.payload
    assert body["id"] == paid.event_id
    assert body["netsuite"]["internal_id"] == invoice["id"]
    assert body["netsuite"]["external_id"] == invoice["externalid"]
    assert body["netsuite"]["url"].endswith(f"id={invoice['id']}")
    assert body["document"]["kind"] == "invoice"
    assert body["document"]["id"].startswith("INV-")
    assert body["amounts"]["remaining"] == "0.00"
    assert body["amounts"]["paid"] == body["amounts"]["total"]
    assert body["currency"] in ("USD", "CAD")
    assert [a["entered_in"] for a in body["applied"]] == ["netsuite"]
    [bill_paid] = of_type(second.events, "bill.paid")
    assert bill_paid.payload["netsuite"]["internal_id"] == bill["id"]
    third = await account.sync()
    assert third.events == [], "the overlap re-read finds nothing new"


async def test_partial_then_full_payment_and_one_payment_for_two_invoices(
    make_account: Callable[..., Account],
) -> None:
    account = make_account()
    await account.export()
    await account.sync()
    first = (await account.open_documents("CustInvc"))[0]
    account.person.pay_invoice(first["id"], 10.0)
    partly = await account.sync()
    [event] = of_type(partly.events, "invoice.partially_paid")
    remaining = float(first["foreignamountunpaid"]) - 10.0
    assert event.payload["amounts"]["remaining"] == f"{remaining:.2f}"
    account.person.pay_invoice(first["id"])
    assert [e.type for e in (await account.sync()).events if e.type.startswith("invoice.")] == [
        "invoice.paid"
    ]
    # Two open invoices of one customer.
    same = await account.rows(
        "SELECT a.id AS a, b.id AS b FROM transaction a JOIN transaction b ON a.entity = b.entity AND a.id < b.id "
        "AND a.currency = b.currency WHERE a.type = 'CustInvc' AND b.type = 'CustInvc' "
        "AND a.foreignamountunpaid > 1 AND b.foreignamountunpaid > 1 ORDER BY a.id, b.id"
    )
    pair = (same[0]["a"], same[0]["b"])
    payment = account.person.pay_invoices({pair[0]: 1.0, pair[1]: None})
    report = await account.sync()
    [entered] = of_type(report.events, "payment.entered_in_netsuite")
    assert entered.payload["netsuite"]["internal_id"] == str(payment)
    assert sorted(t["netsuite"]["internal_id"] for t in entered.payload["applied_to"]) == sorted(pair)
    assert {
        e.payload["netsuite"]["internal_id"] for e in report.events if e.type.startswith("invoice.")
    } == set(pair)


async def test_an_edited_total_and_a_deleted_bill(make_account: Callable[..., Account]) -> None:
    account = make_account()
    await account.export()
    await account.sync()
    invoice = (await account.open_documents("CustInvc"))[0]
    bill = (await account.open_documents("VendBill"))[-1]
    new_total = float(invoice["foreigntotal"]) + 25.0
    account.person.edit_total("invoice", invoice["id"], new_total)
    account.person.delete("vendorbill", bill["id"])
    report = await account.sync()
    [changed] = of_type(report.events, "record.changed_in_netsuite")
    assert changed.payload["changes"]["total"] == {
        "was": f"{float(invoice['foreigntotal']):.2f}",
        "now": f"{new_total:.2f}",
    }
    [deleted] = of_type(report.events, "record.deleted_in_netsuite")
    assert deleted.payload["netsuite"]["internal_id"] == bill["id"]
    assert deleted.payload["document"]["kind"] in ("carrier_bill", "driver_settlement")
    assert (await account.sync()).events == []


async def test_a_voided_invoice_and_a_voided_payment(make_account: Callable[..., Account]) -> None:
    """A voided invoice is one record.voided_in_netsuite (its total falling to zero is the void, not an edit);
    voiding a person's payment opens its invoice again: invoice.reopened with the amount remaining restored."""
    account = make_account()
    await account.export()
    await account.sync()
    voided, repaid = (await account.open_documents("CustInvc"))[:2]
    account.person.void("invoice", voided["id"])
    report = await account.sync()
    [event] = of_type(report.events, "record.voided_in_netsuite")
    assert event.payload["netsuite"]["internal_id"] == voided["id"]
    assert event.payload["document"]["kind"] == "invoice"
    assert of_type(report.events, "record.changed_in_netsuite") == []
    assert [e.type for e in report.events if e.type.startswith("invoice.")] == []
    payment = account.person.pay_invoice(repaid["id"])
    assert of_type((await account.sync()).events, "invoice.paid")
    account.person.void("customerpayment", payment)
    reopened = await account.sync()
    [event] = of_type(reopened.events, "invoice.reopened")
    assert event.payload["netsuite"]["internal_id"] == repaid["id"]
    assert event.payload["amounts"]["remaining"] == f"{float(repaid['foreignamountunpaid']):.2f}"
    assert (await account.sync()).events == []
