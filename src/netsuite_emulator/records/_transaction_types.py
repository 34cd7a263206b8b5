"""The transaction record types: invoices, bills, credits, payments, deposits and journal entries, with
their item, expense, journal and apply sublists."""

from __future__ import annotations

from ._fields import EXTERNAL_ID, ID, Field, LineField, RecordType, Sublist, ro, rw

# -- transactions ------------------------------------------------------------------------------------------

_SEGMENT_LINE_FIELDS = (
    LineField("class", "class", "ref", "classification"),
    LineField("department", "department", "ref", "department"),
    LineField("location", "location", "ref", "location"),
)
ITEM_SUBLIST = Sublist(
    "item",
    (
        LineField("line", "linesequencenumber", "int", readonly=True),
        LineField("item", "item", "ref", "item"),
        LineField("quantity", "quantity", "float"),
        LineField("rate", "rate", "float"),
        LineField("amount", "foreignamount", "float"),
        LineField("description", "memo"),
        LineField("account", "account", "ref", "account", readonly=True),
        *_SEGMENT_LINE_FIELDS,
    ),
)
EXPENSE_SUBLIST = Sublist(
    "expense",
    (
        LineField("line", "linesequencenumber", "int", readonly=True),
        LineField("account", "account", "ref", "account"),
        LineField("category", "category", "ref", "expensecategory"),
        LineField("amount", "foreignamount", "float"),
        LineField("memo", "memo"),
        *_SEGMENT_LINE_FIELDS,
    ),
)
JOURNAL_SUBLIST = Sublist(
    "line",
    (
        LineField("line", "linesequencenumber", "int", readonly=True),
        LineField("account", "account", "ref", "account"),
        LineField("debit", "debitforeignamount", "float"),
        LineField("credit", "creditforeignamount", "float"),
        LineField("memo", "memo"),
        LineField("entity", "entity", "ref", "entity"),
        LineField("subsidiary", "subsidiary", "ref", "subsidiary"),
        *_SEGMENT_LINE_FIELDS,
    ),
)
APPLY_SUBLIST = Sublist(
    "apply",
    (
        LineField("doc", "previousdoc", "ref", "transaction"),
        LineField("apply", None, "bool"),
        LineField("amount", "foreignamount", "float"),
        LineField("line", None, "int", readonly=True),
        LineField("total", None, "float", readonly=True),
        LineField("due", None, "float", readonly=True),
        LineField("refNum", None, readonly=True),
        LineField("applyDate", None, "date", readonly=True),
        LineField("type", None, readonly=True),
    ),
    keyed_by="doc",
)

_TRAN_COMMON = (
    ID,
    EXTERNAL_ID,
    rw("tranId"),
    rw("tranDate", kind="date", label="Date"),
    rw("memo"),
    rw("subsidiary", kind="ref", ref="subsidiary", label="Subsidiary"),
    rw("currency", kind="ref", ref="currency", label="Currency"),
    rw("exchangeRate", kind="float"),
    rw("postingPeriod", kind="ref", ref="accountingperiod", label="Posting Period"),
    ro("status", "enum", "status"),
    ro("createdDate", "datetime", "createddate"),
    ro("lastModifiedDate", "datetime", "lastmodifieddate"),
    Field("class", "class", "ref", "classification", on_mainline=True),
    Field("department", "department", "ref", "department", on_mainline=True),
    Field("location", "location", "ref", "location", on_mainline=True),
)
_DOCUMENT = (
    rw("dueDate", kind="date"),
    rw("terms", kind="ref", ref="term"),
    rw("otherRefNum"),
    ro("total", "float", "foreigntotal"),
)
_RECEIVES = (
    ro("amountPaid", "float", "foreignamountpaid"),
    ro("amountRemaining", "float", "foreignamountunpaid"),
)
_APPLIES = (
    ro("applied", "float", "foreignpaymentamountused"),
    ro("unapplied", "float", "foreignpaymentamountunused"),
)
_CASH = (
    Field("account", "account", "ref", "account", on_mainline=True, label="Account"),
    rw("undepFunds", kind="bool"),
    rw("paymentMethod", kind="ref", ref="paymentmethod"),
)


def _tran(
    name: str,
    code: str,
    label: str,
    fields: tuple[Field, ...],
    sublists: tuple[Sublist, ...],
) -> RecordType:
    return RecordType(
        name,
        "transaction",
        "transaction",
        (*_TRAN_COMMON, *fields),
        "r.tranid",
        sublists=sublists,
        where=f"r.type = '{code}'",
        defaults=(("type", code), ("recordtype", name.lower())),
        subsidiary="subsidiary",
        type_code=code,
        label=label,
    )


_AR_ACCOUNT = Field("account", "account", "ref", "account", on_mainline=True, label="A/R Account")
_AP_ACCOUNT = Field("account", "account", "ref", "account", on_mainline=True, label="A/P Account")
# A payment's or deposit application's A/R (A/P) account: "Only invoices charged to this account show in the
# list" (Oracle help, Customer Payments: ORA/section_N1288824.html). The 2026.1 REST schemas list `arAcct` on
# customerPayment and depositApplication and `apAcct` on vendorPayment (wsjmnh/netsuite-record-rest-docs,
# docs/schemas/*.md); invoices, bills and their credits name theirs in `account`.
_AR_ACCT = Field("arAcct", "account", "ref", "account", label="A/R Account", on_subledger_line=True)
_AP_ACCT = Field("apAcct", "account", "ref", "account", label="A/P Account", on_subledger_line=True)
TRANSACTIONS = (
    _tran(
        "invoice",
        "CustInvc",
        "Invoice",
        (rw("entity", kind="ref", ref="customer", label="Customer"), _AR_ACCOUNT, *_DOCUMENT, *_RECEIVES),
        (ITEM_SUBLIST,),
    ),
    _tran(
        "creditMemo",
        "CustCred",
        "Credit Memo",
        (
            rw("entity", kind="ref", ref="customer", label="Customer"),
            _AR_ACCOUNT,
            *_DOCUMENT,
            *_APPLIES,
            ro("createdFrom", "ref", "createdfrom", "transaction"),
        ),
        (ITEM_SUBLIST, APPLY_SUBLIST),
    ),
    _tran(
        "vendorBill",
        "VendBill",
        "Bill",
        (rw("entity", kind="ref", ref="vendor", label="Vendor"), _AP_ACCOUNT, *_DOCUMENT, *_RECEIVES),
        (EXPENSE_SUBLIST, ITEM_SUBLIST),
    ),
    _tran(
        "vendorCredit",
        "VendCred",
        "Bill Credit",
        (
            rw("entity", kind="ref", ref="vendor", label="Vendor"),
            _AP_ACCOUNT,
            *_DOCUMENT,
            *_APPLIES,
            ro("createdFrom", "ref", "createdfrom", "transaction"),
        ),
        (EXPENSE_SUBLIST, ITEM_SUBLIST, APPLY_SUBLIST),
    ),
    _tran(
        "customerPayment",
        "CustPymt",
        "Payment",
        (
            rw("customer", "entity", "ref", "customer", label="Customer"),
            rw("payment", "foreigntotal", "float", label="Payment Amount"),
            *_CASH,
            _AR_ACCT,
            *_APPLIES,
        ),
        (APPLY_SUBLIST,),
    ),
    _tran(
        "vendorPayment",
        "VendPymt",
        "Bill Payment",
        (
            rw("entity", kind="ref", ref="vendor", label="Payee"),
            Field("account", "account", "ref", "account", on_mainline=True, label="Account"),
            _AP_ACCT,
            ro("total", "float", "foreigntotal"),
        ),
        (APPLY_SUBLIST,),
    ),
    _tran(
        "customerDeposit",
        "CustDep",
        "Customer Deposit",
        (
            rw("customer", "entity", "ref", "customer", label="Customer"),
            rw("payment", "foreigntotal", "float", label="Payment Amount"),
            *_CASH,
            *_APPLIES,
        ),
        (),
    ),
    _tran(
        "depositApplication",
        "DepAppl",
        "Deposit Application",
        (
            ro("customer", "ref", "entity", "customer"),
            ro("deposit", "ref", "createdfrom", "customerdeposit"),
            _AR_ACCT,
            ro("applied", "float", "foreigntotal"),
            ro("total", "float", "foreigntotal"),
        ),
        (APPLY_SUBLIST,),
    ),
    _tran(
        "journalEntry",
        "Journal",
        "Journal",
        (
            rw("reversalDate", kind="date"),
            ro("total", "float", "foreigntotal"),
            rw("approved", None, "bool"),
        ),
        (JOURNAL_SUBLIST,),
    ),
)
