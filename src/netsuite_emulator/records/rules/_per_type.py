"""What each transaction type does, as one frozen rules object per type: the side of the books it posts to, the
sign of its main line, what it applies to and how its total, balance and status are reached.

The writer, the lines and the balances read these objects; none of them branches on the type code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from netsuite_emulator.records._io import CENT

# Where a transaction's body account comes from: the entity's A/R or A/P account ("subledger"), a bank account
# or Undeposited Funds ("bank_or_undeposited"), a bank account only ("bank"), or none (journals, applications).
BodyAccount = Literal["subledger", "bank_or_undeposited", "bank", "none"]
# How the total is reached: the sum of the lines, the journal's debits, the required payment amount, the sum
# applied, or the payment amount when given and the sum applied otherwise.
Total = Literal["lines", "debits", "payment", "applied", "payment_or_applied"]
# What caps the amounts applied: the transaction's own total (credits), its payment amount when given, the
# deposit's unapplied amount (deposit applications), or nothing.
ApplyLimit = Literal["total", "payment", "deposit", "none"]
# What the stored amounts track: a document's amount paid and unpaid, a payment's or credit's amount used and
# unused, a deposit's amount applied by its applications, or nothing.
Balance = Literal["document", "applied", "deposit", "none"]
# A status ("A", "B", …; see STATUS_NAMES) from the stored row and what remains (unpaid or unused).
Status = Callable[[sqlite3.Row, float], str | None]


@dataclass(frozen=True)
class Subledger:
    """Accounts Receivable or Accounts Payable: the entities, accounts and period lock of one side."""

    account_type: str  # the account type of the body account ("AcctRec", "AcctPay")
    account_label: str  # the body account's label in a "mandatory" refusal
    entity_table: str  # customer or vendor
    entity_account_column: str  # the entity's default body account
    lock_column: str  # accountingperiod's lock of this side
    lock_name: str  # the module a lock refusal names


RECEIVABLES = Subledger(
    "AcctRec", "A/R Account", "customer", "receivablesaccount", "arlocked", "Accounts Receivable"
)
PAYABLES = Subledger("AcctPay", "A/P Account", "vendor", "payablesaccount", "aplocked", "Accounts Payable")
SUBLEDGERS = {s.account_type: s for s in (RECEIVABLES, PAYABLES)}


def _paid_off(_row: sqlite3.Row, remaining: float) -> str:
    return "B" if remaining <= CENT else "A"


def _bill(row: sqlite3.Row, remaining: float) -> str:
    # Under approval routing: D Pending Approval, E Rejected (SuiteQL's VendBill status letters).
    return {1: "D", 3: "E"}.get(row["approvalstatus"]) or _paid_off(row, remaining)


def _deposited(row: sqlite3.Row, _remaining: float) -> str:
    return "B" if row["undepfunds"] == "T" else "C"


def _deposit(row: sqlite3.Row, remaining: float) -> str:
    return "C" if remaining <= CENT else ("A" if row["undepfunds"] == "T" else "B")


def _approved(row: sqlite3.Row, _remaining: float) -> str:
    # A Pending Approval (under "Require Approvals on Journal Entries"), B Approved for Posting.
    return "A" if row["approvalstatus"] == 1 else "B"


def _unchanged(_row: sqlite3.Row, _remaining: float) -> None:
    return None


@dataclass(frozen=True)
class TransactionRules:
    type_code: str  # SuiteQL's transaction type
    main_sign: int  # GL sign of the main line; item and expense lines carry the opposite sign
    subledger: Subledger | None  # None: a journal entry, which names entities line by line
    entity_field: str | None  # the REST field naming the customer or vendor (None: from the deposit, or none)
    body_account: BodyAccount
    total: Total
    balance: Balance
    status: Status
    sales: bool = False  # item lines take sale items and post to their income account (else purchase/expense)
    applies_to: tuple[str, ...] = ()  # the type codes its apply sublist may name
    link_type: str | None = None  # previoustransactionlinelink.linktype of what it applies
    apply_limit: ApplyLimit = "none"
    # NetSuite numbers it when tranId is not given; else the number is the vendor's (bills, bill credits), and
    # one vendor cannot have the same number twice on one transaction type.
    numbered: bool = True
    from_deposit: bool = False  # created only by transforming a customer deposit, whose entity it takes
    # The body field naming the A/R or A/P account a payment or application settles ("arAcct", "apAcct"),
    # kept on a line of its own (line 1, as the GL impact shows it); None where the body account is that
    # account (invoices, bills, credits) or there is none.
    subledger_field: str | None = None
    journal: bool = False  # debit/credit lines that must balance, no main line, lines counted from 0


TRANSACTION_RULES: dict[str, TransactionRules] = {
    r.type_code: r
    for r in (
        TransactionRules("CustInvc", 1, RECEIVABLES, "entity", "subledger", "lines", "document", _paid_off,
                         sales=True),
        TransactionRules("CustCred", -1, RECEIVABLES, "entity", "subledger", "lines", "applied", _paid_off,
                         sales=True, applies_to=("CustInvc",), link_type="Credit", apply_limit="total"),
        TransactionRules("VendBill", -1, PAYABLES, "entity", "subledger", "lines", "document", _bill,
                         numbered=False),
        TransactionRules("VendCred", 1, PAYABLES, "entity", "subledger", "lines", "applied", _paid_off,
                         applies_to=("VendBill",), link_type="Credit", apply_limit="total", numbered=False),
        TransactionRules("CustPymt", 1, RECEIVABLES, "customer", "bank_or_undeposited", "payment_or_applied",
                         "applied", _deposited, applies_to=("CustInvc",), link_type="Payment",
                         apply_limit="payment", subledger_field="arAcct"),
        TransactionRules("VendPymt", -1, PAYABLES, "entity", "bank", "applied", "applied", _unchanged,
                         applies_to=("VendBill",), link_type="Payment", subledger_field="apAcct"),
        TransactionRules("CustDep", 1, RECEIVABLES, "customer", "bank_or_undeposited", "payment", "deposit",
                         _deposit),
        TransactionRules("DepAppl", 0, RECEIVABLES, None, "none", "applied", "applied", _unchanged,
                         applies_to=("CustInvc",), link_type="DepAppl", apply_limit="deposit", from_deposit=True,
                         subledger_field="arAcct"),
        TransactionRules("Journal", 0, None, None, "none", "debits", "none", _approved, journal=True),
    )
}  # fmt: skip
