"""Validation of each document kind: good documents pass, each kind of bad input is named by field and reason."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.documents.factories import FACTORIES, Doc, usd
from tms_netsuite.documents import (
    MODELS,
    InvalidDocument,
    Invoice,
    Kind,
    validate_document,
)


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_every_kind_has_a_valid_document(kind: str) -> None:
    """A well-formed document of each kind validates into the model for its kind."""
    document = validate_document(FACTORIES[kind]())
    assert isinstance(document, MODELS[Kind(kind)])
    assert document.kind == kind


def test_factories_cover_every_kind() -> None:
    """The good-document table has one entry per kind, so no kind goes untested."""
    assert set(FACTORIES) == {kind.value for kind in Kind}


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return mutate


_DELETE = object()

BAD = [
    ("invoice", _set("number", _DELETE), "$.number", "required field is missing"),
    ("invoice", _set("version", "2"), "$.version", "valid integer"),
    ("invoice", _set("version", 0), "$.version", "greater than or equal to 1"),
    ("invoice", _set("schema_version", 2), "$.schema_version", "1"),
    (
        "invoice",
        _set("lines.1.amount.currency", "CAD"),
        "$.lines[1].amount.currency",
        "differs from the document's USD",
    ),
    ("invoice", _set("lines.0.amount.amount", "1754.30"), "$.lines[0].amount.amount", "not quantity × rate"),
    (
        "invoice",
        _set("lines.2.amount.amount", "1" * 30),
        "$.lines[2].amount.amount",
        "no more than 15 digits",
    ),
    ("invoice", _set("lines.2.amount.amount", "NaN"), "$.lines[2].amount.amount", "finite"),
    ("invoice", _set("lines.0.quantity", True), "$.lines[0].quantity", "Decimal input"),
    ("invoice", _set("lines", []), "$.lines", "at least 1"),
    ("invoice", _set("lines.0.unit", "kilometre"), "$.lines[0].unit", "'mile'"),
    ("invoice", _set("date", "2026-02-30"), "$.date", "day value is outside expected range"),
    ("invoice", _set("date", "2162-10-05"), "$.date", "outside 1990-2099"),
    ("invoice", _set("due_date", "2026-09-30"), "$.due_date", "before date"),
    ("invoice", _set("company", "FC\u0007US"), "$.company", "control character"),
    ("invoice", _set("id", "INV-\ud800"), "$.id", "unicode"),
    ("invoice", _set("memo", "line one\nline two"), "$.memo", "U+000A"),
    # A C1 control character is refused; a no-break space is text.
    ("invoice", _set("memo", "net\u00a030 \u0085"), "$.memo", "U+0085 at position 7"),
    ("invoice", _set("memo", "tab\u007f"), "$.memo", "U+007F at position 3"),
    ("invoice", _set("colour", "red"), "$.colour", "unknown field"),
    ("invoice", _set("currency", "XYZ"), "$.currency", "ISO 4217"),
    ("invoice", _set("lines.2.rate", "-2500"), "$.lines[2].amount.amount", "not quantity × rate"),
    ("invoice", _set("status", "void"), "$.voided_on", "needs the date it was voided"),
    ("invoice", _set("voided_on", "2026-10-09"), "$.voided_on", "active document cannot have a void date"),
    ("invoice", _set("customer", "Great Lakes"), "$.customer", "valid dictionary"),
    (
        "customer_payment",
        _set("applications.0.amount", usd("2400.00")),
        "$.applications[0].amount.amount",
        "more than the invoice's open balance",
    ),
    ("customer_payment", _set("amount", usd("900.00")), "$.applications", "more than the payment amount"),
    ("customer_payment", _set("applications.1.invoice", "INV-1"), "$.applications", "appears 2 times"),
    (
        "customer_payment",
        _set("applications.1.amount", usd("0")),
        "$.applications[1].amount.amount",
        "positive",
    ),
    ("bill_payment", _set("amount", usd("2050.00")), "$.amount.amount", "applications less fees"),
    (
        "bill_payment",
        _set("applications.0.quick_pay_fee", usd("2050.00")),
        "$.applications[0].quick_pay_fee.amount",
        "less than the amount settled",
    ),
    (
        "bill_payment",
        _set("applications.0.bill.kind", "invoice"),
        "$.applications[0].bill.kind",
        "carrier_bill",
    ),
    ("journal_entry", _set("lines.2.credit", usd("1800.00")), "$.lines", "unbalanced"),
    (
        "journal_entry",
        _set("lines.0.credit", usd("5.00")),
        "$.lines[0].debit",
        "exactly one of debit or credit",
    ),
    ("journal_entry", _set("lines.1.debit", usd("-10.00")), "$.lines[1].debit.amount", "positive"),
    ("journal_entry", _set("reversal_date", "2026-10-01"), "$.reversal_date", "before date"),
    ("journal_entry", _set("lines", [{"account": "X", "debit": usd("1.00")}]), "$.lines", "at least 2"),
    ("driver_settlement", _set("period_end", "2026-09-20"), "$.period_end", "before period_start"),
    (
        "driver_settlement",
        _set("deductions.0.amount.amount", "-5"),
        "$.deductions[0].amount.amount",
        "positive",
    ),
    (
        "driver_settlement",
        _set("earnings.0.rate", "-0.74"),
        "$.earnings[0].amount.amount",
        "not quantity × rate",
    ),
    ("driver_settlement", _set("driver_type", "contractor"), "$.driver_type", "owner_operator"),
    ("credit_memo", _set("invoice_balance", usd("50.00")), "$.lines", "more than the invoice's open balance"),
    (
        "vendor_credit",
        _set("bill_balance", {"amount": "100", "currency": "CAD"}),
        "$.bill_balance.currency",
        "differs",
    ),
    (
        "deposit_application",
        _set("deposit_balance", usd("1500.00")),
        "$.amount.amount",
        "deposit's unapplied balance",
    ),
    ("customer_deposit", _set("amount", usd("-20.00")), "$.amount.amount", "positive"),
    ("carrier", _set("other_companies", ["FCUS"]), "$.other_companies", "own company"),
    ("customer", _set("netsuite_id", "abc"), "$.netsuite_id", "pattern"),
    ("customer", _set("billing_address.country", "USA"), "$.billing_address.country", "pattern"),
]


@pytest.mark.parametrize(("kind", "mutate", "field", "reason"), BAD)
def test_bad_documents_are_rejected_with_field_and_reason(
    kind: str, mutate: Callable[[Doc], None], field: str, reason: str
) -> None:
    """Each malformed document is rejected, and one issue names the field and the reason."""
    doc = copy.deepcopy(FACTORIES[kind]())
    mutate(doc)
    with pytest.raises(InvalidDocument) as caught:
        validate_document(doc)
    issues = [(issue.field, issue.reason) for issue in caught.value.issues]
    assert any(f == field and reason in r for f, r in issues), issues


def test_precision_follows_the_currency() -> None:
    """Yen amounts have no decimals: 0.5 JPY is rejected, while 0.50 USD is fine."""
    doc = FACTORIES["customer_deposit"]()
    doc |= {"currency": "JPY", "amount": {"amount": "1000.5", "currency": "JPY"}}
    with pytest.raises(InvalidDocument) as caught:
        validate_document(doc)
    assert any(i.field == "$.amount" and "at most 0 decimal places" in i.reason for i in caught.value.issues)
    doc |= {"currency": "USD", "amount": usd("1000.50")}
    assert validate_document(doc).amount.amount == Decimal("1000.50")


def test_every_problem_of_a_document_is_reported() -> None:
    """Two independent inconsistencies are both listed, not just the first."""
    doc = FACTORIES["invoice"]()
    doc["due_date"] = "2026-09-01"
    doc["lines"][1]["amount"]["currency"] = "CAD"
    with pytest.raises(InvalidDocument) as caught:
        validate_document(doc)
    fields = {issue.field for issue in caught.value.issues}
    assert {"$.due_date", "$.lines[1].amount.currency"} <= fields


def test_zero_and_negative_lines_are_legal() -> None:
    """The freight-typical $0 and negative accessorial lines validate and count in the total."""
    document = validate_document(FACTORIES["invoice"]())
    assert isinstance(document, Invoice)
    amounts = [line.amount.amount for line in document.lines]
    assert Decimal(0) in amounts
    assert any(amount < 0 for amount in amounts)
    assert document.total.amount == sum(amounts)


def test_documents_are_immutable() -> None:
    """A validated document cannot be changed in place."""
    document = validate_document(FACTORIES["invoice"]())
    with pytest.raises(ValueError, match="frozen"):
        document.number = "X"  # type: ignore[misc]
