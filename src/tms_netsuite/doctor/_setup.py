"""The NetSuite setup the doctor checks, as tables: the features, the accounting preferences, the common gotchas
and the sections of the setup guide. The doctor's advice and `tms-netsuite setup-guide` both read them, so the
guide and the doctor cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

GUIDE = "docs/netsuite-setup.md"
ENABLE_FEATURES = "Setup > Company > Enable Features"
ACCOUNTING_PREFERENCES = "Setup > Accounting > Accounting Preferences"

# The guide's sections, in its order: anchor → heading. A check's `section` names one of them.
SECTIONS: dict[str, str] = {
    "features": "1. Enable the features",
    "role": "2. Create the integration role",
    "user": "3. Create the integration user",
    "tba": "4a. Token-Based Authentication: integration record and access token",
    "oauth2": "4b. OAuth 2.0 client credentials: integration record and certificate mapping",
    "account-id": "5. Find the account id",
    "subsidiaries": "6. Subsidiaries",
    "accounts": "7. Accounts",
    "lists": "8. Items, expense categories and other lists",
    "custom-fields": "9. Custom body fields",
    "files": "9b. File Cabinet folder for attachments",
    "preferences": "10. Accounting preferences and periods",
    "connection": "11. Tell the connector how to connect",
    "gotchas": "12. Common gotchas",
}


def guide_link(section: str) -> str:
    """Where a section of the setup guide is, e.g. ``docs/netsuite-setup.md#role``."""
    if section not in SECTIONS:
        raise KeyError(section)
    return f"{GUIDE}#{section}"


@dataclass(frozen=True, slots=True)
class Feature:
    """A NetSuite feature: where it is switched on, why the connector needs it, and when (``always``, ``tba``,
    ``oauth2``, ``recommended``, ``oneworld``, ``class``/``department``/``location`` when the mapping sets that
    dimension, ``numbers`` when it names accounts by number, ``currencies`` with more than one currency)."""

    name: str
    where: str
    why: str
    when: str = "always"


_SUITECLOUD = f"{ENABLE_FEATURES} > SuiteCloud"
_COMPANY = f"{ENABLE_FEATURES} > Company"

FEATURES: tuple[Feature, ...] = (
    Feature(
        "REST Web Services", f"{_SUITECLOUD} > SuiteTalk (Web Services)", "every request the connector makes"
    ),
    Feature(
        "Token-Based Authentication",
        f"{_SUITECLOUD} > Manage Authentication",
        "logging in with an access token",
        "tba",
    ),
    Feature(
        "OAuth 2.0",
        f"{_SUITECLOUD} > Manage Authentication",
        "logging in with OAuth 2.0 client credentials (a certificate)",
        "oauth2",
    ),
    Feature(
        "SuiteScript",
        f"{_SUITECLOUD} > SuiteScript",
        "NetSuite's web services need it for searches and queries (the connector deploys no scripts)",
    ),
    Feature(
        "SOAP Web Services",
        f"{_SUITECLOUD} > SuiteTalk (Web Services)",
        "not used by this connector; some setups expect it (NetSuite removes SOAP in 2028.2)",
        "recommended",
    ),
    Feature(
        "OneWorld",
        "an edition Oracle provisions (there is no checkbox)",
        "subsidiaries: each TMS company posts to its own",
        "oneworld",
    ),
    Feature(
        "Multiple Currencies",
        f"{_COMPANY} > International",
        "documents in more than one currency",
        "currencies",
    ),
    Feature("Classes", f"{_COMPANY} > Classifications", "the mapping's class rules", "class"),
    Feature("Departments", f"{_COMPANY} > Classifications", "the mapping's department rules", "department"),
    Feature("Locations", f"{_COMPANY} > Classifications", "the mapping's location rules", "location"),
    Feature(
        "Use Account Numbers",
        f"{ACCOUNTING_PREFERENCES} > General",
        "the mapping names accounts by number",
        "numbers",
    ),
)


def features_fix(method: str) -> str:
    """Where to switch on the features the API cannot show (``method``: ``tba`` or ``oauth2``)."""
    wanted = [f for f in FEATURES if f.when not in ("tba", "oauth2", "recommended") or f.when == method]
    places: dict[str, list[str]] = {}
    for feature in wanted:
        places.setdefault(feature.where, []).append(feature.name)
    listed = "; ".join(f"{where}: {', '.join(names)}" for where, names in places.items())
    return f"Confirm each feature where it is switched on — {listed} (see {guide_link('features')})."


@dataclass(frozen=True, slots=True)
class Preference:
    """An accounting preference that changes what the connector's writes do, and the check that covers it
    (None: the API cannot show it; confirm it by hand)."""

    name: str
    where: str
    advice: str
    check: str | None = None


PREFERENCES: tuple[Preference, ...] = (
    Preference(
        "Accounting periods open",
        "Setup > Accounting > Manage Accounting Periods",
        "The periods of the documents to export must exist; the doctor lists the closed or locked ones that hold "
        "pending documents, and the mapping's closed_period option decides what happens to those documents.",
        "periods",
    ),
    Preference(
        "Allow Transaction Date Outside of the Posting Period",
        f"{ACCOUNTING_PREFERENCES} > General",
        'With the mapping\'s closed_period = "next_open_period", set Warn or Allow: the connector posts a document '
        "dated in a closed period in the next open period, its date kept, which Disallow refuses. With "
        '"fail" (the default) such documents fail one by one, whatever this says.',
    ),
    Preference(
        "Default Posting Period When Transaction Date in Closed Period",
        f"{ACCOUNTING_PREFERENCES} > General",
        "First Open Period or Current Period: applies only when a transaction names no posting period; the "
        "connector names one whenever it moves a document out of a closed period, so either works.",
    ),
    Preference(
        "Approval routing (vendor bills)",
        f"{ACCOUNTING_PREFERENCES} > Approval Routing",
        "With vendor bill approval on, new bills wait Pending Approval and cannot be paid. The mapping's "
        '[options] bill_approval = "leave" (default) leaves them for people, and their payments wait blocked '
        '("bill awaits approval in NetSuite"); "approve" approves the bills the connector creates (the role '
        "needs the Vendor Bill Approval permission). The doctor's features check shows whether routing is on.",
        "features",
    ),
    Preference(
        "Require Approvals on Journal Entries",
        f"{ACCOUNTING_PREFERENCES} > General",
        "With it on, the connector's journal entries wait Pending Approval and do not post until someone with the "
        "Journal Approval permission approves them; nothing the connector writes waits on them.",
    ),
    Preference(
        "Use Account Numbers",
        f"{ACCOUNTING_PREFERENCES} > General",
        'Needed when the mapping names accounts by number (e.g. "1200").',
        "features",
    ),
)


@dataclass(frozen=True, slots=True)
class Gotcha:
    """A mistake people make in setup, what it looks like, and the doctor checks that catch it."""

    mistake: str
    symptom: str
    checks: tuple[str, ...]
    section: str


GOTCHAS: tuple[Gotcha, ...] = (
    Gotcha(
        "The role lacks Documents and Files, or the attachments folder is restricted to others",
        "documents export but their PODs and rate confirmations wait as failed (INSUFFICIENT_PERMISSION)",
        ("permissions", "files"),
        "files",
    ),
    Gotcha(
        "A required feature is not enabled",
        "logins are refused (Login Audit Trail: FeatureDisabled)",
        ("connection", "features"),
        "features",
    ),
    Gotcha(
        "The token was created under the wrong role (e.g. an administrator's or a sales role)",
        "permissions missing everywhere, or an administrator login in production",
        ("token-identity", "permissions"),
        "tba",
    ),
    Gotcha(
        "The OAuth 2.0 certificate expired (NetSuite keeps one valid for two years at most)",
        "every login is refused (Login Audit Trail: MissingKey); the doctor warns 60 days before",
        ("certificate",),
        "oauth2",
    ),
    Gotcha(
        "A transaction or list permission is missing",
        "the login works, then writes fail with INSUFFICIENT_PERMISSION",
        ("permissions",),
        "role",
    ),
    Gotcha(
        "A subsidiary is not assigned to the role",
        "the subsidiary, and every account and item of it, looks missing",
        ("subsidiaries",),
        "role",
    ),
    Gotcha(
        "The role's permissions were changed after the token was made",
        "exports that worked start failing",
        ("drift", "permissions"),
        "role",
    ),
    Gotcha(
        "A required account is not created (or inactive, of the wrong type, in another subsidiary)",
        "every document that posts to it fails",
        ("accounts",),
        "accounts",
    ),
    Gotcha(
        "An item's income or expense account is missing or inactive",
        "every invoice line with that item fails",
        ("lists",),
        "lists",
    ),
    Gotcha(
        "A sandbox account id without its suffix (123456 for 123456_SB1), or a production token in a sandbox",
        "every login is refused",
        ("credentials", "connection"),
        "account-id",
    ),
    Gotcha(
        "This machine's clock is off by minutes",
        "every TBA login is refused (InvalidTimestamp)",
        ("clock",),
        "connection",
    ),
    Gotcha(
        "A custom body field the mapping names does not exist",
        "writes are refused for an unknown field",
        ("lists",),
        "custom-fields",
    ),
    Gotcha(
        "The period of a document is closed",
        "the document is refused by NetSuite",
        ("periods",),
        "preferences",
    ),
)
