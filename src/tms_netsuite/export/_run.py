"""One export run: the fast prerequisite checks, the account's concurrency limit, then the engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tms_netsuite.export._engine import Exporter, ExportReport
from tms_netsuite.export._governor import ConcurrencyGovernor
from tms_netsuite.export._reference import load_reference_data
from tms_netsuite.ledger import Ledger
from tms_netsuite.mapping import MappingConfig, ReferenceData, check_mapping
from tms_netsuite.netsuite import NetSuiteClient, RequestError, SetupError

# NetSuite refuses TBA signatures more than 5 minutes off its clock; warn well before.
_CLOCK_LIMIT = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Check:
    """One prerequisite: its name, whether it passed, what was seen and how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None


@dataclass(slots=True)
class RunResult:
    """The checks, the limit used and the engine's report of one run."""

    checks: list[Check] = field(default_factory=list)
    concurrency_limit: int | None = None
    report: ExportReport | None = None

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)


async def preflight(
    client: NetSuiteClient, mapping: MappingConfig
) -> tuple[ReferenceData | None, list[Check]]:
    """The checks an export needs before its first write: credentials, clock, and the mapping against the
    account's lists (which are read once here and reused by the engine)."""
    checks: list[Check] = []
    try:
        info = await client.token_info()
        checks.append(Check("credentials", True, f"role {info.role_name!r} of {info.company_name!r}"))
        server_time = await client.server_time()
    except RequestError as exc:
        fix = exc.explanation.fix if exc.explanation else None
        return None, [*checks, Check("credentials", False, str(exc), fix)]
    skew = datetime.now(UTC) - server_time
    checks.append(
        Check(
            "clock",
            abs(skew) < _CLOCK_LIMIT,
            f"this machine's clock is {skew.total_seconds():+.0f} s from NetSuite's",
            "Synchronise this machine's clock (NTP); NetSuite refuses signatures more than 5 minutes off.",
        )
    )
    try:
        reference = await load_reference_data(client)
    except RequestError as exc:
        fix = exc.explanation.fix if exc.explanation else None
        return None, [*checks, Check("lists", False, str(exc), fix)]
    problems = check_mapping(mapping, reference)
    checks.append(
        Check(
            "mapping",
            not problems,
            "every name in the mapping resolves"
            if not problems
            else "; ".join(f"{p.key} (line {p.line}): {p.message}" for p in problems),
            None if not problems else "Correct the mapping file, or create the named records in NetSuite.",
        )
    )
    return reference, checks


async def concurrency_limit(client: NetSuiteClient, configured: int | None) -> int | None:
    """The limit to keep to: governanceLimits when the role may read it (administrators only), capped by a
    configured value (which may leave slots to other integrations); else the configured value; else unknown,
    and the governor learns it from 429s."""
    try:
        limits = await client.governance_limits()
    except SetupError:
        return configured
    known = limits.integration_concurrency_limit or limits.account_concurrency_limit
    return known if configured is None else min(known, configured)


async def run_export(
    client: NetSuiteClient,
    ledger: Ledger,
    mapping: MappingConfig,
    *,
    concurrency: int | None = None,
    skip_checks: bool = False,
    max_wait: timedelta = timedelta(minutes=5),
    on_progress: Callable[[ExportReport], None] | None = None,
) -> RunResult:
    """Check, then export everything due. With failing checks (and ``skip_checks`` false) nothing is written."""
    result = RunResult()
    reference, result.checks = await preflight(client, mapping)
    if reference is None or (not result.ready and not skip_checks):
        return result
    result.concurrency_limit = await concurrency_limit(client, concurrency)
    governor = ConcurrencyGovernor(known_limit=result.concurrency_limit)
    exporter = Exporter(
        client, ledger, mapping, reference, governor=governor, max_wait=max_wait, on_progress=on_progress
    )
    result.report = await exporter.run()
    return result
