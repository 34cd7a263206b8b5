"""Overlapping batches and group settles keep exactly-once: a run never takes back a row it is still writing,
a cancellation loses no finished outcome, and a version a dead run left exporting gives way to a newer one."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.export.test_engine_emulator import (
    BASE_URL,
    FakeTime,
    export,
    invoice_and_customer,
    invoice_lines,
)
from tms_netsuite.doctor import load_reference_data
from tms_netsuite.documents import Document, Kind
from tms_netsuite.export import Exporter, ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger, Outcome, State
from tms_netsuite.mapping import demo_mapping_path, external_id, load_mapping
from tms_netsuite.netsuite import ConcurrencyGovernor, NetSuiteClient, NetSuiteSettings, connect

pytestmark = pytest.mark.anyio


class HoldOne(httpx.AsyncBaseTransport):
    """Every answer advances the fake clock by 10 s; the first PUT to ``target`` is held until ``hold`` other
    answers have come back (one document far slower than the rest, while the clock runs past the lease)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, time: FakeTime, target: str, hold: int) -> None:
        self.inner, self.time, self.target, self.hold = inner, time, target, hold
        self.answered = 0
        self.released = asyncio.Event()
        self.writes: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in ("PUT", "PATCH", "POST") and "/record/" in request.url.path:
            self.writes[request.url.path] += 1
            if request.url.path.endswith(self.target) and self.writes[request.url.path] == 1:
                await self.released.wait()
        response = await self.inner.handle_async_request(request)
        self.time.now += timedelta(seconds=10)
        self.answered += 1
        if self.answered >= self.hold:
            self.released.set()
        return response


@asynccontextmanager
async def ingested(
    emulator: Emulator, tmp_path: Path, time: FakeTime, documents: list[Document]
) -> AsyncIterator[Ledger]:
    """A fresh ledger on the fake clock, holding ``documents``."""
    ledger = await Ledger.open(
        f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", emulator.account_id, "x", clock=time
    )
    try:
        await ingest_documents(ledger, documents)
        yield ledger
    finally:
        await ledger.close()


def integration(
    emulator: Emulator, transport: httpx.AsyncBaseTransport
) -> AbstractAsyncContextManager[NetSuiteClient]:
    return connect(
        NetSuiteSettings.from_environ(emulator.env(who="integration", base_url=BASE_URL)), transport=transport
    )


def exporter_for(
    client: object, ledger: Ledger, reference: object, time: FakeTime, **options: object
) -> Exporter:
    return Exporter(
        client,  # type: ignore[arg-type]
        ledger,
        load_mapping(demo_mapping_path()),
        reference,  # type: ignore[arg-type]
        governor=ConcurrencyGovernor(known_limit=5),
        max_wait=timedelta(0),
        clock=time,
        sleep=time.sleep,
        **options,  # type: ignore[arg-type]
    )


async def test_a_run_never_takes_back_a_row_it_is_still_writing(tmp_path: Path) -> None:
    """One invoice's PUT is held while small batches keep being claimed and the clock runs 15 minutes past its
    claim: the run renews its leases and never claims that row again; the invoice is written once."""
    documents = list(generate(30, seed=3))
    invoice = next(d for d in documents if d.kind is Kind.INVOICE)
    target = "eid:" + external_id(Kind.INVOICE, invoice.id)
    time = FakeTime()
    with Emulator.from_scenario("healthy") as emulator:
        async with ingested(emulator, tmp_path, time, documents) as ledger:
            transport = HoldOne(httpx.ASGITransport(app=emulator.app), time, target, hold=90)
            async with integration(emulator, transport) as client:
                reference = await load_reference_data(client, sleep=time.sleep)
                transport.answered = 0
                await exporter_for(client, ledger, reference, time, batch_size=6).run()
            rows = [row async for row in ledger.rows()]
        lines = await invoice_lines(emulator, external_id(Kind.INVOICE, invoice.id))
    row = next(r for r in rows if r.kind == "invoice" and r.tms_id == invoice.id)
    assert transport.answered > 90  # the clock did run far past the 3-minute lease meanwhile
    assert (row.attempts, row.state) == (1, State.SYNCED)
    assert sum(n for path, n in transport.writes.items() if path.endswith(target)) == 1
    assert len(lines) == len(invoice.lines)


@pytest.mark.parametrize("group", [1, 2])
async def test_a_cancelled_run_records_every_document_it_finished(tmp_path: Path, group: int) -> None:
    """Ctrl-C (the run's task cancelled) while a group of outcomes is being committed: that group and every
    later finished document are still recorded; only documents under way stay exporting."""
    documents = list(generate(30, seed=3))
    time = FakeTime()
    with Emulator.from_scenario("healthy") as emulator:
        async with ingested(emulator, tmp_path, time, documents) as ledger:
            async with integration(emulator, httpx.ASGITransport(app=emulator.app)) as client:
                reference = await load_reference_data(client, sleep=time.sleep)
                exporter = exporter_for(client, ledger, reference, time)
                settle, calls, settling = ledger.settle, 0, asyncio.Event()

                async def slow_settle(outcomes: list[Outcome], **options: object) -> None:
                    nonlocal calls
                    calls += 1
                    if calls == group:
                        settling.set()
                        await asyncio.sleep(0.3)  # a slow commit (fsync, a busy PostgreSQL)
                    await settle(outcomes, **options)  # type: ignore[arg-type]

                ledger.settle = slow_settle  # type: ignore[method-assign]
                run = asyncio.create_task(exporter.run())
                await settling.wait()
                run.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await run
            report = exporter.report
            finished = report.synced + report.skipped + report.voided + report.failed + report.blocked
            counts = await ledger.counts()
    settled = sum(
        n for state, n in counts.items() if state not in (State.EXPORTING, State.PENDING, State.SUPERSEDED)
    )
    # The group being committed (100) is recorded, and so is every document counted as finished (one cancelled
    # while handing in its outcome is recorded without being counted yet).
    assert settled >= max(finished, 100)


async def test_a_version_a_dead_run_left_exporting_gives_way_to_a_newer_one(tmp_path: Path) -> None:
    """v1 was claimed by a run that died; v2 arrived. The next run supersedes v1 instead of writing both at
    once: NetSuite holds v2's lines, not v1's and v2's."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    changed = invoice.model_copy(update={"version": 2, "lines": invoice.lines[:-1]})
    url = f"sqlite+aiosqlite:///{tmp_path / 'l.db'}"
    with Emulator.from_scenario("healthy", latency_ms=20) as emulator:
        await export(emulator, url, [customer])
        ledger = await Ledger.open(url, emulator.account_id, "production", clock=FakeTime())
        try:
            await ingest_documents(ledger, [invoice])
            dead = uuid.uuid4().hex  # a run that holds no lock: it died, and its claims expire at once
            assert len(await ledger.claim(dead, limit=10, lease=timedelta(minutes=10))) == 1
            await ingest_documents(ledger, [changed])
        finally:
            await ledger.close()
        run = await export(emulator, url, [])
        lines = await invoice_lines(emulator, external_id(Kind.INVOICE, invoice.id))
    assert len(lines) == len(changed.lines)
    assert run.counts == {State.SYNCED: 2, State.SUPERSEDED: 1}
