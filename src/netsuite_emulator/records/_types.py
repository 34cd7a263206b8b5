"""The record types of the REST record service: their REST field names, the store columns behind them, and the
shape each field takes in a read; the names NetSuite shows for their codes.
"""

from __future__ import annotations

from ._fields import EXTERNAL_ID, ID, INACTIVE, Field, Kind, LineField, RecordType, Sublist, ro, rw
from ._transaction_types import TRANSACTIONS

__all__ = [
    "ACCOUNT_TYPE_NAMES",
    "BY_TYPE_CODE",
    "ENTITY_TABLES",
    "ITEM_TYPES",
    "ITEM_TYPE_NAMES",
    "RECORD_TYPES",
    "STATUS_NAMES",
    "Field",
    "Kind",
    "RecordType",
    "Sublist",
    "record_type",
]

# -- lists -------------------------------------------------------------------------------------------------

_SEGMENT_FIELDS = (
    ID,
    EXTERNAL_ID,
    rw("name", label="Name"),
    INACTIVE,
    rw("includeChildren", "includechildren", "bool"),
)

_LISTS: tuple[RecordType, ...] = (
    RecordType(
        "account",
        "account",
        "list",
        (
            ID,
            EXTERNAL_ID,
            rw("acctNumber"),
            rw("acctName", label="Name"),
            rw("acctType", kind="enum", label="Type"),
            rw("sSpecAcct", kind="enum"),
            rw("parent", kind="ref", ref="account"),
            rw("currency", kind="ref", ref="currency"),
            rw("subsidiary", kind="subsidiaries", ref="subsidiary"),
            rw("includeChildren", kind="bool"),
            rw("isSummary", kind="bool"),
            INACTIVE,
            rw("description"),
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
            ID,
            EXTERNAL_ID,
            rw("name", label="Name"),
            rw("legalName"),
            rw("parent", kind="ref", ref="subsidiary"),
            rw("currency", kind="ref", ref="currency", label="Currency"),
            rw("country", label="Country"),
            rw("isElimination", kind="bool"),
            INACTIVE,
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
            ID,
            EXTERNAL_ID,
            rw("name", label="Name"),
            rw("symbol", label="ISO Code"),
            rw("displaySymbol"),
            rw("isBaseCurrency", kind="bool", readonly=True),
            INACTIVE,
            rw("exchangeRate", kind="float", label="Default Exchange Rate"),
            rw("currencyPrecision", kind="int"),
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
            rw("parent", kind="ref", ref="classification"),
            rw("subsidiary", kind="subsidiaries", ref="subsidiary"),
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
            rw("parent", kind="ref", ref="department"),
            rw("subsidiary", kind="subsidiaries", ref="subsidiary"),
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
            ID,
            EXTERNAL_ID,
            rw("name", label="Name"),
            INACTIVE,
            rw("includeChildren", "includechildren", "bool"),
            rw("parent", kind="ref", ref="location"),
            rw("subsidiary", kind="subsidiaries", ref="subsidiary"),
        ),
        "r.name",
        subsidiary="subsidiary",
        required=("name",),
    ),
    RecordType(
        "term",
        "term",
        "list",
        (ID, EXTERNAL_ID, rw("name", label="Terms"), rw("daysUntilNetDue", kind="int"), INACTIVE),
        "r.name",
        required=("name",),
    ),
    RecordType(
        "paymentMethod",
        "paymentmethod",
        "list",
        (
            ID,
            EXTERNAL_ID,
            rw("name", label="Name"),
            rw("methodType", "methodtype", "enum"),
            rw("account", kind="ref", ref="account"),
            rw("undepFunds", kind="bool"),
            INACTIVE,
        ),
        "r.name",
        required=("name",),
    ),
    RecordType(
        "expenseCategory",
        "expensecategory",
        "list",
        (
            ID,
            EXTERNAL_ID,
            rw("name", label="Name"),
            rw("expenseacct", kind="ref", ref="account", label="Expense Account"),
            rw("description"),
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
            ID,
            EXTERNAL_ID,
            rw("periodName", label="Period Name"),
            rw("startDate", kind="date", label="Start Date"),
            rw("endDate", kind="date", label="End Date"),
            rw("parent", kind="ref", ref="accountingperiod"),
            rw("isYear", kind="bool"),
            rw("isQuarter", kind="bool"),
            rw("isAdjust", kind="bool"),
            rw("isPosting", kind="bool"),
            INACTIVE,
            rw("closed", kind="bool"),
            rw("closedOnDate", kind="date"),
            rw("allLocked", kind="bool"),
            rw("apLocked", kind="bool"),
            rw("arLocked", kind="bool"),
            rw("payrollLocked", kind="bool"),
            rw("allowNonGLChanges", kind="bool"),
        ),
        "r.periodname",
        required=("periodName", "startDate", "endDate"),
    ),
    RecordType(
        "employee",
        "employee",
        "list",
        (
            ID,
            EXTERNAL_ID,
            rw("entityId"),
            rw("firstName", label="First Name"),
            rw("lastName", label="Last Name"),
            rw("email", label="Email"),
            rw("subsidiary", kind="ref", ref="subsidiary", label="Subsidiary"),
            rw("giveAccess", kind="bool"),
            INACTIVE,
        ),
        "r.entityid",
        subsidiary="subsidiary",
        required=("firstName", "lastName", "email", "subsidiary"),
    ),
)

# -- items -------------------------------------------------------------------------------------------------

_ITEM_FIELDS = (
    ID,
    EXTERNAL_ID,
    rw("itemId", label="Item Name/Number"),
    rw("displayName"),
    rw("description"),
    ro("itemType", "enum", "itemtype"),
    rw("incomeAccount", kind="ref", ref="account", label="Income Account"),
    rw("expenseAccount", kind="ref", ref="account", label="Expense Account"),
    rw("subsidiary", kind="subsidiaries", ref="subsidiary"),
    rw("includeChildren", kind="bool"),
    INACTIVE,
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
    ID,
    EXTERNAL_ID,
    rw("entityId"),
    rw("companyName", label="Company Name"),
    rw("isPerson", kind="bool"),
    rw("firstName", label="First Name"),
    rw("lastName", label="Last Name"),
    rw("email"),
    rw("phone"),
    rw("comments"),
    rw("subsidiary", kind="ref", ref="subsidiary", label="Primary Subsidiary"),
    rw("currency", kind="ref", ref="currency"),
    rw("terms", kind="ref", ref="term"),
    INACTIVE,
    ro("dateCreated", "datetime", "datecreated"),
    ro("lastModifiedDate", "datetime", "lastmodifieddate"),
    ro("balance", "float"),
)
_ENTITIES = (
    RecordType(
        "customer",
        "customer",
        "entity",
        (
            *_ENTITY_FIELDS,
            rw("receivablesAccount", kind="ref", ref="account"),
            rw("creditLimit", kind="float"),
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
            rw("payablesAccount", kind="ref", ref="account"),
            rw("printOnCheckAs"),
            rw("is1099Eligible", kind="bool"),
        ),
        "r.entityid",
        sublists=(_ADDRESS_BOOK,),
        subsidiary="subsidiary",
    ),
)
_RELATIONSHIP_FIELDS = (
    ID,
    EXTERNAL_ID,
    rw("subsidiary", kind="ref", ref="subsidiary", label="Subsidiary"),
    ro("isPrimarySub", "bool", "isprimarysub"),
    rw("primaryCurrency", kind="ref", ref="currency"),
)
_RELATIONSHIPS = (
    RecordType(
        "customerSubsidiaryRelationship",
        "customersubsidiaryrelationship",
        "relationship",
        (*_RELATIONSHIP_FIELDS, rw("entity", kind="ref", ref="customer", label="Customer")),
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
            rw("entity", kind="ref", ref="vendor", label="Vendor"),
            rw("creditLimit", kind="float"),
        ),
        "(SELECT e.entityid FROM vendor e WHERE e.id = r.entity) || ' : ' || "
        "(SELECT s.name FROM subsidiary s WHERE s.id = r.subsidiary)",
        subsidiary="subsidiary",
        required=("entity", "subsidiary"),
    ),
)

RECORD_TYPES: dict[str, RecordType] = {
    rt.key: rt for rt in (*_LISTS, *_ITEMS, *_ENTITIES, *_RELATIONSHIPS, *TRANSACTIONS)
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
    # V Voided on invoices and bills: a guess (the letter a direct void leaves).
    "CustInvc": {"A": "Open", "B": "Paid In Full", "V": "Voided"},
    "VendBill": {"A": "Open", "B": "Paid In Full", "D": "Pending Approval", "E": "Rejected", "V": "Voided"},
    "CustCred": {"A": "Open", "B": "Fully Applied"},
    "VendCred": {"A": "Open", "B": "Fully Applied"},
    "CustPymt": {"B": "Not Deposited", "C": "Deposited"},
    "CustDep": {"A": "Not Deposited", "B": "Deposited", "C": "Fully Applied"},
    "Journal": {"A": "Pending Approval", "B": "Approved for Posting"},
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
