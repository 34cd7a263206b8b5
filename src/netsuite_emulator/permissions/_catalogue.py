"""NetSuite's permission ids and levels, and what each REST record type and SuiteQL table needs: the one
table of permissions the emulator checks against.

Facts from NetSuite's "Permission Names and IDs" table (``netsuite-permissions.md`` §1).
"""

from __future__ import annotations

from dataclasses import dataclass

NONE, VIEW, CREATE, EDIT, FULL = 0, 1, 2, 3, 4
LEVEL_NAMES = {NONE: "None", VIEW: "View", CREATE: "Create", EDIT: "Edit", FULL: "Full"}

_ALL = frozenset({NONE, VIEW, CREATE, EDIT, FULL})
_NONE_FULL = frozenset({NONE, FULL})

# permkey → (name as the role page shows it, valid levels).
PERMISSIONS: dict[str, tuple[str, frozenset[int]]] = {
    # Setup
    "ADMI_RESTWEBSERVICES": ("REST Web Services", _NONE_FULL),
    "ADMI_WEBSERVICES": ("SOAP Web Services", _NONE_FULL),
    "ADMI_LOGIN_OAUTH": ("Log in using Access Tokens", _NONE_FULL),
    "ADMI_LOGIN_OAUTH2": ("Log in using OAuth 2.0 Access Tokens", _NONE_FULL),
    "ADMI_CUSTOMSCRIPT": ("SuiteScript", _ALL),
    "ADMI_ACCOUNTINGLIST": ("Accounting Lists", _ALL),
    "ADMI_CUSTFIELD": ("Custom Fields", _ALL),
    "ADMI_CUSTITEMFIELD": ("Custom Item Fields", _ALL),
    "ADMI_CUSTBODYFIELD": ("Custom Body Fields", _ALL),
    "ADMI_CUSTCOLUMNFIELD": ("Custom Column Fields", _ALL),
    "ADMI_CUSTTRANFIELD": ("Custom Transaction Fields", _ALL),
    "ADMI_CUSTENTITYFIELD": ("Custom Entity Fields", _ALL),
    "ADMI_CUSTRECORD": ("Custom Record Types", _ALL),
    "ADMI_MANAGECUSTOMSEGMENTS": ("Custom Segments", _ALL),
    "ADMI_CUSTLIST": ("Custom Lists", _ALL),
    "ADMI_EMPLOYEELIST": ("Other Lists", _ALL),
    "ADMI_DELETEDRECORD": ("Deleted Records", _NONE_FULL),
    "ADMI_ACCTPERIODS": ("Manage Accounting Periods", frozenset({NONE, VIEW, FULL})),
    "ADMI_FINANCIALINSTITUTION": ("Financial Institution Records", _NONE_FULL),
    "ADMI_MANAGE_OAUTH_TOKENS": ("Access Token Management", _NONE_FULL),
    "ADMI_MANAGE_OWN_OAUTH_TOKENS": ("User Access Tokens", _NONE_FULL),
    "ADMI_MANAGE_OAUTH2": ("OAuth 2.0 Authorized Applications Management", _NONE_FULL),
    "ADMI_INTEGRAPP": ("Integration Application", _NONE_FULL),
    "ADMI_AUDITLOGIN": ("View Login Audit Trail", _NONE_FULL),
    "ADMI_MANAGEROLES": ("Bulk Manage Roles", _NONE_FULL),
    "ADMI_PERIODOVERRIDE": ("Override Period Restrictions", _NONE_FULL),
    "ADMI_ALLOWNONGLCHANGES": ("Allow Non G/L Changes", _NONE_FULL),
    # Reports
    "REPO_ANALYTICS": ("SuiteAnalytics Workbook", frozenset({NONE, EDIT})),
    # Transactions
    "TRAN_CUSTINVC": ("Invoice", _ALL),
    "TRAN_VENDBILL": ("Bills", _ALL),
    "TRAN_CUSTPYMT": ("Customer Payment", _ALL),
    "TRAN_VENDPYMT": ("Pay Bills", _ALL),
    "TRAN_VENDCRED": ("Enter Vendor Credits", _ALL),
    "TRAN_CUSTCRED": ("Credit Memo", _ALL),
    "TRAN_CUSTDEP": ("Customer Deposit", _ALL),
    "TRAN_JOURNAL": ("Make Journal Entry", _ALL),
    "TRAN_DEPAPPL": ("Deposit Application", _ALL),
    "TRAN_CUSTRFND": ("Customer Refund", _ALL),
    "TRAN_DEPOSIT": ("Deposit", _ALL),
    "TRAN_CHECK": ("Check", _ALL),
    "TRAN_FIND": ("Find Transaction", _ALL),
    "TRAN_POSTPERIODS": ("Posting Period on Transactions", _ALL),
    "TRAN_VENDBILLAPPRV": ("Vendor Bill Approval", _ALL),
    "TRAN_JOURNALAPPRV": ("Journal Approval", _ALL),
    "TRAN_VPREP": ("Vendor Prepayment", _ALL),
    "TRAN_VPREPAPP": ("Vendor Prepayment Application", _ALL),
    "TRAN_SALESORD": ("Sales Order", _ALL),
    "TRAN_ESTIMATE": ("Estimate", _ALL),
    # Lists
    "LIST_ACCOUNT": ("Accounts", _ALL),
    # Not in Oracle's id table; the SDF permission list has LIST_ADDRESS (inferred, netsuite-permissions.md §1.2).
    "LIST_ADDRESS": ("Address List in Search", _ALL),
    "LIST_CONTACT": ("Contacts", _ALL),
    "LIST_CUSTJOB": ("Customers", _ALL),
    "LIST_VENDOR": ("Vendors", _ALL),
    "LIST_EMPLOYEE": ("Employees", _ALL),
    "LIST_EMPLOYEE_RECORD": ("Employee Record", frozenset({VIEW, CREATE, EDIT, FULL})),
    "LIST_CATEGORY": ("Expense Categories", _ALL),
    "LIST_PAYMETH": ("Payment Methods", _ALL),
    "LIST_CURRENCY": ("Currency", _ALL),
    "LIST_ITEM": ("Items", _ALL),
    "LIST_FIND": ("Perform Search", frozenset({NONE, VIEW, FULL})),
    "LIST_CUSTRECORDENTRY": ("Custom Record Entries", _ALL),
    "LIST_CLASS": ("Classes", _ALL),
    "LIST_DEPARTMENT": ("Departments", _ALL),
    "LIST_LOCATION": ("Locations", _ALL),
    "LIST_SUBSIDIARY": ("Subsidiaries", _ALL),
    "LIST_CONTACTSUBSIDIARYRELATION": ("Contact-Subsidiary Relationship", frozenset({NONE, VIEW})),
    "LIST_COMPANY": ("Companies", _ALL),
    "LIST_TAXITEM": ("Tax Records", _ALL),
    "LIST_FILECABINET": ("Documents and Files", _ALL),
    "LIST_JOB": ("Jobs", _ALL),
    "LIST_OTHERNAME": ("Other Names", _ALL),
    "LIST_PARTNER": ("Partners", _ALL),
}

# REST record type (lower case; NetSuite accepts any case in the path) → permission it needs.
RECORD_PERMISSIONS: dict[str, str] = {
    "invoice": "TRAN_CUSTINVC",
    "vendorbill": "TRAN_VENDBILL",
    "customerpayment": "TRAN_CUSTPYMT",
    "vendorpayment": "TRAN_VENDPYMT",
    "vendorcredit": "TRAN_VENDCRED",
    "creditmemo": "TRAN_CUSTCRED",
    "customerdeposit": "TRAN_CUSTDEP",
    "depositapplication": "TRAN_DEPAPPL",
    "customerrefund": "TRAN_CUSTRFND",
    "journalentry": "TRAN_JOURNAL",
    "check": "TRAN_CHECK",
    "deposit": "TRAN_DEPOSIT",
    "vendorprepayment": "TRAN_VPREP",
    "vendorprepaymentapplication": "TRAN_VPREPAPP",
    "salesorder": "TRAN_SALESORD",
    "estimate": "TRAN_ESTIMATE",
    "customer": "LIST_CUSTJOB",
    "customersubsidiaryrelationship": "LIST_CUSTJOB",
    "vendor": "LIST_VENDOR",
    "vendorsubsidiaryrelationship": "LIST_VENDOR",
    "contact": "LIST_CONTACT",
    # The REST employee record is gated like the Employees list (a guess: Oracle's table names both
    # "Employees" and "Employee Record"; the SuiteQL employee table follows Employee Record).
    "employee": "LIST_EMPLOYEE",
    "partner": "LIST_PARTNER",
    "othername": "LIST_OTHERNAME",
    "job": "LIST_JOB",
    "account": "LIST_ACCOUNT",
    "subsidiary": "LIST_SUBSIDIARY",
    "currency": "LIST_CURRENCY",
    "classification": "LIST_CLASS",
    "department": "LIST_DEPARTMENT",
    "location": "LIST_LOCATION",
    "term": "ADMI_ACCOUNTINGLIST",
    # The UI permission is Payment Methods; the SuiteQL table follows Accounting Lists (netsuite-permissions.md D5).
    "paymentmethod": "LIST_PAYMETH",
    "accountingperiod": "ADMI_ACCTPERIODS",
    "expensecategory": "LIST_CATEGORY",
    "salestaxitem": "LIST_TAXITEM",
    "servicesaleitem": "LIST_ITEM",
    "servicepurchaseitem": "LIST_ITEM",
    "serviceresaleitem": "LIST_ITEM",
    "otherchargesaleitem": "LIST_ITEM",
    "otherchargepurchaseitem": "LIST_ITEM",
    "otherchargeresaleitem": "LIST_ITEM",
    "noninventorysaleitem": "LIST_ITEM",
    "noninventorypurchaseitem": "LIST_ITEM",
    "noninventoryresaleitem": "LIST_ITEM",
    "inventoryitem": "LIST_ITEM",
    "discountitem": "LIST_ITEM",
    "paymentitem": "LIST_ITEM",
}

# View for GET, Create for POST, Edit for PATCH and PUT, Full for DELETE.
METHOD_LEVELS: dict[str, int] = {
    "GET": VIEW,
    "HEAD": VIEW,
    "POST": CREATE,
    "PATCH": EDIT,
    "PUT": EDIT,
    "DELETE": FULL,
}


@dataclass(frozen=True)
class Requirement:
    permkey: str
    level: int

    def describe(self) -> str:
        name = PERMISSIONS.get(self.permkey, (self.permkey, _ALL))[0]
        return f"{name} ({self.permkey}) at level {LEVEL_NAMES[self.level]}"


def permission_name(permkey: str) -> str:
    """The display name of a permission (the rolepermissions.name column)."""
    entry = PERMISSIONS.get(permkey)
    if entry is None:
        raise KeyError(f"unknown permission id {permkey!r}")
    return entry[0]


def check_level(permkey: str, level: int) -> None:
    """Refuse a level the permission does not accept (e.g. REST Web Services at View)."""
    name, valid = PERMISSIONS[permkey]
    if level not in valid:
        allowed = ", ".join(LEVEL_NAMES[v] for v in sorted(valid))
        raise ValueError(f"{name} ({permkey}) accepts {allowed}, not level {level}")


def record_permission(record_type: str, method: str) -> Requirement | None:
    """What a request on a record type needs, or None if the type (or method) is not a known record one."""
    permkey = RECORD_PERMISSIONS.get(record_type.lower())
    level = METHOD_LEVELS.get(method.upper())
    if permkey is None or level is None:
        return None
    return Requirement(permkey, level)


# SuiteQL table → the permission that lets a role see it (netsuite-permissions.md §1.3). View is enough.
TABLE_PERMISSIONS: dict[str, str] = {
    "account": "LIST_ACCOUNT",
    # The mapping tables of shared lists (store.SHARED_LISTS): gated like their list, a guess.
    "accountsubsidiarymap": "LIST_ACCOUNT",
    "itemsubsidiarymap": "LIST_ITEM",
    "classificationsubsidiarymap": "LIST_CLASS",
    "departmentsubsidiarymap": "LIST_DEPARTMENT",
    "locationsubsidiarymap": "LIST_LOCATION",
    "accountingperiod": "ADMI_ACCTPERIODS",
    "classification": "LIST_CLASS",
    "currency": "LIST_CURRENCY",
    "customer": "LIST_CUSTJOB",
    "customersubsidiaryrelationship": "LIST_CUSTJOB",
    "customfield": "ADMI_CUSTFIELD",
    # The Deleted Records permission (Setup); the table is DeletedRecord in the SuiteQL Records Catalog.
    "deletedrecord": "ADMI_DELETEDRECORD",
    "department": "LIST_DEPARTMENT",
    "employee": "LIST_EMPLOYEE_RECORD",
    # Public SuiteQL code joins EmployeeRolesForSearch; that it is gated like employee is a guess.
    "employeerolesforsearch": "LIST_EMPLOYEE_RECORD",
    "expensecategory": "LIST_CATEGORY",
    # The File Cabinet's tables follow Documents and Files (the Records Catalog's gate for File; folders alike).
    "file": "LIST_FILECABINET",
    "mediaitemfolder": "LIST_FILECABINET",
    "item": "LIST_ITEM",
    "location": "LIST_LOCATION",
    "paymentmethod": "ADMI_ACCOUNTINGLIST",  # the Records Catalog's gate, not LIST_PAYMETH (D5)
    "role": "ADMI_MANAGEROLES",
    "rolepermissions": "ADMI_MANAGEROLES",
    "subsidiary": "LIST_SUBSIDIARY",
    "term": "ADMI_ACCOUNTINGLIST",
    "transaction": "TRAN_FIND",
    # The catalog names only `transaction`; its lines and links being gated the same way is a guess.
    "transactionline": "TRAN_FIND",
    "previoustransactionlinelink": "TRAN_FIND",
    "vendor": "LIST_VENDOR",
    "vendorsubsidiaryrelationship": "LIST_VENDOR",
}
ANALYTICS_PERMISSION = "REPO_ANALYTICS"  # SuiteAnalytics Workbook, Edit: needed for any SuiteQL at all
