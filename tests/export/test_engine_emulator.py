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
from tms_netsuite.doctor import load_reference_data
from tms_netsuite.documents import Document, Kind, Status
from tms_netsuite.export import (
    Exporter,
    ExportReport,
    RunStopped,
    ingest_documents,
)
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger, State
from tms_netsuite.mapping import demo_mapping_path, external_id, load_mapping
from tms_netsuite.netsuite import ConcurrencyGovernor, ExternalId, NetSuiteClient, NetSuiteSettings, connect

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
    ledger_at: Path | str,
    documents: Sequence[Document],
    *,
    max_wait: timedelta = timedelta(0),
    mapping: Path | None = None,
) -> Run:
    """Ingest documents into a ledger (a SQLite file path, or a database URL) and export everything due
    (waits cost no real time), with the demo mapping unless another is given."""
    time = FakeTime()
    url = ledger_at if isinstance(ledger_at, str) else f"sqlite+aiosqlite:///{ledger_at}"
    ledger = await Ledger.open(url, emulator.account_id, "production", clock=time)
    try:
        await ingest_documents(ledger, documents)
        async with client_for(emulator) as client:
            exporter = Exporter(
                client,
                ledger,
                load_mapping(mapping or demo_mapping_path()),
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


async def test_a_generated_month_lands_exactly_once(tmp_path: Path, database_url: str) -> None:
    """Every document kind is exported (with a SQLite and a PostgreSQL ledger); no external id twice; a
    re-run on a fresh ledger creates nothing."""
    documents = list(generate(30, seed=3))
    with Emulator.from_scenario("healthy") as emulator:
        first = await export(emulator, database_url, documents)
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
    assert run.report.rescheduled > 0
    assert all(injected.faults.get(kind, 0) > 0 for kind in faults), injected.faults


def invoice_and_customer(documents: Sequence[Document]) -> tuple[Document, Document]:
    invoice = next(
        d for d in documents if d.kind is Kind.INVOICE and d.status.value == "active" and len(d.lines) > 1
    )
    customer = next(d for d in documents if d.kind is Kind.CUSTOMER and d.id == invoice.customer.id)
    return invoice, customer


async def invoice_lines(emulator: Emulator, external_id: str) -> list[dict[str, object]]:
    async with client_for(emulator, who="admin") as admin:
        record = await admin.get("invoice", ExternalId(external_id), expand_sub_resources=True)
    items: list[dict[str, object]] = record["item"]["items"]
    return items


async def test_a_changed_invoice_is_updated_without_duplicating_lines(tmp_path: Path) -> None:
    """v1 synced, then v2 with one line fewer: the record is PATCHed with replace=item, not given more lines."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    changed = invoice.model_copy(update={"version": 2, "lines": invoice.lines[:-1]})
    eid = external_id(Kind.INVOICE, invoice.id)
    with Emulator.from_scenario("healthy") as emulator:
        first = await export(emulator, tmp_path / "ledger.db", [customer, invoice])
        assert len(await invoice_lines(emulator, eid)) == len(invoice.lines)
        second = await export(emulator, tmp_path / "ledger.db", [changed])
        lines = await invoice_lines(emulator, eid)
    assert first.counts == {State.SYNCED: 2}
    assert (second.report.created, second.report.updated) == (0, 1)
    assert len(lines) == len(changed.lines)
    assert second.counts == {State.SYNCED: 2, State.SUPERSEDED: 1}  # v1 gave way to v2 in NetSuite


async def test_a_failed_dependency_blocks_until_it_is_synced(tmp_path: Path) -> None:
    """An invoice whose customer cannot be exported waits as blocked, naming the customer's record; once a
    corrected customer version is synced, the invoice goes by itself in the same run."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    broken = customer.model_copy(update={"company": "NOPE"})
    fixed = customer.model_copy(update={"version": customer.version + 1})
    with Emulator.from_scenario("healthy") as emulator:
        first = await export(emulator, tmp_path / "ledger.db", [broken, invoice])
        ledger = await Ledger.open(
            f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}", emulator.account_id, "production"
        )
        try:
            blocked = [row async for row in ledger.rows(state=State.BLOCKED)]
        finally:
            await ledger.close()
        second = await export(emulator, tmp_path / "ledger.db", [fixed])
    assert first.counts == {State.FAILED: 1, State.BLOCKED: 1}
    assert blocked[0].blocked_on == f"customer/eid:{external_id(Kind.CUSTOMER, customer.id)}"
    assert second.counts == {State.SUPERSEDED: 1, State.SYNCED: 2}


async def test_a_void_reverses_a_synced_invoice(tmp_path: Path) -> None:
    """Voiding a synced invoice writes a reversal; the void version ends in the void state."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    void = invoice.model_copy(update={"version": 2, "status": Status.VOID, "voided_on": invoice.date})
    with Emulator.from_scenario("healthy") as emulator:
        await export(emulator, tmp_path / "ledger.db", [customer, invoice])
        run = await export(emulator, tmp_path / "ledger.db", [void])
        reversal = await netsuite_rows(
            emulator,
            "SELECT type FROM transaction WHERE externalid = ?".replace(
                "?", f"'{external_id(Kind.INVOICE, invoice.id)}-reversal'"
            ),
        )
    assert run.counts.get(State.VOID) == 1, run.counts
    assert len(reversal) == 1


async def test_persistent_401s_stop_the_run_and_lose_nothing(tmp_path: Path) -> None:
    """Every request refused: the run stops with RunStopped naming the credentials; rows stay pending."""
    documents = list(generate(2, seed=4))
    with Emulator.from_scenario("healthy") as healthy:
        async with client_for(healthy) as client:
            reference = await load_reference_data(client)
    with Emulator.from_scenario("healthy", faults={"401": 1.0}, seed=1) as emulator:
        ledger = await Ledger.open(
            f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", emulator.account_id, "production"
        )
        try:
            await ingest_documents(ledger, documents)
            async with client_for(emulator) as client:
                exporter = Exporter(
                    client,
                    ledger,
                    load_mapping(demo_mapping_path()),
                    reference,
                    governor=ConcurrencyGovernor(known_limit=5),
                    max_wait=timedelta(0),
                    sleep=FakeTime().sleep,
                )
                with pytest.raises(RunStopped) as stopped:
                    await exporter.run()
            counts = await ledger.counts()
        finally:
            await ledger.close()
    assert stopped.value.cause.code == "INVALID_LOGIN"
    assert State.FAILED not in counts
    assert counts.get(State.PENDING, 0) > 0


async def test_a_document_voided_before_export_writes_nothing(tmp_path: Path) -> None:
    """v1 and its void v2 arrive together: v1 is superseded, the void is recorded, NetSuite gets nothing."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    void = invoice.model_copy(update={"version": 2, "status": Status.VOID, "voided_on": invoice.date})
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", [customer, invoice, void])
        found = await netsuite_rows(
            emulator, "SELECT COUNT(*) AS n FROM transaction WHERE externalid LIKE 'tms-%'"
        )
    assert run.counts == {State.SYNCED: 1, State.SUPERSEDED: 1, State.VOID: 1}
    assert found == [{"n": "0"}]


async def test_a_document_netsuite_cannot_take_fails_alone(tmp_path: Path) -> None:
    """A customer whose external id would be too long for NetSuite fails; the others are exported."""
    documents = list(generate(3, seed=2))
    customer = next(d for d in documents if d.kind is Kind.CUSTOMER)
    odd = customer.model_copy(update={"id": "客" * 30})
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", [odd, *documents])
    assert run.counts.get(State.FAILED) == 1, run.counts
    assert run.counts.get(State.SYNCED, 0) > 10
