"""The NetSuite setup guide (`tms-netsuite setup-guide`), made from the tables the doctor checks against: the
check registry, the role's permissions, the features and preferences, and the lists the mapping names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tms_netsuite.doctor._files import FILE_CABINET_PATH
from tms_netsuite.doctor._model import CHECKS
from tms_netsuite.doctor._render import Block, Bullets, Heading, Paragraph, Table, html_page, markdown
from tms_netsuite.doctor._setup import (
    ACCOUNTING_PREFERENCES,
    FEATURES,
    GOTCHAS,
    PREFERENCES,
    SECTIONS,
)
from tms_netsuite.doctor.permissions import (
    LEVEL_NAMES,
    OAUTH2_LOGIN,
    ROLE_PATH,
    TBA_LOGIN,
    required_permissions,
)
from tms_netsuite.mapping import ROLE_TYPES, AccountRole, MappingConfig, book_entries, target_of

ROLE_NAME = "TMS Integration Role"
USER_NAME = "TMS Integration"
INTEGRATION_NAME = "TMS NetSuite Connector"
TITLE = "Setting up NetSuite for tms-netsuite"

_ROLE_USE = {
    AccountRole.RECEIVABLE: "the A/R account of invoices and credit memos",
    AccountRole.PAYABLE: "the A/P account of bills and vendor credits",
    AccountRole.UNDEPOSITED_FUNDS: "where customer payments land",
    AccountRole.BANK: "the account bill payments are paid from",
    AccountRole.DEDUCTION_RECOVERY: "owner-operator deductions without a more specific account",
    AccountRole.ESCROW: "driver escrow held back from settlements",
    AccountRole.ADVANCES: "driver advances to recover",
    AccountRole.QUICK_PAY_FEE: "quick-pay fees charged to carriers",
    AccountRole.FACTORING_FEES: "fees a factoring company charges",
    AccountRole.ACCRUED_WAGES: "company-driver wages accrued (only with company_driver_settlements = accrue_wages)",
    AccountRole.WAGES_EXPENSE: "company-driver wages expense (same)",
}


@dataclass(frozen=True, slots=True)
class SetupGuide:
    """The guide as blocks; :meth:`markdown` and :meth:`html` render it."""

    blocks: tuple[Block, ...]

    def markdown(self) -> str:
        return markdown(self.blocks)

    def html(self) -> str:
        return html_page(self.blocks, TITLE)


def _checked_by(section: str) -> Paragraph:
    ids = [c.id for c in CHECKS if c.section == section]
    named = ", ".join(f"`{i}`" for i in ids)
    return Paragraph(
        f"Checked by `tms-netsuite doctor`: {named}." if ids else "The doctor cannot check this."
    )


def _section(anchor: str) -> Heading:
    return Heading(2, SECTIONS[anchor], anchor)


def setup_guide(mapping: MappingConfig | None = None) -> SetupGuide:
    """The setup guide for both authentication methods; with ``mapping``, its accounts, lists and fields by
    name, else what any mapping needs, described generically."""
    blocks: list[Block] = [
        Heading(1, TITLE),
        Paragraph(
            "Everything tms-netsuite needs in a NetSuite account, in the order to do it. This page is generated "
            "by `tms-netsuite setup-guide` from the same tables `tms-netsuite doctor` checks against, so the two "
            "agree; each section names the doctor checks that verify it. "
            + (
                f"It is tailored to the mapping `{mapping.source}`."
                if mapping is not None
                else "Run `tms-netsuite setup-guide --mapping mapping.toml` for a copy that names your accounts "
                "and lists."
            )
        ),
        Paragraph(
            "An administrator does this once. The connector itself never runs as an administrator: it uses a "
            "dedicated role and user, so that its access is limited, visible and easy to revoke."
        ),
        *_features(),
        *_role(),
        *_user(),
        *_tba(),
        *_oauth2(),
        *_account_id(),
        *_subsidiaries(mapping),
        *_accounts(mapping),
        *_lists(mapping),
        *_custom_fields(mapping),
        *_files(mapping),
        *_preferences(),
        *_connection(),
        *_gotchas(),
    ]
    return SetupGuide(tuple(blocks))


def _features() -> Iterable[Block]:
    when = {
        "always": "required",
        "tba": "required with Token-Based Authentication",
        "oauth2": "required with OAuth 2.0",
        "recommended": "optional",
        "oneworld": "with more than one TMS company",
        "currencies": "with documents in more than one currency",
        "class": "when the mapping sets classes",
        "department": "when the mapping sets departments",
        "location": "when the mapping sets locations",
        "numbers": "when the mapping names accounts by number",
    }
    yield _section("features")
    yield Paragraph("Switch each one on where the table says, then Save.")
    yield Table(
        ("Feature", "Where", "Needed", "Why"),
        tuple((f.name, f.where, when[f.when], f.why) for f in FEATURES),
    )
    yield _checked_by("features")


def _role() -> Iterable[Block]:
    yield _section("role")
    yield Bullets(
        (
            f"Go to {ROLE_PATH} > New and name the role **{ROLE_NAME}**.",
            "Check **Web Services Only Role**: it cannot log in to the NetSuite user interface.",
            "Subsidiary Restrictions (OneWorld): **All**, or **Selected** with every subsidiary the mapping "
            "uses. A subsidiary left out is invisible to the role: it, and its accounts and items, look missing.",
            "Check **Allow Cross-Subsidiary Record Viewing** when documents span subsidiaries.",
            "On the Permissions tab add every permission below at its level (a subtab per table), then Save.",
        ),
        numbered=True,
    )
    permissions = required_permissions("tba")
    for subtab in ("Setup", "Transactions", "Lists", "Reports"):
        rows = tuple(
            (p.name, f"`{p.permkey}`", LEVEL_NAMES[p.level], p.note)
            for p in (*permissions, OAUTH2_LOGIN)
            if p.subtab == subtab
        )
        if rows:
            yield Heading(3, f"{subtab} subtab")
            yield Table(("Permission", "Id", "Level", "Note"), rows)
    yield Paragraph(
        f"{TBA_LOGIN.name} is needed with Token-Based Authentication, {OAUTH2_LOGIN.name} with OAuth 2.0; grant "
        "the one you use (or both). Permissions changed later take effect at once: tokens keep working."
    )
    yield _checked_by("role")


def _user() -> Iterable[Block]:
    yield _section("user")
    yield Bullets(
        (
            f"Go to Lists > Employees > Employees > New (or pick a service employee), e.g. **{USER_NAME}**, "
            "with an email address nobody logs in with.",
            f"On its Access tab give it access and the role **{ROLE_NAME}**, and no administrator role.",
            "Save.",
        ),
        numbered=True,
    )
    yield _checked_by("user")


def _tba() -> Iterable[Block]:
    yield _section("tba")
    yield Bullets(
        (
            f"Setup > Integration > Manage Integrations > New: name it **{INTEGRATION_NAME}**, check "
            "**Token-Based Authentication**, uncheck the authorization-code grant and TBA: Authorization Flow, "
            "Save.",
            "Copy the **Consumer Key** and **Consumer Secret**: NetSuite shows them once.",
            f"Setup > Users/Roles > Access Tokens > New: application **{INTEGRATION_NAME}**, user **{USER_NAME}**, "
            f"role **{ROLE_NAME}** (not another role the user holds), Save.",
            "Copy the **Token ID** and **Token Secret**: shown once. A lost secret means a new token.",
        ),
        numbered=True,
    )
    yield Paragraph(
        "A token made under another role logs in with that role's permissions: the doctor's `token-identity` "
        "names the role, and the fix is a new token under the integration role."
    )


def _oauth2() -> Iterable[Block]:
    yield _section("oauth2")
    yield Bullets(
        (
            f"Setup > Integration > Manage Integrations > New: name it **{INTEGRATION_NAME}**, check "
            "**Client Credentials (Machine to Machine) Grant** and the scope **REST Web Services**, Save. Copy "
            "the **Client ID**.",
            "Make a key pair and certificate (RSA 3072 or 4096 bits for PS256, or EC P-256/384/521; valid at "
            "most two years), e.g. `openssl req -new -x509 -newkey rsa:3072 -nodes -days 730 -keyout "
            "netsuite-key.pem -out netsuite-cert.pem -subj /CN=tms-netsuite`. Keep the key private (mode 0600).",
            "Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup > Create New: "
            f"entity **{USER_NAME}**, role **{ROLE_NAME}**, application **{INTEGRATION_NAME}**, upload "
            "`netsuite-cert.pem`, Save. Copy the **Certificate ID**.",
        ),
        numbered=True,
    )
    yield Paragraph(
        "The API cannot show which role a certificate mapping names: `token-identity` asks you to confirm it."
    )


def _account_id() -> Iterable[Block]:
    yield _section("account-id")
    yield Paragraph(
        "Setup > Company > Company Information, field **Account ID**; it is also the first part of the address "
        "you log in at (`https://123456.app.netsuite.com` is account 123456). A sandbox has a suffix: NetSuite "
        "writes it `123456_SB1` in the account id and `123456-sb1` in host names; either form works here, as "
        "does a pasted NetSuite address. Tokens belong to one account: a sandbox refresh needs new ones."
    )
    yield Paragraph("Checked by `tms-netsuite doctor`: `credentials`, `connection`.")


def _subsidiaries(mapping: MappingConfig | None) -> Iterable[Block]:
    yield _section("subsidiaries")
    yield Paragraph(
        "Each TMS company posts to one subsidiary (Setup > Company > Subsidiaries), active, with a base "
        "currency, and assigned to the integration role (see [the role](#role))."
    )
    if mapping is not None:
        yield Table(
            ("TMS company", "Subsidiary", "Trip type"),
            tuple((key, c.subsidiary, c.trip_type.value) for key, c in mapping.companies.items()),
        )
    yield _checked_by("subsidiaries")


_TYPE_NAMES = {
    "AcctRec": "Accounts Receivable",
    "AcctPay": "Accounts Payable",
    "Bank": "Bank",
    "OthCurrAsset": "Other Current Asset",
    "OthAsset": "Other Asset",
    "OthCurrLiab": "Other Current Liability",
    "LongTermLiab": "Long Term Liability",
    "Income": "Income",
    "OthIncome": "Other Income",
    "Expense": "Expense",
    "OthExpense": "Other Expense",
    "COGS": "Cost of Goods Sold",
}


def _types(role: AccountRole) -> str:
    return ", ".join(sorted(_TYPE_NAMES.get(t.value, t.value) for t in ROLE_TYPES[role]))


def _accounts(mapping: MappingConfig | None) -> Iterable[Block]:
    yield _section("accounts")
    yield Paragraph(
        "Lists > Accounting > Accounts > New. Each account must be active, of a type the table allows, and "
        "available to the subsidiary (its Subsidiary field, with Include Children where needed). Names the "
        "mapping gives as numbers need **Use Account Numbers** "
        f"({ACCOUNTING_PREFERENCES} > General)."
    )
    if mapping is None:
        yield Paragraph("Every subsidiary needs a default account for each role:")
        yield Table(
            ("Role (mapping key)", "Used for", "Account types"),
            tuple((f"`{role.value}`", _ROLE_USE[role], _types(role)) for role in AccountRole),
        )
        yield Paragraph(
            "Then every account the charge-code tables (`[charge_codes.*]`), `[bank_accounts]` and "
            "`[journal_accounts]` name: purchased transportation, carrier accessorials, owner-operator pay, "
            "fuel, insurance, bank accounts and the journal accounts."
        )
    else:
        rows: list[tuple[str, ...]] = []
        for subsidiary, accounts in mapping.accounts.items():
            for role in AccountRole:
                name = accounts.get(role)
                if name:
                    rows.append((subsidiary, f"`{role.value}`", name, _types(role)))
        yield Table(("Subsidiary", "Role", "Account", "Account types"), tuple(rows))
        named = sorted(
            {name for kind, name, _ in _book_targets(mapping) if kind == "account"}
            | set(mapping.bank_accounts.values())
            | set(mapping.journal_accounts.values())
        )
        if named:
            yield Paragraph(
                "Also the accounts the charge codes, bank and journal keys name: " + ", ".join(named) + "."
            )
    yield _checked_by("accounts")


def _book_targets(mapping: MappingConfig) -> list[tuple[str, str, str]]:
    """(kind, name, where) for every charge-code entry: kind is item, account or expense category."""
    found = []
    for entry in book_entries(mapping):
        kind, name, _ = target_of(entry)
        found.append((str(kind.value), name, ".".join(str(p) for p in entry.path)))
    return found


def _lists(mapping: MappingConfig | None) -> Iterable[Block]:
    yield _section("lists")
    yield Paragraph(
        "Items (Lists > Accounting > Items) for the invoice lines: service items for sale, each with an active "
        "**income account** available to the subsidiary — an item whose income account is missing or inactive "
        "fails every invoice line that uses it. Expense categories (Setup > Accounting > Expense Categories), "
        "each with an active expense account. Terms and payment methods at Setup > Accounting > Accounting "
        "Lists; classes, departments and locations at Setup > Company."
    )
    if mapping is None:
        yield Paragraph(
            "A typical carrier maps receivable charge categories to items (Linehaul, Fuel Surcharge, "
            "Accessorial, Rate Adjustment, and accessorials such as Detention or Lumper), some payable codes "
            "to expense categories (Lumper Fees, Tolls), classes by trip type (Brokerage, Carrier), a location "
            "per terminal, the customers' terms (Net 30…) and payment methods (ACH, Check, Wire)."
        )
    else:
        rows: list[tuple[str, ...]] = [
            (kind, name, where) for kind, name, where in _book_targets(mapping) if kind != "account"
        ]
        rows += [(rule.dimension.value, rule.value, "dimensions") for rule in mapping.dimensions]
        rows += [("term", name, f"terms.{key}") for key, name in mapping.terms.items()]
        rows += [
            ("payment method", name, f"payment_methods.{key}")
            for key, name in mapping.payment_methods.items()
        ]
        rows += [("currency", name, f"currencies.{key}") for key, name in mapping.currencies.items()]
        yield Table(("List", "Name", "Mapping key"), tuple(dict.fromkeys(rows)))
    yield _checked_by("lists")


def _custom_fields(mapping: MappingConfig | None) -> Iterable[Block]:
    yield _section("custom-fields")
    yield Paragraph(
        "Load references (load number, bill of lading, PRO) go to a transaction body field each, or to the "
        "memo. For each field the mapping's `[body_fields]` names, create it at Customization > Lists, Records, "
        "& Fields > Transaction Body Fields > New: type Free-Form Text, **ID** as named (NetSuite adds the "
        "`custbody` prefix: enter `_load_number` for `custbody_load_number`), applied to Sale (invoices, credit "
        "memos) and Purchase (bills, vendor credits), Save."
    )
    if mapping is None:
        yield Paragraph(
            "The shipped demo mapping uses `custbody_load_number`, `custbody_bol` and `custbody_pro`; a "
            'mapping that sets them to "memo" needs none.'
        )
    else:
        fields = mapping.body_fields.model_dump()
        custom = {k: v for k, v in fields.items() if v != "memo"}
        if custom:
            yield Table(("Reference", "Field to create"), tuple((k, f"`{v}`") for k, v in custom.items()))
        else:
            yield Paragraph("This mapping writes every reference to the memo: no custom field is needed.")
    yield Paragraph("Checked by `tms-netsuite doctor`: `lists`.")


def _files(mapping: MappingConfig | None) -> Iterable[Block]:
    yield _section("files")
    template = mapping.attachments.folder if mapping is not None else "/TMS Documents/{year}/{month}"
    yield Paragraph(
        "Documents may carry files (a signed proof of delivery, a bill of lading, a rate confirmation): the "
        "connector uploads each through NetSuite's REST document service (at most 10 MB per file) into the "
        f"File Cabinet folder `{template}` (the mapping's `[attachments] folder`; `{{year}}`, `{{month}}` and "
        "`{company}` come from the document) and attaches it to the transaction, where it shows on the "
        "Communication subtab's Files list."
    )
    yield Bullets(
        (
            "The integration role needs Documents and Files at Full ([role](#role)): the connector looks folders "
            "and files up, makes the folders it needs and uploads files.",
            f"To decide who may see the files, make the top folder yourself at {FILE_CABINET_PATH} > New Folder "
            "and set its Restrict by fields; the integration user must be inside the restriction. Without it, "
            "the first export makes the folder, unrestricted.",
            "The connector never deletes a file: a newer version of a document with another file detaches the "
            "old one from the transaction and leaves it in the folder.",
        )
    )
    yield _checked_by("files")


def _preferences() -> Iterable[Block]:
    yield _section("preferences")
    yield Table(
        ("Preference", "Where", "What to do", "Checked by"),
        tuple(
            (p.name, p.where, p.advice, f"`{p.check}`" if p.check else "confirm by hand") for p in PREFERENCES
        ),
    )


def _connection() -> Iterable[Block]:
    yield _section("connection")
    yield Paragraph(
        "`tms-netsuite init` asks for them (or takes them as options), makes the OAuth 2.0 key pair and "
        "certificate, checks the connection at once and writes `netsuite.env` (mode 0600), the secrets in the "
        "OS keyring where one is usable. Or put the values in the environment or an env file yourself. Then run "
        "`tms-netsuite doctor --env-file netsuite.env --mapping mapping.toml`."
    )
    yield Table(
        ("Variable", "Value"),
        (
            ("`NETSUITE_ACCOUNT_ID`", "the account id ([where](#account-id))"),
            ("`NETSUITE_AUTH`", "`tba` (default) or `oauth2`"),
            ("`NETSUITE_CONSUMER_KEY`, `NETSUITE_CONSUMER_SECRET`", "TBA: from the integration record"),
            ("`NETSUITE_TOKEN_ID`, `NETSUITE_TOKEN_SECRET`", "TBA: from the access token"),
            ("`NETSUITE_CLIENT_ID`", "OAuth 2.0: from the integration record"),
            ("`NETSUITE_CERTIFICATE_ID`", "OAuth 2.0: from the certificate mapping"),
            (
                "`NETSUITE_PRIVATE_KEY_FILE`",
                "OAuth 2.0: the private key's path (keep the certificate beside it: the doctor reads its expiry)",
            ),
            ("`NETSUITE_KEYRING`", "written by `init`: the secrets are in the OS keyring under this service"),
            ("`NETSUITE_CONCURRENCY`", "optional: the share of the account's concurrency limit this may use"),
        ),
    )
    yield Paragraph(
        "This machine's clock must be within minutes of NetSuite's (TBA refuses signatures 5 minutes off). "
        "The account's concurrency limit is at Setup > Integration > Integration Management > Integration "
        "Governance."
    )
    yield _checked_by("connection")


def _gotchas() -> Iterable[Block]:
    yield _section("gotchas")
    yield Table(
        ("Mistake", "What you see", "Caught by", "See"),
        tuple(
            (
                g.mistake,
                g.symptom,
                ", ".join(f"`{c}`" for c in g.checks),
                f"[{SECTIONS[g.section]}](#{g.section})",
            )
            for g in GOTCHAS
        ),
    )
    yield _checked_by("gotchas")
