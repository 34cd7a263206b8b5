"""The service's work for one account: its exports (one pass at a time), its doctor, its summary, its read-back
from NetSuite, the delivery of its events as webhooks, and its reconciliation.

Each piece of one account's work is a plain async method (``export_pass``, ``readback_pass``, ``deliver_pass``,
``reconcile``): whatever schedules them (tasks in this process, or a job queue) calls them by slug."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tms_netsuite.accounts import Accounts
from tms_netsuite.doctor import DoctorReport, Status, results_for_ledger, run_doctor
from tms_netsuite.export import RunStopped
from tms_netsuite.ledger import AccountRecord, Ledger, State, content_hash
from tms_netsuite.netsuite import connect
from tms_netsuite.readback import DEFAULT_OVERLAP, SyncReport, sync_back
from tms_netsuite.reconcile import Reconciliation
from tms_netsuite.reconcile import reconcile as reconcile_period
from tms_netsuite.run import run_export
from tms_netsuite.service._observe import Metrics
from tms_netsuite.service._scheduler import ExportScheduler, InProcessScheduler
from tms_netsuite.webhooks import Deliverer, DeliveryReport

logger = logging.getLogger("tms_netsuite.service")

# Pauses the service makes itself start so; the doctor lifts them when its checks pass again. An operator's
# pause stays until resumed.
DOCTOR_PREFIX = "doctor: "
TransportFor = Callable[[AccountRecord], httpx.AsyncBaseTransport | None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


READBACK_DEBOUNCE = 2.0
"""Seconds an in-process read-back woken by exports waits to gather the exports that follow."""


def _no_transport(record: AccountRecord) -> httpx.AsyncBaseTransport | None:
    return None


class Service:
    """Accounts, their exports and their doctor, shared by the API routes and the scheduler.

    Args:
        accounts: the registry's accounts with the secret key.
        transport_for: the HTTP transport to an account's NetSuite (tests pass an emulator's; None: the network).
        doctor_every: how often each account's doctor runs (it runs before the first export after its mapping or
            credentials change too).
        scheduler: what runs the exports; by default tasks in this process.
        readback_scheduler, delivery_scheduler: what runs read-backs and webhook deliveries; by default tasks in
            this process (on a PostgreSQL ledger, the worker queue's jobs: one of each per account at a time,
            however many processes share the ledger).
        readback_every: how often each account's read-back runs (None: never on its own; an API call still can).
        deliver_every: the longest wait, in seconds, between two rounds of an account's webhook deliveries (a
            read-back that kept events starts one at once).
        overlap: how much of the last read-back's window each pass reads again.
        webhook_transport: the HTTP transport to the webhook receivers (tests; None: the network).
        files_dir: where files posted in multipart requests are kept until exported, a folder per account
            (None: the service takes no multipart uploads).
    """

    def __init__(
        self,
        accounts: Accounts,
        *,
        transport_for: TransportFor = _no_transport,
        doctor_every: timedelta = timedelta(hours=1),
        debounce: float = 0.2,
        scheduler: ExportScheduler | None = None,
        readback_every: timedelta | None = timedelta(minutes=5),
        deliver_every: float = 10.0,
        overlap: timedelta = DEFAULT_OVERLAP,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = _utcnow,
        files_dir: Path | None = None,
        readback_scheduler: ExportScheduler | None = None,
        delivery_scheduler: ExportScheduler | None = None,
    ) -> None:
        self.accounts = accounts
        self.files_dir = files_dir
        self.registry = accounts.registry
        self.metrics = Metrics()
        self._transport_for = transport_for
        self._doctor_every = doctor_every
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self.scheduler = scheduler or InProcessScheduler(self.export_pass, debounce=debounce)
        self._readback_every = readback_every
        self._deliver_every = deliver_every
        self._overlap = overlap
        self._webhook_transport = webhook_transport
        self._readback_locks: dict[str, asyncio.Lock] = {}
        self._deliver_locks: dict[str, asyncio.Lock] = {}
        # Read-back and delivery each run apart from the exports (a slow receiver or a long read-back holds back
        # no export). A read-back is woken after exports settled documents, gathered over READBACK_DEBOUNCE.
        self.readbacks: ExportScheduler | None = None
        if readback_every is not None:
            self.readbacks = readback_scheduler or InProcessScheduler(
                self._readback_cycle, debounce=READBACK_DEBOUNCE, idle=readback_every.total_seconds()
            )
        self.deliveries: ExportScheduler = delivery_scheduler or InProcessScheduler(
            self._delivery_cycle, debounce=0.0, idle=deliver_every
        )

    def schedulers(self) -> list[ExportScheduler]:
        """Everything that runs in the background: exports, read-backs (when scheduled), deliveries."""
        found: list[ExportScheduler] = [self.scheduler]
        if self.readbacks is not None:
            found.append(self.readbacks)
        return [*found, self.deliveries]

    def wake_all(self, slug: str) -> None:
        """A new account (or new settings): its exports, read-back and deliveries start."""
        for scheduler in self.schedulers():
            scheduler.wake(slug)

    def ledger(self, record: AccountRecord) -> Ledger:
        return self.registry.ledger(record)

    def now(self) -> datetime:
        """The service's clock."""
        return self._clock()

    def transport(self, record: AccountRecord) -> httpx.AsyncBaseTransport | None:
        """The HTTP transport to an account's NetSuite (None: the network)."""
        return self._transport_for(record)

    def files_folder(self, record: AccountRecord) -> Path | None:
        """Where the account's uploaded files are kept (by SHA-256), or None without a files folder."""
        return None if self.files_dir is None else self.files_dir / record.slug

    def _lock(self, slug: str) -> asyncio.Lock:
        # One doctor or export of an account at a time in this process (an API doctor waits for the export).
        return self._locks.setdefault(slug, asyncio.Lock())

    async def export_pass(self, slug: str, stopping: asyncio.Event) -> float | None:
        """One pass: the doctor if due, then everything due now; returns seconds until something is due next."""
        async with self._lock(slug):
            record = await self.registry.get(slug)
            paused_by_doctor = record.paused and (record.pause_reason or "").startswith(DOCTOR_PREFIX)
            if record.paused and not paused_by_doctor:
                return None  # an operator's pause: resuming wakes it
            if self._doctor_due(record):
                await self._doctor(record)
                record = await self.registry.get(slug)
            if (
                record.paused
            ):  # the doctor's pause: its next run (scheduled, or after new settings) may lift it
                return self._doctor_in(record)
            ledger = self.ledger(record)
            # Documents that failed on the mapping are queued again as soon as a new mapping is stored (as the
            # export run would, were anything else due; under the lock, no run with the old one is under way).
            mapping = self.accounts.mapping(record)
            await ledger.requeue_if_mapping_changed(content_hash(mapping.model_dump(mode="json")))
            due = await ledger.next_due()
            now = self._clock()
            if due is not None and due <= now and not stopping.is_set():
                await self._export(record, ledger, stopping)
                record = await self.registry.get(slug)
                due = await ledger.next_due()
            await self.refresh_gauges(record)
        waits = [self._doctor_in(record)]
        if due is not None:
            waits.append((due - self._clock()).total_seconds())
        return None if record.paused else min(waits)

    async def work_due(self, record: AccountRecord) -> tuple[bool, bool]:
        """Whether the account's doctor is due, and whether exports are (rows due now and nothing pausing them):
        what a sweep over every account defers jobs for."""
        paused_by_doctor = record.paused and (record.pause_reason or "").startswith(DOCTOR_PREFIX)
        if record.paused and not paused_by_doctor:
            return False, False  # an operator's pause: resuming wakes it
        doctor = self._doctor_due(record)
        if record.paused:
            return doctor, False
        due = await self.ledger(record).next_due()
        return doctor, due is not None and due <= self._clock()

    def _doctor_due(self, record: AccountRecord) -> bool:
        return record.doctor_due or record.doctor_ran_at is None or self._doctor_in(record) <= 0

    def _doctor_in(self, record: AccountRecord) -> float:
        if record.doctor_ran_at is None:
            return 0.0
        return (record.doctor_ran_at + self._doctor_every - self._clock()).total_seconds()

    async def _export(self, record: AccountRecord, ledger: Ledger, stopping: asyncio.Event) -> None:
        environ = self.accounts.environ(record)
        settings = self.accounts.settings(record)
        mapping = self.accounts.mapping(record)
        started = self._clock()
        async with connect(settings, transport=self._transport_for(record)) as client:
            try:
                result = await run_export(
                    client,
                    ledger,
                    mapping,
                    environ=environ,
                    concurrency=record.concurrency_override,
                    learned_limit=record.learned_limit,
                    max_wait=timedelta(0),
                    stopping=stopping,
                )
            except RunStopped as exc:
                # The doctor's to lift: new credentials make it due, and a passing run resumes the exports.
                reason = f"{DOCTOR_PREFIX}NetSuite refused the credentials mid-run ({exc.cause.code or exc})"
                await self._pause(record.slug, reason)
                return
            throttled = client.stats.by_status.get(429, 0)
        report = result.report
        last_run: dict[str, Any] = {
            "started_at": started.isoformat(),
            "ended_at": self._clock().isoformat(),
            "documents": report.documents if report else 0,
            "records_written": report.records_written if report else 0,
            "synced": report.synced if report else 0,
            "failed": report.failed if report else 0,
            "http_429": throttled,
            "failed_checks": [check.id for check in result.failed],
            "unchecked": [check.id for check in result.unchecked],
        }
        values: dict[str, Any] = {"last_run": last_run, "last_run_at": self._clock()}
        if result.learned_limit is not None and record.concurrency_override is None:
            values["learned_limit"] = result.learned_limit
        await self.registry.update(record.slug, **values)
        self.metrics.throttled.labels(record.slug).inc(throttled)
        if report is not None:
            self.metrics.records_written.labels(record.slug).inc(report.records_written)
            if report.failed:
                self.metrics.errors.labels(record.slug, "failed").inc(report.failed)
        if (
            report is not None
            and (report.synced or report.failed or report.voided)
            and self.readbacks is not None
        ):
            # Their document.synced / document.failed events come from read-back: soon, not a sync interval later.
            self.readbacks.wake(record.slug)
        if result.failed:
            first = result.failed[0]
            names = ", ".join(check.id for check in result.failed)
            await self._pause(record.slug, f"{DOCTOR_PREFIX}failed {names}: {first.detail}")
        logger.info(
            "exported %d documents, %d records written, %d throttled",
            last_run["documents"],
            last_run["records_written"],
            throttled,
        )

    async def readback_due(self, record: AccountRecord) -> bool:
        """Whether the account's scheduled read-back is due: ``readback_every`` since its last complete pass (kept
        in the ledger, so it holds across restarts and processes), and the doctor has not paused it."""
        if self._readback_every is None:
            return False
        if record.paused and (record.pause_reason or "").startswith(DOCTOR_PREFIX):
            return False
        last = await self.ledger(record).readback().last_pass_at()
        return last is None or last + self._readback_every <= self._clock()

    async def deliveries_due(self, record: AccountRecord) -> bool:
        """Whether the account has webhook deliveries to make now (new events, retries come due)."""
        return await self.ledger(record).readback().deliveries_due()

    async def _pause(self, slug: str, reason: str) -> None:
        logger.warning("exports paused: %s", reason)
        await self.registry.update(slug, paused=True, pause_reason=reason)

    async def doctor(self, slug: str) -> DoctorReport:
        """Run the doctor now (after any export of the account under way)."""
        async with self._lock(slug):
            report = await self._doctor(await self.registry.get(slug))
        self.scheduler.wake(slug)
        return report

    async def _doctor(self, record: AccountRecord) -> DoctorReport:
        """Every check, kept on the account; a failing check pauses its exports (with the reason), a passing run
        resumes exports the doctor had paused."""
        ledger = self.ledger(record)
        dates = sorted(date.fromisoformat(text) for text in await ledger.open_document_dates())
        report = await run_doctor(
            self.accounts.environ(record),
            mapping=self.accounts.mapping(record),
            pending_dates=dates,
            previous=await ledger.last_passing_doctor_run(),
            has_ledger=True,
            transport=self._transport_for(record),
        )
        await ledger.save_doctor_run(results_for_ledger(report), passed=not report.failed)
        values: dict[str, Any] = {
            "doctor_report": report.as_json(),
            "doctor_ran_at": self._clock(),
            "doctor_due": False,
        }
        failed = [check for check in report.checks if check.status is Status.FAIL]
        if failed:
            names = ", ".join(check.id for check in failed)
            values |= {"paused": True, "pause_reason": f"{DOCTOR_PREFIX}failed {names}: {failed[0].detail}"}
            logger.warning("exports paused: the doctor's checks failed (%s)", names)
        elif record.paused and (record.pause_reason or "").startswith(DOCTOR_PREFIX):
            values |= {"paused": False, "pause_reason": None}
        await self.registry.update(record.slug, **values)
        return report

    async def refresh_gauges(self, record: AccountRecord) -> None:
        """The gauges of one account: its documents by state and the age of its oldest pending one."""
        ledger = self.ledger(record)
        counts = await ledger.counts()
        for state in State:
            self.metrics.documents.labels(record.slug, state.value).set(counts.get(state, 0))
        oldest = await ledger.oldest_waiting()
        age = (self._clock() - oldest).total_seconds() if oldest is not None else 0.0
        self.metrics.oldest_pending.labels(record.slug).set(max(age, 0.0))

    # -- back from NetSuite ----------------------------------------------------------------------------------

    async def readback_pass(self, slug: str) -> SyncReport | None:
        """One read-back pass of an account: NetSuite's changes since the last pass kept as events, and their
        delivery started. None when the doctor has paused the account (its credentials or role fail)."""
        async with self._readback_locks.setdefault(slug, asyncio.Lock()):
            record = await self.registry.get(slug)
            if record.paused and (record.pause_reason or "").startswith(DOCTOR_PREFIX):
                return None
            async with connect(
                self.accounts.settings(record), transport=self._transport_for(record)
            ) as client:
                report = await sync_back(client, self.ledger(record), overlap=self._overlap)
        for event_type, count in report.counts().items():
            self.metrics.events.labels(slug, event_type).inc(count)
        logger.info(
            "read-back of %s: %d modified and %d deleted records read, %d new events kept",
            slug,
            report.modified,
            report.deleted,
            len(report.events),
        )
        if report.events:
            self.deliveries.wake(slug)
        return report

    async def deliver_pass(self, slug: str) -> DeliveryReport:
        """One round of an account's webhook deliveries: new events to its enabled endpoints, due retries."""
        async with self._deliver_locks.setdefault(slug, asyncio.Lock()):
            record = await self.registry.get(slug)
            deliverer = Deliverer(
                self.ledger(record),
                self.accounts.secret_box(),
                transport=self._webhook_transport,
                clock=self._clock,
            )
            report = await deliverer.deliver_due()
        if report.attempted:
            self.metrics.webhooks.labels(slug, "delivered").inc(report.delivered)
            self.metrics.webhooks.labels(slug, "failed").inc(report.failed)
            logger.info("webhooks: %d delivered, %d failed", report.delivered, report.failed)
        for reason in report.disabled:
            logger.warning("webhook endpoint disabled: %s", reason)
        return report

    async def reconcile(self, slug: str, period: str, subsidiary: str | None = None) -> Reconciliation:
        """What the account's TMS documents of ``period`` (YYYY-MM) say against what NetSuite holds."""
        record = await self.registry.get(slug)
        async with connect(self.accounts.settings(record), transport=self._transport_for(record)) as client:
            return await reconcile_period(client, self.ledger(record), period, subsidiary=subsidiary)

    async def _readback_cycle(self, slug: str, stopping: asyncio.Event) -> float | None:
        await self.readback_pass(slug)
        return None  # again after ``readback_every`` (the scheduler's idle wait), or when woken

    async def _delivery_cycle(self, slug: str, stopping: asyncio.Event) -> float | None:
        await self.deliver_pass(slug)
        return None  # again within ``deliver_every``, or at once when a read-back kept events
