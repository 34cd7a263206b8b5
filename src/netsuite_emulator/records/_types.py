"""The record types of the REST record service: their REST field names, the store columns behind them, and the
shape each field takes in a read.

Field names follow the 2026.1 REST API Browser (camelCase; a few records keep NetSuite's lower-case names, as
``expenseCategory.expenseacct``). Writes accept field names in any case, as the 2020-era lower-case names
(``trandate``, ``isinactive``) still appear in clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "bool", "float", "int", "date", "datetime", "ref", "enum", "subsidiaries"]
Family = Literal["list", "entity", "relationship", "item", "transaction"]


@dataclass(frozen=True)
class Field:
    """One body field: ``column`` in the record's table (None: computed when read, never written)."""

    name: str
    column: str | None
    kind: Kind = "text"
    ref: str | None = None  # the REST record type a reference points to (lower case)
    readonly: bool = False
    label: str = ""  # as NetSuite names the field in "Please enter value(s) for: …"
    on_mainline: bool = False  # transactions: kept on the main line of transactionline, not on transaction

    @property
    def title(self) -> str:
        return self.label or self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True)
class LineField:
    name: str
    column: str | None
    kind: Kind = "text"
    ref: str | None = None
    readonly: bool = False


@dataclass(frozen=True)
class Sublist:
    name: str
    fields: tuple[LineField, ...]
    keyed_by: str | None = None  # None: a non-keyed sublist, whose lines append on update

    def field(self, name: str) -> LineField | None:
        lowered = name.lower()
        return next((f for f in self.fields if f.name.lower() == lowered), None)


@dataclass(frozen=True)
class RecordType:
    name: str  # REST record id as the API Browser spells it (camelCase)
    table: str
    family: Family
    fields: tuple[Field, ...]
    refname: str  # SQL expression over the table (alias r) for refName
    sublists: tuple[Sublist, ...] = ()
    where: str = ""  # SQL condition (alias r) selecting this type's rows of a shared table
    defaults: tuple[tuple[str, object], ...] = ()  # columns set on create
    subsidiary: str | None = None  # column naming the subsidiary that governs visibility
    type_code: str = ""  # transactions: SuiteQL's transaction type
    label: str = ""  # transactions: the refName prefix ("Invoice #1001")
    required: tuple[str, ...] = ()  # REST fields a create must carry (beyond the rules of the family)

    @property
    def key(self) -> str:
        return self.name.lower()

    def field(self, name: str) -> Field | None:
        return _FIELD_INDEX[self.key].get(name.lower())

    def sublist(self, name: str) -> Sublist | None:
        lowered = name.lower()
        return next((s for s in self.sublists if s.name.lower() == lowered), None)


def _f(
    name: str, column: str | None = None, kind: Kind = "text", ref: str | None = None, **kw: object
) -> Field:
    return Field(name, name.lower() if column is None else column, kind, ref, **kw)  # type: ignore[arg-type]


def _ro(name: str, kind: Kind = "text", column: str | None = None, ref: str | None = None) -> Field:
    return Field(name, column, kind, ref, readonly=True)


_ID = Field("id", "id", "text", readonly=True)
_EXTERNAL_ID = Field("externalId", "externalid", "text")
_INACTIVE = Field("isInactive", "isinactive", "bool")

# -- lists -------------------------------------------------------------------------------------------------

_SEGMENT_FIELDS = (
    _ID,
    _EXTERNAL_ID,
    _f("name", label="Name"),
    _INACTIVE,
    _f("includeChildren", "includechildren", "bool"),
)

_LISTS: tuple[RecordType, ...] = (
    RecordType(
        "account",
        "account",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("acctNumber"),
            _f("acctName", label="Name"),
            _f("acctType", kind="enum", label="Type"),
            _f("sSpecAcct", kind="enum"),
            _f("parent", kind="ref", ref="account"),
            _f("currency", kind="ref", ref="currency"),
            _f("subsidiary", kind="subsidiaries", ref="subsidiary"),
            _f("includeChildren", kind="bool"),
            _f("isSummary", kind="bool"),
            _INACTIVE,
            _f("description"),
        ),
        "COALESCE(r.acctnumber || ' ', '') || r.acctname",
        subsidiary="subsidiary",
        required=("acctName", "acctType"),
    ),
    RecordType(
        "subsidiary",
        "subsidiary",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("name", label="Name"),
            _f("legalName"),
            _f("parent", kind="ref", ref="subsidiary"),
            _f("currency", kind="ref", ref="currency", label="Currency"),
            _f("country", label="Country"),
            _f("isElimination", kind="bool"),
            _INACTIVE,
        ),
        "r.name",
        subsidiary="id",
        required=("name", "currency", "country"),
    ),
    RecordType(
        "currency",
        "currency",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("name", label="Name"),
            _f("symbol", label="ISO Code"),
            _f("displaySymbol"),
            _f("isBaseCurrency", kind="bool", readonly=True),
            _INACTIVE,
            _f("exchangeRate", kind="float", label="Default Exchange Rate"),
            _f("currencyPrecision", kind="int"),
        ),
        "r.name",
        required=("name", "symbol"),
    ),
    RecordType(
        "classification",
        "classification",
        "list",
        (
            *_SEGMENT_FIELDS,
            _f("parent", kind="ref", ref="classification"),
            _f("subsidiary", kind="subsidiaries", ref="subsidiary"),
        ),
        "r.name",
        subsidiary="subsidiary",
        required=("name",),
    ),
    RecordType(
        "department",
        "department",
        "list",
        (
            *_SEGMENT_FIELDS,
            _f("parent", kind="ref", ref="department"),
            _f("subsidiary", kind="subsidiaries", ref="subsidiary"),
        ),
        "r.name",
        subsidiary="subsidiary",
        required=("name",),
    ),
    RecordType(
        "location",
        "location",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("name", label="Name"),
            _INACTIVE,
            _f("parent", kind="ref", ref="location"),
            _f("subsidiary", kind="subsidiaries", ref="subsidiary"),
        ),
        "r.name",
        subsidiary="subsidiary",
        required=("name",),
    ),
    RecordType(
        "term",
        "term",
        "list",
        (_ID, _EXTERNAL_ID, _f("name", label="Terms"), _f("daysUntilNetDue", kind="int"), _INACTIVE),
        "r.name",
        required=("name",),
    ),
    RecordType(
        "paymentMethod",
        "paymentmethod",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("name", label="Name"),
            _f("methodType", "methodtype", "enum"),
            _f("account", kind="ref", ref="account"),
            _f("undepFunds", kind="bool"),
            _INACTIVE,
        ),
        "r.name",
        required=("name",),
    ),
    RecordType(
        "expenseCategory",
        "expensecategory",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("name", label="Name"),
            _f("expenseacct", kind="ref", ref="account", label="Expense Account"),
            _f("description"),
            Field("isinactive", "isinactive", "bool"),
        ),
        "r.name",
        required=("name", "expenseacct"),
    ),
    RecordType(
        "accountingPeriod",
        "accountingperiod",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("periodName", label="Period Name"),
            _f("startDate", kind="date", label="Start Date"),
            _f("endDate", kind="date", label="End Date"),
            _f("parent", kind="ref", ref="accountingperiod"),
            _f("isYear", kind="bool"),
            _f("isQuarter", kind="bool"),
            _f("isAdjust", kind="bool"),
            _f("isPosting", kind="bool"),
            _INACTIVE,
            _f("closed", kind="bool"),
            _f("closedOnDate", kind="date"),
            _f("allLocked", kind="bool"),
            _f("apLocked", kind="bool"),
            _f("arLocked", kind="bool"),
            _f("payrollLocked", kind="bool"),
            _f("allowNonGLChanges", kind="bool"),
        ),
        "r.periodname",
        required=("periodName", "startDate", "endDate"),
    ),
    RecordType(
        "employee",
        "employee",
        "list",
        (
            _ID,
            _EXTERNAL_ID,
            _f("entityId"),
            _f("firstName", label="First Name"),
            _f("lastName", label="Last Name"),
            _f("email", label="Email"),
            _f("subsidiary", kind="ref", ref="subsidiary", label="Subsidiary"),
            _f("giveAccess", kind="bool"),
            _INACTIVE,
        ),
        "r.entityid",
        subsidiary="subsidiary",
        required=("firstName", "lastName", "email", "subsidiary"),
    ),
)

# -- items -------------------------------------------------------------------------------------------------

_ITEM_FIELDS = (
    _ID,
    _EXTERNAL_ID,
    _f("itemId", label="Item Name/Number"),
    _f("displayName"),
    _f("description"),
    _ro("itemType", "enum", "itemtype"),
    _f("incomeAccount", kind="ref", ref="account", label="Income Account"),
    _f("expenseAccount", kind="ref", ref="account", label="Expense Account"),
    _f("subsidiary", kind="subsidiaries", ref="subsidiary"),
    _f("includeChildren", kind="bool"),
    _INACTIVE,
)
# REST item type → (SuiteQL itemtype, subtype).
ITEM_KINDS: dict[str, tuple[str, str]] = {
    "serviceSaleItem": ("Service", "Sale"),
    "servicePurchaseItem": ("Service", "Purchase"),
    "serviceResaleItem": ("Service", "Resale"),
    "otherChargeSaleItem": ("OthCharge", "Sale"),
    "otherChargePurchaseItem": ("OthCharge", "Purchase"),
    "otherChargeResaleItem": ("OthCharge", "Resale"),
    "nonInventorySaleItem": ("NonInvtPart", "Sale"),
    "nonInventoryPurchaseItem": ("NonInvtPart", "Purchase"),
    "nonInventoryResaleItem": ("NonInvtPart", "Resale"),
}
_ITEMS = tuple(
    RecordType(
        name,
        "item",
        "item",
        _ITEM_FIELDS,
        "r.itemid",
        where=f"r.itemtype = '{itemtype}' AND r.subtype = '{subtype}'",
        defaults=(("itemtype", itemtype), ("subtype", subtype)),
        subsidiary="subsidiary",
        required=("itemId",),
    )
    for name, (itemtype, subtype) in ITEM_KINDS.items()
)

# -- entities ----------------------------------------------------------------------------------------------

_ADDRESS_BOOK = Sublist(
    "addressBook",
    (
        LineField("id", "id", "int", readonly=True),
        LineField("label", "label"),
        LineField("defaultBilling", "defaultbilling", "bool"),
        LineField("defaultShipping", "defaultshipping", "bool"),
        LineField(
            "addressBookAddress", None
        ),  # a subrecord: addressee, addr1, addr2, city, state, zip, country
    ),
    keyed_by="id",
)
_ENTITY_FIELDS = (
    _ID,
    _EXTERNAL_ID,
    _f("entityId"),
    _f("companyName", label="Company Name"),
    _f("isPerson", kind="bool"),
    _f("firstName", label="First Name"),
    _f("lastName", label="Last Name"),
    _f("email"),
    _f("phone"),
    _f("comments"),
    _f("subsidiary", kind="ref", ref="subsidiary", label="Primary Subsidiary"),
    _f("currency", kind="ref", ref="currency"),
    _f("terms", kind="ref", ref="term"),
    _INACTIVE,
    _ro("dateCreated", "datetime", "datecreated"),
    _ro("lastModifiedDate", "datetime", "lastmodifieddate"),
    _ro("balance", "float"),
)
_ENTITIES = (
    RecordType(
        "customer",
        "customer",
        "entity",
        (
            *_ENTITY_FIELDS,
            _f("receivablesAccount", kind="ref", ref="account"),
            _f("creditLimit", kind="float"),
        ),
        "r.entityid",
        sublists=(_ADDRESS_BOOK,),
        subsidiary="subsidiary",
    ),
    RecordType(
        "vendor",
        "vendor",
        "entity",
        (
            *_ENTITY_FIELDS,
            _f("payablesAccount", kind="ref", ref="account"),
            _f("printOnCheckAs"),
            _f("is1099Eligible", kind="bool"),
        ),
        "r.entityid",
        sublists=(_ADDRESS_BOOK,),
        subsidiary="subsidiary",
    ),
)
_RELATIONSHIP_FIELDS = (
    _ID,
    _EXTERNAL_ID,
    _f("subsidiary", kind="ref", ref="subsidiary", label="Subsidiary"),
    _ro("isPrimarySub", "bool", "isprimarysub"),
    _f("primaryCurrency", kind="ref", ref="currency"),
)
_RELATIONSHIPS = (
    RecordType(
        "customerSubsidiaryRelationship",
        "customersubsidiaryrelationship",
        "relationship",
        (*_RELATIONSHIP_FIELDS, _f("entity", kind="ref", ref="customer", label="Customer")),
        "(SELECT e.entityid FROM customer e WHERE e.id = r.entity) || ' : ' || "
        "(SELECT s.name FROM subsidiary s WHERE s.id = r.subsidiary)",
        subsidiary="subsidiary",
        required=("entity", "subsidiary"),
    ),
    RecordType(
        "vendorSubsidiaryRelationship",
        "vendorsubsidiaryrelationship",
        "relationship",
        (
            *_RELATIONSHIP_FIELDS,
            _f("entity", kind="ref", ref="vendor", label="Vendor"),
            _f("creditLimit", kind="float"),
        ),
        "(SELECT e.entityid FROM vendor e WHERE e.id = r.entity) || ' : ' || "
        "(SELECT s.name FROM subsidiary s WHERE s.id = r.subsidiary)",
        subsidiary="subsidiary",
        required=("entity", "subsidiary"),
    ),
)

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
    _ID,
    _EXTERNAL_ID,
    _f("tranId"),
    _f("tranDate", kind="date", label="Date"),
    _f("memo"),
    _f("subsidiary", kind="ref", ref="subsidiary", label="Subsidiary"),
    _f("currency", kind="ref", ref="currency", label="Currency"),
    _f("exchangeRate", kind="float"),
    _f("postingPeriod", kind="ref", ref="accountingperiod", label="Posting Period"),
    _ro("status", "enum", "status"),
    _ro("createdDate", "datetime", "createddate"),
    _ro("lastModifiedDate", "datetime", "lastmodifieddate"),
    Field("class", "class", "ref", "classification", on_mainline=True),
    Field("department", "department", "ref", "department", on_mainline=True),
    Field("location", "location", "ref", "location", on_mainline=True),
)
_DOCUMENT = (
    _f("dueDate", kind="date"),
    _f("terms", kind="ref", ref="term"),
    _f("otherRefNum"),
    _ro("total", "float", "foreigntotal"),
)
_RECEIVES = (
    _ro("amountPaid", "float", "foreignamountpaid"),
    _ro("amountRemaining", "float", "foreignamountunpaid"),
)
_APPLIES = (
    _ro("applied", "float", "foreignpaymentamountused"),
    _ro("unapplied", "float", "foreignpaymentamountunused"),
)
_CASH = (
    Field("account", "account", "ref", "account", on_mainline=True, label="Account"),
    _f("undepFunds", kind="bool"),
    _f("paymentMethod", kind="ref", ref="paymentmethod"),
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
_TRANSACTIONS = (
    _tran(
        "invoice",
        "CustInvc",
        "Invoice",
        (_f("entity", kind="ref", ref="customer", label="Customer"), _AR_ACCOUNT, *_DOCUMENT, *_RECEIVES),
        (ITEM_SUBLIST,),
    ),
    _tran(
        "creditMemo",
        "CustCred",
        "Credit Memo",
        (
            _f("entity", kind="ref", ref="customer", label="Customer"),
            _AR_ACCOUNT,
            *_DOCUMENT,
            *_APPLIES,
            _ro("createdFrom", "ref", "createdfrom", "transaction"),
        ),
        (ITEM_SUBLIST, APPLY_SUBLIST),
    ),
    _tran(
        "vendorBill",
        "VendBill",
        "Bill",
        (_f("entity", kind="ref", ref="vendor", label="Vendor"), _AP_ACCOUNT, *_DOCUMENT, *_RECEIVES),
        (EXPENSE_SUBLIST, ITEM_SUBLIST),
    ),
    _tran(
        "vendorCredit",
        "VendCred",
        "Bill Credit",
        (
            _f("entity", kind="ref", ref="vendor", label="Vendor"),
            _AP_ACCOUNT,
            *_DOCUMENT,
            *_APPLIES,
            _ro("createdFrom", "ref", "createdfrom", "transaction"),
        ),
        (EXPENSE_SUBLIST, ITEM_SUBLIST, APPLY_SUBLIST),
    ),
    _tran(
        "customerPayment",
        "CustPymt",
        "Payment",
        (
            _f("customer", "entity", "ref", "customer", label="Customer"),
            _f("payment", "foreigntotal", "float", label="Payment Amount"),
            *_CASH,
            *_APPLIES,
        ),
        (APPLY_SUBLIST,),
    ),
    _tran(
        "vendorPayment",
        "VendPymt",
        "Bill Payment",
        (
            _f("entity", kind="ref", ref="vendor", label="Payee"),
            Field("account", "account", "ref", "account", on_mainline=True, label="Account"),
            _ro("total", "float", "foreigntotal"),
        ),
        (APPLY_SUBLIST,),
    ),
    _tran(
        "customerDeposit",
        "CustDep",
        "Customer Deposit",
        (
            _f("customer", "entity", "ref", "customer", label="Customer"),
            _f("payment", "foreigntotal", "float", label="Payment Amount"),
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
            _ro("customer", "ref", "entity", "customer"),
            _ro("deposit", "ref", "createdfrom", "customerdeposit"),
            _ro("applied", "float", "foreigntotal"),
            _ro("total", "float", "foreigntotal"),
        ),
        (APPLY_SUBLIST,),
    ),
    _tran(
        "journalEntry",
        "Journal",
        "Journal",
        (
            _f("reversalDate", kind="date"),
            _ro("total", "float", "foreigntotal"),
            _f("approved", None, "bool"),
        ),
        (JOURNAL_SUBLIST,),
    ),
)

RECORD_TYPES: dict[str, RecordType] = {
    rt.key: rt for rt in (*_LISTS, *_ITEMS, *_ENTITIES, *_RELATIONSHIPS, *_TRANSACTIONS)
}
_FIELD_INDEX: dict[str, dict[str, Field]] = {
    key: {f.name.lower(): f for f in rt.fields} for key, rt in RECORD_TYPES.items()
}
TRANSACTION_TYPES: dict[str, RecordType] = {
    k: v for k, v in RECORD_TYPES.items() if v.family == "transaction"
}
BY_TYPE_CODE: dict[str, RecordType] = {v.type_code: v for v in TRANSACTION_TYPES.values()}
ITEM_TYPES: dict[tuple[str, str], RecordType] = {
    (itemtype, subtype): RECORD_TYPES[name.lower()] for name, (itemtype, subtype) in ITEM_KINDS.items()
}

# Status letters as SuiteQL stores them, with the names NetSuite shows. The letters of invoices (A, B) and bills
# follow the 2026.1 schema's enums; the letters and names of the other types are the emulator's guesses.
STATUS_NAMES: dict[str, dict[str, str]] = {
    "CustInvc": {"A": "Open", "B": "Paid In Full"},
    "VendBill": {"A": "Open", "B": "Paid In Full"},
    "CustCred": {"A": "Open", "B": "Fully Applied"},
    "VendCred": {"A": "Open", "B": "Fully Applied"},
    "CustPymt": {"B": "Not Deposited", "C": "Deposited"},
    "CustDep": {"A": "Not Deposited", "B": "Deposited", "C": "Fully Applied"},
    "Journal": {"B": "Approved for Posting"},
}

ACCOUNT_TYPE_NAMES: dict[str, str] = {
    "Bank": "Bank",
    "AcctRec": "Accounts Receivable",
    "OthCurrAsset": "Other Current Asset",
    "FixedAsset": "Fixed Asset",
    "OthAsset": "Other Asset",
    "AcctPay": "Accounts Payable",
    "CredCard": "Credit Card",
    "OthCurrLiab": "Other Current Liability",
    "LongTermLiab": "Long Term Liability",
    "Equity": "Equity",
    "Income": "Income",
    "COGS": "Cost of Goods Sold",
    "Expense": "Expense",
    "OthIncome": "Other Income",
    "OthExpense": "Other Expense",
    "DeferRevenue": "Deferred Revenue",
    "DeferExpense": "Deferred Expense",
    "UnbilledRec": "Unbilled Receivable",
    "NonPosting": "Non Posting",
    "Stat": "Statistical",
}
ITEM_TYPE_NAMES = {"Service": "Service", "OthCharge": "Other Charge", "NonInvtPart": "Non-inventory Item"}

# Entities a journal line's ``entity`` may name, searched in this order (NetSuite's entity ids are shared).
ENTITY_TABLES = ("customer", "vendor", "employee")


def record_type(name: str) -> RecordType | None:
    """The record type a path segment names, in any case."""
    return RECORD_TYPES.get(name.lower())
