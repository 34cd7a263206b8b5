"""Lists and accounts: the mapping's subsidiaries, accounts, list values and custom fields against the account's."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from tms_netsuite.doctor._context import DOCS_SUBSIDIARIES, Context, read_rows, skipped, transient, unchecked
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.doctor._reference import load_reference_data
from tms_netsuite.doctor._setup import guide_link
from tms_netsuite.doctor.permissions import ROLE_PATH
from tms_netsuite.mapping import (
    ListKind,
    MappingConfig,
    SubsidiaryFit,
    book_entries,
    check_mapping,
    subsidiary_fit,
    target_of,
)
from tms_netsuite.netsuite import RequestError


async def load_reference(ctx: Context, gate: asyncio.Semaphore | None = None) -> None:
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


def mapping_checks(ctx: Context) -> list[CheckResult]:
    titles = {check_id: title_of(check_id) for check_id in ("subsidiaries", "accounts", "lists")}
    if ctx.mapping is None:
        return [skipped(i, "no mapping given (--mapping)") for i in titles]
    if ctx.reference is None and ctx.reference_error is not None and transient(ctx.reference_error):
        return [unchecked(i, "the account's lists", ctx.reference_error) for i in titles]
    if ctx.reference is None and ctx.reference_error is not None:
        # Nothing can be translated without the lists: a failure (the permissions check, when it found the
        # cause, comes first and this reads as its consequence).
        return [
            CheckResult(
                i,
                title,
                Status.FAIL,
                f"the account's lists could not be read: {ctx.reference_error}",
                f"Grant the integration role what the permissions check names ({guide_link('role')}).",
            )
            for i, title in titles.items()
        ]
    if ctx.reference is None:
        return [skipped(i, "the connection failed") for i in titles]
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
    fits = subsidiary_fit(mapping, reference)
    return [
        _subsidiaries_result(ctx, titles["subsidiaries"], grouped["subsidiaries"], used),
        _list_result(
            "accounts",
            titles["accounts"],
            grouped["accounts"],
            [fit for fit in fits if fit.group == "accounts"],
            "every account the mapping names",
            "Create or correct the accounts at Lists > Accounting > Accounts (type, active, Subsidiary with "
            "Include Children as needed), or correct the mapping. Account numbers need Use Account Numbers "
            "(Setup > Accounting > Accounting Preferences).",
        ),
        _list_result(
            "lists",
            titles["lists"],
            grouped["lists"],
            [fit for fit in fits if fit.group == "lists"],
            "every item, expense category, class, department, location, term, payment method and currency",
            "Create or reactivate the records in NetSuite (Lists > Accounting > Items / Expense Categories, "
            "Setup > Company > Classes / Departments / Locations, Setup > Accounting > Accounting Lists), "
            "or correct the mapping.",
        ),
    ]


def _subsidiaries_result(ctx: Context, title: str, problems: list[str], used: list[str]) -> CheckResult:
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


_SHARE_FIX = (
    "In NetSuite, add the subsidiary to the record's Subsidiary field (or select a parent subsidiary with Include "
    "Children), or map a record that subsidiary can use."
)


def _list_result(
    check_id: str, title: str, problems: list[str], fits: list[SubsidiaryFit], what: str, fix: str
) -> CheckResult:
    """Problems fail the check; otherwise it says per subsidiary what it can use, and warns when a
    subsidiary's documents would name a record it cannot use (shared with other subsidiaries only)."""
    usable = _usable(fits)
    if problems:
        return CheckResult(
            check_id, title, Status.FAIL, f"{len(problems)} problem(s): " + "; ".join(problems) + usable, fix
        )
    needed = [f"{fit.subsidiary} cannot use {', '.join(fit.needed)}" for fit in fits if fit.needed]
    if needed:
        return CheckResult(
            check_id,
            title,
            Status.WARN,
            "; ".join(needed) + " — its documents that name them will fail" + usable,
            _SHARE_FIX,
        )
    return CheckResult(check_id, title, Status.PASS, f"{what} resolves to an active, usable record" + usable)


def _usable(fits: list[SubsidiaryFit]) -> str:
    """Per subsidiary: how many of the named records it can use, and which it cannot."""
    parts = []
    for fit in fits:
        if not fit.named:
            continue
        if not fit.unusable:
            parts.append(f"{fit.subsidiary} can use all {fit.named}")
            continue
        parts.append(
            f"{fit.subsidiary} can use {fit.named - len(fit.unusable)} of {fit.named} "
            f"(not {', '.join(fit.unusable)})"
        )
    return f"; by subsidiary: {'; '.join(parts)}" if parts else ""


def _body_fields(mapping: MappingConfig) -> list[str]:
    return sorted({v for v in mapping.body_fields.model_dump().values() if v != "memo"})


async def read_custom_fields(ctx: Context) -> list[dict[str, str]] | RequestError | None:
    """The account's custom fields, when the mapping names any (None: nothing to read)."""
    if ctx.mapping is None or ctx.client is None or not _body_fields(ctx.mapping):
        return None
    try:
        return await read_rows(ctx, ctx.client, "SELECT scriptid FROM customfield")
    except RequestError as exc:
        return exc


def custom_fields(
    ctx: Context, result: CheckResult, rows: list[dict[str, str]] | RequestError | None
) -> CheckResult:
    """The custom body fields the mapping names exist (folded into the lists check)."""
    if ctx.mapping is None or result.status is Status.SKIP or rows is None:
        return result
    fields = _body_fields(ctx.mapping)
    if isinstance(rows, RequestError) and transient(rows):
        return replace(
            result,
            detail=result.detail
            + f"; custom body fields could not be checked: not read after retries ({rows})",
            transient=True,
        )
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
