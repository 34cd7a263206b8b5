"""Backfills: new records through asynchronous batch requests beside the synchronous slots, exactly once — with
faults on submissions and tasks, and against jobs left running by an earlier run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from netsuite_emulator import Emulator
from tests.export.test_engine_emulator import FakeTime, client_for, netsuite_rows
from tms_netsuite.doctor import load_reference_data
from tms_netsuite.documents import Document
from tms_netsuite.export import BackfillSettings, Exporter, ExportReport, ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger, State
from tms_netsuite.mapping import demo_mapping_path, load_mapping
from tms_netsuite.netsuite import ConcurrencyGovernor

pytestmark = pytest.mark.anyio
DONE = {State.SYNCED, State.SKIPPED, State.SUPERSEDED, State.VOID}
DUPLICATES = "SELECT externalid, COUNT(*) AS n FROM transaction GROUP BY externalid HAVING COUNT(*) > 1"


async def export(
    emulator: Emulator,
    path: Path,
    documents: Sequence[Document],
    backfill: BackfillSettings | None,
    *,
    max_wait: timedelta = timedelta(0),
) -> tuple[ExportReport, dict[State, int]]:
    time = FakeTime()
    ledger = await Ledger.open(f"sqlite+aiosqlite:///{path}", emulator.account_id, "production", clock=time)
    try:
        await ingest_documents(ledger, documents)
        async with client_for(emulator) as client:
            exporter = Exporter(
                client,
                ledger,
                load_mapping(demo_mapping_path()),
                await load_reference_data(client, sleep=time.sleep),
                governor=ConcurrencyGovernor(known_limit=4),
                max_wait=max_wait,
                clock=time,
                sleep=time.sleep,
                backfill=backfill,
            )
            report = await exporter.run()
        return report, await ledger.counts()
    finally:
        await ledger.close()


async def contents(emulator: Emulator) -> list[list[dict[str, str]]]:
    """What NetSuite holds of our transactions, without internal ids: externalid, type, and line count."""
    return [
        await netsuite_rows(
            emulator,
            "SELECT t.externalid, t.type, COUNT(l.id) AS lines FROM transaction t "
            "LEFT JOIN transactionline l ON l.transaction = t.id "
            "GROUP BY t.externalid, t.type ORDER BY t.externalid, t.type",
        ),
        await netsuite_rows(emulator, "SELECT externalid FROM customer ORDER BY externalid"),
        await netsuite_rows(emulator, "SELECT externalid FROM vendor ORDER BY externalid"),
    ]


async def test_a_backfill_writes_what_one_record_a_request_writes(tmp_path: Path) -> None:
    """The same month through batches and one request a record: the same records, the same lines, none twice;
    both batch jobs and the synchronous slots created records."""
    documents = list(generate(30, seed=3))
    settings = BackfillSettings(max_batch=20, min_batch=5, first_poll_s=0.01)
    with (
        Emulator.from_scenario("healthy", latency_ms=20) as batched,
        Emulator.from_scenario("healthy") as single,
    ):
        report, counts = await export(batched, tmp_path / "a.db", documents, settings)
        _, plain_counts = await export(single, tmp_path / "b.db", documents, None)
        assert set(counts) <= DONE, counts
        assert counts == plain_counts
        assert await netsuite_rows(batched, DUPLICATES) == []
        assert await contents(batched) == await contents(single)
    assert report.batch_jobs > 0
    assert (
        0 < report.batched < report.created
    )  # both the batch jobs and the synchronous slots created records


async def test_faults_on_submissions_and_tasks_leave_every_record_once(tmp_path: Path) -> None:
    documents = list(generate(20, seed=5))
    faults = {"5xx": 0.05, "drop": 0.05, "429": 0.03}
    settings = BackfillSettings(max_batch=15, min_batch=5, first_poll_s=0.01)
    with Emulator.from_scenario("healthy", faults=faults, seed=7, latency_ms=20) as emulator:
        report, counts = await export(
            emulator, tmp_path / "a.db", documents, settings, max_wait=timedelta(hours=1)
        )
        injected = emulator.stats().faults
        emulator.governor.faults = {}  # the checks below see NetSuite as it is
        assert await netsuite_rows(emulator, DUPLICATES) == []
        # A fresh ledger finds everything written: nothing is created again.
        again, _ = await export(emulator, tmp_path / "b.db", documents, settings)
    assert set(counts) <= DONE, counts
    assert report.batch_jobs > 0
    assert report.rescheduled > 0
    assert all(injected.get(kind, 0) > 0 for kind in faults), injected
    assert again.created == 0
