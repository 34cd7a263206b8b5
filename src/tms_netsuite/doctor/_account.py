"""Account and features: the features the API can and cannot show, and the account's concurrency limit."""

from __future__ import annotations

from tms_netsuite.doctor._context import (
    DOCS_GOVERNANCE,
    DOCS_REST,
    GOVERNANCE_PATH,
    Context,
    retried_read,
    skipped,
)
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.doctor._setup import features_fix
from tms_netsuite.mapping import AccountRole, BillApproval
from tms_netsuite.netsuite import RequestError, SetupError


def check_features(ctx: Context) -> CheckResult:
    title = title_of("features")
    assert ctx.settings is not None
    connected = ctx.passed("connection") and ctx.connection_error is None
    seen: list[str] = []
    unseen: list[str] = []
    (seen if connected else unseen).append("REST Web Services")
    method = "OAuth 2.0" if ctx.settings.auth_method == "oauth2" else "Token-Based Authentication"
    (seen if connected else unseen).append(method)
    unseen += [
        "SuiteScript",
        "SOAP Web Services (optional; NetSuite removes SOAP in 2028.2)",
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
    detail += "".join(f"; {line}" for line in _record_shapes(ctx))
    fix = features_fix(ctx.settings.auth_method)
    return CheckResult("features", title, Status.CONFIRM if unseen else Status.PASS, detail, fix, DOCS_REST)


def _record_shapes(ctx: Context) -> list[str]:
    """What the record schemas (the metadata catalog) show: Payment Instruments and vendor bill approval routing,
    with what the connector does about each."""
    reference = ctx.reference
    if reference is None:
        return []
    lines = []
    if reference.payment_instruments is not None:
        lines.append(
            "Payment Instruments: on (customer payments and deposits are written with paymentOption)"
            if reference.payment_instruments
            else "Payment Instruments: off (customer payments and deposits are written with paymentMethod)"
        )
    if reference.bill_approval_routing is not None:
        if not reference.bill_approval_routing:
            lines.append("vendor bill approval routing: off (bills post when written)")
        else:
            policy = ctx.mapping.options.bill_approval if ctx.mapping is not None else BillApproval.LEAVE
            what = (
                "the integration approves the bills it creates (its role needs Vendor Bill Approval)"
                if policy is BillApproval.APPROVE
                else 'bills wait Pending Approval for people; their payments and credits stay blocked ("bill awaits '
                'approval in NetSuite") until approved, looked at again each run'
            )
            lines.append(f'vendor bill approval routing: on, bill_approval = "{policy.value}": {what}')
    return lines


async def check_governance(ctx: Context) -> CheckResult:
    title = title_of("governance")
    configured = ctx.environ.get("NETSUITE_CONCURRENCY", "").strip() or "not set"
    for client in (ctx.admin, ctx.client):
        if client is None:
            continue
        try:
            limits = await retried_read(ctx, client.governance_limits)
        except SetupError:
            continue
        except RequestError as exc:
            return skipped("governance", f"governanceLimits could not be read ({exc})")
        detail = (
            f"account limit {limits.account_concurrency_limit}, unallocated "
            f"{limits.account_unallocated_concurrency_limit}; this integration draws from {limits.pool}, so it "
            f"may have {limits.effective_limit} requests in flight; NETSUITE_CONCURRENCY {configured}"
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


async def read_concurrency_limit(ctx: Context) -> None:
    """The limit the export keeps to: governanceLimits (this integration's allocation, else the unallocated pool it
    shares) when the role may read it (administrators only), capped by the configured ``ctx.limit`` (which may
    leave slots to other integrations); else the configured value; else unknown, and the governor learns it
    from 429s."""
    assert ctx.client is not None
    configured = ctx.limit
    try:
        # Retried like any read (a moment's 5xx must not leave the limit unknown); a refused login is the
        # connection check's to report.
        limits = await retried_read(ctx, ctx.client.governance_limits)
    except RequestError:  # SetupError (403) for any role but an administrator's
        return
    known = limits.effective_limit
    ctx.limit = known if configured is None else min(known, configured)
    ctx.governor.know_limit(max(1, ctx.limit - ctx.leave_free))
