"""What a transaction applies and what remains: its total, the amounts it applies to open documents (each
checked against what remains open), and the amounts paid, unpaid, used and unused that NetSuite shows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from netsuite_emulator.records._account_view import PENDING_APPROVAL, REJECTED
from netsuite_emulator.records._io import (
    CENT,
    Ctx,
    invalid_value,
    mandatory,
    money,
    transaction_refname,
    user_error,
)
from netsuite_emulator.records._types import BY_TYPE_CODE
from netsuite_emulator.records.rules._draft import LINES_NEEDED, Draft
from netsuite_emulator.records.rules._per_type import TRANSACTION_RULES, TransactionRules
from netsuite_emulator.records.rules._sql import update


def lines_total(rules: TransactionRules, draft: Draft, lines: list[dict[str, Any]]) -> float:
    """The total the lines (or a deposit's payment amount) give; 0 for what totals its applications."""
    if rules.total == "debits":
        return money(sum(line.get("debit") or 0.0 for line in lines))
    if rules.total == "lines":
        return money(sum(line["amount"] for line in lines))
    if rules.total == "payment":
        payment = draft.values.get("payment")
        if payment is None or payment <= 0:
            raise mandatory(["Payment Amount"], "payment")
        return money(payment)
    return 0.0


@dataclass(frozen=True)
class Within:
    """What a payment's, credit's or application's apply list is limited to: "Only invoices charged to this
    account show in the list" (Customer Payments, ORA/section_N1288824.html), of the customer (vendor) the
    transaction names, in its subsidiary and its currency. Bill payments and credits work the same way."""

    entity: int | None
    subsidiary: int
    currency: int
    account: int | None  # the A/R (A/P) account: arAcct / apAcct, or a credit's own account

    def holds(self, ctx: Ctx, doc: sqlite3.Row) -> bool:
        if (doc["entity"], doc["subsidiary"], doc["currency"]) != (
            self.entity,
            self.subsidiary,
            self.currency,
        ):
            return False
        main = ctx.one(
            "SELECT account FROM transactionline WHERE \"transaction\" = ? AND mainline = 'T'", doc["id"]
        )
        return main is not None and main["account"] == self.account


def applied_amounts(
    ctx: Ctx,
    rules: TransactionRules,
    draft: Draft,
    record_id: int | None,
    within: Within,
    total: float,
    deposit: sqlite3.Row | None,
) -> list[tuple[int, float]]:
    """(document, amount) pairs this transaction applies, each in its apply list and checked against what
    remains open."""
    if not rules.applies_to:
        return []
    if rules.apply_limit == "deposit" and deposit is not None:
        available: float | None = remaining_of_deposit(ctx, int(deposit["id"]), record_id)
        available_label = "the deposit's unapplied amount"
    elif rules.apply_limit == "total":
        available, available_label = total, "the credit's total"
    elif rules.apply_limit == "payment" and draft.values.get("payment") is not None:
        available, available_label = float(draft.values["payment"]), "the payment amount"
    else:
        available, available_label = None, ""
    result: list[tuple[int, float]] = []
    for entry in draft.apply:
        doc_id, path = int(entry["doc"]), str(entry["path"])
        doc = ctx.one('SELECT * FROM "transaction" WHERE id = ?', doc_id)
        if doc is not None and doc["approvalstatus"] in (PENDING_APPROVAL, REJECTED):
            # A bill awaiting approval (or rejected) is not open: it is not in a bill payment's or bill credit's
            # apply list, and must be approved before it is paid (help.bill.com, third party).
            raise invalid_value(doc_id, "doc", path + ".doc")
        if doc is None or int(doc["subsidiary"]) not in ctx.visible or not within.holds(ctx, doc):
            # Not in the apply list (another customer, subsidiary, currency or A/R account): the apply sublist
            # is keyed by doc, so a doc outside it is a key value outside its choices, refused in the documented
            # INVALID_CONTENT wording ("Invalid Field Value … for the following field: …",
            # ORA/section_156570709583.html). That NetSuite words this very case so is a guess.
            raise invalid_value(doc_id, "doc", path + ".doc")
        mine = ctx.one(
            "SELECT foreignamount FROM previoustransactionlinelink WHERE previousdoc = ? AND nextdoc = ?",
            doc_id,
            record_id,
        )
        open_amount = money(float(doc["foreignamountunpaid"] or 0.0) + (float(mine[0]) if mine else 0.0))
        amount = entry["amount"]
        if not entry["apply"] or (amount is not None and abs(amount) <= CENT):
            continue
        if amount is None:
            left = None if available is None else available - sum(a for _, a in result)
            amount = open_amount if left is None else min(open_amount, max(left, 0.0))
            if amount <= CENT:
                continue
        if amount < 0:
            raise invalid_value(amount, "amount", path + ".amount")
        if amount > open_amount + CENT:
            refname = transaction_refname(BY_TYPE_CODE[doc["type"]], doc["tranid"], doc["id"])
            # Wording: a guess (NetSuite refuses to apply more than a document's amount due).
            raise user_error(
                f"The amount applied to {refname} ({amount:.2f}) exceeds its amount remaining "
                f"({open_amount:.2f}).",
                path + ".amount",
            )
        result.append((doc_id, money(amount)))
    applied = money(sum(a for _, a in result))
    if available is not None and applied > available + CENT:
        # Wording: a guess.
        raise user_error(
            f"The total amount applied ({applied:.2f}) exceeds {available_label} ({available:.2f}).",
            "apply",
        )
    return result


def applied_total(rules: TransactionRules, v: dict[str, Any], applied: list[tuple[int, float]]) -> float:
    """The total of what totals its applications (a payment's amount, when given, instead)."""
    total = money(sum(a for _, a in applied))
    if rules.total == "payment_or_applied":
        payment = v.get("payment")
        if payment is not None:
            if payment < 0:
                raise invalid_value(payment, "payment")
            total = money(payment)
        if total <= CENT:
            raise mandatory(["Payment Amount"], "payment")
        return total
    if total <= CENT:
        raise user_error(LINES_NEEDED, "apply")
    return total


def remaining_of_deposit(ctx: Ctx, deposit: int, excluding: int | None) -> float:
    row = ctx.one(
        'SELECT t.foreigntotal - COALESCE((SELECT SUM(a.foreigntotal) FROM "transaction" a '
        "WHERE a.createdfrom = t.id AND a.type = 'DepAppl' AND a.id IS NOT ?), 0) AS left "
        'FROM "transaction" t WHERE t.id = ?',
        excluding,
        deposit,
    )
    return money(float(row["left"])) if row else 0.0


def refresh(ctx: Ctx, record_id: int) -> None:
    """Recompute a transaction's amounts applied or remaining and its status, as NetSuite shows them."""
    row = ctx.one('SELECT * FROM "transaction" WHERE id = ?', record_id)
    if row is None:
        return
    rules = TRANSACTION_RULES.get(row["type"])
    if rules is None:
        return
    total = float(row["foreigntotal"])
    remaining = 0.0
    updates: dict[str, Any] = {}
    if rules.balance == "document":
        paid = ctx.one(
            "SELECT COALESCE(SUM(foreignamount), 0) AS s FROM previoustransactionlinelink WHERE previousdoc = ?",
            record_id,
        )
        paid_amount = money(float(paid["s"]) if paid else 0.0)
        if paid_amount > total + CENT:
            # Wording: a guess (a document's total cannot fall below what was paid or credited on it).
            raise user_error(
                f"The total ({total:.2f}) is less than the amount already paid or credited ({paid_amount:.2f}).",
                "total",
            )
        remaining = money(total - paid_amount)
        updates = {"foreignamountpaid": paid_amount, "foreignamountunpaid": remaining}
    elif rules.balance in ("applied", "deposit"):
        if rules.balance == "deposit":
            used = money(total - remaining_of_deposit(ctx, record_id, None))
        else:
            found = ctx.one(
                "SELECT COALESCE(SUM(foreignamount), 0) AS s FROM previoustransactionlinelink WHERE nextdoc = ?",
                record_id,
            )
            used = money(float(found["s"]) if found else 0.0)
        remaining = money(total - used)
        updates = {"foreignpaymentamountused": used, "foreignpaymentamountunused": remaining}
    status = rules.status(row, remaining) if row["voided"] != "T" else None  # a voided one stays Voided
    if status is not None:
        updates["status"] = status
    changed = {name: value for name, value in updates.items() if row[name] != value}
    if changed:
        # A payment or credit applied to a document changes its amount remaining and status, and NetSuite
        # saves the document with them: its Last Modified date moves too (a guess; integrators report both,
        # so the connector also follows the transaction links from the payment, never this alone).
        changed["lastmodifieddate"] = ctx.stamp()
        update(ctx, "transaction", record_id, changed)
