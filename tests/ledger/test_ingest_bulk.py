"""Set-based ingest: a call ends exactly as its items ingested one by one, in order, would (SQLite, PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ledger.conftest import Clock
from tms_netsuite.ledger import Conflict, IngestItem, IngestSummary, Ledger, State, content_hash
from tms_netsuite.ledger._schema import documents

pytestmark = pytest.mark.anyio
WAITING = (State.PENDING, State.FAILED, State.BLOCKED)
# Columns compared between ledgers: every one but the id (compared by order) and the account.
COMPARED = [column for column in documents.c if column.name not in ("id", "account")]
_accounts = itertools.count()


@pytest.fixture
async def ledger(database_url: str, clock: Clock) -> AsyncIterator[Ledger]:
    opened = await Ledger.open(database_url, "123456_SB1", "sandbox", clock=clock)
    yield opened
    await opened.close()


def item(tms_id: str, version: int, kind: str = "invoice", tag: int = 0) -> IngestItem:
    return IngestItem(
        kind, tms_id, version, {"id": tms_id, "version": version, "tag": tag}, priority=len(kind)
    )


def beside(ledger: Ledger, name: str) -> Ledger:
    """Another account's ledger on the same database, so that each example of a property test starts clean."""
    return Ledger(ledger._engine, f"{name}-{next(_accounts)}", ledger.environment, clock=ledger._clock)


async def table(ledger: Ledger) -> list[dict[str, Any]]:
    query = sa.select(*COMPARED).where(documents.c.account == ledger.account).order_by(documents.c.id)
    async with ledger._engine.connect() as conn:
        return [dict(row) for row in (await conn.execute(query)).mappings()]


def versions(rows: list[dict[str, Any]]) -> list[tuple[str, str, int, State]]:
    return [(row["kind"], row["tms_id"], row["version"], State(row["state"])) for row in rows]


def hashed(rows: list[dict[str, Any]]) -> list[tuple[str, str, int, State, str]]:
    return [(*version, row["content_hash"]) for version, row in zip(versions(rows), rows, strict=True)]


async def set_states(ledger: Ledger, states: Sequence[State]) -> None:
    """Give the account's rows, oldest first, these states (as exports would have left them)."""
    query = sa.select(documents.c.id).where(documents.c.account == ledger.account).order_by(documents.c.id)
    async with ledger._engine.begin() as conn:
        ids = (await conn.execute(query)).scalars().all()
        for row_id, state in zip(ids, states, strict=False):
            await conn.execute(documents.update().where(documents.c.id == row_id).values(state=state))


def model(
    held: list[tuple[str, str, int, State, str]], items: Sequence[IngestItem]
) -> tuple[list[Any], IngestSummary]:
    """The documented rules, item by item: rows as (kind, tms_id, version, state) in insertion order; held
    rows carry their content hash too (a repeat with other content is a conflict)."""
    rows: list[list[Any]] = [list(row) for row in held]
    inserted = duplicates = superseded = 0
    conflicts: list[Conflict] = []
    for position, new in enumerate(items):
        mine = [row for row in rows if (row[0], row[1]) == (new.kind, new.tms_id)]
        same = next((row for row in mine if row[2] == new.version), None)
        if same is not None:
            if same[4] == content_hash(new.payload):
                duplicates += 1
            else:
                conflicts.append(
                    Conflict(position, new.kind, new.tms_id, new.version, same[4], content_hash(new.payload))
                )
            continue
        inserted += 1
        if any(row[2] > new.version for row in mine):
            rows.append([new.kind, new.tms_id, new.version, State.SUPERSEDED, content_hash(new.payload)])
            superseded += 1
            continue
        for row in mine:
            if row[3] in WAITING:
                row[3] = State.SUPERSEDED
                superseded += 1
        rows.append([new.kind, new.tms_id, new.version, State.PENDING, content_hash(new.payload)])
    return [tuple(row[:4]) for row in rows], IngestSummary(inserted, duplicates, superseded, tuple(conflicts))


items_strategy = st.lists(
    st.builds(
        item,
        tms_id=st.sampled_from(["A", "B", "C"]),
        version=st.integers(0, 4),
        kind=st.sampled_from(["invoice", "customer"]),  # the same id under two kinds: two documents
        tag=st.integers(0, 1),  # a repeat with other content is a conflict
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=items_strategy,
    states=st.lists(st.sampled_from(list(State)), max_size=12),
    items=items_strategy,
    chunk=st.sampled_from([1, 2, 3, 7, 500]),
    slice_=st.sampled_from([1, 2, 10_000]),
)
async def test_bulk_ingest_ends_as_one_by_one_ingest(
    ledger: Ledger,
    clock: Clock,
    before: list[IngestItem],
    states: list[State],
    items: list[IngestItem],
    chunk: int,
    slice_: int,
) -> None:
    """Rows held in any state, then one call with repeats and versions in any order, cut in chunks of any
    size: the same rows (in the same order), states, times and counts as one call per item, and as the rules."""
    bulk, single = beside(ledger, "bulk"), beside(ledger, "single")
    bulk._INGEST_CHUNK, bulk._SUPERSEDE_SLICE = chunk, slice_
    for each in (bulk, single):
        await each.ingest(before)
        await set_states(each, states)
    held = hashed(await table(single))
    clock.advance(minutes=1)
    summary = await bulk.ingest(items)
    total = IngestSummary()
    for position, one in enumerate(items):
        got = await single.ingest([one])
        total = IngestSummary(
            total.inserted + got.inserted,
            total.duplicates + got.duplicates,
            total.superseded + got.superseded,
            total.conflicts + tuple(replace(conflict, position=position) for conflict in got.conflicts),
        )
    assert summary == total
    assert await table(bulk) == await table(single)
    expected_rows, expected_summary = model(held, items)
    assert versions(await table(bulk)) == expected_rows
    assert summary == expected_summary


async def test_several_versions_in_one_call_end_as_one_by_one(ledger: Ledger, clock: Clock) -> None:
    """v1 pending, then one call: v3, v2 (late), v3 again (the same content), v4 (supersedes v3 and the held
    v1), v0 (late)."""
    await ledger.ingest([item("A", 1)])
    clock.advance(minutes=1)
    summary = await ledger.ingest([item("A", 3), item("A", 2), item("A", 3), item("A", 4), item("A", 0)])
    assert summary == IngestSummary(inserted=4, duplicates=1, superseded=4)
    rows = [(row.version, row.state, row.updated_at) async for row in ledger.rows()]
    assert rows == [
        (1, State.SUPERSEDED, clock.now),
        (3, State.SUPERSEDED, clock.now),
        (2, State.SUPERSEDED, clock.now),
        (4, State.PENDING, clock.now),
        (0, State.SUPERSEDED, clock.now),
    ]


async def test_versions_being_exported_or_written_are_left_alone(ledger: Ledger) -> None:
    """A newer version supersedes the held pending, failed and blocked versions, not exporting or synced ones."""
    await ledger.ingest([item(tms_id, 1) for tms_id in "PFBES"])
    await set_states(ledger, [State.PENDING, State.FAILED, State.BLOCKED, State.EXPORTING, State.SYNCED])
    summary = await ledger.ingest([item(tms_id, 2) for tms_id in "PFBES"])
    assert summary == IngestSummary(inserted=5, duplicates=0, superseded=3)
    states = {(row.tms_id, row.version): row.state async for row in ledger.rows()}
    assert {key: state for key, state in states.items() if key[1] == 1} == {
        ("P", 1): State.SUPERSEDED,
        ("F", 1): State.SUPERSEDED,
        ("B", 1): State.SUPERSEDED,
        ("E", 1): State.EXPORTING,
        ("S", 1): State.SYNCED,
    }


async def test_a_call_costs_a_few_statements_per_chunk(ledger: Ledger) -> None:
    """1,200 documents with a newer version of each already held: per chunk of 500, one SELECT, one INSERT
    and one UPDATE, whatever the number of documents (the bound parameters stay under the drivers' limits)."""
    await ledger.ingest([item(f"D{i:04}", 1, kind=("invoice", "customer")[i % 2]) for i in range(1_200)])
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "pg_advisory_xact_lock" not in statement:  # once per call: ingests of an account take turns
            statements.append(statement.split(None, 1)[0].upper())

    sa.event.listen(ledger._engine.sync_engine, "before_cursor_execute", count)
    try:
        summary = await ledger.ingest(
            [item(f"D{i:04}", 2, kind=("invoice", "customer")[i % 2]) for i in range(1_200)]
        )
    finally:
        sa.event.remove(ledger._engine.sync_engine, "before_cursor_execute", count)
    assert summary == IngestSummary(inserted=1_200, duplicates=0, superseded=1_200)
    assert [s for s in statements if s in ("SELECT", "INSERT", "UPDATE")] == [
        "SELECT",
        "INSERT",
        "UPDATE",
    ] * 3
    assert await ledger.counts() == {State.SUPERSEDED: 1_200, State.PENDING: 1_200}


async def test_one_call_may_hold_more_documents_than_a_statement_binds(ledger: Ledger) -> None:
    """33,000 documents in one call: more than SQLite (32,766) or asyncpg (32,767) bind in one statement."""
    summary = await ledger.ingest(item(f"D{i:05}", 1) for i in range(33_000))
    assert summary == IngestSummary(inserted=33_000, duplicates=0, superseded=0)
    assert await ledger.counts() == {State.PENDING: 33_000}
