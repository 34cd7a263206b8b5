"""One export run: the doctor's fast checks, the account's concurrency limit, then the engine.

This module sits above `doctor` and `export` (which know nothing of each other); the command line, the
benchmarks and the coming service call :func:`run_export`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from tms_netsuite.doctor import CheckResult, Status, run_fast_checks
from tms_netsuite.export import BackfillSettings, Exporter, ExportReport
from tms_netsuite.ledger import Ledger, State, content_hash
from tms_netsuite.mapping import MappingConfig
from tms_netsuite.netsuite import ConcurrencyGovernor, NetSuiteClient

logger = logging.getLogger("tms_netsuite.run")


@dataclass(slots=True)
class RunResult:
    """The prerequisite checks, the limit used and the engine's report of one run."""

    checks: list[CheckResult] = field(default_factory=list)
    concurrency_limit: int | None = None
    report: ExportReport | None = None
    lists_read: bool = False  # without the account's lists nothing can be translated, checks skipped or not
    requeued_for_mapping: int = 0  # documents that failed on the mapping, queued again because it changed
    learned_limit: int | None = None  # the ceiling 429s taught the governor (or it was handed), if any
    backfill: bool = False  # new records went through asynchronous batch requests

    @property
    def failed(self) -> list[CheckResult]:
        """The prerequisite checks that failed."""
        return [check for check in self.checks if check.status is Status.FAIL]

    @property
    def unchecked(self) -> list[CheckResult]:
        """The checks that could not be read, even after retries, because NetSuite failed transiently."""
        return [check for check in self.checks if check.transient]

    @property
    def ready(self) -> bool:
        """Every check passed or was read: none failed, none is left unchecked by a transient failure."""
        return not self.failed and not self.unchecked


async def run_export(
    client: NetSuiteClient,
    ledger: Ledger,
    mapping: MappingConfig,
    *,
    environ: Mapping[str, str],
    concurrency: int | None = None,
    skip_checks: bool = False,
    max_wait: timedelta = timedelta(minutes=5),
    on_progress: Callable[[ExportReport], None] | None = None,
    learned_limit: int | None = None,
    stopping: asyncio.Event | None = None,
    backfill: bool | None = False,
    backfill_settings: BackfillSettings | None = None,
) -> RunResult:
    """The doctor's fast checks, then export everything due. With a failing check, or one NetSuite's transient
    failures left unchecked after retries (and ``skip_checks`` false), nothing is written: a careful run does
    not export blind, and a re-run usually passes. Without the account's lists nothing is written either way.
    The lists the checks read are what translation uses. ``learned_limit`` is a ceiling an earlier run learned
    from 429s (a service keeps it; else the ledger's, which every run keeps): the governor starts there instead of
    finding it again. Once ``stopping`` is set the engine claims nothing more and the documents under way finish.

    ``backfill``: True creates new records through asynchronous batch requests beside the synchronous slots,
    leaving ``backfill_settings.live_slots`` of the account's limit to live work; None decides by the backlog
    (more pending documents than ``backfill_settings.threshold``); False never."""
    result = RunResult()
    requests_before = client.stats.requests
    # A limit learned by an earlier run of this account (kept in its ledger) saves finding it again from 5.
    if learned_limit is None and concurrency is None:
        learned_limit = await ledger.learned_limit()
    # One governor for every request of the run: a 429 met by the checks' reads lowers the engine's limit too.
    governor = ConcurrencyGovernor(known_limit=concurrency, learned=learned_limit)
    try:
        # A document that failed on the mapping waits for the mapping to change, not for `retry`.
        result.requeued_for_mapping = await ledger.requeue_if_mapping_changed(
            content_hash(mapping.model_dump(mode="json"))
        )
        dates = sorted(date.fromisoformat(text) for text in await ledger.open_document_dates())
        settings = backfill_settings or BackfillSettings()
        if backfill is None:
            backfill = (await ledger.counts()).get(State.PENDING, 0) > settings.threshold
        # The checks read governanceLimits beside the connection check: the limit costs no round trip of its own.
        # A backfill leaves live work its slots from its first request, the checks' reads too (else a live run's
        # own checks meet 429s behind them).
        result.checks, reference, limit = await run_fast_checks(
            client,
            environ,
            mapping,
            pending_dates=dates,
            concurrency=concurrency,
            governor=governor,
            leave_free=settings.live_slots if backfill else 0,
        )
        result.lists_read = reference is not None
        if reference is None or (not result.ready and not skip_checks):
            return result
        result.concurrency_limit = limit
        result.backfill = backfill
        if backfill and limit is not None:
            # Live work (another run, the service) finds these slots free: it goes first.
            governor.know_limit(max(1, limit - settings.live_slots))
        exporter = Exporter(
            client,
            ledger,
            mapping,
            reference,
            governor=governor,
            max_wait=max_wait,
            on_progress=on_progress,
            stopping=stopping,
            backfill=settings if backfill else None,
            batch_size=settings.claim if backfill else Exporter.BATCH_SIZE,
        )
        result.report = await exporter.run()
        return result
    finally:
        await asyncio.shield(_keep_learned(ledger, governor, result))
        # The run's requests and 429s, in the ledger's activity per hour (shielded: a cancelled run counts too).
        await asyncio.shield(
            _record_activity(ledger, client.stats.requests - requests_before, governor.stats.throttled)
        )


async def _record_activity(ledger: Ledger, requests: int, throttled: int) -> None:
    """Counters only: a ledger that cannot take them is logged, never the run's outcome (nor its error)."""
    try:
        await ledger.record_activity(requests=requests, throttled=throttled)
    except Exception:
        logger.warning("the run's requests and 429s were not counted in the ledger", exc_info=True)


async def _keep_learned(ledger: Ledger, governor: ConcurrencyGovernor, result: RunResult) -> None:
    """Note the ceiling 429s taught the governor, and keep it in the ledger for the account's next run."""
    result.learned_limit = governor.stats.ceiling
    if result.learned_limit is None:
        return
    try:
        await ledger.keep_learned_limit(result.learned_limit)
    except Exception:  # a figure for speed, not for correctness: never the reason a run fails
        logger.warning("keeping the learned concurrency limit failed", exc_info=True)


__all__ = ["RunResult", "run_export"]
