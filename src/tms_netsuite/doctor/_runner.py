"""The doctor's two runs: every check (`run_doctor`), and the export's preflight on an open client (`run_fast_checks`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import httpx

from tms_netsuite.doctor._account import check_features, check_governance, read_concurrency_limit
from tms_netsuite.doctor._certificate import check_certificate
from tms_netsuite.doctor._connection import check_clock, check_credentials, connection_result, try_connection
from tms_netsuite.doctor._context import Context, Sleep, gated, skipped, transient
from tms_netsuite.doctor._drift import drift_result
from tms_netsuite.doctor._files import check_files
from tms_netsuite.doctor._lists import custom_fields, load_reference, mapping_checks, read_custom_fields
from tms_netsuite.doctor._model import (
    CHECKS,
    CheckResult,
    DoctorReport,
    Status,
    fast_check_ids,
    settle_dependencies,
)
from tms_netsuite.doctor._periods import check_periods
from tms_netsuite.doctor._reference import read_gate
from tms_netsuite.doctor._role import check_permissions, check_token_identity
from tms_netsuite.mapping import MappingConfig, ReferenceData
from tms_netsuite.netsuite import (
    ConcurrencyGovernor,
    ConfigurationError,
    CredentialsError,
    NetSuiteClient,
    NetSuiteSettings,
    RequestError,
    connect,
)


def _utcnow() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


async def _fast(ctx: Context, pending: list[date], *, read_limit: bool = False) -> None:
    """credentials; then the connection (whose serverTime the clock check reuses) and, with ``read_limit``, the
    concurrency limit, in one round trip; then the lists (read once) and custom fields together, the periods
    from the lists, and what rests on them. Never more requests in flight than the known (configured, or learned) limit, else 4.

    With the limit known before the first request, the lists and custom fields do not wait for the connection's
    answer: they go out with it, in the same gate (at a second a request, one round trip less before the first
    write). Should the connection fail, they are cancelled and forgotten, so the results and messages are those
    of the reads one after the other."""
    ctx.add(check_credentials(ctx))
    if ctx.client is None or ctx.settings is None:
        return
    known = _known_limit(ctx)
    gate = read_gate(known)
    reads = [try_connection(ctx)]
    if read_limit:
        reads.append(read_concurrency_limit(ctx))
    connection = asyncio.gather(*(gated(gate, read) for read in reads))
    early: tuple[asyncio.Task[None], asyncio.Task[list[dict[str, str]] | RequestError | None]] | None = None
    if known is not None:
        early = (
            asyncio.create_task(load_reference(ctx, gate)),
            asyncio.create_task(gated(gate, read_custom_fields(ctx))),
        )
    try:
        await connection
    except BaseException:
        if early is not None:
            await _cancel(early)
        raise
    clock = ctx.add(check_clock(ctx))
    ctx.add(connection_result(ctx, clock))
    fields: list[dict[str, str]] | RequestError | None = None
    if ctx.connection_error is None:
        if early is None:
            gate = read_gate(_known_limit(ctx))  # shared by every read below, lists included
            _, fields = await asyncio.gather(load_reference(ctx, gate), gated(gate, read_custom_fields(ctx)))
        else:
            _, fields = await asyncio.gather(*early)
        # After the lists: the periods are among them (read alone only when the lists could not be read).
        periods = await gated(gate, check_periods(ctx, pending))
    else:
        if early is not None:
            await _cancel(early)
            ctx.reference, ctx.reference_error = None, None
        periods = await check_periods(ctx, pending)  # skipped without a request
    if ctx.reference_error is not None and not transient(ctx.reference_error):
        # The lists could not be read: the permission probes name what the role lacks (the preflight too). Not
        # when NetSuite failed transiently: the probes would meet the same failures and read them as refusals.
        ctx.add(await check_permissions(ctx))
    subsidiaries, accounts, lists = mapping_checks(ctx)
    ctx.add(subsidiaries)
    ctx.add(accounts)
    ctx.add(custom_fields(ctx, lists, fields))
    ctx.add(periods)


def _known_limit(ctx: Context) -> int | None:
    """The reads' share of the known limit (configured or read; else one an earlier run learned from 429s, which
    the governor holds), less the slots left to live work."""
    known = ctx.limit or ctx.governor.stats.ceiling
    return None if known is None else max(1, known - ctx.leave_free)


async def _cancel(tasks: tuple[asyncio.Task[Any], ...]) -> None:
    """Cancel reads started early and wait for them to end (a cancelled read frees its gate and governor slot)."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class Preflight(NamedTuple):
    """What the export's preflight hands the engine."""

    checks: list[CheckResult]
    reference: ReferenceData | None  # the account's lists, None if unread
    concurrency_limit: int | None  # None: unknown, the governor learns it from 429s


def _skipped_after_credentials(ctx: Context, ids: tuple[str, ...]) -> None:
    for check_id in ids:
        if check_id not in ctx.results:
            ctx.add(skipped(check_id, "the credentials check failed"))


async def run_fast_checks(
    client: NetSuiteClient,
    environ: Mapping[str, str],
    mapping: MappingConfig | None,
    *,
    pending_dates: list[date] | None = None,
    concurrency: int | None = None,
    governor: ConcurrencyGovernor | None = None,
    leave_free: int = 0,
    sleep: Sleep = asyncio.sleep,
    now: Callable[[], datetime] = _utcnow,
) -> Preflight:
    """The export's preflight: credentials, clock, connection, subsidiaries, accounts, lists and periods, on an
    open client, with the account's concurrency limit (governanceLimits, read once, capped by ``concurrency``,
    the configured limit). Returns the results, the account's lists, read once, for the engine (None if unread)
    and the limit to keep to (None if unknown). Every request holds a slot of ``governor`` (the run's, shared
    with the engine; by default one of the configured limit), which learns the limit read. ``leave_free``: slots
    of the limit the reads leave to live work (a backfill's run); the limit returned is the account's all the
    same."""
    governor = governor or ConcurrencyGovernor(known_limit=concurrency)
    ctx = Context(
        environ, mapping, sleep, now, governor, client=client, limit=concurrency, leave_free=leave_free
    )
    await _fast(ctx, pending_dates or [], read_limit=True)
    _skipped_after_credentials(ctx, fast_check_ids())
    return Preflight(list(settle_dependencies(list(ctx.results.values()))), ctx.reference, ctx.limit)


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
    ctx = Context(environ, mapping, sleep, now, ConcurrencyGovernor())
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
                # Again when the lists' failure ran it early: now with the token's identity (and admin).
                ctx.add(await check_permissions(ctx))
            else:
                ctx.add(skipped("permissions", "the connection failed"))
            ctx.add(check_certificate(ctx))
            ctx.add(check_features(ctx))
            ctx.add(await check_governance(ctx))
            ctx.add(await check_files(ctx))
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
    _skipped_after_credentials(ctx, tuple(check.id for check in CHECKS if check.id != "drift"))
    checks = list(ctx.results.values())
    checks.append(drift_result(checks, previous, has_ledger=has_ledger))
    return DoctorReport(settle_dependencies(checks))
