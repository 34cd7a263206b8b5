"""The doctor: each NetSuite prerequisite checked with harmless reads, every gap named with its fix."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

import httpx

from tms_netsuite.doctor._model import FAST_CHECK_IDS, CheckResult, DoctorReport, Status, ordered
from tms_netsuite.doctor._reference import load_reference_data, read_gate
from tms_netsuite.doctor.permissions import (
    ADMINISTRATOR_ROLE_ID,
    BY_KEY,
    RECORD_PROBES,
    ROLE_PATH,
    TABLE_PROBES,
    Permission,
    grant_fix,
    required_permissions,
)
from tms_netsuite.mapping import (
    AccountRole,
    ListKind,
    MappingConfig,
    ReferenceData,
    book_entries,
    check_mapping,
    target_of,
)
from tms_netsuite.netsuite import (
    ConcurrencyGovernor,
    ConfigurationError,
    CredentialsError,
    NetSuiteClient,
    NetSuiteSettings,
    NotFoundError,
    RequestError,
    SetupError,
    TokenInfo,
    call_with_retries,
    connect,
)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

CLOCK_LIMIT = timedelta(minutes=5)  # TBA refuses timestamps further off
CLOCK_WARN = timedelta(minutes=2)
AUDIT_TRAIL = "Setup > Users/Roles > User Management > View Login Audit Trail"
FEATURES_PATH = "Setup > Company > Enable Features > SuiteCloud"
GOVERNANCE_PATH = "Setup > Integration > Integration Management > Integration Governance"
DOCS_PERMISSIONS = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/chapter_N3236764.html"
DOCS_TBA = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_4247337262.html"
DOCS_REST = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_5085602973.html"
DOCS_GOVERNANCE = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0625010817.html"
DOCS_PERIODS = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N1452509.html"
DOCS_SUBSIDIARIES = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_N286421.html"


@dataclass(slots=True)
class _Context:
    """What one run has learnt so far; each check reads what it depends on."""

    environ: Mapping[str, str]
    mapping: MappingConfig | None
    sleep: Sleep
    now: Callable[[], datetime]
    governor: ConcurrencyGovernor  # every request of the run holds one of its slots
    settings: NetSuiteSettings | None = None
    client: NetSuiteClient | None = None
    admin: NetSuiteClient | None = None
    server_time: datetime | None = None
    connection_error: RequestError | None = None
    clock_off: bool = False
    identity: TokenInfo | None = None
    reference: ReferenceData | None = None
    reference_error: RequestError | None = None
    limit: int | None = None  # the concurrency limit to keep to, when known
    results: dict[str, CheckResult] = field(default_factory=dict)

    def add(self, result: CheckResult) -> CheckResult:
        self.results[result.id] = result
        return result

    def passed(self, check_id: str) -> bool:
        found = self.results.get(check_id)
        return found is not None and found.status in (Status.PASS, Status.WARN, Status.CONFIRM)


async def _read(ctx: _Context, call: Callable[[], Awaitable[T]]) -> T:
    """One read under the client's retry policy: a check fails only on a persistent answer."""
    return await call_with_retries(call, idempotent=True, governor=ctx.governor, sleep=ctx.sleep)


async def _rows(
    ctx: _Context, client: NetSuiteClient, query: str, params: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    async def run() -> list[dict[str, str]]:
        return [row async for row in client.suiteql(query, params)]

    return await _read(ctx, run)


async def _gated(gate: asyncio.Semaphore, call: Awaitable[T]) -> T:
    async with gate:
        return await call


async def _first(iterator: AsyncIterator[str]) -> str | None:
    async for value in iterator:
        return value
    return None


def _skip(check_id: str, title: str, reason: str) -> CheckResult:
    return CheckResult(check_id, title, Status.SKIP, reason)


# -- credentials, clock, connection ------------------------------------------------------------------------


def check_credentials(ctx: _Context) -> CheckResult:
    title = "Credentials are present and well-formed"
    try:
        settings = NetSuiteSettings.from_environ(ctx.environ)
    except ConfigurationError as exc:
        return CheckResult(
            "credentials",
            title,
            Status.FAIL,
            str(exc),
            "Set the NETSUITE_* values in the environment or the --env-file. Consumer key and secret come from "
            "Setup > Integration > Manage Integrations, token id and secret from Setup > Users/Roles > Access "
            "Tokens; both are shown only once, so regenerate them if lost.",
        )
    ctx.settings = settings
    account = settings.account
    method = "Token-Based Authentication" if settings.auth_method == "tba" else "OAuth 2.0 client credentials"
    detail = (
        f"{method}; account {account.realm} ({account.environment.value}): realm {account.realm}, "
        f"host {account.host_slug}"
    )
    typed = ctx.environ.get("NETSUITE_ACCOUNT_ID", "").strip()
    if settings.base_url:
        detail += f"; base URL {settings.base_url} replaces NetSuite's hosts, so the host part is not checked"
    else:
        detail += f" ({account.suitetalk_url})"
    if typed and typed != account.realm and "://" not in typed:
        detail += f"; NETSUITE_ACCOUNT_ID {typed!r} is used as {account.realm!r}"
    return CheckResult(
        "credentials", title, Status.PASS, detail, facts={"environment": account.environment.value}
    )


async def try_connection(ctx: _Context) -> None:
    """The authenticated request the connection and clock checks judge (serverTime, retried)."""
    assert ctx.client is not None
    client = ctx.client
    try:
        ctx.server_time = await _read(ctx, client.server_time)
    except RequestError as exc:
        ctx.connection_error = exc


def connection_result(ctx: _Context) -> CheckResult:
    title = "An authenticated request succeeds"
    exc = ctx.connection_error
    if exc is None:
        return CheckResult(
            "connection",
            title,
            Status.PASS,
            "REST web services answered an authenticated request (serverTime)",
        )
    assert ctx.settings is not None
    if not isinstance(exc, CredentialsError):
        return CheckResult(
            "connection",
            title,
            Status.FAIL,
            f"{exc}",
            exc.explanation.fix if exc.explanation else None,
        )
    sandbox = ctx.settings.account.environment.value == "sandbox"
    login = (
        "Log in using OAuth 2.0 Access Tokens"
        if ctx.settings.auth_method == "oauth2"
        else ("Log in using Access Tokens")
    )
    feature = "OAuth 2.0" if ctx.settings.auth_method == "oauth2" else "Token-Based Authentication"
    causes = [
        f"the account id: realm {ctx.settings.account.realm} must match the account exactly, "
        "including the sandbox suffix (_SB1)",
        "the wrong environment: tokens are not copied to a sandbox, and every sandbox refresh needs new ones"
        if sandbox
        else "the wrong environment: a production token does not work in a sandbox, nor the reverse",
        "the token was revoked, or issued under another role or user (Setup > Users/Roles > Access Tokens)",
        "the integration record is blocked, or the consumer key is unknown (Setup > Integration > "
        "Manage Integrations)",
        f"the REST Web Services or {feature} feature is off ({FEATURES_PATH})",
        f"the role lacks {login} or REST Web Services (Full) ({ROLE_PATH})",
    ]
    if ctx.clock_off:
        causes.insert(
            0, "this machine's clock (see the clock check): NetSuite refuses signatures 5 minutes off"
        )
    detail = (
        f"NetSuite refused the login after retries ({exc.code or exc.status}). Likely causes, in order: "
        + ("; ".join(f"{n}) {c}" for n, c in enumerate(causes, 1)))
    )
    return CheckResult(
        "connection",
        title,
        Status.FAIL,
        detail,
        f"Open {AUDIT_TRAIL}: its Detail column gives NetSuite's exact reason (e.g. FeatureDisabled, "
        "token_rejected, InvalidTimestamp, permission_denied).",
        DOCS_TBA,
    )


def check_clock(ctx: _Context) -> CheckResult:
    title = "This machine's clock agrees with NetSuite's"
    assert ctx.settings is not None
    source = "serverTime"
    server = ctx.server_time
    if server is None and ctx.connection_error is not None:
        server = ctx.connection_error.answered_at
        source = "the Date header of NetSuite's answer"
    if server is None:
        return _skip("clock", title, "NetSuite's time could not be read (no serverTime and no Date header)")
    skew = ctx.now() - server
    seconds = skew.total_seconds()
    detail = f"this machine's clock is {seconds:+.0f} s from NetSuite's (by {source})"
    fix = "Synchronise this machine's clock (NTP, e.g. `timedatectl set-ntp true`); TBA refuses signatures 5 minutes off."
    if abs(skew) >= CLOCK_LIMIT:
        ctx.clock_off = True
        return CheckResult("clock", title, Status.FAIL, detail, fix, facts={"skew": round(seconds)})
    if abs(skew) >= CLOCK_WARN:
        return CheckResult("clock", title, Status.WARN, detail, fix, facts={"skew": round(seconds)})
    return CheckResult("clock", title, Status.PASS, detail, facts={"skew": round(seconds)})


# -- the role and user behind the token ---------------------------------------------------------------------


async def check_token_identity(ctx: _Context) -> CheckResult:
    title = "The token's role and user"
    assert ctx.settings is not None
    assert ctx.client is not None
    if ctx.settings.auth_method == "oauth2":
        return CheckResult(
            "token-identity",
            title,
            Status.CONFIRM,
            "under OAuth 2.0 the API does not name the role and user behind the certificate mapping",
            "Check at Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup that "
            "the mapping names the dedicated integration user and the integration role, not an administrator.",
        )
    client = ctx.client
    try:
        info = await _read(ctx, client.token_info)
    except RequestError as exc:
        return CheckResult(
            "token-identity", title, Status.FAIL, f"tokeninfo was refused: {exc}", f"See {AUDIT_TRAIL}."
        )
    ctx.identity = info
    detail = f"role {info.role_name!r} (id {info.role_id}), entity id {info.entity_id}, company {info.company_name!r}"
    warnings: list[str] = []
    if info.role_id == ADMINISTRATOR_ROLE_ID or (info.role_name or "").strip().lower() == "administrator":
        warnings.append("the token runs under the Administrator role")
    facts: dict[str, Any] = {
        "role_id": info.role_id,
        "role_name": info.role_name,
        "entity_id": info.entity_id,
    }
    if ctx.admin is not None and info.role_id and info.entity_id:
        warnings += await _identity_from_admin(ctx, ctx.admin, info)
    else:
        detail += "; Web Services Only and the user's other roles need --admin-env-file to be read"
    if warnings:
        return CheckResult(
            "token-identity",
            title,
            Status.WARN,
            detail + "; " + "; ".join(warnings),
            "Never run the integration on a personal administrator login: create a dedicated integration role "
            f"({ROLE_PATH} > New, Web Services Only) and user, then a token for them at Setup > Users/Roles > "
            "Access Tokens > New.",
            facts=facts,
        )
    return CheckResult("token-identity", title, Status.PASS, detail, facts=facts)


async def _identity_from_admin(ctx: _Context, admin: NetSuiteClient, info: TokenInfo) -> list[str]:
    warnings: list[str] = []
    try:
        roles = await _rows(
            ctx, admin, "SELECT id, name, iswebserviceonlyrole FROM role WHERE id = ?", (info.role_id or "",)
        )
        held = await _rows(
            ctx, admin, "SELECT role FROM employeerolesforsearch WHERE entity = ?", (info.entity_id or "",)
        )
    except RequestError:
        return ["the administrator token could not read the role (it needs Bulk Manage Roles)"]
    if (
        any(row.get("role") == ADMINISTRATOR_ROLE_ID for row in held)
        and info.role_id != ADMINISTRATOR_ROLE_ID
    ):
        warnings.append("the token's user is an administrator")
    for row in roles:
        if row.get("iswebserviceonlyrole") != "T" and info.role_id != ADMINISTRATOR_ROLE_ID:
            warnings.append(f"role {row.get('name')!r} is not Web Services Only")
    return warnings


async def check_permissions(ctx: _Context) -> CheckResult:
    title = "The integration role's permissions"
    assert ctx.settings is not None
    assert ctx.client is not None
    required = required_permissions(ctx.settings.auth_method)
    role = ctx.identity.role_name if ctx.identity and ctx.identity.role_name else "the integration role"
    if ctx.identity is not None and ctx.identity.role_id == ADMINISTRATOR_ROLE_ID:
        return CheckResult(
            "permissions",
            title,
            Status.PASS,
            "the Administrator role holds every permission (see token-identity)",
        )
    if ctx.admin is not None and ctx.identity is not None and ctx.identity.role_id:
        try:
            rows = await _rows(
                ctx,
                ctx.admin,
                "SELECT permkey, permlevel FROM rolepermissions WHERE role = ?",
                (ctx.identity.role_id,),
            )
        except RequestError as exc:
            note = f"; the administrator token could not read rolepermissions ({exc.code or exc.status})"
        else:
            return _compare_levels(role, required, {r["permkey"]: int(r.get("permlevel", "0")) for r in rows})
    else:
        note = ""
    return await _probe_permissions(ctx, ctx.client, role, required, note)


def _compare_levels(role: str, required: tuple[Permission, ...], levels: Mapping[str, int]) -> CheckResult:
    title = "The integration role's permissions"
    short = [p for p in required if levels.get(p.permkey, 0) < p.level]
    facts = {"mode": "role", "missing": sorted(p.permkey for p in short)}
    if not short:
        return CheckResult(
            "permissions",
            title,
            Status.PASS,
            f"role {role!r} holds all {len(required)} permissions at their levels (read from rolepermissions)",
            facts=facts,
        )
    detail = f"role {role!r} lacks {len(short)}: " + "; ".join(
        p.describe(levels.get(p.permkey, 0)) for p in short
    )
    return CheckResult(
        "permissions", title, Status.FAIL, detail, grant_fix(role, short), DOCS_PERMISSIONS, facts
    )


async def _probe_permissions(
    ctx: _Context, client: NetSuiteClient, role: str, required: tuple[Permission, ...], note: str
) -> CheckResult:
    title = "The integration role's permissions"
    missing: dict[str, str] = {}
    workbook_refusals = 0
    for record_type, permkey in RECORD_PROBES:

        async def collection(rt: str = record_type) -> object:
            return await _first(client.list_ids(rt, page_size=1))

        outcome = await _probe(ctx, collection)
        if outcome == "workbook":
            workbook_refusals += 1
        elif outcome:
            missing[permkey] = f"reading {record_type} records was refused"
    for table, permkey in TABLE_PROBES:
        query = f"SELECT id FROM {table}"  # noqa: S608 -- table names are this module's constants

        async def one(q: str = query) -> object:
            async for row in client.suiteql(q, page_size=1):
                return row
            return None

        outcome = await _probe(ctx, one)
        if outcome == "workbook":
            workbook_refusals += 1
        elif outcome:
            missing[permkey] = f"SuiteQL could not read {table}"
    if workbook_refusals:
        by_id = await _probe(ctx, lambda: client.get("subsidiary", "1", fields=("id",)))
        reason = "SuiteQL and collection reads were refused" + (
            " while reading a record by id works" if not by_id else ""
        )
        missing["REPO_ANALYTICS"] = reason
    short = [BY_KEY[key] for key in missing if key in BY_KEY]
    facts = {"mode": "probe", "missing": sorted(missing)}
    if short:
        detail = f"role {role!r}, found by harmless reads, lacks: " + "; ".join(
            f"{p.describe()} ({missing[p.permkey]})" for p in short
        )
        return CheckResult(
            "permissions", title, Status.FAIL, detail + note, grant_fix(role, short), DOCS_PERMISSIONS, facts
        )
    unseen = [p for p in required if p.level > 1]
    return CheckResult(
        "permissions",
        title,
        Status.CONFIRM,
        f"role {role!r} can read every record type and table probed ({len(RECORD_PROBES) + len(TABLE_PROBES)}); "
        f"levels above View ({len(unseen)} permissions, e.g. Full on Invoice) cannot be seen with the integration "
        f"token alone{note}",
        f"Run with --admin-env-file to compare every level, or check at {ROLE_PATH} > {role} > Permissions that "
        "each permission listed in the setup guide has its level.",
        DOCS_PERMISSIONS,
        facts,
    )


async def _probe(ctx: _Context, call: Callable[[], Awaitable[object]]) -> str | None:
    """None when the read worked (or found nothing); 'workbook' for the SuiteAnalytics refusal; else the code."""
    try:
        await _read(ctx, call)
    except NotFoundError:
        return None
    except RequestError as exc:
        if exc.status == 400 and exc.code == "USER_ERROR" and "permission" in (exc.detail or "").lower():
            return "workbook"
        return exc.code or str(exc.status)
    return None


# -- the mapping against the account's lists ----------------------------------------------------------------


async def load_reference(ctx: _Context, gate: asyncio.Semaphore | None = None) -> None:
    assert ctx.client is not None
    try:
        ctx.reference = await load_reference_data(
            ctx.client, sleep=ctx.sleep, gate=gate, governor=ctx.governor
        )
    except RequestError as exc:
        ctx.reference_error = exc


def _mapping_kinds(mapping: MappingConfig) -> dict[tuple[object, ...], ListKind]:
    kinds: dict[tuple[object, ...], ListKind] = {}
    for entry in book_entries(mapping):
        kinds[tuple(entry.path)] = target_of(entry)[0]
    return kinds


def _kind_of(path: tuple[object, ...], kinds: Mapping[tuple[object, ...], ListKind]) -> ListKind:
    head = path[0] if path else ""
    if head == "companies":
        return ListKind.SUBSIDIARY
    if head in ("accounts", "bank_accounts", "journal_accounts"):
        return ListKind.ACCOUNT
    return kinds.get(path, ListKind.ITEM)


def mapping_checks(ctx: _Context) -> list[CheckResult]:
    titles = {
        "subsidiaries": "The mapping's subsidiaries exist, are active and visible to the role",
        "accounts": "The mapping's accounts exist, are active, of the right type and subsidiary",
        "lists": "The mapping's items, categories, classes, terms and other list values",
    }
    if ctx.mapping is None:
        return [_skip(i, t, "no mapping given (--mapping)") for i, t in titles.items()]
    if ctx.reference is None:
        why = (
            f"the account's lists could not be read: {ctx.reference_error}"
            if ctx.reference_error is not None
            else "the connection failed"
        )
        return [_skip(i, t, why + " (see permissions)") for i, t in titles.items()]
    mapping, reference = ctx.mapping, ctx.reference
    kinds = _mapping_kinds(mapping)
    grouped: dict[str, list[str]] = {"subsidiaries": [], "accounts": [], "lists": []}
    for problem in check_mapping(mapping, reference):
        kind = _kind_of(tuple(problem.path), kinds)
        target = (
            "subsidiaries"
            if kind is ListKind.SUBSIDIARY
            else "accounts"
            if kind is ListKind.ACCOUNT
            else "lists"
        )
        grouped[target].append(f"{problem.key} (line {problem.line}): {problem.message}")
    named = {company.subsidiary for company in mapping.companies.values()}
    used = sorted(sub.name for sub in reference.subsidiaries if sub.name in named)
    for sub in reference.subsidiaries:
        if sub.name in used and not sub.currency:
            grouped["subsidiaries"].append(f"subsidiary {sub.describe()} has no base currency")
    return [
        _subsidiaries_result(ctx, titles["subsidiaries"], grouped["subsidiaries"], used),
        _list_result(
            "accounts",
            titles["accounts"],
            grouped["accounts"],
            "every account the mapping names",
            "Create or correct the accounts at Lists > Accounting > Accounts (type, active, Subsidiary with "
            "Include Children as needed), or correct the mapping. Account numbers need Use Account Numbers "
            "(Setup > Accounting > Accounting Preferences).",
        ),
        _list_result(
            "lists",
            titles["lists"],
            grouped["lists"],
            "every item, expense category, class, department, location, term, payment method and currency",
            "Create or reactivate the records in NetSuite (Lists > Accounting > Items / Expense Categories, "
            "Setup > Company > Classes / Departments / Locations, Setup > Accounting > Accounting Lists), "
            "or correct the mapping.",
        ),
    ]


def _subsidiaries_result(ctx: _Context, title: str, problems: list[str], used: list[str]) -> CheckResult:
    if problems:
        return CheckResult(
            "subsidiaries",
            title,
            Status.FAIL,
            "; ".join(problems)
            + " — a subsidiary the role is not assigned to is invisible to it, so it reads as missing",
            f"Assign the subsidiaries at {ROLE_PATH} > the integration role > Edit > Subsidiary Restrictions "
            "(All, or Selected with every subsidiary the mapping uses); create missing ones at Setup > Company > "
            "Subsidiaries with a base currency.",
            DOCS_SUBSIDIARIES,
        )
    detail = f"{len(used)} subsidiaries found, active, visible to the role, with a base currency: {', '.join(used)}"
    if len(used) > 1:
        return CheckResult(
            "subsidiaries",
            title,
            Status.CONFIRM,
            detail
            + "; whether the role allows Cross-Subsidiary Record Viewing cannot be read with its own token",
            f"Transactions span subsidiaries: check Allow Cross-Subsidiary Record Viewing at {ROLE_PATH} > the "
            "integration role > Edit.",
            DOCS_SUBSIDIARIES,
        )
    return CheckResult("subsidiaries", title, Status.PASS, detail)


def _list_result(check_id: str, title: str, problems: list[str], what: str, fix: str) -> CheckResult:
    if problems:
        return CheckResult(
            check_id, title, Status.FAIL, f"{len(problems)} problem(s): " + "; ".join(problems), fix
        )
    return CheckResult(check_id, title, Status.PASS, f"{what} resolves to an active, usable record")


def _body_fields(mapping: MappingConfig) -> list[str]:
    return sorted({v for v in mapping.body_fields.model_dump().values() if v != "memo"})


async def read_custom_fields(ctx: _Context) -> list[dict[str, str]] | RequestError | None:
    """The account's custom fields, when the mapping names any (None: nothing to read)."""
    if ctx.mapping is None or ctx.client is None or not _body_fields(ctx.mapping):
        return None
    try:
        return await _rows(ctx, ctx.client, "SELECT scriptid FROM customfield")
    except RequestError as exc:
        return exc


def custom_fields(
    ctx: _Context, result: CheckResult, rows: list[dict[str, str]] | RequestError | None
) -> CheckResult:
    """The custom body fields the mapping names exist (folded into the lists check)."""
    if ctx.mapping is None or result.status is Status.SKIP or rows is None:
        return result
    fields = _body_fields(ctx.mapping)
    if isinstance(rows, RequestError):
        return CheckResult(
            result.id,
            result.title,
            Status.FAIL if result.status is Status.FAIL else Status.WARN,
            result.detail + f"; custom body fields could not be read ({rows.code or rows.status})",
            result.fix,
        )
    known = {row.get("scriptid", "").lower() for row in rows}
    absent = [name for name in fields if name.lower() not in known]
    if not absent:
        return CheckResult(
            result.id,
            result.title,
            result.status,
            result.detail + f"; custom body fields found: {', '.join(fields)}",
            result.fix,
        )
    return CheckResult(
        result.id,
        result.title,
        Status.FAIL,
        result.detail + f"; custom body field(s) missing: {', '.join(absent)}",
        (result.fix or "")
        + " Create body fields at Customization > Lists, Records, & Fields > Transaction Body "
        'Fields > New (applied to invoices, bills and credits), or set them to "memo" in [body_fields].',
    )


# -- periods, features, governance --------------------------------------------------------------------------


def _us_date(text: str) -> date | None:
    try:
        month, day, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None


async def check_periods(ctx: _Context, pending: list[date]) -> CheckResult:
    title = "The accounting periods to post in are open"
    if ctx.client is None or not ctx.passed("connection"):
        return _skip("periods", title, "the connection failed")
    try:
        rows = await _rows(
            ctx,
            ctx.client,
            "SELECT id, periodname, startdate, enddate, closed, alllocked, arlocked, aplocked FROM accountingperiod "
            "WHERE isyear = 'F' AND isquarter = 'F'",
        )
    except RequestError as exc:
        return _skip("periods", title, f"accounting periods could not be read ({exc}); see permissions")
    today = ctx.now().date()
    wanted = {today: "the current period", **{d: "a pending document" for d in pending if d != today}}
    problems: list[str] = []
    checked: list[str] = []
    for day, why in sorted(wanted.items()):
        period = next(
            (
                r
                for r in rows
                if (s := _us_date(r.get("startdate", "")))
                and (e := _us_date(r.get("enddate", "")))
                and s <= day <= e
            ),
            None,
        )
        if period is None:
            problems.append(f"no accounting period covers {day.isoformat()} ({why})")
            continue
        name = period.get("periodname", period.get("id", "?"))
        if name in checked:
            continue
        checked.append(name)
        if period.get("closed") == "T":
            problems.append(f"{name} ({why}) is closed")
        elif period.get("alllocked") == "T" or (
            period.get("arlocked") == "T" and period.get("aplocked") == "T"
        ):
            problems.append(f"{name} ({why}) is locked")
        elif period.get("arlocked") == "T" or period.get("aplocked") == "T":
            problems.append(f"{name} ({why}) has A/R or A/P locked")
    if problems:
        return CheckResult(
            "periods",
            title,
            Status.FAIL,
            "; ".join(problems),
            "Reopen or unlock the period at Setup > Accounting > Manage Accounting Periods (or Period Close "
            "Checklist), create the missing periods there, or date the documents in an open period.",
            DOCS_PERIODS,
        )
    return CheckResult("periods", title, Status.PASS, f"open for posting: {', '.join(checked)}")


def check_features(ctx: _Context) -> CheckResult:
    title = "NetSuite features"
    assert ctx.settings is not None
    connected = ctx.passed("connection") and ctx.connection_error is None
    seen: list[str] = []
    unseen: list[str] = []
    (seen if connected else unseen).append("REST Web Services")
    method = "OAuth 2.0" if ctx.settings.auth_method == "oauth2" else "Token-Based Authentication"
    (seen if connected else unseen).append(method)
    unseen += [
        "SuiteScript",
        "SOAP Web Services (recommended by the setup guide; NetSuite removes SOAP in 2028.2)",
    ]
    reference = ctx.reference
    if reference is not None and reference.subsidiaries:
        seen.append("OneWorld")
    else:
        unseen.append("OneWorld")
    if reference is not None and len(reference.currencies) > 1:
        seen.append("Multiple Currencies")
    else:
        unseen.append("Multiple Currencies")
    if ctx.mapping is not None:
        used = {rule.dimension.value for rule in ctx.mapping.dimensions}
        names = {
            "class": ("Classes", "classes"),
            "department": ("Departments", "departments"),
            "location": ("Locations", "locations"),
        }
        for dimension in sorted(used):
            label, attribute = names.get(dimension, (dimension, ""))
            records = getattr(reference, attribute, ()) if reference is not None and attribute else ()
            (seen if records else unseen).append(label)
        numbered = any(
            (text or "").isdigit()
            for accounts in ctx.mapping.accounts.values()
            for role in AccountRole
            if (text := accounts.get(role))
        )
        if numbered:
            has_numbers = reference is not None and any(a.number for a in reference.accounts)
            (seen if has_numbers else unseen).append("Use Account Numbers")
    detail = f"shown by the API: {', '.join(seen) or 'none'}; not visible to the API: {', '.join(unseen)}"
    fix = (
        f"Confirm at {FEATURES_PATH} (SuiteTalk: REST and SOAP Web Services; Manage Authentication: {method}; "
        "SuiteScript), Setup > Company > Enable Features > Company (OneWorld, Multiple Currencies, Classes, "
        "Departments, Locations) and Setup > Accounting > Accounting Preferences (Use Account Numbers)."
    )
    return CheckResult("features", title, Status.CONFIRM if unseen else Status.PASS, detail, fix, DOCS_REST)


async def check_governance(ctx: _Context) -> CheckResult:
    title = "Concurrency limit"
    configured = ctx.environ.get("NETSUITE_CONCURRENCY", "").strip() or "not set"
    for client in (ctx.admin, ctx.client):
        if client is None:
            continue
        try:
            limits = await _read(ctx, client.governance_limits)
        except SetupError:
            continue
        except RequestError as exc:
            return _skip("governance", title, f"governanceLimits could not be read ({exc})")
        detail = (
            f"account limit {limits.account_concurrency_limit}, unallocated "
            f"{limits.account_unallocated_concurrency_limit}, this integration "
            f"{limits.integration_concurrency_limit or 'shares the account limit'}; NETSUITE_CONCURRENCY {configured}"
        )
        return CheckResult("governance", title, Status.PASS, detail, docs=DOCS_GOVERNANCE)
    return CheckResult(
        "governance",
        title,
        Status.CONFIRM,
        f"only administrators may read governanceLimits; NETSUITE_CONCURRENCY is {configured} (without it the "
        "export learns the limit from NetSuite's 429 answers)",
        f"Read the account's limit at {GOVERNANCE_PATH} and set NETSUITE_CONCURRENCY to what this integration may use.",
        DOCS_GOVERNANCE,
    )


async def read_concurrency_limit(ctx: _Context) -> None:
    """The limit the export keeps to: governanceLimits (this integration's share, else the account's) when the
    role may read it (administrators only), capped by the configured ``ctx.limit`` (which may leave slots to
    other integrations); else the configured value; else unknown, and the governor learns it from 429s."""
    assert ctx.client is not None
    configured = ctx.limit
    try:
        # Retried like any read (a moment's 5xx must not leave the limit unknown); a refused login is the
        # connection check's to report.
        limits = await _read(ctx, ctx.client.governance_limits)
    except RequestError:  # SetupError (403) for any role but an administrator's
        return
    known = limits.integration_concurrency_limit or limits.account_concurrency_limit
    ctx.limit = known if configured is None else min(known, configured)
    ctx.governor.know_limit(ctx.limit)


# -- runs ---------------------------------------------------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


async def _fast(ctx: _Context, pending: list[date], *, read_limit: bool = False) -> None:
    """credentials; then the connection (whose serverTime the clock check reuses) and, with ``read_limit``, the
    concurrency limit, in one round trip; then the lists (read once), custom fields and periods together, and
    what rests on them. Never more requests in flight than the known (or configured) limit, else 4."""
    ctx.add(check_credentials(ctx))
    if ctx.client is None or ctx.settings is None:
        return
    gate = read_gate(ctx.limit)
    reads = [try_connection(ctx)]
    if read_limit:
        reads.append(read_concurrency_limit(ctx))
    await asyncio.gather(*(_gated(gate, read) for read in reads))
    ctx.add(check_clock(ctx))
    ctx.add(connection_result(ctx))
    fields: list[dict[str, str]] | RequestError | None = None
    if ctx.connection_error is None:
        gate = read_gate(ctx.limit)  # shared by every read below, the lists' included
        _, fields, periods = await asyncio.gather(
            load_reference(ctx, gate),
            _gated(gate, read_custom_fields(ctx)),
            _gated(gate, check_periods(ctx, pending)),
        )
    else:
        periods = await check_periods(ctx, pending)  # skipped without a request
    subsidiaries, accounts, lists = mapping_checks(ctx)
    ctx.add(subsidiaries)
    ctx.add(accounts)
    ctx.add(custom_fields(ctx, lists, fields))
    ctx.add(periods)


class Preflight(NamedTuple):
    """What the export's preflight hands the engine."""

    checks: list[CheckResult]
    reference: ReferenceData | None  # the account's lists, None if unread
    concurrency_limit: int | None  # None: unknown, the governor learns it from 429s


def _skipped_after_credentials(ctx: _Context, ids: tuple[str, ...]) -> None:
    for check_id in ids:
        if check_id not in ctx.results:
            ctx.add(_skip(check_id, check_id, "the credentials check failed"))


async def run_fast_checks(
    client: NetSuiteClient,
    environ: Mapping[str, str],
    mapping: MappingConfig | None,
    *,
    pending_dates: list[date] | None = None,
    concurrency: int | None = None,
    governor: ConcurrencyGovernor | None = None,
    sleep: Sleep = asyncio.sleep,
    now: Callable[[], datetime] = _utcnow,
) -> Preflight:
    """The export's preflight: credentials, clock, connection, subsidiaries, accounts, lists and periods, on an
    open client, with the account's concurrency limit (governanceLimits, read once, capped by ``concurrency``,
    the configured limit). Returns the results, the account's lists, read once, for the engine (None if unread)
    and the limit to keep to (None if unknown). Every request holds a slot of ``governor`` (the run's, shared
    with the engine; by default one of the configured limit), which learns the limit read."""
    governor = governor or ConcurrencyGovernor(known_limit=concurrency)
    ctx = _Context(environ, mapping, sleep, now, governor, client=client, limit=concurrency)
    await _fast(ctx, pending_dates or [], read_limit=True)
    _skipped_after_credentials(ctx, FAST_CHECK_IDS)
    return Preflight(list(ordered(list(ctx.results.values()))), ctx.reference, ctx.limit)


async def run_doctor(
    environ: Mapping[str, str],
    *,
    mapping: MappingConfig | None = None,
    admin_environ: Mapping[str, str] | None = None,
    pending_dates: list[date] | None = None,
    previous: Mapping[str, Any] | None = None,
    has_ledger: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
    now: Callable[[], datetime] = _utcnow,
) -> DoctorReport:
    """Every check. ``environ`` holds the integration's NETSUITE_* values, ``admin_environ`` the administrator's
    (used only to read the role tables and governance); ``previous`` is the last run without failures that the
    ledger kept (see :func:`drift_result`). Only reads: nothing is written to NetSuite."""
    ctx = _Context(environ, mapping, sleep, now, ConcurrencyGovernor())
    async with AsyncExitStack() as stack:
        try:
            settings = NetSuiteSettings.from_environ(environ)
        except ConfigurationError:
            settings = None
        if settings is not None:
            ctx.client = await stack.enter_async_context(connect(settings, transport=transport))
        admin_problem = None
        if admin_environ is not None:
            try:
                admin_settings = NetSuiteSettings.from_environ(admin_environ)
                ctx.admin = await stack.enter_async_context(connect(admin_settings, transport=transport))
            except ConfigurationError as exc:
                admin_problem = str(exc)
        await _fast(ctx, pending_dates or [])
        if ctx.settings is not None:
            if ctx.connection_error is None or isinstance(ctx.connection_error, CredentialsError):
                ctx.add(await check_token_identity(ctx))
            if ctx.connection_error is None:
                ctx.add(await check_permissions(ctx))
            else:
                ctx.add(_skip("permissions", "The integration role's permissions", "the connection failed"))
            ctx.add(check_features(ctx))
            ctx.add(await check_governance(ctx))
        if admin_problem is not None and "credentials" in ctx.results:
            first = ctx.results["credentials"]
            ctx.add(
                CheckResult(
                    first.id,
                    first.title,
                    Status.WARN,
                    first.detail + f"; the administrator's settings are unusable: {admin_problem}",
                    first.fix,
                )
            )
    _skipped_after_credentials(
        ctx,
        (
            "credentials",
            "clock",
            "connection",
            "token-identity",
            "permissions",
            "features",
            "governance",
            "subsidiaries",
            "accounts",
            "lists",
            "periods",
        ),
    )
    checks = list(ctx.results.values())
    checks.append(drift_result(checks, previous, has_ledger=has_ledger))
    return DoctorReport(ordered(checks))


def results_for_ledger(report: DoctorReport) -> dict[str, Any]:
    """What the ledger keeps of a run: each check's status and facts (no secrets, no free text)."""
    return {c.id: {"status": c.status.value, "facts": dict(c.facts)} for c in report.checks}


def drift_result(
    checks: list[CheckResult], previous: Mapping[str, Any] | None, *, has_ledger: bool
) -> CheckResult:
    title = "Changes since the last run without failures"
    if not has_ledger:
        return _skip("drift", title, "no ledger: the doctor keeps its results only in an existing ledger")
    if previous is None:
        return _skip("drift", title, "first run recorded in this ledger: nothing to compare with")
    changes: list[str] = []
    for check in checks:
        before = previous.get(check.id)
        if not isinstance(before, Mapping):
            continue
        if before.get("status") != check.status.value:
            changes.append(f"{check.id}: {before.get('status')} → {check.status.value}")
        removed = sorted(
            set(check.facts.get("missing", ())) - set(before.get("facts", {}).get("missing", ()))
        )
        if removed:
            names = ", ".join(f"{BY_KEY[k].name} ({k})" if k in BY_KEY else k for k in removed)
            changes.append(f"permissions removed since then: {names}")
    if not changes:
        return CheckResult("drift", title, Status.PASS, "nothing changed since the last run without failures")
    return CheckResult(
        "drift",
        title,
        Status.WARN,
        "; ".join(changes),
        "Someone changed NetSuite since the last good run (the setup guide's gotcha: role permissions modified "
        f"after the token was made); restore it at {ROLE_PATH}.",
    )
