"""Role and user: who the token logs in as, and whether that role holds every permission the connector needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from tms_netsuite.doctor._context import (
    AUDIT_TRAIL,
    DOCS_PERMISSIONS,
    Context,
    first_value,
    read_rows,
    retried_read,
)
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.doctor._setup import guide_link
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
from tms_netsuite.netsuite import NetSuiteClient, NotFoundError, RequestError, TokenInfo


async def check_token_identity(ctx: Context) -> CheckResult:
    title = title_of("token-identity")
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
        info = await retried_read(ctx, client.token_info)
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


async def _identity_from_admin(ctx: Context, admin: NetSuiteClient, info: TokenInfo) -> list[str]:
    warnings: list[str] = []
    try:
        roles = await read_rows(
            ctx, admin, "SELECT id, name, iswebserviceonlyrole FROM role WHERE id = ?", (info.role_id or "",)
        )
        held = await read_rows(
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


async def check_permissions(ctx: Context) -> CheckResult:
    title = title_of("permissions")
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
            rows = await read_rows(
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
    title = title_of("permissions")
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
        "permissions", title, Status.FAIL, detail, _fix(role, short, required), DOCS_PERMISSIONS, facts
    )


async def _probe_permissions(
    ctx: Context, client: NetSuiteClient, role: str, required: tuple[Permission, ...], note: str
) -> CheckResult:
    title = title_of("permissions")
    missing: dict[str, str] = {}
    workbook_refusals = 0
    for record_type, permkey in RECORD_PROBES:

        async def collection(rt: str = record_type) -> object:
            return await first_value(client.list_ids(rt, page_size=1))

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
            "permissions",
            title,
            Status.FAIL,
            detail + note,
            _fix(role, short, required),
            DOCS_PERMISSIONS,
            facts,
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
        f"each permission listed in {guide_link('role')} has its level.",
        DOCS_PERMISSIONS,
        facts,
    )


def _fix(role: str, short: list[Permission], required: tuple[Permission, ...]) -> str:
    """Grant what is missing; but a role that lacks most of them is likely not the integration role at all:
    then the fix is a new token under the integration role, not permissions granted to, say, a sales role."""
    if len(short) * 2 < len(required) and len(short) < len(RECORD_PROBES):
        return grant_fix(role, short)
    return (
        f"Role {role!r} lacks most of what the connector needs: if it is not the integration role, the token was "
        "made under the wrong role — create a new token under the integration role (Setup > Users/Roles > "
        f"Access Tokens > New; see {guide_link('tba')}) and do not grant these to {role!r}. If it is the "
        "integration role: " + grant_fix(role, short)
    )


async def _probe(ctx: Context, call: Callable[[], Awaitable[object]]) -> str | None:
    """None when the read worked (or found nothing); 'workbook' for the SuiteAnalytics refusal; else the code."""
    try:
        await retried_read(ctx, call)
    except NotFoundError:
        return None
    except RequestError as exc:
        if exc.status == 400 and exc.code == "USER_ERROR" and "permission" in (exc.detail or "").lower():
            return "workbook"
        return exc.code or str(exc.status)
    return None
