"""The account's features and accounting preferences shape its records: vendor bill approval routing, Payment
Instruments (paymentOption), and what a date in a closed period does."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.emulator.records_support import RECORD, invoice_body, make, netsuite, raw, refused

BILL = {"entity": {"id": "201"}, "expense": {"items": [{"account": {"id": "17"}, "amount": 100}]}}


def _payment(bill: str) -> dict[str, object]:
    return {
        "entity": {"id": "201"},
        "account": {"id": "1"},
        "apply": {"items": [{"doc": {"id": bill}, "amount": 100}]},
    }


@pytest.mark.anyio
async def test_bill_approval_keeps_new_bills_pending_unposted_and_unpayable() -> None:
    with make("bill-approval") as emulator:
        async with netsuite(emulator) as ns, netsuite(emulator, "admin") as admin:
            bill = await ns.create("vendorBill", BILL)
            read = await ns.get("vendorBill", bill)
            unposted = emulator.store.query('SELECT posting FROM "transaction" WHERE id = ?', (int(bill),))[
                0
            ][0]
            payment = await refused(ns.create("vendorPayment", _payment(bill)))
            credit = await refused(
                ns.create("vendorCredit", {**BILL, "apply": {"items": [{"doc": {"id": bill}, "amount": 10}]}})
            )
            approve = await refused(ns.patch("vendorBill", bill, {"approvalStatus": {"id": "2"}}))
            await admin.patch("vendorBill", bill, {"approvalStatus": {"id": "2"}})
            approved = await ns.get("vendorBill", bill)
            paid = await ns.create("vendorPayment", _payment(bill))
        posting = emulator.store.query('SELECT posting FROM "transaction" WHERE id = ?', (int(bill),))[0][0]
    assert read["approvalStatus"] == {"id": "1", "refName": "Pending Approval"}
    assert read["status"]["refName"] == "Pending Approval"
    assert (payment[:2], payment[3]) == ((400, "INVALID_CONTENT"), "apply.items[0].doc")
    assert credit[3] == "apply.items[0].doc"
    assert approve[:2] == (403, "INSUFFICIENT_PERMISSION")
    assert "approvalStatus" in approve[2]
    assert approved["approvalStatus"]["id"] == "2"
    assert approved["status"]["refName"] == "Open"
    assert paid
    assert (unposted, posting) == ("F", "T")


@pytest.mark.anyio
async def test_bill_approval_lets_a_role_with_the_permission_approve_on_create() -> None:
    with make("bill-approval") as emulator:
        emulator.store.execute(
            "INSERT INTO rolepermissions (role, permkey, permlevel, name) VALUES (1001, 'TRAN_VENDBILLAPPRV', 4, "
            "'Vendor Bill Approval')"
        )
        async with netsuite(emulator) as ns:
            bill = await ns.create("vendorBill", {**BILL, "approvalStatus": {"id": "2"}})
            paid = await ns.create("vendorPayment", _payment(bill))
    assert paid


@pytest.mark.anyio
async def test_without_approval_routing_a_bill_has_no_approval_status() -> None:
    with make() as emulator:
        async with netsuite(emulator) as ns:
            refusal = await refused(ns.create("vendorBill", {**BILL, "approvalStatus": {"id": "2"}}))
            bill = await ns.create("vendorBill", BILL)
            paid = await ns.create("vendorPayment", _payment(bill))
        schema = (await raw(emulator, "GET", f"{RECORD}/metadata-catalog/vendorbill")).json()
    assert refusal[3] == "approvalStatus"
    assert paid
    assert "approvalStatus" not in schema["properties"]


@pytest.mark.anyio
@pytest.mark.parametrize("record_type", ["customerPayment", "customerDeposit"])
async def test_payment_instruments_takes_payment_option_not_payment_method(record_type: str) -> None:
    body = {"customer": {"id": "101"}, "payment": 30}
    with make("payment-instruments") as emulator:
        async with netsuite(emulator) as ns:
            method = await refused(ns.create(record_type, {**body, "paymentMethod": {"id": "2"}}))
            created = await ns.create(record_type, {**body, "paymentOption": {"id": "2"}})
            read = await ns.get(record_type, created)
        schema = (await raw(emulator, "GET", f"{RECORD}/metadata-catalog/{record_type.lower()}")).json()
    assert method[3] == "paymentMethod"
    assert read["paymentOption"]["id"] == "2"
    assert "paymentMethod" not in read
    assert "paymentOption" in schema["properties"]
    assert "paymentMethod" not in schema["properties"]


@pytest.mark.anyio
async def test_without_payment_instruments_payment_method_is_the_field() -> None:
    with make() as emulator:
        async with netsuite(emulator) as ns:
            option = await refused(
                ns.create(
                    "customerPayment",
                    {"customer": {"id": "101"}, "payment": 30, "paymentOption": {"id": "2"}},
                )
            )
        answer = await raw(emulator, "GET", f"{RECORD}/metadata-catalog/customerpayment")
    assert option[3] == "paymentOption"
    assert answer.headers["content-type"].startswith("application/schema+json")
    assert answer.json()["properties"]["paymentMethod"]["type"] == "object"


def _closed_october() -> dict[str, object]:
    return invoice_body("101", tranDate="2026-10-15")


@pytest.mark.anyio
async def test_disallow_refuses_a_closed_date_and_a_period_that_does_not_hold_the_date() -> None:
    with make("closed-period") as emulator:
        november = emulator.store.query("SELECT id FROM accountingperiod WHERE periodname = 'Nov 2026'")[0][0]
        async with netsuite(emulator) as ns:
            closed = await refused(ns.create("invoice", _closed_october()))
            moved = await refused(
                ns.create("invoice", {**_closed_october(), "postingPeriod": {"id": str(november)}})
            )
    assert "closed" in closed[2]
    assert closed[3] == "tranDate"
    assert "not within the date range" in moved[2]
    assert moved[3] == "postingPeriod"


@pytest.mark.anyio
async def test_allow_posts_a_closed_date_in_the_first_open_period_or_the_one_given() -> None:
    with make("closed-period-allow") as emulator:
        periods = dict(emulator.store.query("SELECT periodname, id FROM accountingperiod"))
        first_open = emulator.store.query(
            "SELECT periodname FROM accountingperiod WHERE isyear = 'F' AND isquarter = 'F' AND closed = 'F' "
            "ORDER BY startdate LIMIT 1"
        )[0][0]
        async with netsuite(emulator) as ns:
            defaulted = await ns.create("invoice", _closed_october())
            given = await ns.create(
                "invoice", {**_closed_october(), "postingPeriod": {"id": str(periods["Nov 2026"])}}
            )
            closed = await refused(
                ns.create("invoice", {**_closed_october(), "postingPeriod": {"id": str(periods["Oct 2026"])}})
            )
            first, second = await ns.get("invoice", defaulted), await ns.get("invoice", given)
    assert first["postingPeriod"]["refName"] == first_open
    assert (second["postingPeriod"]["refName"], second["tranDate"]) == ("Nov 2026", "2026-10-15")
    assert closed[3] == "postingPeriod"
    assert dt.date.fromisoformat(first["tranDate"]) == dt.date(2026, 10, 15)


JOURNAL = {"subsidiary": {"id": "1"}, "line": {"items": [{"account": {"id": "9"}, "debit": 60}, {"account": {"id": "1"}, "credit": 60}]}}  # fmt: skip


@pytest.mark.anyio
async def test_journal_approval_keeps_new_journals_pending_until_an_approver_approves() -> None:
    with make("journal-approval") as emulator:
        async with netsuite(emulator) as ns, netsuite(emulator, "admin") as admin:
            entry = await ns.create("journalEntry", JOURNAL)
            pending = await ns.get("journalEntry", entry)
            refusal = await refused(ns.patch("journalEntry", entry, {"approved": True}))
            await admin.patch("journalEntry", entry, {"approved": True})
            approved = await ns.get("journalEntry", entry)
        posting = emulator.store.query('SELECT posting FROM "transaction" WHERE id = ?', (int(entry),))[0][0]
    assert pending["status"]["refName"] == "Pending Approval"
    assert (refusal[:2], refusal[3]) == ((403, "INSUFFICIENT_PERMISSION"), "approved")
    assert approved["status"]["refName"] == "Approved for Posting"
    assert posting == "T"
