"""The ledger: one durable row per document version, and the NetSuite records each became.

No method holds a transaction open beyond its own statements, so the engine never keeps one across an HTTP
call: it claims (and commits), calls NetSuite, then records the outcome (and commits).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tms_netsuite.ledger import _queries as queries
from tms_netsuite.ledger._liveness import Liveness
from tms_netsuite.ledger._model import (
    WAITING_STATES,
    Attempt,
    Claimed,
    Conflict,
    ErrorInfo,
    HourActivity,
    IngestItem,
    IngestSummary,
    LedgerRow,
    Outcome,
    RejectedLine,
    SentRequest,
    State,
    Timeline,
    VersionHistory,
    WrittenRecord,
    content_hash,
)
from tms_netsuite.ledger._open import ledger_exists, lock_key, open_engine
from tms_netsuite.ledger._readback import ReadbackLedger, stored_event


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """Durable state of every document version for one NetSuite account (and environment).

    One ledger database may serve several accounts, a sandbox and production say: every row carries the
    account's realm, so they never mix. Open it with :meth:`open`, which applies pending migrations.
    """

    ATTEMPTS_KEPT = 20
    """Attempts kept per document version: the last ones, so a version retried forever keeps a bounded history."""

    def __init__(
        self, engine: AsyncEngine, account: str, environment: str, *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._engine = engine
        self.account = account
        self.environment = environment
        self._clock = clock
        self._liveness = Liveness(engine)

    @classmethod
    async def open(
        cls, url: str, account: str, environment: str, *, clock: Callable[[], datetime] = _utcnow
    ) -> Ledger:
        """Connect to the ledger database at an SQLAlchemy URL and bring its schema up to date (one process at
        a time: runs started together wait for the first to migrate).

        Raises:
            LedgerUnavailable: the database cannot be opened; the message names it (without a password) and
                the fix.
        """
        return cls(await open_engine(url), account, environment, clock=clock)

    @staticmethod
    def exists(url: str) -> bool:
        """Whether a ledger may already be at ``url`` (an SQLite file that exists; PostgreSQL always), for
        readers that never create one. Raises LedgerUnavailable when an SQLite file's folder is missing."""
        return ledger_exists(url)

    def readback(self) -> ReadbackLedger:
        """Read-back's tables for this account: cursor, snapshots, events (the outbox) and webhooks."""
        return ReadbackLedger(self._engine, self.account, self._clock)

    async def close(self) -> None:
        """Release the database connections."""
        await self._engine.dispose()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that reads, then writes: on SQLite it takes the write lock first (BEGIN IMMEDIATE), so
        it waits for another writer instead of failing with "database is locked" once it has read."""
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
            async with conn.begin():
                yield conn

    async def ingest(self, items: Iterable[IngestItem]) -> IngestSummary:
        """Record document versions. The same version twice is one row; a newer version supersedes older
        ones that were not yet written; an older version arriving late is recorded as superseded; the same
        version with other content (another ``content_hash``) is refused as a :class:`Conflict`.

        Set-based, in one transaction: each chunk of ``_INGEST_CHUNK`` items costs one SELECT of the versions
        already held, one multi-row INSERT and one UPDATE of the held rows it supersedes, and ends exactly as
        the items ingested one by one, in their order, would (rows, states, ids and counts).

        Safe beside other processes ingesting into the same ledger: ingests of one account take turns (SQLite's
        write lock, a transaction-level advisory lock on PostgreSQL), and the INSERT skips a version another
        writer recorded meanwhile (ON CONFLICT DO NOTHING), counting only the rows it really inserted."""
        now = self._clock()
        outcomes: list[IngestSummary] = []
        async with self._writing() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(queries.advisory_xact_lock(lock_key("ingest", self.account)))
            chunk: list[IngestItem] = []
            position = 0
            for item in items:
                chunk.append(item)
                if len(chunk) == self._INGEST_CHUNK:
                    outcomes.append(await self._ingest_chunk(conn, chunk, now, position))
                    position += len(chunk)
                    chunk = []
            if chunk:
                outcomes.append(await self._ingest_chunk(conn, chunk, now, position))
        return IngestSummary(
            inserted=sum(outcome.inserted for outcome in outcomes),
            duplicates=sum(outcome.duplicates for outcome in outcomes),
            superseded=sum(outcome.superseded for outcome in outcomes),
            conflicts=tuple(conflict for outcome in outcomes for conflict in outcome.conflicts),
        )

    # Bound parameters per statement stay far under the drivers' limits (SQLite 32,766, asyncpg 32,767): the
    # SELECT binds at most one per document of a chunk and kind (SQLite) or two arrays (PostgreSQL), the INSERT
    # binds 14 per row (2,340 rows a statement; a chunk has 500) and the UPDATE binds its ids in slices of
    # _SUPERSEDE_SLICE.
    _INGEST_CHUNK = 500
    _SUPERSEDE_SLICE = 10_000

    async def _ingest_chunk(
        self, conn: AsyncConnection, chunk: Sequence[IngestItem], now: datetime, first: int
    ) -> IngestSummary:
        """Ingest one chunk: what each item does is decided in memory, in order, from the versions held before
        the chunk and those of the chunk's earlier items, as one-by-one ingest decides it from the database.
        ``first`` is the position of the chunk's first item in the ingest call (conflicts name positions)."""
        identities = {(item.kind, item.tms_id) for item in chunk}
        held = await conn.execute(queries.held_versions(self.account, conn.dialect.name, sorted(identities)))
        hashes: dict[
            tuple[str, str, int], str
        ] = {}  # every version held or inserted, by (kind, tms_id, version)
        newest: dict[tuple[str, str], int] = {}
        waiting: dict[tuple[str, str], list[int]] = {}  # held rows not yet written, by document
        for row_id, kind, tms_id, version, state, held_hash in held:
            key = (kind, tms_id)
            hashes[(kind, tms_id, version)] = held_hash
            newest[key] = max(version, newest.get(key, version))
            if state in WAITING_STATES:
                waiting.setdefault(key, []).append(row_id)
        rows: list[dict[str, Any]] = []
        positions: dict[tuple[str, str, int], int] = {}  # the position of each row's item
        latest: dict[tuple[str, str], dict[str, Any]] = {}  # the chunk's pending row of each document
        giving_way: list[int] = []  # held rows that a newer version in the chunk supersedes
        duplicates = 0
        conflicts: list[Conflict] = []
        for offset, item in enumerate(chunk):
            key = (item.kind, item.tms_id)
            version_key = (item.kind, item.tms_id, item.version)
            sent_hash = content_hash(item.payload)
            if version_key in hashes:
                if hashes[version_key] == sent_hash:
                    duplicates += 1
                else:
                    conflicts.append(Conflict(first + offset, *version_key, hashes[version_key], sent_hash))
                continue
            hashes[version_key] = sent_hash
            positions[version_key] = first + offset
            late = key in newest and newest[key] > item.version
            row = {
                "account": self.account,
                "environment": self.environment,
                "kind": item.kind,
                "tms_id": item.tms_id,
                "version": item.version,
                "priority": item.priority,
                "voided": item.voided,
                "content_hash": sent_hash,
                "payload": dict(item.payload),
                "state": State.SUPERSEDED if late else State.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            rows.append(row)
            if late:
                continue
            # Older versions not yet written give way; one being exported finishes and the newer one follows.
            newest[key] = item.version
            earlier = latest.get(key)
            if earlier is not None:
                earlier["state"] = State.SUPERSEDED
            latest[key] = row
            giving_way.extend(waiting.pop(key, ()))
        inserted: set[tuple[str, str, int]] = set()
        if rows:  # in the items' order, so ids are as one by one
            result = await conn.execute(queries.insert_versions(conn.dialect.name), rows)
            inserted = {(kind, tms_id, version) for kind, tms_id, version in result.all()}
        if len(inserted) < len(rows):  # another writer recorded some of these versions meanwhile
            raced = [(row["kind"], row["tms_id"], row["version"]) for row in rows]
            raced = [key for key in raced if key not in inserted]
            found = await conn.execute(queries.version_hashes(self.account, raced))
            for kind, tms_id, version, held_hash in found.all():
                if held_hash == hashes[(kind, tms_id, version)]:
                    duplicates += 1
                else:
                    position = positions[(kind, tms_id, version)]
                    sent = hashes[(kind, tms_id, version)]
                    conflicts.append(Conflict(position, kind, tms_id, version, held_hash, sent))
            conflicts.sort(key=lambda conflict: conflict.position)
        superseded = sum(
            1
            for row in rows
            if row["state"] == State.SUPERSEDED and (row["kind"], row["tms_id"], row["version"]) in inserted
        )
        for start in range(0, len(giving_way), self._SUPERSEDE_SLICE):
            result = await conn.execute(
                queries.supersede(giving_way[start : start + self._SUPERSEDE_SLICE], now)
            )
            superseded += result.rowcount
        return IngestSummary(len(inserted), duplicates, superseded, tuple(conflicts))

    async def claim(self, run_id: str, *, limit: int, lease: timedelta) -> list[Claimed]:
        """Claim up to ``limit`` rows due for export, by priority then age, and commit the claim.

        Due rows are pending rows whose next attempt time has come, and rows of another run whose lease lapsed
        (it crashed); those come back with ``outcome_unknown`` set. A run never takes back its own rows (it may
        still be writing them), and a document is never claimed while another version of it is being exported.
        """
        now = self._clock()
        async with self._writing() as conn:
            await conn.execute(queries.supersede_stale(self.account, now, run_id))
            candidates = queries.claim_candidates(self.account, now, run_id, limit)
            ids = (await conn.execute(candidates)).scalars().all()
            if not ids:
                return []
            result = await conn.execute(queries.claim(self.account, ids, now, run_id, now + lease))
            claimed = [Claimed(*row) for row in result.all()]
        order = {row_id: position for position, row_id in enumerate(ids)}
        return sorted(claimed, key=lambda c: order[c.row_id])

    def hold_run(self, run_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the lock that tells other runs ``run_id`` is alive, until the block ends or the process dies
        (a PostgreSQL advisory lock on a connection of its own, or a file lock beside a SQLite ledger)."""
        return self._liveness.hold(run_id)

    async def runs_alive(self, run_ids: Iterable[str]) -> dict[str, bool | None]:
        """For each run id: True while its run holds its lock, False once the lock is free (the run died or
        ended), None when this cannot be told and the run's lease decides."""
        return await self._liveness.alive(run_ids)

    async def live_runs(self) -> int:
        """How many runs of this ledger's database are alive now (holding their lock), any account's."""
        return await self._liveness.count_alive()

    async def held_by_other_runs(self, run_id: str) -> int:
        """How many rows other runs are exporting under a live lease, with the pending rows that wait for
        another version of their document to be exported first."""
        async with self._engine.connect() as conn:
            return int(
                (await conn.execute(queries.held_elsewhere(self.account, self._clock(), run_id))).scalar_one()
            )

    async def active_claims(self) -> list[str]:
        """The run ids holding rows in export (with a lease not yet lapsed)."""
        async with self._engine.connect() as conn:
            result = await conn.execute(queries.active_claims(self.account, self._clock()))
            return [run for run in result.scalars().all() if run]

    async def expire_claims(self, run_ids: Sequence[str]) -> int:
        """End the leases of runs known to be dead, so their rows are reclaimed now (as outcome unknown)."""
        if not run_ids:
            return 0
        async with self._engine.begin() as conn:
            result = await conn.execute(queries.expire_claims(self.account, run_ids, self._clock()))
        return result.rowcount

    async def renew_claims(self, run_id: str, lease: timedelta) -> int:
        """Extend the lease of every row this run holds (a heartbeat, so a slow batch is never taken over)."""
        async with self._engine.begin() as conn:
            result = await conn.execute(queries.renew_claims(self.account, run_id, self._clock() + lease))
        return result.rowcount

    async def release_awaiting_approval(self) -> int:
        """Rows blocked until a bill is approved in NetSuite become pending (a run calls it once, at its start:
        approvals are re-checked run by run, never polled within one); returns how many."""
        async with self._engine.begin() as conn:
            result = await conn.execute(queries.release_awaiting_approval(self.account, self._clock()))
        return result.rowcount

    async def awaiting_approval(self) -> int:
        """How many rows are blocked until a bill is approved in NetSuite."""
        async with self._engine.connect() as conn:
            return int((await conn.execute(queries.awaiting_approval(self.account))).scalar() or 0)

    async def release_resolved_blocks(self) -> int:
        """Blocked rows whose dependency the ledger knows was written become pending (a crash between a
        dependency's commit and the release, or a dependency written by a document that failed later)."""
        async with self._engine.begin() as conn:
            result = await conn.execute(queries.release_resolved(self.account, self._clock()))
        return result.rowcount

    async def settle(
        self, outcomes: Sequence[Outcome], *, run_id: str | None = None, release: Sequence[str] = ()
    ) -> None:
        """Record the outcomes of many attempts in one transaction: the records they wrote, then each row's new
        state and its attempt's history, then rows blocked on any dependency in ``release`` become pending (see
        :meth:`release_blocked`), then the hour's count of failed documents.

        With a run id, only rows this run still holds change: a run whose lease lapsed and whose rows another
        run took over must not overwrite that run's outcome. Settling in groups is how the engine keeps the
        ledger's cost per document low; a crash before a group is settled leaves its rows exporting, to be
        reclaimed as outcome unknown and looked up in NetSuite before anything is written again.
        """
        if not outcomes and not release:
            return
        now = self._clock()
        async with self._engine.begin() as conn:
            await self._save_records(conn, outcomes, now)
            if outcomes:
                values = [queries.finish_values(outcome, now) for outcome in outcomes]
                await conn.execute(queries.finish(self.account, run_id), values)
                written = [o.row_id for o in outcomes if o.state in (State.SYNCED, State.VOID)]
                if written:
                    await conn.execute(queries.supersede_replaced(self.account, written, now))
                await self._save_attempts(conn, outcomes, now)
            if release:
                await conn.execute(queries.release(self.account, release, now))
            failed = sum(1 for outcome in outcomes if outcome.state is State.FAILED)
            if (
                failed
            ):  # last: the hour's row is shared by every run of the account, so it is held for no longer
                await conn.execute(
                    queries.add_activity(
                        conn.dialect.name, self.account, _hour(now), requests=0, throttled=0, failed=failed
                    )
                )

    async def _save_attempts(self, conn: AsyncConnection, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Each attempt's history row (the last ATTEMPTS_KEPT of a version stay)."""
        tried = [outcome for outcome in outcomes if outcome.attempt > 0]
        if tried:
            await conn.execute(
                queries.save_attempts(), [queries.attempt_values(self.account, o, now) for o in tried]
            )
            old = [
                {"document_id": o.row_id, "oldest_kept": o.attempt - self.ATTEMPTS_KEPT + 1}
                for o in tried
                if o.attempt > self.ATTEMPTS_KEPT
            ]
            if old:
                await conn.execute(queries.prune_attempts(), old)

    async def record_activity(self, *, requests: int, throttled: int) -> None:
        """Add a run's (or pass's) requests to NetSuite and the 429s among their answers to this hour's
        counters (flushed once per run: a long run's requests count in the hour it ended)."""
        if requests <= 0 and throttled <= 0:
            return
        async with self._engine.begin() as conn:
            await conn.execute(
                queries.add_activity(
                    conn.dialect.name,
                    self.account,
                    _hour(self._clock()),
                    requests=max(requests, 0),
                    throttled=max(throttled, 0),
                    failed=0,
                )
            )

    async def activity(self, since: datetime) -> list[HourActivity]:
        """The account's activity per hour from ``since``'s hour to the current one, every hour present (quiet
        ones as zeros), oldest first: records written, documents failed, requests made and 429s answered."""
        first, last = _hour(since), _hour(self._clock())
        hours: dict[datetime, dict[str, int]] = {}
        hour = first
        while hour <= last:
            hours[hour] = dict.fromkeys(_COUNTERS, 0)
            hour += timedelta(hours=1)
        async with self._engine.connect() as conn:
            for at, requests, throttled, failed in (
                await conn.execute(queries.activity_since(self.account, first))
            ).all():
                counts = hours.setdefault(_hour(at), dict.fromkeys(_COUNTERS, 0))
                counts.update(requests=requests, throttled=throttled, documents_failed=failed)
            query = queries.written_per_hour(self.account, first, conn.dialect.name)
            for text, written in (await conn.execute(query)).all():
                at = datetime.strptime(str(text), "%Y-%m-%d %H").replace(tzinfo=UTC)
                hours.setdefault(at, dict.fromkeys(_COUNTERS, 0))["records_written"] = written
        return [HourActivity(hour=at, **counts) for at, counts in sorted(hours.items())]

    async def attempts(self, row_ids: Sequence[int]) -> dict[int, list[Attempt]]:
        """The attempts kept of these document versions (the last ATTEMPTS_KEPT of each), oldest first."""
        found: dict[int, list[Attempt]] = {row_id: [] for row_id in row_ids}
        if not row_ids:
            return found
        async with self._engine.connect() as conn:
            for start in range(0, len(row_ids), 500):
                query = queries.attempts_of(self.account, row_ids[start : start + 500])
                for row in (await conn.execute(query)).mappings():
                    found.setdefault(row["document_id"], []).append(_attempt(row))
        return found

    async def timeline(self, kind: str, tms_id: str) -> Timeline | None:
        """One document's history (None when the ledger holds no version of it): every version with the TMS
        document received, its attempts (the requests sent, NetSuite's answers) and the records it became with
        their NetSuite links; the files attached; and the read-back events naming it."""
        async with self._engine.connect() as conn:
            page = (await conn.execute(queries.versions_of(self.account, kind, tms_id))).mappings().all()
            if not page:
                return None
            files = (await conn.execute(queries.attachments_of(self.account, kind, tms_id))).mappings().all()
            written = await self._records_of(conn, [row["id"] for row in [*page, *files]])
            seen = (await conn.execute(queries.events_of(self.account, kind, tms_id))).mappings().all()
        tried = await self.attempts([row["id"] for row in page])
        return Timeline(
            kind=kind,
            tms_id=tms_id,
            versions=tuple(
                VersionHistory(
                    row=_ledger_row(row, written.get(row["id"], ())),
                    payload=row["payload"] if isinstance(row["payload"], dict) else {},
                    attempts=tuple(tried.get(row["id"], ())),
                )
                for row in page
            ),
            attachments=tuple(_ledger_row(row, written.get(row["id"], ())) for row in files),
            events=tuple(stored_event(row) for row in seen),
        )

    async def _save_records(self, conn: AsyncConnection, outcomes: Sequence[Outcome], now: datetime) -> None:
        # One row per record: the last outcome to write a record names it (an upsert may not touch a row twice).
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for outcome in outcomes:
            for record in outcome.written:
                rows[(record.record_type, record.external_id)] = {
                    "account": self.account,
                    "record_type": record.record_type,
                    "external_id": record.external_id,
                    "internal_id": record.internal_id,
                    "url": record.url,
                    "document_id": outcome.row_id,
                    "written_at": now,
                }
        if rows:
            await conn.execute(queries.save_records(conn.dialect.name), list(rows.values()))

    async def release_blocked(self, dependencies: Sequence[str]) -> int:
        """Rows blocked on any of these dependencies become pending again; returns how many."""
        if not dependencies:
            return 0
        async with self._engine.begin() as conn:
            result = await conn.execute(queries.release(self.account, dependencies, self._clock()))
        return result.rowcount

    async def forget_records(self, keys: Sequence[tuple[str, str]]) -> None:
        """Drop records the ledger believed written but NetSuite no longer has (deleted there by hand)."""
        async with self._engine.begin() as conn:
            for record_type, external_id in keys:
                await conn.execute(queries.forget_record(self.account, record_type, external_id))

    async def retry(self, row_ids: Sequence[int] | None = None) -> int:
        """Put failed and blocked rows back to pending (all of them, or those named); returns how many."""
        async with self._engine.begin() as conn:
            result = await conn.execute(queries.retry(self.account, row_ids, self._clock()))
        return result.rowcount

    async def states_of(self, row_ids: Sequence[int]) -> dict[int, State]:
        """The state of each of these rows that exists (for saying why a retry queued nothing)."""
        async with self._engine.connect() as conn:
            result = await conn.execute(queries.rows_by_id(self.account, row_ids))
            return {row_id: State(state) for row_id, state in result.all()}

    async def requeue_if_mapping_changed(self, mapping_hash: str) -> int:
        """Keep the hash of the mapping this export uses; when it differs from the last one kept (or none was),
        rows that failed on the mapping become pending again. Returns how many did."""
        now = self._clock()
        async with self._writing() as conn:
            held = (await conn.execute(queries.mapping_hash_of(self.account))).scalar()
            if held == mapping_hash:
                return 0
            result = await conn.execute(queries.requeue_mapping_failures(self.account, now))
            await conn.execute(
                queries.save_mapping_hash(self.account, mapping_hash, now, known=held is not None)
            )
        return result.rowcount

    async def learned_limit(self) -> int | None:
        """The concurrency limit an earlier run of this account learned from 429s, if any."""
        async with self._engine.connect() as conn:
            value = (await conn.execute(queries.learned_limit_of(self.account))).scalar()
        return None if value is None else int(value)

    async def keep_learned_limit(self, limit: int) -> None:
        """Keep the concurrency limit this run learned from 429s, for the next run to start at."""
        if limit < 1:
            raise ValueError("a learned limit must be at least 1")
        async with self._writing() as conn:
            held = (await conn.execute(queries.learned_limit_of(self.account))).scalar()
            if held != limit:
                await conn.execute(
                    queries.save_learned_limit(self.account, limit, self._clock(), known=held is not None)
                )

    async def keep_rejected(
        self, source: str, lines: Sequence[RejectedLine], accepted: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Keep the lines of ``source`` that were not valid documents, in place of those kept from its last
        ingest; rejected lines of documents (kind, tms_id) ``accepted`` since are dropped too."""
        now = self._clock()
        identities = list(dict.fromkeys(accepted))
        async with self._writing() as conn:
            for start in range(0, max(len(identities), 1), 400):
                chunk = identities[start : start + 400]
                await conn.execute(queries.forget_rejected(self.account, source, chunk))
            if lines:
                await conn.execute(
                    queries.keep_rejected(),
                    [
                        {
                            "account": self.account,
                            "source": line.source,
                            "line": line.line,
                            "kind": line.kind,
                            "tms_id": line.tms_id,
                            "issues": [list(issue) for issue in line.issues],
                            "raw": line.raw[: RejectedLine.MAX_RAW_CHARS],
                            "rejected_at": now,
                        }
                        for line in lines
                    ],
                )

    async def rejected(self) -> list[RejectedLine]:
        """The rejected input lines kept, by source and line."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(queries.rejected(self.account))).mappings().all()
        return [
            RejectedLine(
                source=row["source"],
                line=row["line"],
                issues=tuple((str(f), str(r)) for f, r in row["issues"]),
                raw=row["raw"],
                kind=row["kind"],
                tms_id=row["tms_id"],
                rejected_at=row["rejected_at"],
            )
            for row in rows
        ]

    @staticmethod
    async def accounts(url: str) -> list[str]:
        """The accounts (realms) with rows or rejected lines in the ledger at ``url``, which must exist."""
        engine = await open_engine(url)
        try:
            async with engine.connect() as conn:
                return sorted(str(account) for account in (await conn.execute(queries.accounts())).scalars())
        finally:
            await engine.dispose()

    async def save_doctor_run(self, results: Mapping[str, Any], *, passed: bool) -> None:
        """Keep a doctor run's results (statuses and facts, never secrets) for the next run's comparison."""
        statement = queries.save_doctor_run(self.account, self._clock(), dict(results), passed=passed)
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def last_passing_doctor_run(self) -> dict[str, Any] | None:
        """The results of the latest doctor run without failures, if any."""
        async with self._engine.connect() as conn:
            value = (await conn.execute(queries.last_passing_doctor_run(self.account))).scalar()
        return dict(value) if value is not None else None

    async def doctor_runs(self, limit: int = 20) -> list[tuple[datetime, bool, dict[str, Any]]]:
        """The latest doctor runs, newest first: when, whether every check passed, each check's status."""
        async with self._engine.connect() as conn:
            found = (await conn.execute(queries.doctor_runs_of(self.account, limit))).all()
        return [(ran_at, bool(passed), dict(results)) for ran_at, passed, results in found]

    async def open_document_dates(self) -> set[str]:
        """The dates of document versions still to export (pending, exporting, blocked or failed), for the period
        check."""
        async with self._engine.connect() as conn:
            result = await conn.stream(queries.open_payloads(self.account))
            return {
                str(row[0]["date"]) async for row in result if isinstance(row[0], dict) and row[0].get("date")
            }

    async def known_records(self, external_ids: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Internal ids of records the ledger knows were written, by (record type, external id)."""
        wanted = list(dict.fromkeys(external_ids))
        found: dict[tuple[str, str], str] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                query = queries.known_records(self.account, wanted[start : start + 500])
                found.update({(t, e): i for t, e, i in (await conn.execute(query)).all()})
        return found

    async def latest_payloads(
        self,
        keys: Iterable[tuple[str, str]] = (),
        *,
        kind: str | None = None,
        field: str | None = None,
        values: Iterable[str] = (),
    ) -> dict[tuple[str, str], Mapping[str, Any]]:
        """The latest version's payload of documents by (kind, TMS id): those named in ``keys``, and those of
        ``kind`` whose top-level ``field`` is one of ``values`` (what a translation reads of other documents)."""
        wanted = list(dict.fromkeys(keys))
        matching = list(dict.fromkeys(values))
        found: dict[tuple[str, str], Mapping[str, Any]] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                query = queries.payloads_of(self.account, wanted[start : start + 500])
                found.update({(k, t): p for k, t, p in (await conn.execute(query)).all()})
            if kind is not None and field is not None:
                for start in range(0, len(matching), 500):
                    query = queries.payloads_with(self.account, kind, field, matching[start : start + 500])
                    found.update({(k, t): p for k, t, p in (await conn.execute(query)).all()})
        return found

    async def latest_payloads_under(self, kind: str, prefixes: Iterable[str]) -> dict[str, Mapping[str, Any]]:
        """The latest version's payload of the documents of ``kind`` whose TMS id starts with one of
        ``prefixes``, by TMS id (the attachments held for documents: ``invoice:INV-1:``)."""
        wanted = sorted(set(prefixes))
        found: dict[str, Mapping[str, Any]] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(wanted), 200):
                chunk = wanted[start : start + 200]
                query = queries.payloads_under(self.account, kind, chunk)
                for tms_id, payload in (await conn.execute(query)).all():
                    if any(tms_id.startswith(prefix) for prefix in chunk):
                        found[tms_id] = payload
        return found

    async def counts(self) -> dict[State, int]:
        """How many rows are in each state."""
        async with self._engine.connect() as conn:
            return {State(state): n for state, n in (await conn.execute(queries.counts(self.account))).all()}

    async def next_due(self, *, leases: bool = True) -> datetime | None:
        """When the earliest waiting row is due: a pending row's next attempt, or a lapsing lease (unless
        ``leases`` is false: every run holding rows is known to be alive, and renews its leases)."""
        now = self._clock()
        due = [queries.next_attempt(self.account, now)]
        if leases:
            due.append(queries.next_lease_end(self.account))
        async with self._engine.connect() as conn:
            times = [(await conn.execute(query)).scalar() for query in due]
        return min((t for t in times if t is not None), default=None)

    async def rows(self, *, state: State | None = None, batch: int = 1000) -> AsyncIterator[LedgerRow]:
        """Every row (or those in one state), oldest first, streamed in batches of ``batch``."""
        last = 0
        while True:
            async with self._engine.connect() as conn:
                page = (
                    (await conn.execute(queries.rows_page(self.account, last, state, batch))).mappings().all()
                )
                written = await self._records_of(conn, [row["id"] for row in page])
            for row in page:
                yield _ledger_row(row, written.get(row["id"], ()))
            if len(page) < batch:
                return
            last = page[-1]["id"]

    async def _records_of(
        self, conn: AsyncConnection, ids: list[int]
    ) -> dict[int, tuple[WrittenRecord, ...]]:
        if not ids:
            return {}
        grouped: dict[int, list[WrittenRecord]] = {}
        for row in (await conn.execute(queries.records_of(ids))).mappings():
            grouped.setdefault(row["document_id"], []).append(
                WrittenRecord(row["record_type"], row["external_id"], row["internal_id"], row["url"])
            )
        return {key: tuple(value) for key, value in grouped.items()}

    # The service's reads

    async def counts_by_kind(self) -> dict[str, dict[State, int]]:
        """How many rows of each kind are in each state."""
        found: dict[str, dict[State, int]] = {}
        async with self._engine.connect() as conn:
            for kind, state, n in (await conn.execute(queries.counts_by_kind(self.account))).all():
                found.setdefault(kind, {})[State(state)] = n
        return found

    async def oldest_waiting(self) -> datetime | None:
        """When the oldest document version still to export (pending or exporting) was received."""
        async with self._engine.connect() as conn:
            value = (await conn.execute(queries.oldest_waiting(self.account))).scalar()
        return value if isinstance(value, datetime) else None

    async def browse(
        self,
        *,
        after: int = 0,
        limit: int = 100,
        state: State | None = None,
        kind: str | None = None,
        search: str | None = None,
        dated_from: str | None = None,
        dated_to: str | None = None,
    ) -> list[LedgerRow]:
        """One page of rows by id above ``after``, filtered by state, kind, the document's date (ISO, both ends
        included) and ``search``: a part of the TMS id, a load number or a NetSuite record's internal id."""
        query = queries.browse_page(
            self.account,
            after=after,
            limit=limit,
            state=state,
            kind=kind,
            search=search,
            dated_from=dated_from,
            dated_to=dated_to,
        )
        async with self._engine.connect() as conn:
            page = (await conn.execute(query)).mappings().all()
            written = await self._records_of(conn, [row["id"] for row in page])
        return [_ledger_row(row, written.get(row["id"], ())) for row in page]

    async def versions(self, kind: str, tms_id: str) -> list[LedgerRow]:
        """Every version held of one document, oldest first (empty when the ledger has none)."""
        async with self._engine.connect() as conn:
            page = (await conn.execute(queries.versions_of(self.account, kind, tms_id))).mappings().all()
            written = await self._records_of(conn, [row["id"] for row in page])
        return [_ledger_row(row, written.get(row["id"], ())) for row in page]


_COUNTERS = ("records_written", "documents_failed", "requests", "throttled")


def _hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _attempt(row: sa.RowMapping) -> Attempt:
    return Attempt(
        row_id=row["document_id"],
        attempt=row["attempt"],
        finished_at=row["finished_at"],
        state=State(row["state"]),
        outcome_unknown=bool(row["outcome_unknown"]),
        error=_error_info(row),
        requests=tuple(SentRequest.from_json(value) for value in row["requests"] or ()),
    )


def _error_info(row: sa.RowMapping) -> ErrorInfo | None:
    if not row["error_category"]:
        return None
    return ErrorInfo(
        row["error_category"], row["error_code"], row["error_detail"], row["error_cause"], row["error_fix"]
    )


def _ledger_row(row: sa.RowMapping, written: tuple[WrittenRecord, ...]) -> LedgerRow:
    error = _error_info(row)
    return LedgerRow(
        row_id=row["id"],
        kind=row["kind"],
        tms_id=row["tms_id"],
        version=row["version"],
        state=State(row["state"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        blocked_on=row["blocked_on"],
        skip_reason=row["skip_reason"],
        error=error,
        updated_at=row["updated_at"],
        records=written,
        created_at=row.get("created_at"),
    )
