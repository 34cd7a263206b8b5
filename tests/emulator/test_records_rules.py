"""NetSuite's business rules on writes: each refusal's status, code, detail and path, with the account unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from netsuite_emulator import Emulator
from tests.emulator.records_support import RECORD, invoice_body, make, netsuite, raw, refused, today

ERROR_PREFIX = "Error while accessing a resource. "


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with make() as made:
        yield made


async def _refusal(
    emulator: Emulator, record_type: str, body: dict[str, Any]
) -> tuple[int, str, str, str | None]:
    """POST a body that must be refused, and check that nothing changed."""
    before = emulator.store.fingerprint()
    async with netsuite(emulator) as ns:
        found = await refused(ns.create(record_type, body))
    assert emulator.store.fingerprint() == before
    return found


BILL_LINE = {"expense": {"items": [{"account": {"id": "15"}, "amount": 100}]}}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("record_type", "body", "detail", "path"),
    [
        ("invoice", {"item": {"items": [{"item": {"id": "1"}, "amount": 1}]}}, "Please enter value(s) for: Customer.", "entity"),
        ("vendorBill", BILL_LINE, "Please enter value(s) for: Vendor.", "entity"),
        ("customerPayment", {"payment": 5}, "Please enter value(s) for: Customer.", "customer"),
        ("journalEntry", {"line": {"items": [{"account": {"id": "1"}, "debit": 1}, {"account": {"id": "9"}, "credit": 1}]}},
         "Please enter value(s) for: Subsidiary.", "subsidiary"),
        ("invoice", {"entity": {"id": "101"}}, "You must enter at least one line item for this transaction.", "item"),
        ("invoice", {"entity": {"id": "101"}, "item": {"items": [{"amount": 5}]}}, "Please enter value(s) for: Item.", "item.items[0].item"),
        ("vendorBill", {"entity": {"id": "201"}, "expense": {"items": [{"amount": 5}]}}, "Please enter value(s) for: Account.",
         "expense.items[0].account"),
        ("customerDeposit", {"customer": {"id": "101"}}, "Please enter value(s) for: Payment Amount.", "payment"),
        ("vendorPayment", {"entity": {"id": "201"}}, "Please enter value(s) for: Account.", "account"),
        ("customer", {"companyName": "No Subsidiary"}, "Please enter value(s) for: Primary Subsidiary.", "subsidiary"),
        ("customerSubsidiaryRelationship", {"entity": {"id": "101"}}, "Please enter value(s) for: Subsidiary.", "subsidiary"),
    ],
)  # fmt: skip
async def test_mandatory_fields(
    emulator: Emulator, record_type: str, body: dict[str, Any], detail: str, path: str
) -> None:
    assert await _refusal(emulator, record_type, body) == (400, "USER_ERROR", ERROR_PREFIX + detail, path)


@pytest.mark.anyio
async def test_subsidiary_is_taken_from_the_entity_when_omitted(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("102", 80.0))  # Maple Leaf Retail: Canada, CAD
        record = await ns.get("invoice", invoice)
    assert (record["subsidiary"]["refName"], record["currency"]["refName"]) == (
        "Freight Co Canada",
        "Canadian Dollar",
    )
    assert record["exchangeRate"] == 1.0


@pytest.mark.anyio
async def test_the_entity_must_be_assigned_to_the_subsidiary(emulator: Emulator) -> None:
    found = await _refusal(emulator, "invoice", invoice_body("101", subsidiary={"id": "2"}))
    assert found == (
        400,
        "USER_ERROR",
        ERROR_PREFIX + "Invalid entity reference key 101 for subsidiary 2.",
        "entity",
    )
    # Border Logistics has a relationship record for Canada; after one is added, Great Lakes Grocers may too.
    async with netsuite(emulator) as ns:
        await ns.create("invoice", invoice_body("103", subsidiary={"id": "2"}, currency={"id": "1"}))
        await ns.create(
            "customerSubsidiaryRelationship", {"entity": {"id": "101"}, "subsidiary": {"id": "2"}}
        )
        invoice = await ns.create(
            "invoice", invoice_body("101", subsidiary={"id": "2"}, currency={"id": "1"})
        )
        record = await ns.get("invoice", invoice)
    assert record["exchangeRate"] == pytest.approx(1 / 0.72, rel=1e-6)


@pytest.mark.anyio
async def test_the_currency_must_be_one_of_the_entitys(emulator: Emulator) -> None:
    found = await _refusal(emulator, "invoice", invoice_body("101", currency={"id": "2"}))
    assert found == (
        400,
        "USER_ERROR",
        ERROR_PREFIX + "Invalid currency reference key 2 for entity 101.",
        "currency",
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("record_type", "body", "value", "path"),
    [
        ("invoice", invoice_body("999"), "999", "entity"),  # no such customer
        ("invoice", invoice_body("201"), "201", "entity"),  # a vendor is not a customer
        ("invoice", invoice_body("104"), "104", "entity"),  # an inactive customer
        ("invoice", invoice_body("101", terms={"id": "77"}), "77", "terms"),
        ("invoice", {"entity": {"externalId": "nobody"}, "item": {"items": [{"item": {"id": "1"}, "amount": 1}]}}, "nobody", "entity"),
        ("invoice", {"entity": {"id": "101"}, "item": {"items": [{"item": {"id": "9999"}, "amount": 1}]}}, "9999", "item.items[0].item"),
        # Account types: A/R on invoices, A/P on bills, Bank (or Undeposited Funds) for payments.
        ("invoice", invoice_body("101", account={"id": "7"}), "7", "account"),
        ("vendorBill", {"entity": {"id": "201"}, "account": {"id": "3"}, **BILL_LINE}, "3", "account"),
        ("customerPayment", {"customer": {"id": "101"}, "payment": 5, "account": {"id": "11"}}, "11", "account"),
        ("vendorPayment", {"entity": {"id": "201"}, "account": {"id": "4"}}, "4", "account"),
        ("vendorBill", {"entity": {"id": "201"}, "expense": {"items": [{"account": {"id": "3"}, "amount": 5}]}}, "3",
         "expense.items[0].account"),
        # A sale-only item on a bill, a CAD bank account on a USD payment.
        ("vendorBill", {"entity": {"id": "201"}, "item": {"items": [{"item": {"id": "9"}, "amount": 5}]}}, "9", "item.items[0].item"),
        ("customerPayment", {"customer": {"id": "103"}, "subsidiary": {"id": "2"}, "currency": {"id": "1"}, "payment": 5,
                             "account": {"id": "2"}}, "2", "account"),
    ],
)  # fmt: skip
async def test_references_must_exist_be_active_and_fit(
    emulator: Emulator, record_type: str, body: dict[str, Any], value: str, path: str
) -> None:
    status, code, detail, where = await _refusal(emulator, record_type, body)
    assert (status, code, where) == (400, "INVALID_CONTENT", path)
    assert detail.startswith(
        f"Error while accessing resource: You have entered an Invalid Field Value {value} "
    )


@pytest.mark.anyio
async def test_lines_must_use_records_available_in_the_subsidiary(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:  # Linehaul, shared by both subsidiaries, becomes the US one's alone
        await ns.patch("serviceResaleItem", "1", {"subsidiary": {"items": [{"id": "1"}]}})
    found = await _refusal(emulator, "invoice", invoice_body("102"))
    assert found == (
        400,
        "USER_ERROR",
        ERROR_PREFIX + "Invalid item reference key 1 for subsidiary 2.",
        "item.items[0].item",
    )
    location = await _refusal(emulator, "invoice", invoice_body("101", 5.0, location={"id": "2"}))
    assert location[1:] == (
        "USER_ERROR",
        ERROR_PREFIX + "Invalid location reference key 2 for subsidiary 1.",
        "location",
    )


@pytest.mark.anyio
async def test_a_posting_period_lock_refuses_its_module_only(emulator: Emulator) -> None:
    month = today(emulator).strftime("%b %Y")
    emulator.store.execute("UPDATE accountingperiod SET aplocked = 'T' WHERE periodname = ?", [month])
    bill = await _refusal(emulator, "vendorBill", {"entity": {"id": "201"}, **BILL_LINE})
    assert bill == (
        400,
        "USER_ERROR",
        ERROR_PREFIX + f"The accounting period {month} is locked for Accounts Payable.",
        "tranDate",
    )
    async with netsuite(emulator) as ns:
        await ns.create("invoice", invoice_body())  # A/R is not locked
    async with netsuite(emulator, "admin") as ns:  # the Administrator holds Override Period Restrictions
        await ns.create("vendorBill", {"entity": {"id": "201"}, **BILL_LINE})


@pytest.mark.anyio
async def test_dates_outside_every_period_are_refused(emulator: Emulator) -> None:
    found = await _refusal(emulator, "invoice", invoice_body(tranDate="2031-01-05"))
    assert found == (
        400,
        "USER_ERROR",
        ERROR_PREFIX + "No accounting period is set up for the date 2031-01-05.",
        "tranDate",
    )


@pytest.mark.anyio
async def test_applying_more_than_remains_open_is_refused(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("101", 100.0))
        await ns.create(
            "customerPayment",
            {"customer": {"id": "101"}, "apply": {"items": [{"doc": {"id": invoice}, "amount": 60}]}},
        )
    over = {"customer": {"id": "101"}, "apply": {"items": [{"doc": {"id": invoice}, "amount": 50}]}}
    found = await _refusal(emulator, "customerPayment", over)
    assert found == (
        400,
        "USER_ERROR",
        ERROR_PREFIX + f"The amount applied to Invoice #{1} (50.00) exceeds its amount remaining (40.00).",
        "apply.items[0].amount",
    )
    more_than_paid = {
        "customer": {"id": "101"},
        "payment": 10,
        "apply": {"items": [{"doc": {"id": invoice}, "amount": 40}]},
    }
    found = await _refusal(emulator, "customerPayment", more_than_paid)
    assert found[1:] == (
        "USER_ERROR",
        ERROR_PREFIX + "The total amount applied (40.00) exceeds the payment amount (10.00).",
        "apply",
    )
    credit = {"entity": {"id": "101"}, "item": {"items": [{"item": {"id": "11"}, "amount": 30}]},
              "apply": {"items": [{"doc": {"id": invoice}, "amount": 35}]}}  # fmt: skip
    found = await _refusal(emulator, "creditMemo", credit)
    assert found[2] == ERROR_PREFIX + "The total amount applied (35.00) exceeds the credit's total (30.00)."


@pytest.mark.anyio
async def test_applications_go_only_to_open_documents_of_the_same_entity(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        theirs = await ns.create("invoice", invoice_body("103", 100.0))
        bill = await ns.create("vendorBill", {"entity": {"id": "201"}, **BILL_LINE})
    other_customer = {"customer": {"id": "101"}, "apply": {"items": [{"doc": {"id": theirs}, "amount": 10}]}}
    assert (await _refusal(emulator, "customerPayment", other_customer))[1::2] == (
        "INVALID_CONTENT",
        "apply.items[0].doc",
    )
    a_bill = {"customer": {"id": "101"}, "apply": {"items": [{"doc": {"id": bill}, "amount": 10}]}}
    assert (await _refusal(emulator, "customerPayment", a_bill))[1::2] == (
        "INVALID_CONTENT",
        "apply.items[0].doc",
    )


@pytest.mark.anyio
async def test_deposit_applications_are_limited_to_the_deposit(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("101", 900.0))
        deposit = await ns.create("customerDeposit", {"customer": {"id": "101"}, "payment": 200})
        before = emulator.store.fingerprint()
        found = await refused(ns.transform("customerDeposit", deposit, "depositApplication",
                                           {"apply": {"items": [{"doc": {"id": invoice}, "amount": 250}]}}))  # fmt: skip
    assert emulator.store.fingerprint() == before
    assert found[1:3] == (
        "USER_ERROR",
        ERROR_PREFIX + "The total amount applied (250.00) exceeds the deposit's unapplied amount (200.00).",
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("lines", "detail", "path"),
    [
        ([{"account": {"id": "1"}, "debit": 100}, {"account": {"id": "9"}, "credit": 90}],
         "The journal entry is out of balance: debits total 100.00 and credits total 90.00.", "line"),
        ([{"account": {"id": "1"}, "debit": 100, "credit": 100}, {"account": {"id": "9"}, "credit": 100}],
         "Enter either a debit or a credit amount on each journal line.", "line.items[0]"),
        ([{"account": {"id": "1"}, "debit": 100}, {"account": {"id": "9"}, "credit": 100, "subsidiary": {"id": "2"}}],
         "All lines of a journal entry must be in the subsidiary of the entry.", "line.items[1].subsidiary"),
        ([{"account": {"id": "3"}, "debit": 100}, {"account": {"id": "11"}, "credit": 100}],
         "A journal line that posts to Accounts Receivable must name a customer in the entity field.", "line.items[0].entity"),
        ([{"account": {"id": "6"}, "debit": 100}, {"account": {"id": "3"}, "credit": 100, "entity": {"id": "102"}}],
         "Invalid entity reference key 102 for subsidiary 1.", "line.items[1].entity"),
    ],
)  # fmt: skip
async def test_journal_entries_balance_in_one_subsidiary(
    emulator: Emulator, lines: list[dict[str, Any]], detail: str, path: str
) -> None:
    body = {"subsidiary": {"id": "1"}, "line": {"items": lines}}
    assert await _refusal(emulator, "journalEntry", body) == (400, "USER_ERROR", ERROR_PREFIX + detail, path)


@pytest.mark.anyio
async def test_a_balanced_journal_with_an_ar_line_posts(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        entry = await ns.create("journalEntry", {"subsidiary": {"id": "1"}, "memo": "factoring", "line": {"items": [
            {"account": {"id": "1"}, "debit": 970}, {"account": {"id": "19"}, "debit": 30},
            {"account": {"id": "3"}, "credit": 1000, "entity": {"id": "101"}}]}})  # fmt: skip
        record = await ns.get("journalEntry", entry, expand_sub_resources=True)
    assert record["total"] == 1000.0
    assert [line["line"] for line in record["line"]["items"]] == [0, 1, 2]
    lines = emulator.store.query('SELECT debitforeignamount, creditforeignamount, foreignamount FROM transactionline '
                                 'WHERE "transaction" = ? ORDER BY id', [entry])  # fmt: skip
    assert [tuple(r) for r in lines] == [(970.0, None, 970.0), (30.0, None, 30.0), (None, 1000.0, -1000.0)]


@pytest.mark.anyio
async def test_a_duplicate_external_id_on_post_is_refused(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        await ns.create("invoice", invoice_body(externalId="INV-9"))
        await ns.create(
            "vendorBill", {"entity": {"id": "201"}, "externalId": "INV-9", **BILL_LINE}
        )  # per type
    found = await _refusal(emulator, "invoice", invoice_body(externalId="INV-9"))
    assert found == (
        400,
        "USER_ERROR",
        "Error while accessing a resource. This entity already exists.",
        "externalId",
    )
    customer = await _refusal(
        emulator, "customer", {"companyName": "Great Lakes Grocers", "subsidiary": {"id": "1"}}
    )
    assert customer[1:3] == ("USER_ERROR", ERROR_PREFIX + "A customer record with this ID already exists. You must "
                             "enter a unique customer ID for each record you create.")  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize("external_id", ["has space", "pipe|it", "ünï", ""])
async def test_external_ids_are_letters_digits_underscore_and_hyphen(
    emulator: Emulator, external_id: str
) -> None:
    status, code, _, path = await _refusal(emulator, "invoice", invoice_body(externalId=external_id))
    assert (status, code, path) == (400, "INVALID_CONTENT", "externalId")


@pytest.mark.anyio
async def test_unknown_fields_follow_the_property_name_validation_header(emulator: Emulator) -> None:
    body = invoice_body(custbody_load_number="L-1", custbody_nonesuch="x")
    before = emulator.store.fingerprint()
    error = await raw(
        emulator, "POST", f"{RECORD}/invoice", body, headers={"X-NetSuite-PropertyNameValidation": "Error"}
    )
    assert emulator.store.fingerprint() == before
    detail = error.json()["o:errorDetails"][0]
    assert (error.status_code, detail["o:errorCode"], detail["o:errorPath"]) == (
        400,
        "INVALID_CONTENT",
        "custbody_nonesuch",
    )
    warned = await raw(emulator, "POST", f"{RECORD}/invoice", body)  # the default is "warning"
    assert warned.status_code == 204
    assert "custbody_nonesuch" in warned.headers["warning"]
    ignored = await raw(
        emulator, "POST", f"{RECORD}/invoice", body, headers={"X-NetSuite-PropertyNameValidation": "ignore"}
    )
    assert ignored.status_code == 204
    assert "warning" not in ignored.headers
    line = invoice_body()
    line["item"]["items"][0]["amuont"] = 5
    typo = await raw(
        emulator, "POST", f"{RECORD}/invoice", line, headers={"X-NetSuite-PropertyNameValidation": "error"}
    )
    assert typo.json()["o:errorDetails"][0]["o:errorPath"] == "item.items[0].amuont"


@pytest.mark.anyio
async def test_totals_are_computed_from_lines(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", {"entity": {"id": "101"}, "total": 1, "item": {"items": [
            {"item": {"id": "1"}, "quantity": 2, "rate": 450.5}, {"item": {"id": "2"}, "amount": 99.99}]}})  # fmt: skip
        record = await ns.get("invoice", invoice)
    assert (record["total"], record["amountRemaining"], record["amountPaid"]) == (1000.99, 1000.99, 0.0)
    assert record["status"] == {"id": "A", "refName": "Open"}


@pytest.mark.anyio
async def test_a_negative_total_is_refused(emulator: Emulator) -> None:
    found = await _refusal(emulator, "invoice", invoice_body("101", 100.0, -150.0))
    assert found == (
        400,
        "USER_ERROR",
        ERROR_PREFIX + "The total of this transaction cannot be negative.",
        "total",
    )


@pytest.mark.anyio
async def test_role_permission_per_operation(emulator: Emulator) -> None:
    # The integration role views employees (View) but may not create them, and views subsidiaries only.
    async with netsuite(emulator) as ns:
        employee = await ns.get("employee", "11")
        create = await refused(
            ns.create(
                "employee",
                {"firstName": "A", "lastName": "B", "email": "a@b.test", "subsidiary": {"id": "1"}},
            )
        )
        edit = await refused(ns.patch("subsidiary", "1", {"legalName": "x"}))
        admin = await refused(ns.get("employee", "10"))
    assert employee["entityId"] == "TMS Integration"
    assert create[:2] == edit[:2] == (403, "INSUFFICIENT_PERMISSION")
    assert "'Lists -> Employees' permission at level Create" in create[2]
    assert "'Lists -> Subsidiaries' permission at level Edit" in edit[2]
    assert admin[:3] == (
        403,
        "INSUFFICIENT_PERMISSION",
        "For security reasons, only an administrator is allowed to edit an administrator record.",
    )


async def _ledger_account(emulator: Emulator, number: str, kind: str) -> str:
    """A second A/R or A/P account of the US subsidiary (and its children), as the administrator adds one."""
    async with netsuite(emulator, "admin") as ns:
        return await ns.create(
            "account",
            {"acctNumber": number, "acctName": f"{kind} {number}", "acctType": {"id": kind},
             "subsidiary": {"items": [{"id": "1"}]}, "includeChildren": True},
        )  # fmt: skip


@pytest.mark.anyio
async def test_a_payment_applies_only_invoices_of_its_ar_account(emulator: Emulator) -> None:
    """ "Only invoices charged to this account show in the list": a payment without arAcct takes the default
    A/R account, so an invoice charged to another one is not in its apply list."""
    factored = await _ledger_account(emulator, "1210", "AcctRec")
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("101", 100.0, account={"id": factored}))
    apply = {"items": [{"doc": {"id": invoice}, "amount": 60}]}
    found = await _refusal(emulator, "customerPayment", {"customer": {"id": "101"}, "apply": apply})
    assert found == (
        400,
        "INVALID_CONTENT",
        "Error while accessing resource: You have entered an Invalid Field Value "
        f"{invoice} for the following field: doc",
        "apply.items[0].doc",
    )
    async with netsuite(emulator) as ns:
        default = await ns.create("customerPayment", {"customer": {"id": "101"}, "payment": 5})
        paid = await ns.create(
            "customerPayment", {"customer": {"id": "101"}, "arAcct": {"id": factored}, "apply": apply}
        )
        payment = await ns.get("customerPayment", paid)
        first = await ns.get("customerPayment", default)
        after = await ns.get("invoice", invoice)
        query = "SELECT account, foreignamount FROM transactionline WHERE transaction = ? AND mainline = 'F'"
        posted = [row async for row in ns.suiteql(query, [paid])]
    assert (payment["arAcct"]["id"], first["arAcct"]["id"]) == (factored, "3")  # 3: the system A/R account
    assert after["amountRemaining"] == 40.0
    assert [(row["account"], float(row["foreignamount"])) for row in posted] == [(factored, -60.0)]


@pytest.mark.anyio
async def test_a_payment_applies_only_invoices_of_its_subsidiary(emulator: Emulator) -> None:
    """Border Logistics (103) is a customer of both subsidiaries: its Canadian invoice is not in the apply list
    of a payment in the US subsidiary, even in the same currency and A/R account."""
    async with netsuite(emulator) as ns:
        canadian = await ns.create(
            "invoice", invoice_body("103", 100.0, subsidiary={"id": "2"}, currency={"id": "1"})
        )
    apply = {"items": [{"doc": {"id": canadian}, "amount": 10}]}
    found = await _refusal(emulator, "customerPayment", {"customer": {"id": "103"}, "apply": apply})
    assert found[1::2] == ("INVALID_CONTENT", "apply.items[0].doc")
    async with netsuite(emulator) as ns:
        paid = await ns.create(
            "customerPayment", {"customer": {"id": "103"}, "subsidiary": {"id": "2"}, "currency": {"id": "1"},
                                "apply": apply},
        )  # fmt: skip
        assert (await ns.get("customerPayment", paid))["subsidiary"]["id"] == "2"


@pytest.mark.anyio
async def test_bill_payments_and_credits_apply_only_within_their_ap_or_ar_account(emulator: Emulator) -> None:
    other_ap = await _ledger_account(emulator, "2010", "AcctPay")
    other_ar = await _ledger_account(emulator, "1210", "AcctRec")
    async with netsuite(emulator) as ns:
        bill = await ns.create(
            "vendorBill", {"entity": {"id": "201"}, "account": {"id": other_ap}, **BILL_LINE}
        )
        invoice = await ns.create("invoice", invoice_body("101", 100.0))
    pay = {
        "entity": {"id": "201"},
        "account": {"id": "1"},
        "apply": {"items": [{"doc": {"id": bill}, "amount": 10}]},
    }
    assert (await _refusal(emulator, "vendorPayment", pay))[1::2] == ("INVALID_CONTENT", "apply.items[0].doc")
    bill_credit = {"entity": {"id": "201"}, "expense": {"items": [{"account": {"id": "15"}, "amount": 5}]},
                   "apply": {"items": [{"doc": {"id": bill}, "amount": 5}]}}  # fmt: skip
    assert (await _refusal(emulator, "vendorCredit", bill_credit))[1::2] == (
        "INVALID_CONTENT",
        "apply.items[0].doc",
    )
    credit = {"entity": {"id": "101"}, "account": {"id": other_ar}, "item": {"items": [{"item": {"id": "11"}, "amount": 5}]},
              "apply": {"items": [{"doc": {"id": invoice}, "amount": 5}]}}  # fmt: skip
    assert (await _refusal(emulator, "creditMemo", credit))[1::2] == ("INVALID_CONTENT", "apply.items[0].doc")
    wrong_type = {**pay, "apAcct": {"id": other_ar}}
    assert (await _refusal(emulator, "vendorPayment", wrong_type))[1::2] == ("INVALID_CONTENT", "apAcct")
    async with netsuite(emulator) as ns:
        paid = await ns.create("vendorPayment", {**pay, "apAcct": {"id": other_ap}})
        await ns.create("vendorCredit", {**bill_credit, "account": {"id": other_ap}})
        assert (await ns.get("vendorPayment", paid))["apAcct"]["id"] == other_ap
        assert (await ns.get("vendorBill", bill))["amountRemaining"] == 85.0


@pytest.mark.anyio
async def test_a_deposit_application_applies_only_invoices_of_its_ar_account(emulator: Emulator) -> None:
    factored = await _ledger_account(emulator, "1210", "AcctRec")
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("101", 900.0, account={"id": factored}))
        deposit = await ns.create("customerDeposit", {"customer": {"id": "101"}, "payment": 200})
        apply = {"items": [{"doc": {"id": invoice}, "amount": 150}]}
        found = await refused(
            ns.transform("customerDeposit", deposit, "depositApplication", {"apply": apply})
        )
        applied = await ns.transform(
            "customerDeposit", deposit, "depositApplication", {"arAcct": {"id": factored}, "apply": apply}
        )
        application = await ns.get("depositApplication", applied)
    assert found[1::2] == ("INVALID_CONTENT", "apply.items[0].doc")
    assert application["arAcct"]["id"] == factored


@pytest.mark.anyio
async def test_a_vendor_cannot_have_one_document_number_twice_on_a_type(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        first = await ns.create("vendorBill", {"entity": {"id": "201"}, "tranId": "INV-77", **BILL_LINE})
        await ns.patch("vendorBill", first, {"memo": "its own number again"})
        await ns.create(
            "vendorBill", {"entity": {"id": "203"}, "tranId": "INV-77", **BILL_LINE}
        )  # another vendor
        await ns.create(
            "vendorCredit", {"entity": {"id": "201"}, "tranId": "INV-77", **BILL_LINE}
        )  # another type
    found = await _refusal(emulator, "vendorBill", {"entity": {"id": "201"}, "tranId": "INV-77", **BILL_LINE})
    assert found == (
        400,
        "USER_ERROR",
        ERROR_PREFIX
        + f"The document number INV-77 is already used by Bill #INV-77 (internal id {first}) of this "
        "vendor. Enter a different number.",
        "tranId",
    )
