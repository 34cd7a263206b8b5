"""A run's identity and life: runs that share a hostname and a pid space (containers, cloned machines) never
take each other for dead, a long hostname changes nothing, a run that dies is known at once by its lock, and a
write whose outcome is unknown converges on the record it may have made instead of adding its lines again."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.export.test_engine_emulator import (
    BASE_URL,
    client_for,
    export,
    invoice_and_customer,
    invoice_lines,
)
from tms_netsuite.doctor import load_reference_data
from tms_netsuite.documents import Document, Kind
from tms_netsuite.export import Exporter, ExportReport, ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger, State
from tms_netsuite.mapping import demo_mapping_path, external_id, load_mapping
from tms_netsuite.netsuite import ConcurrencyGovernor, ExternalId, NetSuiteSettings, connect

pytestmark = pytest.mark.anyio

# Above Linux's largest pid_max (2**22): no process of this machine has it, as a pid of another container.
_FOREIGN_PID = 2**22 + 1


class Gate(httpx.AsyncBaseTransport):
    """Holds every record write until ``opened`` is set: a live run in the middle of its writes."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.opened = asyncio.Event()
        self.writing = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in ("PUT", "PATCH", "POST") and "/record/" in request.url.path:
            self.writing.set()
            await self.opened.wait()
        return await self.inner.handle_async_request(request)


async def _invoice(emulator: Emulator, eid: str) -> tuple[float, int]:
    async with client_for(emulator, who="admin") as admin:
        record = await admin.get("invoice", ExternalId(eid), fields=["total"])
    return float(record["total"]), len(await invoice_lines(emulator, eid))


def _exporter(client: Any, ledger: Ledger, reference: Any) -> Exporter:
    return Exporter(
        client,
        ledger,
        load_mapping(demo_mapping_path()),
        reference,
        governor=ConcurrencyGovernor(known_limit=5),
        max_wait=timedelta(0),
    )


async def test_runs_sharing_a_hostname_and_pid_space_write_each_document_once(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two containers with one hostname: run A is writing (its writes held); run B starts on the same ledger
    with the same hostname, and A's pid does not exist in B's pid space. B must leave A's rows to A, and the
    invoice ends with its own lines and total, not twice them."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    eid = external_id(Kind.INVOICE, invoice.id)
    monkeypatch.setattr(socket, "gethostname", lambda: "samehost")
    with Emulator.from_scenario("healthy") as emulator:
        clean = await _clean_invoice(tmp_path / "clean.db", [customer, invoice], eid)
        ledger = await Ledger.open(database_url, emulator.account_id, "production")
        try:
            await ingest_documents(ledger, [customer, invoice])
            settings = NetSuiteSettings.from_environ(emulator.env(who="integration", base_url=BASE_URL))
            gate = Gate(httpx.ASGITransport(app=emulator.app))
            async with (
                connect(settings, transport=gate) as client_a,
                connect(settings, transport=httpx.ASGITransport(app=emulator.app)) as client_b,
            ):
                reference = await load_reference_data(client_b)
                with monkeypatch.context() as inside_a:  # A's pid, as B's pid space sees it: no such process
                    inside_a.setattr(os, "getpid", lambda: _FOREIGN_PID)
                    run_a = _exporter(client_a, ledger, reference)
                task_a = asyncio.create_task(run_a.run())
                await asyncio.wait_for(gate.writing.wait(), 30)
                report_b = await _exporter(client_b, ledger, reference).run()
                gate.opened.set()
                report_a = await task_a
            counts = await ledger.counts()
        finally:
            await ledger.close()
        ended = await _invoice(emulator, eid)
    assert ended == clean
    assert (report_b.records_written, report_b.in_other_runs) == (0, 2)
    assert report_a.synced == 2
    assert counts == {State.SYNCED: 2}


async def _clean_invoice(ledger: Path, documents: Sequence[Document], eid: str) -> tuple[float, int]:
    """The invoice's total and line count after one clean run (in an emulator of its own)."""
    with Emulator.from_scenario("healthy") as clean:
        await export(clean, ledger, documents)
        return await _invoice(clean, eid)


async def test_a_64_character_hostname_changes_nothing(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hostname of 64 characters (Linux's longest) once overflowed the claim's column on PostgreSQL."""
    monkeypatch.setattr(socket, "gethostname", lambda: "h" * 64)
    documents = list(generate(4, seed=2))
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, database_url, documents)
    assert run.counts.get(State.PENDING, 0) == run.counts.get(State.EXPORTING, 0) == 0, run.counts
    assert run.report.synced > 0


async def test_a_run_is_alive_while_it_holds_its_lock(database_url: str) -> None:
    """Held: alive. Let go: dead. A run id of an older version (host:pid:nonce): unknown, its lease decides."""
    ledger = await Ledger.open(database_url, "1234567", "production")
    other = await Ledger.open(database_url, "1234567", "production")
    run, never_started, older = uuid.uuid4().hex, uuid.uuid4().hex, "host:123:abcdef"
    try:
        async with ledger.hold_run(run):
            assert await other.runs_alive([run, never_started, older]) == {
                run: True,
                never_started: False,
                older: None,
            }
            assert await other.live_runs() == 1
        assert await other.runs_alive([run]) == {run: False}
        assert await other.live_runs() == 0
    finally:
        await ledger.close()
        await other.close()


_HOLDER = """
import asyncio, sys
from tms_netsuite.ledger import Ledger

async def main():
    ledger = await Ledger.open(sys.argv[1], "1234567", "production")
    async with ledger.hold_run(sys.argv[2]):
        print("holding", flush=True)
        await asyncio.sleep(600)

asyncio.run(main())
"""


async def test_a_killed_run_is_known_dead_at_once(database_url: str) -> None:
    """A process holding its run's lock is SIGKILLed: within seconds, not a lease, its run is dead."""
    ledger = await Ledger.open(database_url, "1234567", "production")
    run = uuid.uuid4().hex
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HOLDER, database_url, run, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert (await asyncio.wait_for(holder.stdout.readline(), 30)).strip() == b"holding"
        assert await ledger.runs_alive([run]) == {run: True}
        holder.send_signal(signal.SIGKILL)
        await holder.wait()
        deadline = time.monotonic() + 10
        # PostgreSQL frees the lock when it sees the connection closed: a moment, polled for.
        while (alive := await ledger.runs_alive([run])) != {run: False} and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        assert alive == {run: False}
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        await ledger.close()


class StaleLookup(httpx.AsyncBaseTransport):
    """The first existence query for ``eid`` misses it: the look-up of a batch ran before another attempt's
    write of that record landed."""

    def __init__(self, inner: httpx.AsyncBaseTransport, eid: str) -> None:
        self.inner, self.eid, self.stale = inner, eid.upper().encode(), True
        self.puts: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            self.puts.append(request.url.path)
        body = request.read()
        if self.stale and request.url.path.endswith("/suiteql") and self.eid in body:
            self.stale = False
            headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
            request = httpx.Request(
                request.method, request.url, headers=headers, content=body.replace(self.eid, b"NO-SUCH-ID")
            )
        return await self.inner.handle_async_request(request)


async def test_a_write_whose_outcome_is_unknown_converges_on_the_record(
    database_url: str, tmp_path: Path
) -> None:
    """A run died after writing the invoice and before recording it; the next run's batch look-up misses the
    record. The invoice is looked up again before its write and PATCHed with replace: one record, its total
    and its lines as after a clean run, never PUT a second time."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    eid = external_id(Kind.INVOICE, invoice.id)
    with Emulator.from_scenario("healthy") as emulator:
        await export(emulator, tmp_path / "first.db", [customer, invoice])
        clean = await _invoice(emulator, eid)
        ledger = await Ledger.open(database_url, emulator.account_id, "production")
        try:
            await ingest_documents(ledger, [customer, invoice])
            dead = uuid.uuid4().hex  # it holds no lock: died
            assert len(await ledger.claim(dead, limit=10, lease=timedelta(hours=1))) == 2
            settings = NetSuiteSettings.from_environ(emulator.env(who="integration", base_url=BASE_URL))
            transport = StaleLookup(httpx.ASGITransport(app=emulator.app), eid)
            async with connect(settings, transport=transport) as client:
                reference = await load_reference_data(client)
                report: ExportReport = await _exporter(client, ledger, reference).run()
            counts = await ledger.counts()
        finally:
            await ledger.close()
        ended = await _invoice(emulator, eid)
    assert not transport.stale  # the batch's look-up did miss the invoice
    assert ended == clean
    assert not [path for path in transport.puts if path.endswith(eid)]
    assert (report.created, counts) == (0, {State.SYNCED: 2})
