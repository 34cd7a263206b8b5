"""The export engine: claimed document versions → NetSuite records, exactly once, at the account's pace.

Per batch of claimed rows it translates every document, learns which of their records NetSuite already holds
(the ledger first, then one SuiteQL query per table and batch), and writes each record with one request:
``PUT …/eid:`` to create, ``PATCH …/eid:?replace=…`` to update (NetSuite appends non-keyed sublist lines
otherwise). Records a document depends on are written first; a dependency that failed blocks the document
until it is synced. The ledger is committed before and after every call, never across one; finished documents
are settled in groups (one transaction for many), and a crash before a group is settled leaves its rows
exporting, reclaimed later as outcome unknown and looked up before anything is written again.

The next batch is claimed while the current one drains, so the account's slots never wait for the slowest
document of a batch.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from tms_netsuite.documents import InvalidDocument, validate_document
from tms_netsuite.ledger import Claimed, ErrorInfo, Ledger, Outcome, State, WrittenRecord
from tms_netsuite.mapping import (
    Failed,
    MappingConfig,
    NetSuiteWrite,
    Operation,
    RecordKey,
    RecordType,
    ReferenceData,
    Skipped,
    Translated,
    translate,
)
from tms_netsuite.netsuite import (
    Backoff,
    ConcurrencyGovernor,
    ConcurrencyLimitError,
    CredentialsError,
    ExternalId,
    NetSuiteClient,
    NetSuiteError,
    NetworkError,
    NotFoundError,
    RequestError,
    ServerError,
    retrying,
)

logger = logging.getLogger("tms_netsuite.export")
T = TypeVar("T")

# Where each record type is found by SuiteQL, and its transaction type code.
_TABLES: dict[RecordType, tuple[str, str | None]] = {
    RecordType.CUSTOMER: ("customer", None),
    RecordType.VENDOR: ("vendor", None),
    RecordType.CUSTOMER_SUBSIDIARY_RELATIONSHIP: ("customersubsidiaryrelationship", None),
    RecordType.VENDOR_SUBSIDIARY_RELATIONSHIP: ("vendorsubsidiaryrelationship", None),
    RecordType.INVOICE: ("transaction", "CustInvc"),
    RecordType.VENDOR_BILL: ("transaction", "VendBill"),
    RecordType.VENDOR_CREDIT: ("transaction", "VendCred"),
    RecordType.VENDOR_PAYMENT: ("transaction", "VendPymt"),
    RecordType.CUSTOMER_PAYMENT: ("transaction", "CustPymt"),
    RecordType.CREDIT_MEMO: ("transaction", "CustCred"),
    RecordType.CUSTOMER_DEPOSIT: ("transaction", "CustDep"),
    RecordType.DEPOSIT_APPLICATION: ("transaction", "DepAppl"),
    RecordType.JOURNAL_ENTRY: ("transaction", "Journal"),
}
# NetSuite UI pages of each record type, for deep links in status and error reports.
_UI_PAGES = {
    RecordType.CUSTOMER: "common/entity/custjob.nl",
    RecordType.VENDOR: "common/entity/vendor.nl",
    RecordType.INVOICE: "accounting/transactions/custinvc.nl",
    RecordType.VENDOR_BILL: "accounting/transactions/vendbill.nl",
    RecordType.VENDOR_CREDIT: "accounting/transactions/vendcred.nl",
    RecordType.VENDOR_PAYMENT: "accounting/transactions/vendpymt.nl",
    RecordType.CUSTOMER_PAYMENT: "accounting/transactions/custpymt.nl",
    RecordType.CREDIT_MEMO: "accounting/transactions/custcred.nl",
    RecordType.CUSTOMER_DEPOSIT: "accounting/transactions/custdep.nl",
    RecordType.DEPOSIT_APPLICATION: "accounting/transactions/depappl.nl",
    RecordType.JOURNAL_ENTRY: "accounting/transactions/journal.nl",
}
_EXISTENCE_CHUNK = 1000
# Translation is CPU work (~0.15 ms a document): chunks of this many, so a batch does not stall the event loop.
_TRANSLATE_CHUNK = 25
# Finished documents are settled in one ledger transaction per group of this many (and before every claim).
_SETTLE_GROUP = 100
_STILL_RUNNING_S = 15 * 60  # NetSuite ends a REST request after 15 minutes


class RunStopped(NetSuiteError):
    """The run stopped before its end: NetSuite refused the credentials several times in a row."""

    def __init__(self, message: str, cause: RequestError) -> None:
        super().__init__(message)
        self.cause = cause


@dataclass(slots=True)
class ExportReport:
    """What a run did. Counts are of document versions unless they say records or requests."""

    documents: int = 0
    synced: int = 0
    skipped: int = 0
    voided: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    records_written: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    http_429: int = 0
    existence_queries: int = 0
    started: float = field(default_factory=time.monotonic)


class _Blocked(Exception):
    def __init__(self, dependency: RecordKey) -> None:
        super().__init__(str(dependency))
        self.dependency = dependency


class _Stop(Exception):
    """Raised inside a document's export when another task has stopped the run."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Exporter:
    """Exports every due document version of one ledger to one NetSuite account.

    Args:
        client: the NetSuite client (its ``stats`` count requests).
        ledger: the ledger of that account.
        mapping, reference: what translation needs; the reference data is read once per run.
        governor: caps requests in flight at the account's concurrency limit.
        batch_size: rows claimed at a time; the next batch is claimed when half of one is left.
        lease: how long a claim holds before another run may take the row over.
        max_wait: the run ends when nothing is due sooner than this.
        clock, sleep, rng: injected time, waiting and randomness.
        on_progress: called after every document with the report so far.
    """

    def __init__(
        self,
        client: NetSuiteClient,
        ledger: Ledger,
        mapping: MappingConfig,
        reference: ReferenceData,
        *,
        governor: ConcurrencyGovernor,
        backoff: Backoff = Backoff(),  # noqa: B008 - a frozen value
        batch_size: int = 500,
        lease: timedelta = timedelta(minutes=10),
        max_wait: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        on_progress: Callable[[ExportReport], None] | None = None,
    ) -> None:
        self._client = client
        self._ledger = ledger
        self._mapping = mapping
        self._reference = reference
        self._governor = governor
        self._backoff = backoff
        self._batch_size = batch_size
        self._lease = lease
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._on_progress = on_progress
        self._run_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._known: dict[RecordKey, str] = {}
        self._in_flight: dict[RecordKey, asyncio.Event] = {}  # records of documents being exported
        self._stopped: RequestError | None = None
        self._outcomes: list[Outcome] = []  # finished documents not yet settled in the ledger
        self._blocked_on: set[str] = set()  # dependencies this run blocked documents on
        self._settling = asyncio.Lock()  # groups are settled in the order they finished
        self._outstanding = 0  # documents claimed and not yet finished
        self._low_water = (
            batch_size // 2
        )  # the next batch is claimed when no more than this many are outstanding
        self._room = asyncio.Event()  # set when few enough documents are outstanding to claim more
        self._idle = asyncio.Event()  # set when none are
        self._crashed: BaseException | None = None  # an unexpected error inside a document's task
        self._renewed = clock()
        self.report = ExportReport()

    async def run(self) -> ExportReport:
        """Export until nothing is due within ``max_wait``.

        Raises:
            RunStopped: NetSuite refused the credentials repeatedly; what was claimed waits for the next run.
        """
        await self._ledger.expire_claims(
            [run for run in await self._ledger.active_claims() if _dead_here(run)]
        )
        tasks: set[asyncio.Task[None]] = set()
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            await self._claim_and_export(tasks)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            if tasks:  # an error or a cancellation: the documents under way are cancelled (outcome unknown)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.shield(self._settle())  # what did finish is recorded
        if self._stopped is not None:
            raise RunStopped(f"NetSuite refused the credentials repeatedly: {self._stopped}", self._stopped)
        return self.report

    async def _claim_and_export(self, tasks: set[asyncio.Task[None]]) -> None:
        while self._stopped is None:
            if self._crashed is not None:
                raise self._crashed
            if self._outstanding > self._low_water:
                self._room.clear()
                await self._room.wait()
                continue
            await self._settle()
            await self._ledger.release_resolved_blocks()
            claimed = await self._ledger.claim(self._run_id, limit=self._batch_size, lease=self._lease)
            if claimed:
                await self._start_batch(claimed, tasks)
                continue
            if self._outstanding:  # what is under way may unblock or reschedule documents: let it end first
                await self._idle.wait()
                continue
            if await self._settle():
                continue  # what just settled may release blocked documents: look again
            due = await self._ledger.next_due()
            if due is None or due - self._clock() > self._max_wait:
                break
            await self._sleep(max(0.05, (due - self._clock()).total_seconds()))
        if tasks:
            await asyncio.gather(*tasks)

    async def _start_batch(self, claimed: list[Claimed], tasks: set[asyncio.Task[None]]) -> None:
        """Translate a claimed batch, learn which of its records NetSuite holds, and start its documents (they
        run alongside the rest of the previous batch)."""
        translations = []
        for start in range(0, len(claimed), _TRANSLATE_CHUNK):
            translations += [(row, self._translate(row)) for row in claimed[start : start + _TRANSLATE_CHUNK]]
            await asyncio.sleep(0)  # answers of the documents under way are handled between chunks
        writes = [w for _, t in translations if isinstance(t, Translated) for w in t.records]
        try:
            await self._learn_existing({key for w in writes for key in (w.key, *w.depends_on)})
        except RequestError as exc:  # the existence check failed even after retries: the batch waits
            for row, _ in translations:
                await self._handle_error(row, exc, [])
            return
        for write in writes:
            self._in_flight.setdefault(write.key, asyncio.Event())
        self._outstanding += len(translations)
        self._idle.clear()

        def done(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            self._outstanding -= 1
            if not task.cancelled() and task.exception() is not None and self._crashed is None:
                self._crashed = task.exception()  # a defect (the ledger failing, say): the run ends with it
                self._room.set()
                self._idle.set()
            if self._outstanding <= self._low_water:
                self._room.set()
            if self._outstanding == 0:
                self._idle.set()

        for row, translation in translations:
            task = asyncio.create_task(self._export_document(row, translation))
            tasks.add(task)
            task.add_done_callback(done)

    async def _settle(self) -> int:
        """Settle the finished documents in one ledger transaction, releasing documents this run blocked on
        records they wrote; returns how many were settled."""
        async with self._settling:
            group = list(self._outcomes)
            if not group:
                return 0
            written = {
                str(RecordKey(RecordType(r.record_type), r.external_id)) for o in group for r in o.written
            }
            release = sorted(written & self._blocked_on)
            # Shielded, and the group leaves the buffer only once committed: a cancellation (Ctrl-C) or a failed
            # commit keeps it for the final settle instead of losing it (settling twice changes nothing).
            await asyncio.shield(self._ledger.settle(group, run_id=self._run_id, release=release))
            del self._outcomes[: len(group)]
            self._blocked_on -= written
            return len(group)

    async def _finished(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        if len(self._outcomes) >= _SETTLE_GROUP:
            await self._settle()

    def _translate(self, row: Claimed) -> Translated | Skipped | Failed | InvalidDocument:
        try:
            document = validate_document(dict(row.payload))
        except InvalidDocument as exc:
            return exc
        return translate(document, self._mapping, self._reference)

    async def _export_document(
        self, row: Claimed, translation: Translated | Skipped | Failed | InvalidDocument
    ) -> None:
        self.report.documents += 1
        try:
            if isinstance(translation, InvalidDocument):
                await self._fail(row, ErrorInfo("data", "INVALID_DOCUMENT", str(translation)))
            elif isinstance(translation, Failed):
                first = translation.errors[0]
                detail = "; ".join(str(error) for error in translation.errors)
                await self._fail(row, ErrorInfo("data", "MAPPING", detail, first.cause, first.fix))
            elif isinstance(translation, Skipped):
                await self._finished(Outcome(row.row_id, State.SKIPPED, blocked_on=translation.reason))
                self.report.skipped += 1
            else:
                await self._write_all(row, translation)
        except (NetSuiteError, ValueError, KeyError, TypeError) as exc:
            # One document's defect (an id NetSuite cannot take, a shape translation did not foresee) fails
            # that document, never the run.
            logger.exception("export of %s %s v%s failed unexpectedly", row.kind, row.tms_id, row.version)
            await self._fail(row, ErrorInfo("data", type(exc).__name__, str(exc)[:2000]))
        finally:
            if isinstance(translation, Translated):
                for write in translation.records:
                    event = self._in_flight.pop(write.key, None)
                    if event is not None:
                        event.set()  # dependents stop waiting, written or not
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

    async def _fail(self, row: Claimed, error: ErrorInfo, written: Iterable[WrittenRecord] = ()) -> None:
        await self._finished(Outcome.failed(row.row_id, error, written=tuple(written)))
        self.report.failed += 1

    async def _write_all(self, row: Claimed, translation: Translated) -> None:
        if row.voided and not any(write.key in self._known for write in translation.records):
            # Voided before any of its records reached NetSuite: there is nothing to reverse or delete.
            await self._finished(Outcome(row.row_id, State.VOID))
            self.report.voided += 1
            return
        written: list[WrittenRecord] = []
        try:
            for write in translation.records:
                record = await self._write(write)
                if record is not None:
                    written.append(record)
        except _Blocked as blocked:
            await self._block(row, blocked.dependency, written)
            return
        except _Stop:
            await self._retry_later(row, written, error=None, delay=0.0, outcome_unknown=False)
            return
        except RequestError as exc:
            await self._handle_error(row, exc, written)
            return
        state = State.VOID if row.voided else State.SYNCED
        await self._finished(Outcome(row.row_id, state, written=tuple(written)))
        self.report.voided += state is State.VOID
        self.report.synced += state is State.SYNCED

    async def _handle_error(self, row: Claimed, exc: RequestError, written: list[WrittenRecord]) -> None:
        error = ErrorInfo(
            category=exc.explanation.category.value if exc.explanation else "retry_later",
            code=exc.code,
            detail=exc.detail or str(exc),
            cause=exc.explanation.cause if exc.explanation else None,
            fix=exc.explanation.fix if exc.explanation else None,
        )
        if isinstance(exc, CredentialsError) and not exc.retryable:
            self._stopped = exc
        if exc.retryable or isinstance(exc, CredentialsError):
            unknown = isinstance(exc, ServerError) or (isinstance(exc, NetworkError) and exc.outcome_unknown)
            floor = exc.retry_after
            if (isinstance(exc, NetworkError) and exc.outcome_unknown and exc.timed_out) or exc.status == 504:
                # NetSuite may still be working on a request we stopped waiting for (up to 15 minutes):
                # looking it up sooner could miss a write that lands later, and write it twice.
                floor = max(floor or 0.0, _STILL_RUNNING_S)
            delay = self._backoff.delay(row.attempts, rng=self._rng, floor=floor)
            await self._retry_later(row, written, error=error, delay=delay, outcome_unknown=unknown)
            return
        logger.info("export failed: %s %s: %s", row.kind, row.tms_id, exc.code)
        await self._fail(row, error, written)

    async def _retry_later(
        self,
        row: Claimed,
        written: list[WrittenRecord],
        *,
        error: ErrorInfo | None,
        delay: float,
        outcome_unknown: bool,
    ) -> None:
        await self._finished(
            Outcome.retry(
                row.row_id,
                error or ErrorInfo("retry_later", None, "the run stopped before this document"),
                at=self._clock() + timedelta(seconds=delay),
                outcome_unknown=outcome_unknown,
                written=written,
            )
        )
        self.report.retried += 1

    async def _block(self, row: Claimed, dependency: RecordKey, written: list[WrittenRecord]) -> None:
        await self._finished(Outcome(row.row_id, State.BLOCKED, tuple(written), blocked_on=str(dependency)))
        self._blocked_on.add(str(dependency))
        self.report.blocked += 1
        # The dependency may have been written by another worker meanwhile: then the block is lifted at once.
        await self._settle()
        if await self._ledger.known_records([(dependency.record_type.value, dependency.external_id)]):
            await self._ledger.release_blocked([str(dependency)])

    async def _write(self, write: NetSuiteWrite) -> WrittenRecord | None:
        for dependency in write.depends_on:
            await self._await_dependency(dependency)
        if self._stopped is not None:
            raise _Stop
        record_type, eid = write.record_type.value, ExternalId(write.external_id)
        internal = self._known.get(write.key)
        if write.operation is Operation.DELETE:
            if internal is not None:
                await self._delete(record_type, eid)
                self._known.pop(write.key, None)
                await self._ledger.forget_records([(record_type, write.external_id)])
            return None
        payload = _swap_references(write.payload, write.depends_on, self._known)
        if internal is not None:
            try:
                await self._call(lambda: self._client.patch(record_type, eid, payload, replace=write.replace))
                self.report.updated += 1
            except NotFoundError:  # deleted in NetSuite since: create it again
                internal = None
        if internal is None:
            internal = await self._create(write, payload)
            self.report.created += 1
        self.report.records_written += 1
        self._known[write.key] = internal
        return WrittenRecord(
            record_type, write.external_id, internal, self._link(write.record_type, internal)
        )

    async def _create(self, write: NetSuiteWrite, payload: dict[str, Any]) -> str:
        record_type, eid = write.record_type.value, ExternalId(write.external_id)
        if write.operation is Operation.TRANSFORM and write.transform_from is not None:
            source = write.transform_from
            source_id = self._known[source]
            return await self._call(
                lambda: self._client.transform(source.record_type.value, source_id, record_type, payload)
            )
        internal = await self._call(lambda: self._client.upsert(record_type, eid, payload))
        if internal is None:  # NetSuite did not name it in Location: read it back
            record = await self._call(
                lambda: self._client.get(record_type, eid, fields=["id"]), idempotent=True
            )
            internal = str(record["id"])
        return internal

    async def _delete(self, record_type: str, eid: ExternalId) -> None:
        try:
            await self._call(lambda: self._client.delete(record_type, eid))
            self.report.deleted += 1
        except NotFoundError:
            pass  # already gone: that is what a delete wants

    async def _await_dependency(self, dependency: RecordKey) -> None:
        if dependency in self._known:
            return
        event = self._in_flight.get(dependency)
        if event is not None:
            await event.wait()
            if dependency in self._known:
                return
        raise _Blocked(dependency)

    async def _call(self, request: Callable[[], Awaitable[T]], *, idempotent: bool = False) -> T:
        """One NetSuite request inside a governor slot. A 429 is retried in place after a short pause (NetSuite
        did nothing); reads are also retried in place on any retryable error."""
        async for attempt in retrying(idempotent=idempotent, sleep=self._sleep):
            with attempt:
                async with self._governor.slot() as slot:
                    try:
                        return await request()
                    except ConcurrencyLimitError:
                        slot.throttled()
                        self.report.http_429 += 1
                        raise
        raise AssertionError("unreachable")  # pragma: no cover - tenacity returns or re-raises

    async def _learn_existing(self, keys: set[RecordKey]) -> None:
        """Which records NetSuite holds: the ledger's knowledge, then SuiteQL for the rest (resolves every
        write whose outcome was unknown, and keeps a fresh ledger from writing blindly over a record)."""
        # Records being written by documents under way are known when those end (or their dependents block).
        unknown = [key for key in keys if key not in self._known and key not in self._in_flight]
        known = await self._ledger.known_records([(k.record_type.value, k.external_id) for k in unknown])
        for key in unknown:
            internal = known.get((key.record_type.value, key.external_id))
            if internal is not None:
                self._known[key] = internal
        by_table: dict[str, list[RecordKey]] = {}
        for key in unknown:
            if key not in self._known:
                by_table.setdefault(_TABLES[key.record_type][0], []).append(key)
        await asyncio.gather(
            *(
                self._query_existing(table, table_keys[start : start + _EXISTENCE_CHUNK])
                for table, table_keys in by_table.items()
                for start in range(0, len(table_keys), _EXISTENCE_CHUNK)
            )
        )

    async def _query_existing(self, table: str, keys: list[RecordKey]) -> None:
        wanted = {(_TABLES[k.record_type][1], k.external_id.casefold()): k for k in keys}
        placeholders = ", ".join("?" for _ in keys)
        columns = "id, externalid, type" if table == "transaction" else "id, externalid"
        # NetSuite compares external ids without regard to case; so does this lookup.
        query = f"SELECT {columns} FROM {table} WHERE UPPER(externalid) IN ({placeholders})"  # noqa: S608
        self.report.existence_queries += 1

        async def rows() -> list[dict[str, str]]:
            return [row async for row in self._client.suiteql(query, [k.external_id.upper() for k in keys])]

        for row in await self._call(rows, idempotent=True):
            key = wanted.get((row.get("type"), row.get("externalid", "").casefold()))
            if key is not None:
                self._known[key] = row["id"]

    def _link(self, record_type: RecordType, internal_id: str) -> str:
        page = _UI_PAGES.get(record_type)
        if page is None:
            return f"{self._client.account.app_url}/app/common/search/ubersearchresults.nl?quicksearch={internal_id}"
        return f"{self._client.account.app_url}/app/{page}?id={internal_id}"


def _dead_here(run_id: str) -> bool:
    """Whether a run id (``host:pid:nonce``) names a process of this machine that no longer exists: its rows
    need not wait for their lease to lapse. Runs of other machines are left to their leases."""
    host, _, rest = run_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _swap_references(payload: Any, dependencies: Iterable[RecordKey], known: Mapping[RecordKey, str]) -> Any:
    """Replace ``{"externalId": …}`` references to the records a write depends on, now in NetSuite, with
    ``{"id": …}`` (only its dependencies are looked at: the map of everything known grows with the run)."""
    by_external_id = {key.external_id: known[key] for key in dependencies if key in known}
    return _swap(payload, by_external_id) if by_external_id else payload


def _swap(value: Any, by_external_id: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"externalId"} and value["externalId"] in by_external_id:
            return {"id": by_external_id[value["externalId"]]}
        return {k: _swap(v, by_external_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, by_external_id) for v in value]
    return value
