"""The broken-account scenarios show their symptoms through the record service, on writes."""

from __future__ import annotations

import pytest

from tests.emulator.records_support import invoice_body, make, netsuite, refused, today

BILL = {"entity": {"id": "201"}, "expense": {"items": [{"account": {"id": "17"}, "amount": 100}]}}


@pytest.mark.anyio
async def test_missing_permissions_refuses_bills_and_vendors() -> None:
    with make("missing-permissions") as emulator:
        before = emulator.store.fingerprint()
        async with netsuite(emulator) as ns:
            bill = await refused(ns.create("vendorBill", BILL))
            vendor = await refused(
                ns.upsert("vendor", "carrier-1", {"companyName": "X", "subsidiary": {"id": "1"}})
            )
            read = await refused(ns.get("vendor", "201"))
            invoice = await ns.create("invoice", invoice_body())  # invoices are still allowed
        assert invoice
        assert emulator.store.fingerprint() != before  # only the invoice was written
        assert emulator.store.query("SELECT COUNT(*) FROM \"transaction\" WHERE type = 'VendBill'")[0][0] == 0
    assert bill[:2] == vendor[:2] == read[:2] == (403, "INSUFFICIENT_PERMISSION")
    assert "'Transactions -> Bills' permission at level Create" in bill[2]
    assert "'Lists -> Vendors' permission at level Edit" in vendor[2]


@pytest.mark.anyio
async def test_permissions_changed_refuses_invoices_and_customers() -> None:
    with make("permissions-changed") as emulator:
        before = emulator.store.fingerprint()
        async with netsuite(emulator) as ns:
            invoice = await refused(ns.upsert("invoice", "inv-1", invoice_body()))
            customer = await refused(ns.create("customer", {"companyName": "Y", "subsidiary": {"id": "1"}}))
        assert emulator.store.fingerprint() == before
    assert invoice[:2] == customer[:2] == (403, "INSUFFICIENT_PERMISSION")
    assert "'Transactions -> Invoice' permission" in invoice[2]


@pytest.mark.anyio
async def test_subsidiary_not_assigned_hides_and_refuses_the_other_subsidiary() -> None:
    with make("subsidiary-not-assigned") as emulator:
        before = emulator.store.fingerprint()
        async with netsuite(emulator) as ns:
            hidden = await refused(ns.get("customer", "102"))  # Maple Leaf Retail belongs to Canada
            to_canada = await refused(ns.create("invoice", invoice_body("103", subsidiary={"id": "2"})))
            canadian = await refused(ns.create("invoice", invoice_body("102")))
            new_customer = await refused(
                ns.create("customer", {"companyName": "Z", "subsidiary": {"id": "2"}})
            )
            listed = [i async for i in ns.list_ids("customer")]
            us_invoice = await ns.create("invoice", invoice_body("101"))
        assert us_invoice
        assert emulator.store.fingerprint() != before
    assert hidden[:2] == (404, "NONEXISTENT_ID")
    assert (to_canada[:2], to_canada[3]) == ((400, "INVALID_CONTENT"), "subsidiary")
    assert (canadian[:2], canadian[3]) == ((400, "INVALID_CONTENT"), "entity")
    assert new_customer[3] == "subsidiary"
    assert "102" not in listed
    assert "101" in listed


@pytest.mark.anyio
async def test_missing_accounts_refuses_what_posts_to_them() -> None:
    with make("missing-accounts") as emulator:
        before = emulator.store.fingerprint()
        async with netsuite(emulator) as ns:
            surcharge = await refused(
                ns.create(
                    "invoice",
                    {"entity": {"id": "101"}, "item": {"items": [{"item": {"id": "2"}, "amount": 50}]}},
                )
            )  # fmt: skip  -- Fuel Surcharge Revenue is inactive
            transportation = await refused(
                ns.create(
                    "vendorBill",
                    {
                        "entity": {"id": "201"},
                        "expense": {"items": [{"account": {"id": "15"}, "amount": 50}]},
                    },
                )
            )  # fmt: skip  -- Purchased Transportation is gone
        assert emulator.store.fingerprint() == before
    assert surcharge == (
        400,
        "USER_ERROR",
        "Error while accessing a resource. The income account of item Fuel Surcharge does not exist or is inactive.",
        "item.items[0].item",
    )
    assert (transportation[:2], transportation[3]) == ((400, "INVALID_CONTENT"), "expense.items[0].account")


@pytest.mark.anyio
async def test_closed_period_refuses_postings_dated_in_it() -> None:
    with make("closed-period") as emulator:
        month = today(emulator).strftime("%b %Y")
        before = emulator.store.fingerprint()
        async with netsuite(emulator) as ns:
            found = await refused(ns.create("invoice", invoice_body()))
            journal = await refused(ns.upsert("journalEntry", "je-1", {"subsidiary": {"id": "1"}, "line": {"items": [
                {"account": {"id": "1"}, "debit": 5}, {"account": {"id": "9"}, "credit": 5}]}}))  # fmt: skip
        assert emulator.store.fingerprint() == before
        # The administrator may override locks, never a closed period.
        async with netsuite(emulator, "admin") as ns:
            admin = await refused(ns.create("invoice", invoice_body()))
    detail = f"Error while accessing a resource. The accounting period {month} is closed. You cannot post to a closed period."
    assert found == journal == admin == (400, "USER_ERROR", detail, "tranDate")
