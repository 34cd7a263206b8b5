"""One contract for every ledger backend: idempotent ingest, supersession, claims with leases, outcomes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from tests.ledger.conftest import Clock
from tms_netsuite.ledger import (
    ErrorInfo,
    IngestItem,
    Ledger,
    Outcome,
    RejectedLine,
    State,
    WrittenRecord,
    content_hash,
)
from tms_netsuite.ledger._schema import documents, metadata

pytestmark = pytest.mark.anyio
LEASE = timedelta(minutes=5)
ERROR = ErrorInfo(
    category="data", code="USER_ERROR", detail="Please enter value(s) for: Subsidiary.", cause="c", fix="f"
)


def doc(tms_id: str, version: int = 1, kind: str = "invoice", **payload: object) -> IngestItem:
    return IngestItem(
        kind=kind, tms_id=tms_id, version=version, payload={"id": tms_id, "version": version, **payload}
    )


@pytest.fixture
async def ledger(database_url: str, clock: Clock) -> AsyncIterator[Ledger]:
    opened = await Ledger.open(database_url, "123456_SB1", "sandbox", clock=clock)
    yield opened
    await opened.close()


async def states(ledger: Ledger) -> dict[tuple[str, int], State]:
    return {(row.tms_id, row.version): row.state async for row in ledger.rows()}


async def test_ingest_is_idempotent(ledger: Ledger) -> None:
    """The same id, version and content twice is one row."""
    first = await ledger.ingest([doc("A"), doc("B", amount="1")])
    again = await ledger.ingest([doc("A"), doc("B", amount="1")])
    assert (first.inserted, first.duplicates) == (2, 0)
    assert (again.inserted, again.duplicates, again.conflicts) == (0, 2, ())
    assert await ledger.counts() == {State.PENDING: 2}


async def test_the_same_version_with_other_content_is_a_conflict(ledger: Ledger) -> None:
    """INV-SV-1 v1 held; v1 again with another memo is refused, named with both hashes, and the ledger keeps
    the first content; the same within one call (the second of two v1s in one file)."""
    await ledger.ingest([doc("INV-SV-1", memo="first", lines=3)])
    summary = await ledger.ingest([doc("INV-SV-1", memo="second", lines=1), doc("X"), doc("X", memo="other")])
    held, sent = (
        content_hash({"id": "INV-SV-1", "version": 1, "memo": "first", "lines": 3}),
        content_hash({"id": "INV-SV-1", "version": 1, "memo": "second", "lines": 1}),
    )
    assert (summary.inserted, summary.duplicates) == (1, 0)
    first, second = summary.conflicts
    assert (first.position, first.kind, first.tms_id, first.version) == (0, "invoice", "INV-SV-1", 1)
    assert (first.held_hash, first.sent_hash) == (held, sent)
    assert "invoice INV-SV-1 v1" in str(first)
    assert "send it as a new version" in str(first)
    assert (second.position, second.tms_id) == (2, "X")
    [row] = [row async for row in ledger.rows() if row.tms_id == "INV-SV-1"]
    async with ledger._engine.connect() as conn:
        payload = (
            await conn.execute(sa.select(documents.c.payload).where(documents.c.id == row.row_id))
        ).scalar_one()
    assert payload["memo"] == "first"


async def test_a_newer_version_supersedes_pending_older_ones(ledger: Ledger) -> None:
    """v2 supersedes a pending v1; a late v1 after v3 is recorded as superseded at once."""
    await ledger.ingest([doc("A", 1)])
    summary = await ledger.ingest([doc("A", 2)])
    assert summary.superseded == 1
    late = await ledger.ingest([doc("A", 3), doc("A", 0)])
    assert late.inserted == 2
    assert await states(ledger) == {
        ("A", 1): State.SUPERSEDED,
        ("A", 2): State.SUPERSEDED,
        ("A", 3): State.PENDING,
        ("A", 0): State.SUPERSEDED,
    }


async def test_a_synced_version_stays_synced_when_a_newer_one_arrives(ledger: Ledger) -> None:
    """A changed document that was already written is a new pending row (the engine updates the record)."""
    await ledger.ingest([doc("A", 1)])
    [claimed] = await ledger.claim("run-1", limit=10, lease=LEASE)
    written = (WrittenRecord("invoice", "tms-invoice-A", "55", "https://x/55"),)
    await ledger.settle([Outcome(claimed.row_id, State.SYNCED, written)])
    await ledger.ingest([doc("A", 2)])
    assert await states(ledger) == {("A", 1): State.SYNCED, ("A", 2): State.PENDING}


async def test_claim_takes_due_rows_once_and_counts_attempts(ledger: Ledger) -> None:
    """Claimed rows are exporting, carry their payload and attempt count, and are not claimed twice."""
    await ledger.ingest([doc(str(i)) for i in range(5)])
    first = await ledger.claim("run-1", limit=3, lease=LEASE)
    second = await ledger.claim("run-2", limit=10, lease=LEASE)
    assert [c.tms_id for c in first] == ["0", "1", "2"]
    assert [c.tms_id for c in second] == ["3", "4"]
    assert {c.attempts for c in first + second} == {1}
    assert first[0].payload == {"id": "0", "version": 1}
    assert not first[0].outcome_unknown
    assert await ledger.claim("run-3", limit=10, lease=LEASE) == []
    assert await ledger.counts() == {State.EXPORTING: 5}


async def test_claims_follow_priority_then_age(ledger: Ledger) -> None:
    """Lower priority numbers (master data) are claimed before higher ones, whatever the ingest order."""
    items = [
        IngestItem("customer_payment", "P", 1, {}, priority=2),
        IngestItem("invoice", "I", 1, {}, priority=1),
        IngestItem("customer", "C2", 1, {}, priority=0),
        IngestItem("customer", "C1", 1, {}, priority=0),
    ]
    await ledger.ingest(items)
    claimed = await ledger.claim("run-1", limit=3, lease=LEASE)
    assert [c.tms_id for c in claimed] == ["C2", "C1", "I"]


async def test_a_lapsed_lease_is_reclaimed_with_its_outcome_unknown(ledger: Ledger, clock: Clock) -> None:
    """A run that died mid-export leaves rows that another run reclaims, marked for lookup first."""
    await ledger.ingest([doc("A")])
    await ledger.claim("run-dead", limit=10, lease=LEASE)
    assert await ledger.claim("run-2", limit=10, lease=LEASE) == []
    clock.advance(minutes=6)
    [again] = await ledger.claim("run-2", limit=10, lease=LEASE)
    assert again.outcome_unknown
    assert again.attempts == 2


async def test_a_document_is_not_claimed_while_another_version_is_exporting(ledger: Ledger) -> None:
    """v2 waits until v1's export is recorded, so two versions never race in NetSuite."""
    await ledger.ingest([doc("A", 1)])
    [v1] = await ledger.claim("run-1", limit=10, lease=LEASE)
    await ledger.ingest([doc("A", 2)])
    assert await ledger.claim("run-2", limit=10, lease=LEASE) == []
    await ledger.settle([Outcome(v1.row_id, State.SYNCED)])
    [v2] = await ledger.claim("run-2", limit=10, lease=LEASE)
    assert v2.version == 2


async def test_retryable_failures_wait_until_their_time(ledger: Ledger, clock: Clock) -> None:
    """A retryable failure keeps the row pending, not claimable until its next attempt time, with the error kept."""
    await ledger.ingest([doc("A")])
    [claimed] = await ledger.claim("run-1", limit=10, lease=LEASE)
    retry_at = clock.now + timedelta(seconds=30)
    await ledger.settle([Outcome.retry(claimed.row_id, ERROR, at=retry_at, outcome_unknown=True)])
    assert await ledger.claim("run-1", limit=10, lease=LEASE) == []
    assert await ledger.next_due() == clock.now + timedelta(seconds=30)
    [row] = [r async for r in ledger.rows()]
    assert row.state is State.PENDING
    assert row.error == ERROR
    clock.advance(seconds=31)
    [again] = await ledger.claim("run-1", limit=10, lease=LEASE)
    assert again.outcome_unknown
    assert again.attempts == 2


async def test_failed_and_blocked_rows_come_back_on_retry(ledger: Ledger) -> None:
    """Permanent failures and blocked rows wait for retry(), all or by id."""
    await ledger.ingest([doc("A"), doc("B"), doc("C")])
    a, b, c = await ledger.claim("run-1", limit=10, lease=LEASE)
    await ledger.settle(
        [
            Outcome.failed(a.row_id, ERROR),
            Outcome(b.row_id, State.BLOCKED, blocked_on="invoice A failed"),
            Outcome.skipped(c.row_id, "company driver: payroll"),
        ]
    )
    assert await ledger.counts() == {State.FAILED: 1, State.BLOCKED: 1, State.SKIPPED: 1}
    assert await ledger.retry([a.row_id]) == 1
    assert await ledger.retry() == 1
    assert await ledger.counts() == {State.PENDING: 2, State.SKIPPED: 1}
    skipped = [r async for r in ledger.rows(state=State.SKIPPED)]
    assert skipped[0].skip_reason == "company driver: payroll"
    assert skipped[0].blocked_on is None


async def test_written_records_are_known_by_external_id(ledger: Ledger) -> None:
    """A synced outcome stores each record; a later write of the same external id updates its row."""
    await ledger.ingest([doc("A", 1), doc("P", kind="customer_payment")])
    first, payment = await ledger.claim("run-1", limit=10, lease=LEASE)
    invoice = WrittenRecord("invoice", "tms-invoice-A", "55", "https://x/55")
    await ledger.settle([Outcome(first.row_id, State.SYNCED, (invoice,))])
    await ledger.settle(
        [
            Outcome(
                payment.row_id,
                State.SYNCED,
                (
                    WrittenRecord("vendorCredit", "tms-bill_payment-P-fee", "8", "https://x/8"),
                    WrittenRecord("vendorPayment", "tms-bill_payment-P", "9", "https://x/9"),
                ),
            )
        ]
    )
    known = await ledger.known_records(
        [("invoice", "tms-invoice-A"), ("vendorPayment", "tms-bill_payment-P"), ("invoice", "tms-invoice-Z")]
    )
    assert known == {("invoice", "tms-invoice-A"): "55", ("vendorPayment", "tms-bill_payment-P"): "9"}
    rows = {r.tms_id: r async for r in ledger.rows()}
    assert [w.record_type for w in rows["P"].records] == ["vendorCredit", "vendorPayment"]
    assert rows["A"].records[0].url == "https://x/55"


async def test_accounts_never_mix(database_url: str, clock: Clock) -> None:
    """A sandbox and production ledger in one database see only their own rows and records."""
    sandbox = await Ledger.open(database_url, "123456_SB1", "sandbox", clock=clock)
    production = await Ledger.open(database_url, "123456", "production", clock=clock)
    try:
        await sandbox.ingest([doc("A")])
        await production.ingest([doc("A"), doc("B")])
        [claimed] = await sandbox.claim("run", limit=10, lease=LEASE)
        written = (WrittenRecord("invoice", "tms-invoice-A", "1", "u"),)
        await sandbox.settle([Outcome(claimed.row_id, State.SYNCED, written)])
        assert await sandbox.counts() == {State.SYNCED: 1}
        assert await production.counts() == {State.PENDING: 2}
        assert await production.known_records([("invoice", "tms-invoice-A")]) == {}
    finally:
        await sandbox.close()
        await production.close()


async def test_rows_stream_in_batches_and_times_are_utc(ledger: Ledger) -> None:
    """rows() pages through every row in order; timestamps come back timezone-aware UTC."""
    await ledger.ingest([doc(f"{i:03}") for i in range(25)])
    rows = [r async for r in ledger.rows(batch=7)]
    assert [r.tms_id for r in rows] == [f"{i:03}" for i in range(25)]
    assert rows[0].updated_at.tzinfo is UTC


async def test_concurrent_claims_never_share_a_row(ledger: Ledger) -> None:
    """Several runs claiming at once get disjoint rows."""
    await ledger.ingest([doc(str(i)) for i in range(60)])
    results = await asyncio.gather(*(ledger.claim(f"run-{n}", limit=10, lease=LEASE) for n in range(8)))
    ids = [c.row_id for batch in results for c in batch]
    assert len(ids) == len(set(ids)) == 60


async def test_migrations_create_exactly_the_declared_schema(ledger: Ledger, database_url: str) -> None:
    """Alembic's migrations and the tables the code uses agree (no autogenerate diff), and re-opening is a no-op."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"include_name": _ours}), metadata
                )
            )
            version = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()
    finally:
        await engine.dispose()
    assert diff == []
    assert version == "0013"
    reopened = await Ledger.open(database_url, "123456_SB1", "sandbox")
    await reopened.close()


async def test_skip_reasons_move_out_of_blocked_on_when_the_ledger_is_upgraded(database_url: str) -> None:
    """A ledger written before migration 0003 kept a skip reason in blocked_on: opening it moves the reason to
    skip_reason and leaves the dependencies of blocked rows where they are."""
    engine = create_async_engine(database_url)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    old_row = {"account": "123456_SB1", "environment": "sandbox", "kind": "driver_settlement", "version": 1}
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_to, "0002")
            for tms_id, state, blocked_on in [
                ("S", State.SKIPPED, "company driver: payroll"),
                ("B", State.BLOCKED, "vendor/eid:tms-carrier-X"),
            ]:
                await conn.execute(
                    sa.text(
                        "INSERT INTO documents (account, environment, kind, tms_id, version, voided,"
                        " content_hash, payload, state, blocked_on, created_at, updated_at) VALUES (:account,"
                        " :environment, :kind, :tms_id, :version, false, '', '{}', :state, :blocked_on, :now,"
                        " :now)"
                    ),
                    {**old_row, "tms_id": tms_id, "state": state.value, "blocked_on": blocked_on, "now": now},
                )
    finally:
        await engine.dispose()
    ledger = await Ledger.open(database_url, "123456_SB1", "sandbox")
    try:
        rows = {row.tms_id: row async for row in ledger.rows()}
    finally:
        await ledger.close()
    assert (rows["S"].skip_reason, rows["S"].blocked_on) == ("company driver: payroll", None)
    assert (rows["B"].skip_reason, rows["B"].blocked_on) == (None, "vendor/eid:tms-carrier-X")


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    """The job queue's tables (migration 0013, PostgreSQL only) are procrastinate's, not declared in _schema."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def upgrade_to(connection: sa.Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", "tms_netsuite.ledger:migrations")
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_blocked_rows_are_released_when_their_dependency_is_written(ledger: Ledger) -> None:
    """A row blocked on a record becomes pending once that record is released; others stay blocked."""
    await ledger.ingest([doc("P1", kind="customer_payment"), doc("P2", kind="customer_payment")])
    p1, p2 = await ledger.claim("run-1", limit=10, lease=LEASE)
    await ledger.settle(
        [
            Outcome(p1.row_id, State.BLOCKED, blocked_on="invoice/eid:tms-invoice-A"),
            Outcome(p2.row_id, State.BLOCKED, blocked_on="invoice/eid:tms-invoice-B"),
        ]
    )
    assert await ledger.release_blocked(["invoice/eid:tms-invoice-A", "customer/eid:x"]) == 1
    assert await states(ledger) == {("P1", 1): State.PENDING, ("P2", 1): State.BLOCKED}


async def test_records_written_before_a_failure_are_kept_and_can_be_forgotten(ledger: Ledger) -> None:
    """A document that wrote one record and then failed keeps that record known; forget_records drops it."""
    await ledger.ingest([doc("S", kind="driver_settlement")])
    [claimed] = await ledger.claim("run-1", limit=10, lease=LEASE)
    bill = WrittenRecord("vendorBill", "tms-driver_settlement-S", "70", "u")
    await ledger.settle([Outcome.failed(claimed.row_id, ERROR, written=[bill])])
    assert await ledger.known_records([("vendorBill", "tms-driver_settlement-S")]) == {
        ("vendorBill", "tms-driver_settlement-S"): "70"
    }
    await ledger.forget_records([("vendorBill", "tms-driver_settlement-S")])
    assert await ledger.known_records([("vendorBill", "tms-driver_settlement-S")]) == {}


async def test_claims_of_a_dead_run_can_be_expired_at_once(ledger: Ledger) -> None:
    """A run known dead gives its rows back now (outcome unknown) instead of after the lease."""
    await ledger.ingest([doc("A"), doc("B")])
    await ledger.claim("host:1:dead", limit=1, lease=LEASE)
    await ledger.claim("host:2:alive", limit=1, lease=LEASE)
    assert sorted(await ledger.active_claims()) == ["host:1:dead", "host:2:alive"]
    assert await ledger.expire_claims(["host:1:dead"]) == 1
    [again] = await ledger.claim("host:3:new", limit=10, lease=LEASE)
    assert again.tms_id == "A"
    assert again.outcome_unknown


async def test_doctor_runs_are_kept_and_the_last_passing_one_is_found(ledger: Ledger) -> None:
    """The last run without failures is what a later doctor run compares with; failing runs are kept too."""
    assert await ledger.last_passing_doctor_run() is None
    await ledger.save_doctor_run(
        {"permissions": {"status": "pass", "facts": {"held": ["A", "B"]}}}, passed=True
    )
    await ledger.save_doctor_run({"permissions": {"status": "fail", "facts": {"held": ["A"]}}}, passed=False)
    assert await ledger.last_passing_doctor_run() == {
        "permissions": {"status": "pass", "facts": {"held": ["A", "B"]}}
    }


async def test_open_document_dates_are_those_still_to_export(ledger: Ledger) -> None:
    """Pending, blocked and failed rows give their dates; synced ones do not."""
    await ledger.ingest([doc("A", date="2026-10-03"), doc("B", date="2026-11-01"), doc("C", kind="customer")])
    a, *_ = await ledger.claim("run", limit=1, lease=LEASE)
    await ledger.settle([Outcome(a.row_id, State.SYNCED)])
    assert await ledger.open_document_dates() == {"2026-11-01"}


async def test_failed_and_exporting_rows_are_still_to_export(ledger: Ledger) -> None:
    """A failed row waits for retry and an exporting one is under way: both will post into their period."""
    await ledger.ingest(
        [doc("A", date="2026-10-03"), doc("B", date="2026-11-01"), doc("C", date="2026-12-05")]
    )
    failed, _exporting = await ledger.claim("run", limit=2, lease=LEASE)
    await ledger.settle([Outcome.failed(failed.row_id, ERROR)])
    assert await ledger.open_document_dates() == {"2026-10-03", "2026-11-01", "2026-12-05"}


async def test_an_older_version_that_comes_back_is_superseded_not_exported(ledger: Ledger) -> None:
    """v1 was exporting when v2 arrived and then failed: it is never claimed again; v2 is."""
    await ledger.ingest([doc("A", 1)])
    [v1] = await ledger.claim("run-1", limit=10, lease=LEASE)
    await ledger.ingest([doc("A", 2)])
    await ledger.settle([Outcome.failed(v1.row_id, ERROR)], run_id="run-1")
    assert await ledger.retry() == 1
    [claimed] = await ledger.claim("run-2", limit=10, lease=LEASE)
    assert claimed.version == 2
    assert await states(ledger) == {("A", 1): State.SUPERSEDED, ("A", 2): State.EXPORTING}


async def test_a_run_that_lost_its_claim_cannot_overwrite_the_outcome(ledger: Ledger, clock: Clock) -> None:
    """Run 1's lease lapsed and run 2 took the row over and synced it: run 1's late retry changes nothing;
    renewing a lease keeps a slow run's rows its own."""
    await ledger.ingest([doc("A"), doc("B")])
    a, _ = await ledger.claim("run-1", limit=10, lease=LEASE)
    clock.advance(minutes=4)
    assert await ledger.renew_claims("run-1", LEASE) == 2
    clock.advance(minutes=4)  # 8 minutes in: lapsed without the renewal, held with it
    assert await ledger.claim("run-2", limit=10, lease=LEASE) == []
    clock.advance(minutes=6)
    taken = await ledger.claim("run-2", limit=10, lease=LEASE)
    assert {c.tms_id for c in taken} == {"A", "B"}
    await ledger.settle([Outcome(a.row_id, State.SYNCED)], run_id="run-2")
    await ledger.settle([Outcome.retry(a.row_id, ERROR, at=clock.now, outcome_unknown=True)], run_id="run-1")
    assert (await states(ledger))[("A", 1)] is State.SYNCED


async def test_blocks_on_records_already_written_are_released(ledger: Ledger) -> None:
    """A row blocked on a record the ledger knows was written (the release was lost) goes back to pending."""
    await ledger.ingest([doc("I"), doc("P", kind="customer_payment")])
    invoice, payment = await ledger.claim("run-1", limit=10, lease=LEASE)
    await ledger.settle([Outcome(payment.row_id, State.BLOCKED, blocked_on="invoice/eid:tms-invoice-I")])
    written = [WrittenRecord("invoice", "tms-invoice-I", "9", "u")]
    await ledger.settle([Outcome.failed(invoice.row_id, ERROR, written=written)])
    assert await ledger.release_resolved_blocks() == 1
    assert (await states(ledger))[("P", 1)] is State.PENDING


async def test_outcomes_settle_together_in_one_group(ledger: Ledger, clock: Clock) -> None:
    """One group settles rows of every kind, keeps the last writer of a record, releases blocks on what it wrote,
    and leaves alone a row the run no longer holds."""
    await ledger.ingest(
        [doc("C", kind="customer"), doc("I"), doc("J"), doc("K"), doc("P", kind="customer_payment")]
    )
    customer, i, j, k, payment = await ledger.claim("run-1", limit=10, lease=LEASE)
    blocked = Outcome(payment.row_id, State.BLOCKED, blocked_on="customer/eid:tms-customer-C")
    await ledger.settle([blocked], run_id="run-1")
    first = WrittenRecord("customer", "tms-customer-C", "1", "u1")
    again = WrittenRecord("customer", "tms-customer-C", "2", "u2")
    retry_at = clock.now + timedelta(minutes=3)
    await ledger.settle(
        [
            Outcome(customer.row_id, State.SYNCED, written=(first,)),
            Outcome.failed(i.row_id, ERROR, written=(again,)),
            Outcome.retry(j.row_id, ERROR, at=retry_at, outcome_unknown=True),
            Outcome.skipped(k.row_id, "not exported by rule"),
            Outcome(payment.row_id, State.SYNCED),  # no longer held by run-1: unchanged
        ],
        run_id="run-1",
        release=["customer/eid:tms-customer-C"],
    )
    rows = {row.tms_id: row async for row in ledger.rows()}
    assert {tms_id: row.state for tms_id, row in rows.items()} == {
        "C": State.SYNCED,
        "I": State.FAILED,
        "J": State.PENDING,
        "K": State.SKIPPED,
        "P": State.PENDING,  # released from its block, not synced
    }
    assert rows["I"].error == ERROR
    assert rows["J"].next_attempt_at == retry_at
    assert rows["K"].skip_reason == "not exported by rule"
    assert rows["K"].blocked_on is None
    assert await ledger.known_records([("customer", "tms-customer-C")]) == {
        ("customer", "tms-customer-C"): "2"
    }
    await ledger.settle([Outcome(i.row_id, State.SYNCED)], run_id="run-1")  # already settled: a no-op
    assert (await states(ledger))[("I", 1)] is State.FAILED


async def test_a_run_never_takes_back_its_own_rows(ledger: Ledger, clock: Clock) -> None:
    """Past its lease, a row is reclaimed by another run (outcome unknown), never by the run that holds it:
    that run may still be writing it."""
    await ledger.ingest([doc("A")])
    await ledger.claim("run-1", limit=10, lease=LEASE)
    clock.advance(minutes=6)
    assert await ledger.claim("run-1", limit=10, lease=LEASE) == []
    [taken] = await ledger.claim("run-2", limit=10, lease=LEASE)
    assert (taken.tms_id, taken.outcome_unknown, taken.attempts) == ("A", True, 2)


async def test_a_version_a_lapsed_run_left_exporting_gives_way_to_a_newer_one(
    ledger: Ledger, clock: Clock
) -> None:
    """v1 was claimed by a run whose lease lapsed, then v2 arrived: the next claim supersedes v1 and takes v2
    alone (never both versions in one batch)."""
    await ledger.ingest([doc("A", 1)])
    await ledger.claim("run-1", limit=10, lease=LEASE)
    await ledger.ingest([doc("A", 2)])
    assert await ledger.claim("run-1", limit=10, lease=LEASE) == []  # its own v1 is still under way
    clock.advance(minutes=6)
    [claimed] = await ledger.claim("run-2", limit=10, lease=LEASE)
    assert claimed.version == 2
    assert await states(ledger) == {("A", 1): State.SUPERSEDED, ("A", 2): State.EXPORTING}


async def test_a_row_waiting_for_another_runs_version_is_due_when_that_lease_lapses(
    ledger: Ledger, clock: Clock
) -> None:
    """v2 cannot be claimed while another run exports v1: it is due when v1's lease lapses, not now (a run
    would otherwise poll the ledger until then)."""
    await ledger.ingest([doc("A", 1)])
    await ledger.claim("run-1", limit=10, lease=LEASE)
    clock.advance(minutes=1)
    await ledger.ingest([doc("A", 2)])
    assert await ledger.next_due() == clock.now + LEASE - timedelta(minutes=1)


async def test_a_newer_version_written_supersedes_the_synced_one(ledger: Ledger) -> None:
    """A rebill: v1 synced, then v2 synced (or voided) makes v1 superseded; another document's rows stay."""
    await ledger.ingest([doc("R"), doc("OTHER")])
    first = await ledger.claim("run-a", limit=10, lease=LEASE)
    await ledger.settle([Outcome(c.row_id, State.SYNCED) for c in first], run_id="run-a")
    await ledger.ingest([doc("R", 2, memo="rebilled")])
    [second] = await ledger.claim("run-b", limit=10, lease=LEASE)
    await ledger.settle([Outcome(second.row_id, State.VOID)], run_id="run-b")
    assert await states(ledger) == {
        ("R", 1): State.SUPERSEDED,
        ("OTHER", 1): State.SYNCED,
        ("R", 2): State.VOID,
    }


async def test_mapping_failures_are_queued_again_when_the_mapping_changes(ledger: Ledger) -> None:
    """Rows failed on the mapping go pending when an export brings another mapping hash, once; other failures
    wait for retry."""
    await ledger.ingest([doc("M"), doc("N")])
    claimed = await ledger.claim("run", limit=10, lease=LEASE)
    mapping_error = ErrorInfo("data", "MAPPING", "no item for charge code X")
    await ledger.settle(
        [Outcome.failed(claimed[0].row_id, mapping_error), Outcome.failed(claimed[1].row_id, ERROR)],
        run_id="run",
    )
    assert await ledger.requeue_if_mapping_changed("a" * 64) == 1  # no hash kept yet: the mapping is news
    assert await states(ledger) == {("M", 1): State.PENDING, ("N", 1): State.FAILED}
    [again] = await ledger.claim("run-2", limit=10, lease=LEASE)
    await ledger.settle([Outcome.failed(again.row_id, mapping_error)], run_id="run-2")
    assert await ledger.requeue_if_mapping_changed("a" * 64) == 0  # the same mapping
    assert await ledger.requeue_if_mapping_changed("b" * 64) == 1
    assert (await ledger.states_of([again.row_id, 999])) == {again.row_id: State.PENDING}


async def test_the_learned_concurrency_limit_is_kept_per_account(ledger: Ledger, database_url: str) -> None:
    """A limit kept by one run is what the next run of the account reads; another account sees none."""
    assert await ledger.learned_limit() is None
    await ledger.keep_learned_limit(18)
    await ledger.keep_learned_limit(20)  # a later run learned better
    assert await ledger.learned_limit() == 20
    other = await Ledger.open(database_url, "999999", "production")
    try:
        assert await other.learned_limit() is None
    finally:
        await other.close()
    with pytest.raises(ValueError, match="at least 1"):
        await ledger.keep_learned_limit(0)


async def test_rejected_lines_are_kept_per_source(ledger: Ledger, database_url: str) -> None:
    """Each source's rejected lines replace those of its last ingest; a valid version of a document drops its
    rejections from any source; the ledger names the accounts it holds."""
    bad = RejectedLine(
        "a.jsonl", 2, (("$.company", "required field is missing"),), '{"id": "I"}', "invoice", "I"
    )
    garbage = RejectedLine("b.jsonl", 1, (("$", "not JSON"),), "x" * 5000)
    await ledger.keep_rejected("a.jsonl", [bad])
    await ledger.keep_rejected("b.jsonl", [garbage])
    kept = await ledger.rejected()
    assert [(r.source, r.line, r.issues) for r in kept] == [
        ("a.jsonl", 2, (("$.company", "required field is missing"),)),
        ("b.jsonl", 1, (("$", "not JSON"),)),
    ]
    assert len(kept[1].raw) == RejectedLine.MAX_RAW_CHARS
    await ledger.keep_rejected("c.jsonl", [], accepted=[("invoice", "I")])
    assert [r.source for r in await ledger.rejected()] == ["b.jsonl"]
    await ledger.keep_rejected("b.jsonl", [])
    assert await ledger.rejected() == []
    await ledger.ingest([doc("A")])
    assert await Ledger.accounts(database_url) == ["123456_SB1"]


async def test_browse_searches_load_and_document_numbers_internal_ids_and_dates(ledger: Ledger) -> None:
    """The console's search: part of the TMS id, a load number (an invoice's references or a bill's own), the
    document's number (NetSuite's tranId), a written record's internal id; and the document's date, both ends
    included."""
    await ledger.ingest(
        [
            doc("INV-1", date="2026-10-01", number="T-100", references={"load_number": "L-7"}),
            doc("CB-1", kind="carrier_bill", date="2026-10-15", load_number="L-7"),
            doc("INV-2", date="2026-11-02", number="T-200", references={"load_number": "L-8"}),
        ]
    )
    first, *_ = await ledger.claim("run-1", limit=10, lease=LEASE)
    await ledger.settle(
        [Outcome(first.row_id, State.SYNCED, (WrittenRecord("invoice", "e-1", "4242", "u"),))]
    )

    async def found(**filters: Any) -> list[str]:
        return [row.tms_id for row in await ledger.browse(**filters)]

    assert await found(search="INV") == ["INV-1", "INV-2"]
    assert await found(search="L-7") == ["INV-1", "CB-1"]
    assert await found(search="T-200") == ["INV-2"]
    assert await found(search="4242") == [first.tms_id]
    assert await found(search="42") == []  # an internal id matches whole, not in part
    assert await found(dated_from="2026-10-15") == ["CB-1", "INV-2"]
    assert await found(dated_from="2026-10-01", dated_to="2026-10-15") == ["INV-1", "CB-1"]
    assert await found(search="L-7", kind="carrier_bill") == ["CB-1"]


async def test_doctor_runs_are_listed_newest_first(ledger: Ledger, clock: Clock) -> None:
    await ledger.save_doctor_run({"connection": {"status": "fail", "facts": {}}}, passed=False)
    clock.advance(hours=1)
    await ledger.save_doctor_run({"connection": {"status": "pass", "facts": {}}}, passed=True)
    runs = await ledger.doctor_runs(10)
    assert [(passed, results["connection"]["status"]) for _, passed, results in runs] == [
        (True, "pass"),
        (False, "fail"),
    ]
    assert runs[0][0] - runs[1][0] == timedelta(hours=1)
    assert len(await ledger.doctor_runs(1)) == 1


async def test_latest_payloads_under_a_prefix_take_it_literally(ledger: Ledger) -> None:
    """A document's attachment rows are found by their TMS id's prefix: the newest version of each, on SQLite
    and PostgreSQL alike, with LIKE's wildcards and case taken literally."""
    await ledger.ingest(
        [
            doc("invoice:INV_1:pod", 1, kind="attachment", n=1),
            doc("invoice:INV_1:pod", 2, kind="attachment", n=2),
            doc("invoice:INV_1:bol", 1, kind="attachment", n=3),
            doc("invoice:INVX1:pod", 1, kind="attachment", n=4),  # "_" is no wildcard
            doc("invoice:inv_1:pod", 1, kind="attachment", n=5),  # nor is case ignored
            doc("invoice:INV%2:pod", 1, kind="attachment", n=6),
            doc("invoice:INV_1:pod", 1, kind="invoice", n=7),  # another kind
        ]
    )
    found = await ledger.latest_payloads_under("attachment", ["invoice:INV_1:", "invoice:INV%2:"])
    assert {tms_id: payload["n"] for tms_id, payload in found.items()} == {
        "invoice:INV_1:pod": 2,
        "invoice:INV_1:bol": 3,
        "invoice:INV%2:pod": 6,
    }
    assert await ledger.latest_payloads_under("attachment", []) == {}
