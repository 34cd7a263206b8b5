"""The export engine against the emulator: every document exactly once, updates without duplicated lines,
dependencies and blocking, and re-runs on a fresh ledger that write nothing twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.cli._demo import demo_mapping
from tms_netsuite.documents import Document, Kind
from tms_netsuite.export import (
    ConcurrencyGovernor,
    Exporter,
    ExportReport,
    ingest_documents,
    load_reference_data,
)
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger, State
from tms_netsuite.mapping import load_mapping
from tms_netsuite.netsuite import NetSuiteClient, NetSuiteSettings, connect

pytestmark = pytest.mark.anyio
BASE_URL = "http://emulator.test"


class FakeTime:
    """A UTC clock that sleeping advances: backoff waits cost no real time, yet come due in order."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


@dataclass
class Run:
    report: ExportReport
    counts: dict[State, int]


@asynccontextmanager
async def client_for(emulator: Emulator, who: str = "integration") -> AsyncIterator[NetSuiteClient]:
    settings = NetSuiteSettings.from_environ(emulator.env(who=who, base_url=BASE_URL))
    async with connect(settings, transport=httpx.ASGITransport(app=emulator.app)) as client:
        yield client


async def export(
    emulator: Emulator,
    ledger_path: Path,
    documents: Sequence[Document],
    *,
    max_wait: timedelta = timedelta(0),
) -> Run:
    """Ingest documents into the ledger at ledger_path and export everything due (waits cost no real time)."""
    time = FakeTime()
    ledger = await Ledger.open(
        f"sqlite+aiosqlite:///{ledger_path}", emulator.account_id, "production", clock=time
    )
    try:
        await ingest_documents(ledger, documents)
        async with client_for(emulator) as client:
            exporter = Exporter(
                client,
                ledger,
                load_mapping(demo_mapping()),
                await load_reference_data(client, sleep=time.sleep),
                governor=ConcurrencyGovernor(known_limit=5),
                max_wait=max_wait,
                clock=time,
                sleep=time.sleep,
            )
            report = await exporter.run()
        return Run(report, await ledger.counts())
    finally:
        await ledger.close()


async def netsuite_rows(emulator: Emulator, query: str) -> list[dict[str, str]]:
    async with client_for(emulator, who="admin") as admin:
        return [row async for row in admin.suiteql(query)]


async def test_a_generated_month_lands_exactly_once(tmp_path: Path) -> None:
    """Every document kind is exported; no external id twice; a fresh ledger re-run creates nothing."""
    documents = list(generate(30, seed=3))
    with Emulator.from_scenario("healthy") as emulator:
        first = await export(emulator, tmp_path / "one.db", documents)
        assert first.counts.get(State.FAILED, 0) == 0, first
        assert first.counts.get(State.BLOCKED, 0) == 0, first
        assert set(first.counts) <= {State.SYNCED, State.SKIPPED, State.SUPERSEDED, State.VOID}
        duplicates = await netsuite_rows(
            emulator,
            "SELECT externalid, COUNT(*) AS n FROM transaction GROUP BY externalid HAVING COUNT(*) > 1",
        )
        assert duplicates == []
        before = await netsuite_rows(emulator, "SELECT COUNT(*) AS n FROM transaction")
        second = await export(emulator, tmp_path / "fresh.db", documents)
        after = await netsuite_rows(emulator, "SELECT COUNT(*) AS n FROM transaction")
    assert first.report.created > 0
    assert {d.kind for d in documents} == set(Kind)
    assert second.report.created == 0, second.report
    assert before == after


async def test_faults_are_ridden_through_without_duplicates(tmp_path: Path) -> None:
    """5xx, dropped answers after a committed write, spurious 429s and 401s: every document ends synced once."""
    documents = list(generate(6, seed=5))
    faults = {"5xx": 0.04, "drop": 0.04, "429": 0.04, "401": 0.03}
    with Emulator.from_scenario("healthy", faults=faults, seed=3) as emulator:
        run = await export(emulator, tmp_path / "ledger.db", documents, max_wait=timedelta(hours=1))
        injected = emulator.stats()
        duplicates = await netsuite_rows(
            emulator,
            "SELECT externalid, COUNT(*) AS n FROM transaction GROUP BY externalid HAVING COUNT(*) > 1",
        )
    assert duplicates == []
    assert set(run.counts) <= {State.SYNCED, State.SKIPPED, State.SUPERSEDED, State.VOID}, run.counts
    assert run.report.retried > 0
    assert all(injected.faults.get(kind, 0) > 0 for kind in faults), injected.faults
