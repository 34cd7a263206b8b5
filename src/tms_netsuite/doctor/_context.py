"""What one doctor run has learnt so far, and the reads every check makes (retried, each in a slot of the
run's governor)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.mapping import MappingConfig, ReferenceData
from tms_netsuite.netsuite import (
    ConcurrencyGovernor,
    CredentialsError,
    NetSuiteClient,
    NetSuiteSettings,
    RequestError,
    TokenInfo,
    call_with_retries,
)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
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
class Context:
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
    identity: TokenInfo | None = None
    reference: ReferenceData | None = None
    reference_error: RequestError | None = None
    limit: int | None = None  # the concurrency limit to keep to, when known
    leave_free: int = 0  # slots of that limit the run leaves to live work (a backfill), its checks' reads too
    results: dict[str, CheckResult] = field(default_factory=dict)

    def add(self, result: CheckResult) -> CheckResult:
        self.results[result.id] = result
        return result

    def passed(self, check_id: str) -> bool:
        found = self.results.get(check_id)
        return found is not None and found.status in (Status.PASS, Status.WARN, Status.CONFIRM)


async def retried_read(ctx: Context, call: Callable[[], Awaitable[T]]) -> T:
    """One read under the client's retry policy: a check fails only on a persistent answer."""
    return await call_with_retries(call, idempotent=True, governor=ctx.governor, sleep=ctx.sleep)


async def read_rows(
    ctx: Context, client: NetSuiteClient, query: str, params: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    async def run() -> list[dict[str, str]]:
        return [row async for row in client.suiteql(query, params)]

    return await retried_read(ctx, run)


async def gated(gate: asyncio.Semaphore, call: Awaitable[T]) -> T:
    async with gate:
        return await call


async def first_value(iterator: AsyncIterator[str]) -> str | None:
    async for value in iterator:
        return value
    return None


def skipped(check_id: str, reason: str) -> CheckResult:
    return CheckResult(check_id, title_of(check_id), Status.SKIP, reason)


def transient(error: RequestError) -> bool:
    """A read failed for a moment, not for good: retryable (429, 5xx, no answer), or a refused login while the
    connection check passed with the same credentials (NetSuite answers INVALID_LOGIN under load). The engine
    draws the same line: it reschedules a document on either."""
    return error.retryable or isinstance(error, CredentialsError)


def unchecked(check_id: str, what: str, error: RequestError) -> CheckResult:
    """A check that could not be read even after the retries: said plainly, never reported as failed."""
    return CheckResult(
        check_id,
        title_of(check_id),
        Status.SKIP,
        f"could not be checked: {what} could not be read after retries ({error}); NetSuite failed "
        "transiently, which says nothing about this prerequisite",
        "Re-run: NetSuite refused or dropped these reads for a moment (under load it even answers "
        "INVALID_LOGIN to valid credentials). If it persists, run `tms-netsuite doctor`.",
        transient=True,
    )
