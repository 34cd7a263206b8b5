"""The permissions the integration role needs: the article's list at its levels, plus what it omits.

The one public home of the permission table: the doctor checks the role against it, and a setup guide reads
it (``required_permissions("tba")``). Ids, names and levels from ``netsuite-permissions.md`` §1; the SuiteQL
table gates from its §1.3.
"""

from __future__ import annotations

from dataclasses import dataclass

NONE, VIEW, CREATE, EDIT, FULL = 0, 1, 2, 3, 4
LEVEL_NAMES = {NONE: "None", VIEW: "View", CREATE: "Create", EDIT: "Edit", FULL: "Full"}
SUBTABS = {"ADMI": "Setup", "LIST": "Lists", "REGT": "Lists", "TRAN": "Transactions", "REPO": "Reports"}
ADMINISTRATOR_ROLE_ID = "3"  # NetSuite's built-in Administrator role
ROLE_PATH = "Setup > Users/Roles > Manage Roles"


@dataclass(frozen=True, slots=True)
class Permission:
    permkey: str
    name: str
    level: int
    note: str = ""

    @property
    def subtab(self) -> str:
        return SUBTABS.get(self.permkey.split("_", 1)[0], "Setup")

    def describe(self, level: int | None = None) -> str:
        needed = LEVEL_NAMES[self.level]
        has = "" if level is None else f", has {LEVEL_NAMES.get(level, str(level))}"
        return f"{self.name} ({self.permkey}) at {needed}{has} — {self.subtab} subtab"


_SETUP = (
    Permission("ADMI_RESTWEBSERVICES", "REST Web Services", FULL),
    Permission("ADMI_WEBSERVICES", "SOAP Web Services", FULL),
    Permission("ADMI_CUSTOMSCRIPT", "SuiteScript", FULL),
    Permission("ADMI_ACCOUNTINGLIST", "Accounting Lists", FULL),
    Permission("ADMI_CUSTFIELD", "Custom Fields", FULL),
    Permission("ADMI_CUSTITEMFIELD", "Custom Item Fields", FULL),
    Permission("ADMI_CUSTBODYFIELD", "Custom Body Fields", FULL),
    Permission("ADMI_CUSTCOLUMNFIELD", "Custom Column Fields", FULL),
    Permission("ADMI_CUSTTRANFIELD", "Custom Transaction Fields", FULL),
    Permission("ADMI_CUSTENTITYFIELD", "Custom Entity Fields", FULL),
    Permission("ADMI_CUSTRECORD", "Custom Record Types", FULL),
    Permission("ADMI_MANAGECUSTOMSEGMENTS", "Custom Segments", FULL),
    Permission("ADMI_CUSTLIST", "Custom Lists", FULL),
    Permission("ADMI_EMPLOYEELIST", "Other Lists", FULL),
    Permission("ADMI_DELETEDRECORD", "Deleted Records", FULL),
    Permission("ADMI_ACCTPERIODS", "Manage Accounting Periods", VIEW),
    Permission("ADMI_FINANCIALINSTITUTION", "Financial Institution Records", FULL),
    Permission("REPO_ANALYTICS", "SuiteAnalytics Workbook", EDIT, "needed for every SuiteQL query"),
)
_TRANSACTIONS = (
    Permission("TRAN_CUSTINVC", "Invoice", FULL),
    Permission("TRAN_VENDBILL", "Bills", FULL),
    Permission("TRAN_CUSTPYMT", "Customer Payment", FULL),
    Permission("TRAN_VENDPYMT", "Pay Bills", FULL),
    Permission("TRAN_VENDCRED", "Enter Vendor Credits", FULL),
    Permission("TRAN_CUSTCRED", "Credit Memo", FULL),
    Permission("TRAN_CUSTDEP", "Customer Deposit", FULL),
    Permission("TRAN_JOURNAL", "Make Journal Entry", FULL),
    Permission("TRAN_DEPAPPL", "Deposit Application", FULL, "applies customer deposits to invoices"),
    Permission("TRAN_FIND", "Find Transaction", VIEW, "finds the transactions already written"),
)
_LISTS = (
    Permission("LIST_ACCOUNT", "Accounts", FULL),
    Permission(
        "LIST_ADDRESS", "Address List in Search", FULL, "its id is not in Oracle's table; grant it by name"
    ),
    Permission("LIST_CONTACT", "Contacts", FULL),
    Permission("LIST_CUSTJOB", "Customers", FULL),
    Permission("LIST_VENDOR", "Vendors", FULL),
    Permission("LIST_EMPLOYEE", "Employees", VIEW),
    Permission("LIST_EMPLOYEE_RECORD", "Employee Record", VIEW),
    Permission("LIST_CATEGORY", "Expense Categories", FULL),
    Permission("LIST_PAYMETH", "Payment Methods", FULL),
    Permission("LIST_CURRENCY", "Currency", FULL),
    Permission("LIST_ITEM", "Items", FULL),
    Permission("LIST_FIND", "Perform Search", FULL),
    Permission("LIST_CUSTRECORDENTRY", "Custom Record Entries", FULL),
    Permission("LIST_CLASS", "Classes", FULL),
    Permission("LIST_DEPARTMENT", "Departments", FULL),
    Permission("LIST_LOCATION", "Locations", FULL),
    Permission("LIST_SUBSIDIARY", "Subsidiaries", VIEW),
    Permission("LIST_CONTACTSUBSIDIARYRELATION", "Contact-Subsidiary Relationship", VIEW),
    Permission("LIST_COMPANY", "Companies", FULL),
    Permission("LIST_TAXITEM", "Tax Records", VIEW),
    Permission("LIST_FILECABINET", "Documents and Files", FULL),
)
TBA_LOGIN = Permission("ADMI_LOGIN_OAUTH", "Log in using Access Tokens", FULL)
OAUTH2_LOGIN = Permission("ADMI_LOGIN_OAUTH2", "Log in using OAuth 2.0 Access Tokens", FULL)


def required_permissions(auth_method: str) -> tuple[Permission, ...]:
    """Every permission the integration role needs under ``tba`` or ``oauth2``."""
    login = OAUTH2_LOGIN if auth_method == "oauth2" else TBA_LOGIN
    return (_SETUP[0], _SETUP[1], login, *_SETUP[2:], *_TRANSACTIONS, *_LISTS)


BY_KEY = {p.permkey: p for p in (*required_permissions("tba"), OAUTH2_LOGIN)}

# Harmless reads that show whether a permission is there at View at least: a one-row collection read of a
# record type, and a one-row SuiteQL query of a table (the table gates of netsuite-permissions.md §1.3).
RECORD_PROBES: tuple[tuple[str, str], ...] = (
    ("invoice", "TRAN_CUSTINVC"),
    ("vendorBill", "TRAN_VENDBILL"),
    ("customerPayment", "TRAN_CUSTPYMT"),
    ("vendorPayment", "TRAN_VENDPYMT"),
    ("vendorCredit", "TRAN_VENDCRED"),
    ("creditMemo", "TRAN_CUSTCRED"),
    ("customerDeposit", "TRAN_CUSTDEP"),
    ("depositApplication", "TRAN_DEPAPPL"),
    ("journalEntry", "TRAN_JOURNAL"),
    ("customer", "LIST_CUSTJOB"),
    ("vendor", "LIST_VENDOR"),
    ("account", "LIST_ACCOUNT"),
    ("subsidiary", "LIST_SUBSIDIARY"),
    ("currency", "LIST_CURRENCY"),
    ("classification", "LIST_CLASS"),
    ("department", "LIST_DEPARTMENT"),
    ("location", "LIST_LOCATION"),
    ("expenseCategory", "LIST_CATEGORY"),
    ("paymentMethod", "LIST_PAYMETH"),
)
TABLE_PROBES: tuple[tuple[str, str], ...] = (
    ("transaction", "TRAN_FIND"),
    ("item", "LIST_ITEM"),
    ("term", "ADMI_ACCOUNTINGLIST"),
    ("accountingperiod", "ADMI_ACCTPERIODS"),
    ("customfield", "ADMI_CUSTFIELD"),
    ("employee", "LIST_EMPLOYEE_RECORD"),
)


def grant_fix(role: str, missing: list[Permission]) -> str:
    tabs = sorted({p.subtab for p in missing})
    return (
        f"Grant them at {ROLE_PATH} > {role} > Edit > Permissions > {' / '.join(tabs)} subtab(s), "
        "at the level shown, then Save. Tokens keep working after a permission change; no new token is needed."
    )


__all__ = ["LEVEL_NAMES", "ROLE_PATH", "Permission", "required_permissions"]
