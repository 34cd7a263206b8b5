"""The export engine: claimed document versions → NetSuite records, exactly once, at the account's pace.

This module schedules: it claims batches of due rows, keeps the account's slots busy without claiming more than
it can export (back-pressure), settles finished documents in groups, and keeps its claims' leases alive. How one
document is written is `_document` (its outcome) over `_writer` (its records); how outcomes reach the ledger is
`_settle`.

Per batch of claimed rows it translates every document and learns which of their records NetSuite already
holds, then exports each document in a task of its own. The ledger is committed before and after every call,
never across one; a crash before a group is settled leaves its rows exporting, reclaimed later as outcome
unknown and looked up before anything is written again. The next batch is claimed while the current one drains,
so the account's slots never wait for the slowest document of a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

from tms_netsuite.documents import Document, InvalidDocument, Kind, validate_document
from tms_netsuite.export._attachments import AttachmentJob, AttachmentWriter
from tms_netsuite.export._backfill import BackfillSettings, BatchCreator
from tms_netsuite.export._document import DocumentExport, Prepared
from tms_netsuite.export._report import ExportReport
from tms_netsuite.export._settle import Settlement
from tms_netsuite.export._writer import RecordWriter
from tms_netsuite.ledger import Claimed, Ledger
from tms_netsuite.mapping import MappingConfig, ReferenceData, Related, Translated, lookups
from tms_netsuite.netsuite import Backoff, ConcurrencyGovernor, NetSuiteClient, NetSuiteError, RequestError

__all__ = ["Exporter", "RunStopped"]

logger = logging.getLogger("tms_netsuite.export")

# Translation is CPU work (~0.15 ms a document): chunks of this many, so a batch does not stall the event loop.
_TRANSLATE_CHUNK = 25
# The run's first claim is this small, so that the first writes leave after a few dozen documents are read and
# translated instead of a whole batch (measured: 0.3-0.5 s before the first write on a loaded machine); the next,
# full batch is claimed at once and prepared while the first one's requests are in flight.
_FIRST_BATCH = 50
# Documents validated this run, by (kind, TMS id, version), so a document another one reads (the invoice a payment
# applies) is not validated again for every batch that names it. Cleared when it grows past this.
_VALIDATED_KEPT = 5000


class RunStopped(NetSuiteError):
    """The run stopped before its end: NetSuite refused the credentials several times in a row."""

    def __init__(self, message: str, cause: RequestError) -> None:
        super().__init__(message)
        self.cause = cause


def _utcnow() -> datetime:
    return datetime.now(UTC)


_frozen_runs = 0  # runs of this process under way with the objects older than them frozen


@contextlib.contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """Keep the objects that exist before a run (imported modules, the mapping, reference data, a service's
    state) out of the garbage collector's full collections during the run: the run allocates enough long-lived
    objects (claimed batches, translations) for a few full collections, each of which walked all of them
    (0.15 s apiece on 150,000 objects; 0.47 s of a 2,000-record run, measured). They are unfrozen when the last
    run ends, so garbage among them is collected then, as before."""
    global _frozen_runs
    if _frozen_runs == 0:
        gc.freeze()
    _frozen_runs += 1
    try:
        yield
    finally:
        _frozen_runs -= 1
        if _frozen_runs == 0:
            gc.unfreeze()


class _UnderWay:
    """Documents claimed and not yet finished. The next batch is claimed when no more than ``low_water`` are
    left; a defect inside one of them (the ledger failing, say) ends the run."""

    def __init__(self, low_water: int) -> None:
        self.count = 0
        self.crashed: BaseException | None = None
        self._low_water = low_water
        self._room = asyncio.Event()  # set when few enough documents are outstanding to claim more
        self._idle = asyncio.Event()  # set when none are

    async def wait_for_room(self) -> bool:
        """Wait until few enough documents are under way to claim more; whether it had to wait."""
        if self.count <= self._low_water:
            return False
        self._room.clear()
        await self._room.wait()
        return True

    async def wait_until_idle(self) -> None:
        await self._idle.wait()

    def started(self, count: int) -> None:
        self.count += count
        self._idle.clear()

    def done(self, task: asyncio.Task[None]) -> None:
        self.count -= 1
        if not task.cancelled() and task.exception() is not None and self.crashed is None:
            self.crashed = task.exception()
            self._room.set()
            self._idle.set()
        if self.count <= self._low_water:
            self._room.set()
        if self.count == 0:
            self._idle.set()


class Exporter:
    """Exports every due document version of one ledger to one NetSuite account.

    Args:
        client: the NetSuite client (its ``stats`` count requests).
        ledger: the ledger of that account.
        mapping, reference: what translation needs; the reference data is read once per run.
        governor: caps requests in flight at the account's concurrency limit.
        batch_size: rows claimed at a time (the run's first claim is smaller, so writes start sooner); the next
            batch is claimed when half of one is left.
        lease: how long a claim holds, unrenewed, before another run may take the row over (renewed every third
            of it). Only a fallback: a run that dies frees its lock at once, and its rows are taken over then.
        max_wait: the run ends when nothing is due sooner than this.
        clock, sleep, rng: injected time, waiting and randomness.
        on_progress: called after every document with the report so far.
        stopping: once set, no more rows are claimed; the documents under way finish (a service shutting down).
        backfill: create new records through asynchronous batch requests beside the synchronous slots
            (see `_backfill`); None writes one record per request.
    """

    BATCH_SIZE = 500

    def __init__(
        self,
        client: NetSuiteClient,
        ledger: Ledger,
        mapping: MappingConfig,
        reference: ReferenceData,
        *,
        governor: ConcurrencyGovernor,
        backoff: Backoff = Backoff(),  # noqa: B008 - a frozen value
        batch_size: int = BATCH_SIZE,
        lease: timedelta = timedelta(minutes=3),
        max_wait: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        on_progress: Callable[[ExportReport], None] | None = None,
        stopping: asyncio.Event | None = None,
        backfill: BackfillSettings | None = None,
    ) -> None:
        self._ledger = ledger
        self._stopping = stopping or asyncio.Event()
        self._batch_size = batch_size
        self._next_claim = min(batch_size, _FIRST_BATCH)
        self._validated: dict[tuple[str, str, object], Document] = {}
        self._lease = lease
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._on_progress = on_progress
        # Unique without hostnames or pids (containers and cloned machines share both), and of a fixed size.
        self._run_id = uuid.uuid4().hex
        self._renewed = clock()
        self.report = ExportReport()
        self._records = RecordWriter(
            client,
            ledger,
            governor,
            sleep=sleep,
            report=self.report,
            bill_approval=bool(reference.bill_approval_routing),
        )
        self._batches: BatchCreator | None = None
        if backfill is not None:
            self._batches = BatchCreator(
                client,
                governor,
                backfill,
                look_up=self._records.look_up_now,
                awaited=self._records.awaited,
                sleep=sleep,
                report=self.report,
            )
            self._records.batches = self._batches
        self._settlement = Settlement(ledger, self._run_id, self.report)
        self._files = AttachmentWriter(
            client,
            ledger,
            governor,
            mapping,
            find_record=self._records.find_after_writers,
            sleep=sleep,
            report=self.report,
        )
        self._documents = DocumentExport(
            self._records,
            self._settlement,
            mapping,
            reference,
            backoff=backoff,
            clock=clock,
            rng=rng,
            files=self._files,
        )
        self._under_way = _UnderWay(low_water=batch_size // 2)

    async def run(self) -> ExportReport:
        """Export until nothing is due within ``max_wait``, holding the run's lock (its sign of life) meanwhile.

        Ended early (an error, Ctrl-C, SIGTERM), what finished is recorded and the rows still under way are let
        go at once: the next run takes them over, as outcome unknown.

        Raises:
            RunStopped: NetSuite refused the credentials repeatedly; what was claimed waits for the next run.
        """
        with _old_objects_frozen():
            return await self._run()

    async def _run(self) -> ExportReport:
        async with self._ledger.hold_run(self._run_id):
            await self._take_over_dead_runs()
            # Once per run: documents left waiting for a bill's approval in NetSuite are looked at again.
            await self._ledger.release_awaiting_approval()
            tasks: set[asyncio.Task[None]] = set()
            heartbeat = asyncio.create_task(self._heartbeat())
            try:
                await self._claim_and_export(tasks)
            finally:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
                if self._batches is not None:
                    await self._batches.close()
                if (
                    tasks
                ):  # an error or a cancellation: the documents under way are cancelled (outcome unknown)
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                await asyncio.shield(self._settlement.settle())  # what did finish is recorded
                await asyncio.shield(self._ledger.expire_claims([self._run_id]))  # the rest is let go
            self.report.in_other_runs = await self._ledger.held_by_other_runs(self._run_id)
        stopped = self._documents.stopped
        if stopped is not None:
            raise RunStopped(f"NetSuite refused the credentials repeatedly: {stopped}", stopped)
        return self.report

    async def _take_over_dead_runs(self) -> tuple[int, bool]:
        """End the leases of runs whose lock is free (they died): their rows are due now, as outcome unknown.
        Returns how many rows were let go, and whether some other run holding rows cannot be told alive or dead
        (its lease then decides)."""
        others = [run for run in await self._ledger.active_claims() if run != self._run_id]
        alive = await self._ledger.runs_alive(others)
        dead = [run for run, live in alive.items() if live is False]
        taken = await self._ledger.expire_claims(dead)
        if taken:
            logger.warning("%d documents of %d runs that died are taken over", taken, len(dead))
        return taken, any(live is None for live in alive.values())

    async def _claim_and_export(self, tasks: set[asyncio.Task[None]]) -> None:
        while self._documents.stopped is None:
            if self._under_way.crashed is not None:
                raise self._under_way.crashed
            if await self._under_way.wait_for_room():
                continue
            if self._stopping.is_set():
                break
            await self._settlement.settle()
            await self._ledger.release_resolved_blocks()
            claimed = await self._ledger.claim(self._run_id, limit=self._next_claim, lease=self._lease)
            self._next_claim = self._batch_size
            if claimed:
                await self._start_batch(claimed, tasks)
                continue
            if (
                self._under_way.count
            ):  # what is under way may unblock or reschedule documents: let it end first
                await self._under_way.wait_until_idle()
                continue
            if await self._settlement.settle():
                continue  # what just settled may release blocked documents: look again
            taken, unknown = await self._take_over_dead_runs()
            if taken:
                continue  # a dead run's rows are due now
            # Live runs renew their leases: the rows they hold are theirs to finish, not to wait for.
            due = await self._ledger.next_due(leases=unknown)
            if due is None or due - self._clock() > self._max_wait:
                break
            await self._sleep(max(0.05, (due - self._clock()).total_seconds()))
        if tasks:
            await asyncio.gather(*tasks)

    async def _start_batch(self, claimed: list[Claimed], tasks: set[asyncio.Task[None]]) -> None:
        """Translate a claimed batch, learn which of its records NetSuite holds, and start its documents (they
        run alongside the rest of the previous batch)."""
        validated = [(row, self._documents.validate(row)) for row in claimed]
        if len(self._validated) > _VALIDATED_KEPT:
            self._validated.clear()
        for row, doc in validated:
            if not isinstance(doc, InvalidDocument | AttachmentJob):
                self._validated[(row.kind, row.tms_id, row.version)] = doc
        related = await self._related(
            [doc for _, doc in validated if not isinstance(doc, InvalidDocument | AttachmentJob)]
        )
        batch: list[tuple[Claimed, Prepared]] = []
        for start in range(0, len(validated), _TRANSLATE_CHUNK):
            batch += [
                (row, self._documents.prepare(doc, related))
                for row, doc in validated[start : start + _TRANSLATE_CHUNK]
            ]
            await asyncio.sleep(0)  # answers of the documents under way are handled between chunks
        writes = [w for _, p in batch if isinstance(p, Translated) for w in p.records]
        files = [p for _, p in batch if isinstance(p, AttachmentJob)]
        try:
            await self._records.learn_existing(
                {key for w in writes for key in (w.key, *w.depends_on)} | {job.target for job in files}
            )
            await self._files.learn(files)
        except RequestError as exc:  # the existence check failed even after retries: the batch waits
            for row, _ in batch:
                await self._documents.refused(row, exc, [])
            return
        self._records.reserve(writes)
        self._under_way.started(len(batch))

        def done(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            self._under_way.done(task)

        for row, prepared in batch:
            task = asyncio.create_task(self._export_document(row, prepared))
            tasks.add(task)
            task.add_done_callback(done)

    async def _related(self, documents: list[Document]) -> Related:
        """The other documents the batch's translations read (what payments, credits and applications apply;
        carrier bills under the same invoice numbers), latest versions from the ledger."""
        wanted = [lookups(document) for document in documents]
        payloads = await self._ledger.latest_payloads(
            (key for found in wanted for key in found.documents),
            kind=Kind.CARRIER_BILL.value,
            field="carrier_invoice_number",
            values=(number for found in wanted for number in found.carrier_invoice_numbers),
        )
        related: dict[tuple[Kind, str], Document] = {}
        for (kind, tms_id), payload in payloads.items():
            key = (kind, tms_id, payload.get("version"))
            known = self._validated.get(key)
            if known is None:
                try:
                    known = self._validated[key] = validate_document(dict(payload))
                except (InvalidDocument, ValueError):
                    continue  # an invalid version fails on its own; nothing here can lean on it
            related[(Kind(kind), tms_id)] = known
        return related

    async def _export_document(self, row: Claimed, prepared: Prepared) -> None:
        self.report.documents += 1
        try:
            await self._documents.export(row, prepared)
        finally:
            if isinstance(prepared, Translated):
                self._records.release(prepared.records)
            if self._on_progress is not None:
                self._on_progress(self.report)
            await self._renew_lease()

    async def _heartbeat(self) -> None:
        """Renew the leases every third of one even when no document finishes meanwhile (NetSuite may take 15
        minutes over one request). A timer of the event loop, not the injected sleep: waiting is not what it
        does, and tests that advance their clock by sleeping must not see it."""
        interval = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await self._renew_lease()
            except Exception:  # one failed renewal must not stop the next ones
                logger.warning(
                    "renewing the run's leases failed; trying again in %.0f s", interval, exc_info=True
                )

    async def _renew_lease(self) -> None:
        """A heartbeat, every third of the lease: a slow batch keeps its rows from being taken over."""
        if self._clock() - self._renewed >= self._lease / 3:
            self._renewed = self._clock()
            await self._ledger.renew_claims(self._run_id, self._lease)
