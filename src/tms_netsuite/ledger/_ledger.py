"""The ledger: one durable row per document version, and the NetSuite records each became.

No method holds a transaction open beyond its own statements, so the engine never keeps one across an HTTP
call: it claims (and commits), calls NetSuite, then records the outcome (and commits).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tms_netsuite.ledger._model import (
    Claimed,
    ErrorInfo,
    IngestItem,
    IngestSummary,
    LedgerRow,
    Outcome,
    State,
    WrittenRecord,
    content_hash,
)
from tms_netsuite.ledger._schema import doctor_runs, documents, records

_FINISHED_COLUMNS = (
    "state",
    "next_attempt_at",
    "outcome_unknown",
    "blocked_on",
    "error_category",
    "error_code",
    "error_detail",
    "error_cause",
    "error_fix",
    "updated_at",
)


def _finish_values(outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The bound values of :meth:`Ledger._finish_statement` for one outcome."""
    error = outcome.error
    return {
        "row_id": outcome.row_id,
        "new_state": outcome.state,
        "new_next_attempt_at": outcome.next_attempt_at,
        "new_outcome_unknown": outcome.outcome_unknown,
        "new_blocked_on": outcome.blocked_on,
        "new_error_category": error.category if error else None,
        "new_error_code": error.code if error else None,
        "new_error_detail": error.detail if error else None,
        "new_error_cause": error.cause if error else None,
        "new_error_fix": error.fix if error else None,
        "new_updated_at": now,
    }


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """Durable state of every document version for one NetSuite account (and environment).

    One ledger database may serve several accounts, a sandbox and production say: every row carries the
    account's realm, so they never mix. Open it with :meth:`open`, which applies pending migrations.
    """

    def __init__(
        self, engine: AsyncEngine, account: str, environment: str, *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._engine = engine
        self.account = account
        self.environment = environment
        self._clock = clock

    @classmethod
    async def open(
        cls, url: str, account: str, environment: str, *, clock: Callable[[], datetime] = _utcnow
    ) -> Ledger:
        """Connect to the ledger database at an SQLAlchemy URL and bring its schema up to date."""
        engine = create_async_engine(url)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine.sync_engine, "connect", _sqlite_connect)
            sa.event.listen(engine.sync_engine, "begin", _sqlite_begin)
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade)
        return cls(engine, account, environment, clock=clock)

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
        ones that were not yet written; an older version arriving late is recorded as superseded.

        Set-based, in one transaction: each chunk of ``_INGEST_CHUNK`` items costs one SELECT of the versions
        already held, one multi-row INSERT and one UPDATE of the held rows it supersedes, and ends exactly as
        the items ingested one by one, in their order, would (rows, states, ids and counts)."""
        now = self._clock()
        outcomes: list[IngestSummary] = []
        async with self._writing() as conn:
            chunk: list[IngestItem] = []
            for item in items:
                chunk.append(item)
                if len(chunk) == self._INGEST_CHUNK:
                    outcomes.append(await self._ingest_chunk(conn, chunk, now))
                    chunk = []
            if chunk:
                outcomes.append(await self._ingest_chunk(conn, chunk, now))
        return IngestSummary(
            inserted=sum(outcome.inserted for outcome in outcomes),
            duplicates=sum(outcome.duplicates for outcome in outcomes),
            superseded=sum(outcome.superseded for outcome in outcomes),
        )

    # Bound parameters per statement stay far under the drivers' limits (SQLite 32,766, asyncpg 32,767): the
    # SELECT binds at most one per document of a chunk and kind (SQLite) or two arrays (PostgreSQL), the INSERT
    # is an executemany (bound row by row) and the UPDATE binds its ids in slices of _SUPERSEDE_SLICE.
    _INGEST_CHUNK = 500
    _SUPERSEDE_SLICE = 10_000

    async def _ingest_chunk(
        self, conn: AsyncConnection, chunk: Sequence[IngestItem], now: datetime
    ) -> IngestSummary:
        """Ingest one chunk: what each item does is decided in memory, in order, from the versions held before
        the chunk and those of the chunk's earlier items, as one-by-one ingest decides it from the database."""
        waiting_states = (State.PENDING, State.FAILED, State.BLOCKED)
        identities = {(item.kind, item.tms_id) for item in chunk}
        held = await conn.execute(self._held_versions(conn.dialect.name, sorted(identities)))
        versions: dict[tuple[str, str], set[int]] = {}
        newest: dict[tuple[str, str], int] = {}
        waiting: dict[tuple[str, str], list[int]] = {}  # held rows not yet written, by document
        for row_id, kind, tms_id, version, state in held:
            key = (kind, tms_id)
            versions.setdefault(key, set()).add(version)
            newest[key] = max(version, newest.get(key, version))
            if state in waiting_states:
                waiting.setdefault(key, []).append(row_id)
        rows: list[dict[str, Any]] = []
        latest: dict[tuple[str, str], dict[str, Any]] = {}  # the chunk's pending row of each document
        giving_way: list[int] = []  # held rows that a newer version in the chunk supersedes
        superseded = 0
        for item in chunk:
            key = (item.kind, item.tms_id)
            seen = versions.setdefault(key, set())
            if item.version in seen:
                continue
            seen.add(item.version)
            late = key in newest and newest[key] > item.version
            row = {
                "account": self.account,
                "environment": self.environment,
                "kind": item.kind,
                "tms_id": item.tms_id,
                "version": item.version,
                "priority": item.priority,
                "voided": item.voided,
                "content_hash": content_hash(item.payload),
                "payload": dict(item.payload),
                "state": State.SUPERSEDED if late else State.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            rows.append(row)
            if late:
                superseded += 1
                continue
            # Older versions not yet written give way; one being exported finishes and the newer one follows.
            newest[key] = item.version
            earlier = latest.get(key)
            if earlier is not None:
                earlier["state"] = State.SUPERSEDED
                superseded += 1
            latest[key] = row
            giving_way.extend(waiting.pop(key, ()))
        if rows:
            await conn.execute(documents.insert(), rows)  # in the items' order, so ids are as one by one
        for start in range(0, len(giving_way), self._SUPERSEDE_SLICE):
            result = await conn.execute(
                documents.update()
                .where(documents.c.id.in_(giving_way[start : start + self._SUPERSEDE_SLICE]))
                .where(documents.c.state.in_(waiting_states))
                .values(state=State.SUPERSEDED, updated_at=now)
            )
            superseded += result.rowcount
        return IngestSummary(inserted=len(rows), duplicates=len(chunk) - len(rows), superseded=superseded)

    def _held_versions(self, dialect: str, identities: Sequence[tuple[str, str]]) -> sa.Select[Any]:
        """The rows held for these documents (kind, tms_id), by index probes on (account, kind, tms_id) whatever
        the planner's statistics say: a fresh or just loaded ledger has none, and PostgreSQL then filters every
        row of the account against a list of ids, a cost that grows with the ledger.

        SQLite probes the index for kind IN (…) AND tms_id IN (…) (rows of another kind that share an id come
        too, harmlessly: no item asks for them). PostgreSQL joins the documents, as two arrays, to a LATERAL
        subquery, one probe each; OFFSET 0 keeps the planner from flattening it into a hash join."""
        columns = (
            documents.c.id,
            documents.c.kind,
            documents.c.tms_id,
            documents.c.version,
            documents.c.state,
        )
        if dialect != "postgresql":
            return (
                sa.select(*columns)
                .where(documents.c.account == self.account)
                .where(documents.c.kind.in_(sorted({kind for kind, _ in identities})))
                .where(documents.c.tms_id.in_(sorted({tms_id for _, tms_id in identities})))
            )
        wanted = (
            sa.func.unnest(
                sa.literal([kind for kind, _ in identities], sa.ARRAY(sa.String())),
                sa.literal([tms_id for _, tms_id in identities], sa.ARRAY(sa.String())),
            )
            .table_valued("kind", "tms_id")
            .render_derived(name="wanted")
        )
        held = (
            sa.select(*columns)
            .where(documents.c.account == self.account)
            .where((documents.c.kind == wanted.c.kind) & (documents.c.tms_id == wanted.c.tms_id))
            .offset(0)
            .lateral("held")
        )
        return sa.select(*held.c).select_from(wanted).join(held, sa.true())

    async def claim(self, run_id: str, *, limit: int, lease: timedelta) -> list[Claimed]:
        """Claim up to ``limit`` rows due for export, by priority then age, and commit the claim.

        Due rows are pending rows whose next attempt time has come, and rows of another run whose lease lapsed
        (it crashed); those come back with ``outcome_unknown`` set. A run never takes back its own rows (it may
        still be writing them), and a document is never claimed while another version of it is being exported.
        """
        now = self._clock()
        busy = _other_version_exporting(now, run_id)
        due = (
            (documents.c.account == self.account)
            & (
                ((documents.c.state == State.PENDING) & (documents.c.next_attempt_at <= now))
                | (
                    (documents.c.state == State.EXPORTING)
                    & (documents.c.lease_until <= now)
                    & (documents.c.claimed_by != run_id)
                )
            )
            & ~busy
        )
        candidates = (
            sa.select(documents.c.id)
            .where(due)
            .order_by(documents.c.priority, documents.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._writing() as conn:
            await conn.execute(self._supersede_stale(now, run_id))
            ids = (await conn.execute(candidates)).scalars().all()
            if not ids:
                return []
            lapsed = documents.c.state == State.EXPORTING
            result = await conn.execute(
                documents.update()
                .where(documents.c.id.in_(ids) & due)
                .values(
                    state=State.EXPORTING,
                    claimed_by=run_id,
                    lease_until=now + lease,
                    attempts=documents.c.attempts + 1,
                    outcome_unknown=documents.c.outcome_unknown | lapsed,
                    updated_at=now,
                )
                .returning(
                    documents.c.id,
                    documents.c.kind,
                    documents.c.tms_id,
                    documents.c.version,
                    documents.c.voided,
                    documents.c.payload,
                    documents.c.attempts,
                    documents.c.outcome_unknown,
                )
            )
            claimed = [Claimed(*row) for row in result.all()]
        order = {row_id: position for position, row_id in enumerate(ids)}
        return sorted(claimed, key=lambda c: order[c.row_id])

    async def active_claims(self) -> list[str]:
        """The run ids holding rows in export (with a lease not yet lapsed)."""
        query = (
            sa.select(documents.c.claimed_by)
            .where((documents.c.account == self.account) & (documents.c.state == State.EXPORTING))
            .where(documents.c.lease_until > self._clock())
            .distinct()
        )
        async with self._engine.connect() as conn:
            return [run for run in (await conn.execute(query)).scalars().all() if run]

    async def expire_claims(self, run_ids: Sequence[str]) -> int:
        """End the leases of runs known to be dead, so their rows are reclaimed now (as outcome unknown)."""
        if not run_ids:
            return 0
        now = self._clock()
        async with self._engine.begin() as conn:
            result = await conn.execute(
                documents.update()
                .where((documents.c.account == self.account) & (documents.c.state == State.EXPORTING))
                .where(documents.c.claimed_by.in_(list(run_ids)))
                .values(lease_until=now, updated_at=now)
            )
        return result.rowcount

    def _supersede_stale(self, now: datetime, run_id: str) -> sa.Update:
        """Rows waiting (pending, failed or blocked, or left exporting by a run whose lease lapsed) while a newer
        version of their document exists: the newer one carries the document now, so an older one must never be
        written after it, nor beside it in one batch."""
        newer = documents.alias("newer")
        has_newer = sa.exists().where(
            (newer.c.account == documents.c.account)
            & (newer.c.kind == documents.c.kind)
            & (newer.c.tms_id == documents.c.tms_id)
            & (newer.c.version > documents.c.version)
            & (newer.c.state != State.SUPERSEDED)
        )
        lapsed = (
            (documents.c.state == State.EXPORTING)
            & (documents.c.lease_until <= now)
            & (documents.c.claimed_by != run_id)
        )
        waiting = documents.c.state.in_([State.PENDING, State.FAILED, State.BLOCKED]) | lapsed
        return (
            documents.update()
            .where((documents.c.account == self.account) & waiting & has_newer)
            .values(state=State.SUPERSEDED, updated_at=now)
        )

    async def renew_claims(self, run_id: str, lease: timedelta) -> int:
        """Extend the lease of every row this run holds (a heartbeat, so a slow batch is never taken over)."""
        now = self._clock()
        async with self._engine.begin() as conn:
            result = await conn.execute(
                documents.update()
                .where(
                    (documents.c.account == self.account)
                    & (documents.c.state == State.EXPORTING)
                    & (documents.c.claimed_by == run_id)
                )
                .values(lease_until=now + lease)
            )
        return result.rowcount

    async def release_resolved_blocks(self) -> int:
        """Blocked rows whose dependency the ledger knows was written become pending (a crash between a
        dependency's commit and the release, or a dependency written by a document that failed later)."""
        written = sa.select(records.c.record_type + "/eid:" + records.c.external_id).where(
            records.c.account == self.account
        )
        now = self._clock()
        async with self._engine.begin() as conn:
            result = await conn.execute(
                documents.update()
                .where(
                    (documents.c.account == self.account)
                    & (documents.c.state == State.BLOCKED)
                    & documents.c.blocked_on.in_(written.scalar_subquery())
                )
                .values(state=State.PENDING, next_attempt_at=now, updated_at=now)
            )
        return result.rowcount

    async def mark_synced(
        self,
        row_id: int,
        written: Sequence[WrittenRecord],
        *,
        state: State = State.SYNCED,
        run_id: str | None = None,
    ) -> None:
        """Record a successful export (or reversal, with ``state=VOID``) and the records it wrote."""
        await self.settle([Outcome(row_id, state, written=tuple(written))], run_id=run_id)

    async def mark_retry(
        self,
        row_id: int,
        error: ErrorInfo,
        *,
        at: datetime,
        outcome_unknown: bool,
        written: Sequence[WrittenRecord] = (),
        run_id: str | None = None,
    ) -> None:
        """A retryable failure: the row waits, pending, until ``at``. ``written`` keeps records it already made."""
        outcome = Outcome.retry(row_id, error, at=at, outcome_unknown=outcome_unknown, written=written)
        await self.settle([outcome], run_id=run_id)

    async def mark_failed(
        self,
        row_id: int,
        error: ErrorInfo,
        *,
        written: Sequence[WrittenRecord] = (),
        run_id: str | None = None,
    ) -> None:
        """A permanent failure: the row waits for :meth:`retry` after the cause is fixed."""
        await self.settle([Outcome.failed(row_id, error, written=written)], run_id=run_id)

    async def mark_blocked(
        self,
        row_id: int,
        blocked_on: str,
        *,
        written: Sequence[WrittenRecord] = (),
        run_id: str | None = None,
    ) -> None:
        """The row waits for a dependency (named in ``blocked_on``) to be synced; see :meth:`release_blocked`."""
        outcome = Outcome(row_id, State.BLOCKED, written=tuple(written), blocked_on=blocked_on)
        await self.settle([outcome], run_id=run_id)

    async def mark_skipped(self, row_id: int, reason: str, *, run_id: str | None = None) -> None:
        """Nothing is written for this row, by rule; ``reason`` says which."""
        await self.settle([Outcome(row_id, State.SKIPPED, blocked_on=reason)], run_id=run_id)

    async def settle(
        self, outcomes: Sequence[Outcome], *, run_id: str | None = None, release: Sequence[str] = ()
    ) -> None:
        """Record the outcomes of many attempts in one transaction: the records they wrote, then each row's new
        state, then rows blocked on any dependency in ``release`` become pending (see :meth:`release_blocked`).

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
                await conn.execute(self._finish_statement(run_id), [_finish_values(o, now) for o in outcomes])
            if release:
                await conn.execute(self._release_statement(release, now))

    async def release_blocked(self, dependencies: Sequence[str]) -> int:
        """Rows blocked on any of these dependencies become pending again; returns how many."""
        if not dependencies:
            return 0
        async with self._engine.begin() as conn:
            result = await conn.execute(self._release_statement(dependencies, self._clock()))
        return result.rowcount

    def _release_statement(self, dependencies: Sequence[str], now: datetime) -> sa.Update:
        return (
            documents.update()
            .where(
                (documents.c.account == self.account)
                & (documents.c.state == State.BLOCKED)
                & documents.c.blocked_on.in_(list(dependencies))
            )
            .values(state=State.PENDING, next_attempt_at=now, updated_at=now)
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
        if not rows:
            return
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        statement = insert(records)
        changed = ("internal_id", "url", "document_id", "written_at")
        statement = statement.on_conflict_do_update(
            index_elements=[records.c.account, records.c.record_type, records.c.external_id],
            set_={column: statement.excluded[column] for column in changed},
        )
        await conn.execute(statement, list(rows.values()))

    async def forget_records(self, keys: Sequence[tuple[str, str]]) -> None:
        """Drop records the ledger believed written but NetSuite no longer has (deleted there by hand)."""
        async with self._engine.begin() as conn:
            for record_type, external_id in keys:
                await conn.execute(
                    records.delete().where(
                        (records.c.account == self.account)
                        & (records.c.record_type == record_type)
                        & (records.c.external_id == external_id)
                    )
                )

    def _finish_statement(self, run_id: str | None) -> sa.Update:
        """The row's new state, its claim released; values bound per outcome (see :func:`_finish_values`)."""
        mine = (documents.c.id == sa.bindparam("row_id")) & (documents.c.account == self.account)
        if run_id is not None:
            mine &= (documents.c.claimed_by == run_id) & (documents.c.state == State.EXPORTING)
        return (
            documents.update()
            .where(mine)
            .values(
                claimed_by=None,
                lease_until=None,
                **{name: sa.bindparam(f"new_{name}") for name in _FINISHED_COLUMNS},
            )
        )

    async def retry(self, row_ids: Sequence[int] | None = None) -> int:
        """Put failed and blocked rows back to pending (all of them, or those named); returns how many."""
        condition = (documents.c.account == self.account) & documents.c.state.in_(
            [State.FAILED, State.BLOCKED]
        )
        if row_ids is not None:
            condition &= documents.c.id.in_(list(row_ids))
        now = self._clock()
        async with self._engine.begin() as conn:
            result = await conn.execute(
                documents.update()
                .where(condition)
                .values(state=State.PENDING, next_attempt_at=now, updated_at=now)
            )
        return result.rowcount

    async def save_doctor_run(self, results: Mapping[str, Any], *, passed: bool) -> None:
        """Keep a doctor run's results (statuses and facts, never secrets) for the next run's comparison."""
        async with self._engine.begin() as conn:
            await conn.execute(
                doctor_runs.insert().values(
                    account=self.account, ran_at=self._clock(), passed=passed, results=dict(results)
                )
            )

    async def last_passing_doctor_run(self) -> dict[str, Any] | None:
        """The results of the latest doctor run without failures, if any."""
        query = (
            sa.select(doctor_runs.c.results)
            .where((doctor_runs.c.account == self.account) & doctor_runs.c.passed)
            .order_by(doctor_runs.c.id.desc())
            .limit(1)
        )
        async with self._engine.connect() as conn:
            value = (await conn.execute(query)).scalar()
        return dict(value) if value is not None else None

    async def open_document_dates(self) -> set[str]:
        """The dates of document versions still to export (pending, blocked or failed), for the period check."""
        open_states = [State.PENDING, State.EXPORTING, State.BLOCKED, State.FAILED]
        query = sa.select(documents.c.payload).where(
            (documents.c.account == self.account) & documents.c.state.in_(open_states)
        )
        async with self._engine.connect() as conn:
            result = await conn.stream(query)
            return {
                str(row[0]["date"]) async for row in result if isinstance(row[0], dict) and row[0].get("date")
            }

    async def known_records(self, external_ids: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Internal ids of records the ledger knows were written, by (record type, external id)."""
        wanted = list(dict.fromkeys(external_ids))
        found: dict[tuple[str, str], str] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = sa.select(records.c.record_type, records.c.external_id, records.c.internal_id).where(
                    (records.c.account == self.account)
                    & sa.tuple_(records.c.record_type, records.c.external_id).in_(chunk)
                )
                found.update({(t, e): i for t, e, i in (await conn.execute(query)).all()})
        return found

    async def counts(self) -> dict[State, int]:
        """How many rows are in each state."""
        query = (
            sa.select(documents.c.state, sa.func.count())
            .where(documents.c.account == self.account)
            .group_by(documents.c.state)
        )
        async with self._engine.connect() as conn:
            return {State(state): n for state, n in (await conn.execute(query)).all()}

    async def next_due(self) -> datetime | None:
        """When the earliest waiting row is due: a pending row's next attempt, or a lapsing lease."""
        mine = documents.c.account == self.account
        # A row whose other version another run is exporting is due when that lease lapses (counted below).
        waiting = ~_other_version_exporting(self._clock(), None)
        pending = sa.select(sa.func.min(documents.c.next_attempt_at)).where(
            mine & (documents.c.state == State.PENDING) & waiting
        )
        leased = sa.select(sa.func.min(documents.c.lease_until)).where(
            mine & (documents.c.state == State.EXPORTING)
        )
        async with self._engine.connect() as conn:
            times = [(await conn.execute(query)).scalar() for query in (pending, leased)]
        return min((t for t in times if t is not None), default=None)

    async def rows(self, *, state: State | None = None, batch: int = 1000) -> AsyncIterator[LedgerRow]:
        """Every row (or those in one state), oldest first, streamed in batches of ``batch``."""
        last = 0
        while True:
            condition = (documents.c.account == self.account) & (documents.c.id > last)
            if state is not None:
                condition &= documents.c.state == state
            query = sa.select(documents).where(condition).order_by(documents.c.id).limit(batch)
            async with self._engine.connect() as conn:
                page = (await conn.execute(query)).mappings().all()
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
        query = sa.select(records).where(records.c.document_id.in_(ids)).order_by(records.c.written_at)
        grouped: dict[int, list[WrittenRecord]] = {}
        for row in (await conn.execute(query)).mappings():
            grouped.setdefault(row["document_id"], []).append(
                WrittenRecord(row["record_type"], row["external_id"], row["internal_id"], row["url"])
            )
        return {key: tuple(value) for key, value in grouped.items()}


def _other_version_exporting(now: datetime, run_id: str | None) -> sa.Exists:
    """Another version of the row's document is being exported: under a live lease, or by ``run_id`` itself."""
    other = documents.alias("other")
    held = other.c.lease_until > now
    if run_id is not None:
        held |= other.c.claimed_by == run_id
    return sa.exists().where(
        (other.c.account == documents.c.account)
        & (other.c.kind == documents.c.kind)
        & (other.c.tms_id == documents.c.tms_id)
        & (other.c.id != documents.c.id)
        & (other.c.state == State.EXPORTING)
        & held
    )


def _ledger_row(row: sa.RowMapping, written: tuple[WrittenRecord, ...]) -> LedgerRow:
    error = None
    if row["error_category"]:
        error = ErrorInfo(
            row["error_category"],
            row["error_code"],
            row["error_detail"],
            row["error_cause"],
            row["error_fix"],
        )
    return LedgerRow(
        row_id=row["id"],
        kind=row["kind"],
        tms_id=row["tms_id"],
        version=row["version"],
        state=State(row["state"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        blocked_on=row["blocked_on"],
        error=error,
        updated_at=row["updated_at"],
        records=written,
    )


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLAlchemy, not the driver, begins transactions (see _sqlite_begin). WAL lets status readers run beside
    # an export; the busy timeout rides out another process's commit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A claim reads candidates and then marks them; BEGIN IMMEDIATE takes the write lock before the read, so
    # two claimers never pick the same rows (PostgreSQL gets the same from FOR UPDATE SKIP LOCKED).
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", "tms_netsuite.ledger:migrations")
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
