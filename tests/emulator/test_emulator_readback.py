"""What read-back needs of the emulator: date-times in the users' time zone (shown as a date, timed by TO_CHAR,
compared and ordered locally), lastmodifieddate kept on every change, amounts remaining and statuses, the links
of payments, DeletedRecord, and a person acting in NetSuite's pages (`Person`, `netsuite-emulator act`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsuite_emulator import Emulator
from netsuite_emulator.cli import main
from netsuite_emulator.testing import Person, PersonError, person_at
from tests.emulator.records_support import RECORD, invoice_body, make, netsuite, raw

pytestmark = pytest.mark.anyio


@pytest.fixture
def account() -> Iterator[Emulator]:
    emulator = make()
    try:
        yield emulator
    finally:
        emulator.close()


def at(moment: str) -> float:
    """Unix seconds of an ISO UTC moment."""
    return dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC).timestamp()


async def create_invoice(emulator: Emulator, *amounts: float, external_id: str = "INV-1") -> str:
    answer = await raw(
        emulator, "POST", f"{RECORD}/invoice", invoice_body("101", *amounts, externalId=external_id)
    )
    assert answer.status_code == 204, answer.text
    return answer.headers["location"].rsplit("/", 1)[1]


async def rows(emulator: Emulator, query: str, *params: str) -> list[dict[str, str]]:
    async with netsuite(emulator, "admin") as client:
        return [row async for row in client.suiteql(query, params)]


async def test_date_times_show_as_the_users_local_date_and_compare_in_local_time(account: Emulator) -> None:
    """23:30 in Los Angeles is 06:30 the next day in UTC: the plain column shows the local date, TO_CHAR the local
    time, and a TO_TIMESTAMP literal is read as local time."""
    invoice = await create_invoice(account, 100.0)
    Person(account.store, lambda: at("2026-10-04T06:30:00")).edit_total("invoice", invoice, 120.0)
    [row] = await rows(
        account,
        "SELECT lastmodifieddate, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm FROM transaction WHERE id = ?",
        invoice,
    )
    assert row == {"lastmodifieddate": "10/3/2026", "lm": "2026-10-03 23:30:00"}
    found = await rows(
        account,
        "SELECT id FROM transaction WHERE lastmodifieddate >= TO_TIMESTAMP('2026-10-03 23:30:00', "
        "'YYYY-MM-DD HH24:MI:SS') AND lastmodifieddate < TO_DATE('2026-10-04', 'YYYY-MM-DD')",
    )
    assert found == [{"id": invoice}]
    account.store.set_time_zone("UTC")
    [row] = await rows(
        account,
        "SELECT lastmodifieddate, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm FROM transaction WHERE id = ?",
        invoice,
    )
    assert row == {"lastmodifieddate": "10/4/2026", "lm": "2026-10-04 06:30:00"}


async def test_a_payment_moves_the_invoices_amount_remaining_status_and_last_modified(
    account: Emulator,
) -> None:
    invoice = await create_invoice(account, 600.0, 400.0)
    clerk = Person(account.store, lambda: at("2026-10-05T15:00:00"))
    payment = clerk.pay_invoice(invoice, 250.0)
    [row] = await rows(
        account,
        "SELECT foreignamountunpaid, foreignamountpaid, status, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm FROM transaction WHERE id = ?",
        invoice,
    )
    assert row == {
        "foreignamountunpaid": "750",
        "foreignamountpaid": "250",
        "status": "A",
        "lm": "2026-10-05 08:00:00",
    }
    links = await rows(
        account,
        "SELECT previousdoc, nexttype, foreignamount FROM previoustransactionlinelink WHERE nextdoc = ?",
        payment,
    )
    assert links == [{"previousdoc": invoice, "nexttype": "CustPymt", "foreignamount": "250"}]
    clerk.pay_invoice(invoice)
    [row] = await rows(account, "SELECT foreignamountunpaid, status FROM transaction WHERE id = ?", invoice)
    assert row == {"foreignamountunpaid": "0", "status": "B"}
    with pytest.raises(PersonError, match="exceeds its amount remaining"):
        clerk.pay_invoice(invoice, 5.0)


async def test_one_payment_applied_to_two_invoices_links_both(account: Emulator) -> None:
    first = await create_invoice(account, 100.0, external_id="INV-A")
    second = await create_invoice(account, 200.0, external_id="INV-B")
    payment = Person(account.store, account.now).pay_invoices({"INV-A": None, second: 50.0})
    links = await rows(
        account,
        "SELECT previousdoc, foreignamount FROM previoustransactionlinelink WHERE nextdoc = ? ORDER BY previousdoc",
        payment,
    )
    assert links == [
        {"previousdoc": first, "foreignamount": "100"},
        {"previousdoc": second, "foreignamount": "50"},
    ]


async def test_deletions_are_listed_in_deletedrecord_with_who_and_how(account: Emulator) -> None:
    by_api = await create_invoice(account, 100.0, external_id="INV-API")
    by_person = await create_invoice(account, 100.0, external_id="INV-UI")
    paid = await create_invoice(account, 100.0, external_id="INV-PAID")
    answer = await raw(account, "DELETE", f"{RECORD}/invoice/{by_api}")
    assert answer.status_code == 204
    clerk = Person(account.store, lambda: at("2026-10-06T12:00:00"))
    clerk.delete("invoice", "INV-UI")
    clerk.pay_invoice(paid)
    with pytest.raises(PersonError):
        clerk.delete("invoice", paid)
    found = await rows(
        account,
        "SELECT recordid, type, context, TO_CHAR(deleteddate, 'YYYY-MM-DD HH24:MI:SS') AS d FROM deletedrecord "
        "ORDER BY recordid",
    )
    assert [(r["recordid"], r["type"], r["context"]) for r in found] == [
        (by_api, "invoice", "WEBSERVICES"),
        (by_person, "invoice", "UI"),
    ]
    assert found[1]["d"] == "2026-10-06 05:00:00"


async def test_a_bill_paid_and_a_total_edited(account: Emulator) -> None:
    answer = await raw(
        account,
        "POST",
        f"{RECORD}/vendorBill",
        {
            "entity": {"id": "201"},
            "externalId": "CB-1",
            "expense": {"items": [{"category": {"id": "1"}, "amount": 300.0}]},
        },
    )
    assert answer.status_code == 204, answer.text
    bill = answer.headers["location"].rsplit("/", 1)[1]
    clerk = Person(account.store, account.now)
    payment = clerk.pay_bill("CB-1")
    [row] = await rows(account, "SELECT foreignamountunpaid, status FROM transaction WHERE id = ?", bill)
    assert row == {"foreignamountunpaid": "0", "status": "B"}
    [link] = await rows(
        account, "SELECT previousdoc, nexttype FROM previoustransactionlinelink WHERE nextdoc = ?", payment
    )
    assert link == {"previousdoc": bill, "nexttype": "VendPymt"}
    invoice = await create_invoice(account, 100.0, 50.0, external_id="INV-E")
    clerk.edit_total("invoice", invoice, 175.0)
    [row] = await rows(
        account,
        "SELECT t.foreigntotal, COUNT(*) AS n FROM transaction t JOIN transactionline l ON l.transaction = t.id "
        "WHERE t.id = ? AND l.mainline = 'F' GROUP BY t.foreigntotal",
        invoice,
    )
    assert row == {"foreigntotal": "175", "n": "2"}


def test_act_works_on_a_served_accounts_file(tmp_path: Path) -> None:
    """`netsuite-emulator act` on a --db file; a refusal is NetSuite's message and exit 1."""
    db = tmp_path / "account.db"
    Emulator.from_scenario("healthy", db_path=db).close()
    runner = CliRunner()
    result = runner.invoke(main, ["act", "pay-invoice", "--db", str(db), "eid-none"])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    with person_at(db) as clerk:
        assert isinstance(clerk, Person)
    result = runner.invoke(main, ["act", "delete", "--db", str(db), "nosuchtype", "1"])
    assert result.exit_code == 1
    assert "unknown record type" in result.output


async def test_a_void_zeroes_total_and_lines_keeps_the_record_and_reopens_what_a_payment_paid(
    account: Emulator,
) -> None:
    """A direct void: total and every line zero, the record kept, status Voided; refused while a payment is
    applied; a voided payment pays nothing any more; `act void` over the CLI."""
    invoice = await create_invoice(account, 600.0, 400.0, external_id="INV-V")
    paid = await create_invoice(account, 100.0, external_id="INV-P")
    clerk = Person(account.store, lambda: at("2026-10-07T15:00:00"))
    payment = clerk.pay_invoice(paid)
    with pytest.raises(PersonError, match="payments or credits are applied"):
        clerk.void("invoice", paid)
    clerk.void("invoice", "INV-V")
    [row] = await rows(
        account,
        "SELECT foreigntotal, foreignamountunpaid, status, voided, memo, "
        "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm FROM transaction WHERE id = ?",
        invoice,
    )
    assert row == {
        "foreigntotal": "0",
        "foreignamountunpaid": "0",
        "status": "V",
        "voided": "T",
        "memo": "VOID",
        "lm": "2026-10-07 08:00:00",
    }
    lines = await rows(account, "SELECT foreignamount FROM transactionline WHERE transaction = ?", invoice)
    assert lines
    assert {line["foreignamount"] for line in lines} == {"0"}
    with pytest.raises(PersonError, match="already been voided"):
        clerk.void("invoice", invoice)
    clerk.void("customerpayment", payment)
    [row] = await rows(account, "SELECT foreignamountunpaid, status FROM transaction WHERE id = ?", paid)
    assert row == {"foreignamountunpaid": "100", "status": "A"}, "what the voided payment paid is open again"
    assert (
        await rows(account, "SELECT 1 AS one FROM previoustransactionlinelink WHERE nextdoc = ?", payment)
        == []
    )


async def test_act_void_on_a_served_accounts_file(tmp_path: Path) -> None:
    db = tmp_path / "account.db"
    emulator = Emulator.from_scenario("healthy", db_path=db)
    try:
        invoice = await create_invoice(emulator, 100.0, external_id="INV-ACT")
    finally:
        emulator.close()
    with person_at(db) as clerk:
        payment = clerk.pay_invoice(invoice)
    runner = CliRunner()
    refused = runner.invoke(main, ["act", "void", "--db", str(db), "invoice", "INV-ACT"])
    assert refused.exit_code == 1
    assert "payments or credits are applied" in refused.output
    voided = runner.invoke(main, ["act", "void", "--db", str(db), "customerpayment", str(payment)])
    assert voided.exit_code == 0, voided.output
    assert voided.output.strip() == f"customerpayment {payment} voided"
    assert runner.invoke(main, ["act", "void", "--db", str(db), "invoice", "INV-ACT"]).exit_code == 0
