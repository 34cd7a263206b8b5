"""Payments, credits and deposit applications against the emulator: each goes to the subsidiary and A/R (A/P)
account of the documents it applies, as NetSuite's apply lists demand; carrier invoice numbers a carrier reuses
follow the mapping's `bill_number` policy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from netsuite_emulator import Emulator
from tests.documents import factories as f
from tests.export.test_engine_emulator import client_for, export, netsuite_rows
from tms_netsuite.documents import Document, Kind, validate_document
from tms_netsuite.ledger import Ledger, LedgerRow, State
from tms_netsuite.mapping import demo_mapping_path, external_id
from tms_netsuite.netsuite import ExternalId

pytestmark = pytest.mark.anyio


def documents(*docs: dict[str, Any]) -> list[Document]:
    return [validate_document(doc) for doc in docs]


def customer_of_both() -> dict[str, Any]:
    """Great Lakes Paper, a customer of the US company that the Canadian one bills too."""
    return f.customer() | {"other_companies": ["FCCA"]}


def canadian_invoice(doc_id: str = "INV-1", number: str = "T1001") -> dict[str, Any]:
    """An invoice of the US company's load billed as the Canadian one (Invoice-As), in the customer's USD."""
    return f.invoice() | {
        "id": doc_id,
        "number": number,
        "invoice_as": "FCCA",
        "lines": [f.line("LINEHAUL", "linehaul", "1", "1000", "1000.00")],
    }


def payment(doc_id: str, *invoices: str, currency: str = "USD") -> dict[str, Any]:
    money = {"amount": "100.00", "currency": currency}
    applications = [{"invoice": invoice, "amount": money} for invoice in invoices]
    total = {"amount": f"{100 * len(invoices)}.00", "currency": currency}
    return f.customer_payment() | {
        "id": doc_id,
        "currency": currency,
        "amount": total,
        "applications": applications,
    }


async def rows(emulator: Emulator, ledger_at: Path) -> dict[str, LedgerRow]:
    ledger = await Ledger.open(f"sqlite+aiosqlite:///{ledger_at}", emulator.account_id, "production")
    try:
        return {row.tms_id: row async for row in ledger.rows()}
    finally:
        await ledger.close()


async def column_of(emulator: Emulator, column: str, kind: Kind, tms_id: str, suffix: str = "") -> str | None:
    """A column of the transaction a document became, looked up by its external id."""
    query = f"SELECT {column} AS value FROM transaction WHERE externalid = ?"  # noqa: S608 -- a test's column
    async with client_for(emulator, "admin") as admin:
        found = [row async for row in admin.suiteql(query, [external_id(kind, tms_id, suffix)])]
    return found[0]["value"] if found else None


async def test_a_payment_credit_and_deposit_application_follow_the_invoices_subsidiary(
    tmp_path: Path,
) -> None:
    """The US company receives a payment, issues a credit and applies a deposit for an invoice billed as the
    Canadian company: NetSuite lists that invoice only in Canadian payments, credits and applications."""
    deposit = f.customer_deposit() | {"amount": f.usd("300.00"), "company": "FCCA"}
    application = f.deposit_application() | {
        "amount": f.usd("300.00"), "deposit_balance": f.usd("300.00"), "invoice_balance": f.usd("1000.00"),
    }  # fmt: skip
    credit = f.credit_memo() | {"invoice_balance": f.usd("1000.00")}
    docs = documents(
        customer_of_both(), canadian_invoice(), payment("PMT-1", "INV-1"), credit, deposit, application
    )
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", docs)
        found = await rows(emulator, tmp_path / "ledger.db")
        subsidiaries = [
            await column_of(emulator, "subsidiary", kind, tms_id)
            for kind, tms_id in ((Kind.CUSTOMER_PAYMENT, "PMT-1"), (Kind.CREDIT_MEMO, "CM-1"),
                                 (Kind.DEPOSIT_APPLICATION, "DA-1"))
        ]  # fmt: skip
        unpaid = await column_of(emulator, "foreignamountunpaid", Kind.INVOICE, "INV-1")
    assert {tms_id: row.state for tms_id, row in found.items()} == dict.fromkeys(found, State.SYNCED), [
        (row.tms_id, row.error) for row in found.values() if row.error
    ]
    assert run.counts == {State.SYNCED: 6}
    assert subsidiaries == ["2", "2", "2"]
    assert float(unpaid or "nan") == 1000.0 - 100.0 - 75.0 - 300.0


async def test_a_payment_applying_invoices_of_two_subsidiaries_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    us_invoice = f.invoice() | {"id": "INV-2", "number": "T1002",
                                "lines": [f.line("LINEHAUL", "linehaul", "1", "500", "500.00")]}  # fmt: skip
    docs = documents(customer_of_both(), canadian_invoice(), us_invoice, payment("PMT-2", "INV-1", "INV-2"))
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", docs)
        found = await rows(emulator, tmp_path / "ledger.db")
        written = await netsuite_rows(emulator, "SELECT id FROM transaction WHERE type = 'CustPymt'")
    assert run.counts == {State.SYNCED: 3, State.FAILED: 1}
    error = found["PMT-2"].error
    assert error is not None
    assert error.code == "MAPPING"
    assert error.cause == (
        "payment PMT-2 applies invoices of more than one NetSuite subsidiary or A/R account (Freight Co Canada, A/R "
        "account 1200: INV-1; Freight Co US, A/R account 1200: INV-2); NetSuite applies a payment only within "
        "one subsidiary and one A/R account"
    )
    assert (
        error.fix == "record it in the TMS as one payment per subsidiary and A/R account, then export again"
    )
    assert written == []


def with_receivable(tmp_path: Path, account: str) -> Path:
    """The demo mapping, with the US subsidiary's invoices charged to another A/R account."""
    text = demo_mapping_path().read_text(encoding="utf-8")
    changed = text.replace(
        'receivable = "1200"           # Accounts Receivable', f'receivable = "{account}"', 1
    )
    assert changed != text
    path = tmp_path / "mapping.toml"
    path.write_text(changed, encoding="utf-8")
    return path


async def test_a_payment_names_the_ar_account_its_invoices_posted_to(tmp_path: Path) -> None:
    """Invoices charged to a second A/R account (1210) are in the apply list of a payment only when its arAcct
    names that account: NetSuite's default is the first A/R account."""
    us_invoice = f.invoice() | {"lines": [f.line("LINEHAUL", "linehaul", "1", "1000", "1000.00")]}
    docs = documents(f.customer(), us_invoice, payment("PMT-1", "INV-1", currency="USD"))
    with Emulator.from_scenario("healthy") as emulator:
        async with client_for(emulator, "admin") as admin:
            factored = await admin.create(
                "account",
                {"acctNumber": "1210", "acctName": "Accounts Receivable - Factored", "acctType": {"id": "AcctRec"},
                 "subsidiary": {"items": [{"id": "1"}]}, "includeChildren": True},
            )  # fmt: skip
        run = await export(emulator, tmp_path / "ledger.db", docs, mapping=with_receivable(tmp_path, "1210"))
        found = await rows(emulator, tmp_path / "ledger.db")
        async with client_for(emulator) as client:
            paid = await client.get(
                "customerPayment", ExternalId(external_id(Kind.CUSTOMER_PAYMENT, "PMT-1"))
            )
    assert run.counts == {State.SYNCED: 3}, [(row.tms_id, row.error) for row in found.values() if row.error]
    assert paid["arAcct"]["id"] == factored


def reused_bills() -> Sequence[dict[str, Any]]:
    """Two loads the same carrier invoiced under one number, as carriers and owner-operators do."""
    later = f.carrier_bill() | {
        "id": "CB-2",
        "date": "2026-10-09",
        "trip_number": "TR-1002",
        "load_number": "L-1002",
    }
    return [f.carrier(), f.carrier_bill(), later]


async def tran_ids(emulator: Emulator) -> list[str]:
    found = await netsuite_rows(
        emulator, "SELECT tranid FROM transaction WHERE type = 'VendBill' ORDER BY tranid"
    )
    return [row["tranid"] for row in found]


async def test_a_reused_carrier_invoice_number_gets_the_load_number(tmp_path: Path) -> None:
    """The default `bill_number = "suffix_on_reuse"`: the earlier bill keeps the carrier's number, the later
    one carries it with its load number."""
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", documents(*reused_bills()))
        found = await rows(emulator, tmp_path / "ledger.db")
        numbers = await tran_ids(emulator)
    assert run.counts == {State.SYNCED: 3}, [(row.tms_id, row.error) for row in found.values() if row.error]
    assert numbers == ["BR55012", "BR55012-L-1002"]


async def test_as_is_bill_numbers_fail_naming_the_other_bill_and_the_fix(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    text = demo_mapping_path().read_text(encoding="utf-8")
    as_is = text.replace('bill_number = "suffix_on_reuse"', 'bill_number = "as_is"', 1)
    assert as_is != text
    mapping.write_text(as_is, encoding="utf-8")
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", documents(*reused_bills()), mapping=mapping)
        found = await rows(emulator, tmp_path / "ledger.db")
    assert run.counts == {State.SYNCED: 2, State.FAILED: 1}
    error = found["CB-2"].error
    assert error is not None
    assert "BR55012 is already used by Bill #BR55012" in (error.detail or "")
    assert 'bill_number = "suffix_on_reuse"' in (error.fix or "")


async def test_a_bill_payment_and_its_fee_credit_follow_the_bills_subsidiary(tmp_path: Path) -> None:
    """A carrier bill tendered as the Canadian company (Tender-As), paid by the US company with a quick-pay fee
    withheld: the payment (from the Canadian bank account) and the fee's bill credit go to Canada, naming the
    bill's A/P account."""
    carrier = f.carrier() | {"other_companies": ["FCCA"], "currency": "CAD"}
    bill = f.carrier_bill() | {
        "tender_as": "FCCA", "currency": "CAD",
        "lines": [f.line("LINEHAUL", "linehaul", "1", "1800.00", "1800.00", "CAD"),
                  f.line("LUMPER", "accessorial", "1", "250", "250.00", "CAD")],
    }  # fmt: skip
    paid_with_fee = f.bill_payment() | {"currency": "CAD", "amount": f.cad("2009.00")}
    paid_with_fee["applications"] = [
        {
            "bill": {"kind": "carrier_bill", "id": "CB-1"},
            "amount": f.cad("2050.00"),
            "quick_pay_fee": f.cad("41.00"),
        }
    ]
    docs = documents(carrier, bill, paid_with_fee)
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", docs)
        found = await rows(emulator, tmp_path / "ledger.db")
        subsidiaries = [
            await column_of(emulator, "subsidiary", Kind.BILL_PAYMENT, "BP-1"),
            await column_of(emulator, "subsidiary", Kind.BILL_PAYMENT, "BP-1", "fee"),
        ]
        found = await rows(emulator, tmp_path / "ledger.db")
        assert run.counts == {State.SYNCED: 3}, [
            (row.tms_id, row.error) for row in found.values() if row.error
        ]
        async with client_for(emulator) as client:
            paid = await client.get("vendorPayment", ExternalId(external_id(Kind.BILL_PAYMENT, "BP-1")))
        unpaid = await column_of(emulator, "foreignamountunpaid", Kind.CARRIER_BILL, "CB-1")
    assert run.counts == {State.SYNCED: 3}, [(row.tms_id, row.error) for row in found.values() if row.error]
    assert subsidiaries == ["2", "2"]
    assert paid["apAcct"]["refName"].startswith("2000")
    assert float(unpaid or "nan") == 0.0


async def test_a_deposit_applied_to_an_invoice_of_another_subsidiary_is_refused(tmp_path: Path) -> None:
    docs = documents(customer_of_both(), canadian_invoice(), f.customer_deposit(), f.deposit_application())
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", docs)
        found = await rows(emulator, tmp_path / "ledger.db")
    assert run.counts == {State.SYNCED: 3, State.FAILED: 1}
    error = found["DA-1"].error
    assert error is not None
    assert error.cause == (
        "deposit DEP-1 is in Freight Co US and invoice INV-1 in Freight Co Canada; NetSuite applies a deposit "
        "only to invoices of its subsidiary"
    )


async def test_voiding_a_refused_payment_writes_nothing(tmp_path: Path) -> None:
    """The void of a payment refused for spanning two subsidiaries has nothing to delete: it ends void."""
    us_invoice = f.invoice() | {"id": "INV-2", "number": "T1002"}
    refused = payment("PMT-2", "INV-1", "INV-2")
    void = refused | {"version": 2, "status": "void", "voided_on": "2026-10-06"}
    with Emulator.from_scenario("healthy") as emulator:
        await export(
            emulator,
            tmp_path / "ledger.db",
            documents(customer_of_both(), canadian_invoice(), us_invoice, refused),
        )
        run = await export(emulator, tmp_path / "ledger.db", documents(void))
    assert run.counts == {State.SYNCED: 3, State.SUPERSEDED: 1, State.VOID: 1}
