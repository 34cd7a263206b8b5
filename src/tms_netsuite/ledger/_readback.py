"""The ledger's side of read-back: the cursor, what NetSuite held of our records when last read, the events their
changes became (an outbox: each event is written in the same transaction as the snapshot that saw its change,
and its dedupe key is unique per account, so a change is never lost and never evented twice), and the webhook
endpoints and deliveries that carry the events to the TMS."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tms_netsuite.ledger._model import State
from tms_netsuite.ledger._schema import (
    documents,
    events,
    readback_cursors,
    readback_records,
    records,
    webhook_deliveries,
    webhook_endpoints,
)

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the last complete read-back pass began: NetSuite's clock (UTC) and the users' offset from UTC."""

    at: datetime
    offset_seconds: int


@dataclass(frozen=True, slots=True)
class OurRecord:
    """A NetSuite record the connector wrote, with the TMS document version that wrote it last."""

    record_type: str
    external_id: str
    internal_id: str
    url: str
    kind: str
    tms_id: str
    version: int
    payload: Mapping[str, Any]
    written_at: datetime


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A NetSuite transaction as read-back last saw it (amounts as decimal text, the time as the users' local)."""

    internal_id: str
    record_type: str
    external_id: str | None
    url: str | None
    tms_kind: str | None
    tms_id: str | None
    tms_version: int | None
    last_modified: str
    total: str
    amount_remaining: str | None
    status: str | None
    line_count: int | None
    voided: bool
    deleted: bool


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to keep: its type, a key naming the change it reports (one event per key, ever), its body."""

    type: str
    dedupe_key: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event in the outbox: ``seq`` orders them (the pull cursor), ``event_id`` is its stable id."""

    seq: int
    event_id: str
    type: str
    payload: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A webhook endpoint; ``secret`` is as stored (encrypted)."""

    id: int
    url: str
    secret: str = field(repr=False)
    enabled: bool = True
    disabled_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event due to one endpoint."""

    endpoint: Endpoint
    event: StoredEvent
    attempts: int
    first_failed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """What became of one event at one endpoint."""

    endpoint_id: int
    event_id: str
    seq: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None


def event_id(account: str, dedupe_key: str) -> str:
    """The stable id of the event for one change: the same change always gets the same id (``msg_`` and 32 hex
    digits, a form Standard Webhooks' ``webhook-id`` takes)."""
    return "msg_" + hashlib.sha256(f"{account}\x00{dedupe_key}".encode()).hexdigest()[:32]


class ReadbackLedger:
    """Read-back's tables for one account. Get it from :meth:`Ledger.readback`."""

    def __init__(self, engine: AsyncEngine, account: str, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self.account = account
        self._clock = clock

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that reads, then writes: on SQLite it takes the write lock first (BEGIN IMMEDIATE), so it
        waits for another writer (a delivery round, a pass) instead of failing with "database is locked"."""
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
            async with conn.begin():
                yield conn

    # -- cursor and our records -------------------------------------------------------------------------

    async def cursor(self) -> Cursor | None:
        """Where the last complete pass began, or None before the first."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(readback_cursors.c.cursor_at, readback_cursors.c.offset_seconds).where(
                        readback_cursors.c.account == self.account
                    )
                )
            ).first()
        return Cursor(row[0], int(row[1])) if row else None

    async def last_pass_at(self) -> datetime | None:
        """When the last complete pass ended (by this ledger's clock), or None before the first: kept with the
        account, so a read-back's schedule survives restarts and is shared by every process."""
        async with self._engine.connect() as conn:
            return (
                await conn.execute(
                    sa.select(readback_cursors.c.updated_at).where(readback_cursors.c.account == self.account)
                )
            ).scalar()

    async def first_export_at(self) -> datetime | None:
        """When the connector first wrote a record to this account (the first read-back starts there)."""
        async with self._engine.connect() as conn:
            value = (
                await conn.execute(
                    sa.select(sa.func.min(records.c.written_at)).where(records.c.account == self.account)
                )
            ).scalar()
        return value if isinstance(value, datetime) else None

    async def our_records(
        self, internal_ids: Iterable[str] | None = None, *, record_types: Sequence[str] | None = None
    ) -> dict[str, OurRecord]:
        """The records we wrote, by internal id (those named, or all; of some record types, or all)."""
        columns = (
            records.c.record_type,
            records.c.external_id,
            records.c.internal_id,
            records.c.url,
            records.c.written_at,
            documents.c.kind,
            documents.c.tms_id,
            documents.c.version,
            documents.c.payload,
        )
        base = (
            sa.select(*columns)
            .join(documents, documents.c.id == records.c.document_id)
            .where(records.c.account == self.account)
        )
        if record_types is not None:
            base = base.where(records.c.record_type.in_(list(record_types)))
        found: dict[str, OurRecord] = {}
        async with self._engine.connect() as conn:
            if internal_ids is None:
                rows = (await conn.execute(base)).mappings().all()
            else:
                wanted = list(dict.fromkeys(internal_ids))
                rows = []
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    rows.extend((await conn.execute(base.where(records.c.internal_id.in_(chunk)))).mappings())
        for row in rows:
            found[row["internal_id"]] = OurRecord(
                record_type=row["record_type"],
                external_id=row["external_id"],
                internal_id=row["internal_id"],
                url=row["url"],
                kind=row["kind"],
                tms_id=row["tms_id"],
                version=int(row["version"]),
                payload=row["payload"] if isinstance(row["payload"], dict) else {},
                written_at=row["written_at"],
            )
        return found

    async def documents(self, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """The account's document versions of these kinds that are not superseded, with their payloads (for
        reconciliation): id, kind, tms_id, version, state, voided, payload."""
        query = (
            sa.select(
                documents.c.id,
                documents.c.kind,
                documents.c.tms_id,
                documents.c.version,
                documents.c.state,
                documents.c.voided,
                documents.c.payload,
            )
            .where(documents.c.account == self.account, documents.c.kind.in_(list(kinds)))
            .where(documents.c.state != State.SUPERSEDED.value)
            .order_by(documents.c.id)
        )
        async with self._engine.connect() as conn:
            return [dict(row) for row in (await conn.execute(query)).mappings()]

    async def snapshots(self, internal_ids: Iterable[str]) -> dict[str, Snapshot]:
        """What read-back last saw of these transactions."""
        wanted = list(dict.fromkeys(internal_ids))
        found: dict[str, Snapshot] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                query = sa.select(readback_records).where(
                    readback_records.c.account == self.account,
                    readback_records.c.internal_id.in_(wanted[start : start + _CHUNK]),
                )
                for row in (await conn.execute(query)).mappings():
                    found[row["internal_id"]] = _snapshot(row)
        return found

    async def documents_to_announce(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Synced or failed document versions not yet announced by a ``document.synced`` / ``document.failed``
        event (the failure's attempt count is part of its key: a failure after a retry is announced again)."""
        synced_key = sa.literal("document.synced:") + sa.cast(documents.c.id, sa.String)
        failed_key = (
            sa.literal("document.failed:")
            + sa.cast(documents.c.id, sa.String)
            + sa.literal(":")
            + sa.cast(documents.c.attempts, sa.String)
        )
        key = sa.case((documents.c.state == State.SYNCED.value, synced_key), else_=failed_key)
        announced = sa.exists().where(events.c.account == self.account, events.c.dedupe_key == key)
        query = (
            sa.select(
                documents.c.id,
                documents.c.kind,
                documents.c.tms_id,
                documents.c.version,
                documents.c.state,
                documents.c.attempts,
                documents.c.error_category,
                documents.c.error_code,
                documents.c.error_detail,
                documents.c.error_fix,
                documents.c.updated_at,
            )
            .where(documents.c.account == self.account)
            .where(documents.c.state.in_([State.SYNCED.value, State.FAILED.value]))
            .where(~announced)
            .order_by(documents.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = [dict(row) for row in (await conn.execute(query)).mappings()]
            ids = [row["id"] for row in rows]
            written: dict[int, list[dict[str, str]]] = {}
            for start in range(0, len(ids), _CHUNK):
                query_records = sa.select(
                    records.c.document_id,
                    records.c.record_type,
                    records.c.external_id,
                    records.c.internal_id,
                    records.c.url,
                ).where(records.c.document_id.in_(ids[start : start + _CHUNK]))
                for record in (await conn.execute(query_records)).mappings():
                    written.setdefault(record["document_id"], []).append(
                        {k: record[k] for k in ("record_type", "external_id", "internal_id", "url")}
                    )
        for row in rows:
            row["records"] = written.get(row["id"], [])
        return rows

    # -- the one write: snapshots, events and the cursor together ---------------------------------------

    async def commit(
        self, snapshots: Sequence[Snapshot], new_events: Sequence[NewEvent], cursor: Cursor | None = None
    ) -> list[StoredEvent]:
        """Keep snapshots and the events they caused, and move the cursor, in one transaction; returns the
        events that were new (an event whose key is already kept is not kept again)."""
        now = self._clock()
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
            async with conn.begin():
                if snapshots:
                    await self._save_snapshots(conn, snapshots, now)
                kept = await self._insert_events(conn, new_events, now)
                if cursor is not None:
                    await self._save_cursor(conn, cursor, now)
        return kept

    async def _save_snapshots(
        self, conn: AsyncConnection, snapshots: Sequence[Snapshot], now: datetime
    ) -> None:
        rows = {
            s.internal_id: {"account": self.account, **_snapshot_values(s), "seen_at": now} for s in snapshots
        }
        table = readback_records
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
        columns = [c.name for c in table.columns if c.name not in ("account", "internal_id")]
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.account, table.c.internal_id],
            set_={name: insert.excluded[name] for name in columns},
        )
        await conn.execute(statement, list(rows.values()))

    async def _insert_events(
        self, conn: AsyncConnection, new_events: Sequence[NewEvent], now: datetime
    ) -> list[StoredEvent]:
        kept: list[StoredEvent] = []
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        for event in new_events:
            identity = event_id(self.account, event.dedupe_key)
            payload = {**event.payload, "id": identity, "type": event.type}
            statement = (
                insert(events)
                .values(
                    account=self.account,
                    event_id=identity,
                    type=event.type,
                    dedupe_key=event.dedupe_key,
                    payload=payload,
                    created_at=now,
                )
                .on_conflict_do_nothing()
                .returning(events.c.seq)
            )
            seq = (await conn.execute(statement)).scalar()
            if seq is not None:
                kept.append(StoredEvent(int(seq), identity, event.type, payload, now))
        return kept

    async def _save_cursor(self, conn: AsyncConnection, cursor: Cursor, now: datetime) -> None:
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(readback_cursors)
        values = {"cursor_at": cursor.at, "offset_seconds": cursor.offset_seconds, "updated_at": now}
        await conn.execute(
            insert.values(account=self.account, **values).on_conflict_do_update(
                index_elements=[readback_cursors.c.account], set_=values
            )
        )

    # -- reading the outbox -----------------------------------------------------------------------------

    async def events_after(self, seq: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Events after ``seq``, oldest first (the pull API's page)."""
        query = (
            sa.select(events)
            .where(events.c.account == self.account, events.c.seq > seq)
            .order_by(events.c.seq)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [stored_event(row) for row in (await conn.execute(query)).mappings()]

    async def unwritten_events(self, limit: int = 1000) -> list[StoredEvent]:
        """Events never written out by ``sync-back --out``, oldest first."""
        query = (
            sa.select(events)
            .where(events.c.account == self.account, events.c.written_at.is_(None))
            .order_by(events.c.seq)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [stored_event(row) for row in (await conn.execute(query)).mappings()]

    async def mark_written(self, seqs: Sequence[int]) -> None:
        """Note that these events were written out (they are not written again)."""
        now = self._clock()
        async with self._engine.begin() as conn:
            for start in range(0, len(seqs), _CHUNK):
                await conn.execute(
                    sa.update(events)
                    .where(
                        events.c.account == self.account, events.c.seq.in_(list(seqs[start : start + _CHUNK]))
                    )
                    .values(written_at=now)
                )

    # -- webhooks ---------------------------------------------------------------------------------------

    async def add_endpoint(self, url: str, encrypted_secret: str, *, from_start: bool) -> int:
        """A new enabled endpoint; it gets the events kept from now on (or every event, ``from_start``)."""
        now = self._clock()
        async with self._writing() as conn:
            last = (
                await conn.execute(
                    sa.select(sa.func.max(events.c.seq)).where(events.c.account == self.account)
                )
            ).scalar()
            result = await conn.execute(
                sa.insert(webhook_endpoints)
                .values(
                    account=self.account,
                    url=url,
                    secret=encrypted_secret,
                    enabled=True,
                    enqueued_through=0 if from_start or last is None else int(last),
                    created_at=now,
                )
                .returning(webhook_endpoints.c.id)
            )
            return int(result.scalar_one())

    async def endpoints(self) -> list[Endpoint]:
        query = (
            sa.select(webhook_endpoints)
            .where(webhook_endpoints.c.account == self.account)
            .order_by(webhook_endpoints.c.id)
        )
        async with self._engine.connect() as conn:
            return [_endpoint(row) for row in (await conn.execute(query)).mappings()]

    async def set_endpoint(self, endpoint_id: int, *, enabled: bool, reason: str | None = None) -> bool:
        """Enable (the user, once the receiver is fixed: its failed deliveries are due again) or disable an
        endpoint; False when there is no such endpoint."""
        now = self._clock()
        async with self._writing() as conn:
            result = await conn.execute(
                sa.update(webhook_endpoints)
                .where(webhook_endpoints.c.account == self.account, webhook_endpoints.c.id == endpoint_id)
                .values(enabled=enabled, disabled_reason=None if enabled else reason)
            )
            if enabled and result.rowcount:
                await conn.execute(
                    sa.update(webhook_deliveries)
                    .where(
                        webhook_deliveries.c.endpoint_id == endpoint_id,
                        webhook_deliveries.c.state.in_(["failed", "pending"]),
                    )
                    .values(state="pending", next_attempt_at=now, first_failed_at=None)
                )
        return bool(result.rowcount)

    async def remove_endpoint(self, endpoint_id: int) -> bool:
        async with self._writing() as conn:
            if not await self._owns(conn, endpoint_id):
                return False  # another account's endpoint is left alone
            await conn.execute(
                sa.delete(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id)
            )
            result = await conn.execute(
                sa.delete(webhook_endpoints).where(
                    webhook_endpoints.c.account == self.account, webhook_endpoints.c.id == endpoint_id
                )
            )
        return bool(result.rowcount)

    async def _owns(self, conn: AsyncConnection, endpoint_id: int) -> bool:
        """Whether the endpoint is this account's (ids are shared by every account of a service)."""
        found = await conn.execute(
            sa.select(webhook_endpoints.c.id).where(
                webhook_endpoints.c.account == self.account, webhook_endpoints.c.id == endpoint_id
            )
        )
        return found.first() is not None

    async def enqueue_deliveries(self) -> int:
        """Give each enabled endpoint a delivery of every event kept since it was last given one."""
        now = self._clock()
        made = 0
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
            async with conn.begin():
                enabled = (
                    await conn.execute(
                        sa.select(webhook_endpoints.c.id, webhook_endpoints.c.enqueued_through).where(
                            webhook_endpoints.c.account == self.account, webhook_endpoints.c.enabled.is_(True)
                        )
                    )
                ).all()
                for endpoint_id, through in enabled:
                    seqs = (
                        (
                            await conn.execute(
                                sa.select(events.c.seq)
                                .where(events.c.account == self.account, events.c.seq > through)
                                .order_by(events.c.seq)
                            )
                        )
                        .scalars()
                        .all()
                    )
                    if not seqs:
                        continue
                    await conn.execute(
                        sa.insert(webhook_deliveries),
                        [
                            {"endpoint_id": endpoint_id, "event_seq": seq, "state": "pending", "attempts": 0,
                             "next_attempt_at": now}
                            for seq in seqs
                        ],
                    )  # fmt: skip
                    await conn.execute(
                        sa.update(webhook_endpoints)
                        .where(webhook_endpoints.c.id == endpoint_id)
                        .values(enqueued_through=max(seqs))
                    )
                    made += len(seqs)
        return made

    async def due_deliveries(self, limit: int = 100) -> list[Delivery]:
        """Pending deliveries to enabled endpoints whose time has come, oldest event first per endpoint."""
        now = self._clock()
        query = (
            sa.select(
                webhook_deliveries.c.attempts,
                webhook_deliveries.c.first_failed_at,
                webhook_endpoints,
                events.c.seq,
                events.c.event_id,
                events.c.type,
                events.c.payload,
                events.c.created_at,
            )
            .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
            .join(events, events.c.seq == webhook_deliveries.c.event_seq)
            .where(webhook_endpoints.c.account == self.account, webhook_endpoints.c.enabled.is_(True))
            .where(webhook_deliveries.c.state == "pending", webhook_deliveries.c.next_attempt_at <= now)
            .order_by(webhook_deliveries.c.endpoint_id, events.c.seq)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            Delivery(
                endpoint=_endpoint(row),
                event=stored_event(row),
                attempts=int(row["attempts"]),
                first_failed_at=row["first_failed_at"],
            )
            for row in rows
        ]

    async def settle_delivery(
        self,
        delivery: Delivery,
        *,
        delivered: bool,
        status: int | None,
        error: str | None,
        next_attempt_at: datetime | None,
        disable_reason: str | None = None,
    ) -> None:
        """Record one attempt: delivered; or failed and due again at ``next_attempt_at``; or (no next attempt)
        failed for good, and the endpoint disabled with ``disable_reason`` when one is given."""
        now = self._clock()
        values: dict[str, Any] = {
            "attempts": delivery.attempts + 1,
            "last_status": status,
            "last_error": error,
        }
        if delivered:
            values.update(state="delivered", delivered_at=now, next_attempt_at=None)
        else:
            values.update(
                state="pending" if next_attempt_at is not None else "failed",
                next_attempt_at=next_attempt_at,
                first_failed_at=delivery.first_failed_at or now,
            )
        async with self._engine.begin() as conn:
            await conn.execute(
                sa.update(webhook_deliveries)
                .where(
                    webhook_deliveries.c.endpoint_id == delivery.endpoint.id,
                    webhook_deliveries.c.event_seq == delivery.event.seq,
                )
                .values(**values)
            )
            if disable_reason is not None:
                await conn.execute(
                    sa.update(webhook_endpoints)
                    .where(webhook_endpoints.c.id == delivery.endpoint.id)
                    .values(enabled=False, disabled_reason=disable_reason)
                )

    async def redeliver(self, endpoint_id: int, event_ids: Sequence[str] | None = None) -> int:
        """Send events again to an endpoint (those named, or every failed one); returns how many are due."""
        now = self._clock()
        condition = webhook_deliveries.c.endpoint_id == endpoint_id
        async with self._writing() as conn:
            if not await self._owns(conn, endpoint_id):
                return 0
            if event_ids:
                seqs = (
                    (
                        await conn.execute(
                            sa.select(events.c.seq).where(
                                events.c.account == self.account, events.c.event_id.in_(list(event_ids))
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
                condition = condition & webhook_deliveries.c.event_seq.in_(list(seqs))
            else:
                condition = condition & (webhook_deliveries.c.state == "failed")
            result = await conn.execute(
                sa.update(webhook_deliveries)
                .where(condition)
                .values(state="pending", next_attempt_at=now, first_failed_at=None)
            )
        return int(result.rowcount)

    async def deliveries_due(self) -> bool:
        """Whether a round of deliveries has work: an enabled endpoint not yet given every event, or a pending
        delivery to an enabled endpoint whose time has come (what a sweep over every account defers one for)."""
        now = self._clock()
        enabled = sa.and_(webhook_endpoints.c.account == self.account, webhook_endpoints.c.enabled.is_(True))
        behind = sa.exists().where(
            events.c.account == self.account, events.c.seq > webhook_endpoints.c.enqueued_through
        )
        new_events = sa.select(webhook_endpoints.c.id).where(enabled, behind).limit(1)
        retries = (
            sa.select(webhook_deliveries.c.endpoint_id)
            .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
            .where(enabled)
            .where(webhook_deliveries.c.state == "pending", webhook_deliveries.c.next_attempt_at <= now)
            .limit(1)
        )
        async with self._engine.connect() as conn:
            if (await conn.execute(new_events)).first() is not None:
                return True
            return (await conn.execute(retries)).first() is not None

    async def delivery_counts(self, endpoint_id: int) -> dict[str, int]:
        """The endpoint's deliveries by state (counted by the database)."""
        query = (
            sa.select(webhook_deliveries.c.state, sa.func.count())
            .where(webhook_deliveries.c.endpoint_id == endpoint_id)
            .group_by(webhook_deliveries.c.state)
        )
        async with self._engine.connect() as conn:
            return {str(state): int(n) for state, n in sorted((await conn.execute(query)).all())}

    async def deliveries(
        self,
        endpoint_id: int | None = None,
        *,
        state: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[DeliveryState]:
        """Deliveries (of one endpoint, in one state), by endpoint and event; at most ``limit``, paged by the
        database."""
        order = webhook_deliveries.c.event_seq.desc() if newest_first else webhook_deliveries.c.event_seq
        query = (
            sa.select(webhook_deliveries, events.c.event_id)
            .join(events, events.c.seq == webhook_deliveries.c.event_seq)
            .where(events.c.account == self.account)
            .order_by(webhook_deliveries.c.endpoint_id, order)
        )
        if endpoint_id is not None:
            query = query.where(webhook_deliveries.c.endpoint_id == endpoint_id)
        if state is not None:
            query = query.where(webhook_deliveries.c.state == state)
        if limit is not None:
            query = query.limit(limit)
        async with self._engine.connect() as conn:
            return [
                DeliveryState(
                    endpoint_id=int(row["endpoint_id"]),
                    event_id=row["event_id"],
                    seq=int(row["event_seq"]),
                    state=row["state"],
                    attempts=int(row["attempts"]),
                    next_attempt_at=row["next_attempt_at"],
                    last_status=row["last_status"],
                    last_error=row["last_error"],
                )
                for row in (await conn.execute(query)).mappings()
            ]


def _snapshot_values(s: Snapshot) -> dict[str, Any]:
    return {
        "internal_id": s.internal_id,
        "record_type": s.record_type,
        "external_id": s.external_id,
        "url": s.url,
        "tms_kind": s.tms_kind,
        "tms_id": s.tms_id,
        "tms_version": s.tms_version,
        "last_modified": s.last_modified,
        "total": s.total,
        "amount_remaining": s.amount_remaining,
        "status": s.status,
        "line_count": s.line_count,
        "voided": s.voided,
        "deleted": s.deleted,
    }


def _snapshot(row: sa.RowMapping) -> Snapshot:
    return Snapshot(
        internal_id=row["internal_id"],
        record_type=row["record_type"],
        external_id=row["external_id"],
        url=row["url"],
        tms_kind=row["tms_kind"],
        tms_id=row["tms_id"],
        tms_version=row["tms_version"],
        last_modified=row["last_modified"],
        total=row["total"],
        amount_remaining=row["amount_remaining"],
        status=row["status"],
        line_count=row["line_count"],
        voided=bool(row["voided"]),
        deleted=bool(row["deleted"]),
    )


def stored_event(row: sa.RowMapping) -> StoredEvent:
    payload = row["payload"]
    return StoredEvent(
        seq=int(row["seq"]),
        event_id=row["event_id"],
        type=row["type"],
        payload=payload if isinstance(payload, dict) else {},
        created_at=row["created_at"],
    )


def _endpoint(row: sa.RowMapping) -> Endpoint:
    return Endpoint(
        id=int(row["id"]),
        url=row["url"],
        secret=row["secret"],
        enabled=bool(row["enabled"]),
        disabled_reason=row["disabled_reason"],
    )
