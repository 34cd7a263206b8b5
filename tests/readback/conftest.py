"""Read-back against the emulator: an account the connector exported a month into, on one clock shared by the
emulator, the client and the ledger, and a person acting in NetSuite on that clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from netsuite_emulator import Emulator
from netsuite_emulator.testing import Person
from tests.ledger.conftest import clock, database_url
from tms_netsuite.doctor import load_reference_data
from tms_netsuite.export import Exporter, ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger, StoredEvent
from tms_netsuite.mapping import demo_mapping_path, load_mapping
from tms_netsuite.netsuite import ConcurrencyGovernor, NetSuiteClient, NetSuiteSettings, connect
from tms_netsuite.readback import SyncReport, sync_back

__all__ = ["clock", "database_url"]
BASE_URL = "http://emulator.test"


class Seconds:
    """A settable clock in Unix seconds, shared by the emulator, the client's signatures and the ledger."""

    def __init__(self, start: str = "2026-11-02T17:00:00") -> None:
        self.now = dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC).timestamp()

    def __call__(self) -> float:
        return self.now

    def utc(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now, dt.UTC)

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, moment: str) -> None:
        self.now = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC).timestamp()


@dataclass
class Account:
    """An emulated NetSuite account, the ledger the connector exported into it with, and the shared clock."""

    emulator: Emulator
    clock: Seconds
    ledger_url: str
    person: Person = field(init=False)

    def __post_init__(self) -> None:
        self.person = Person(self.emulator.store, self.clock)

    @asynccontextmanager
    async def client(self, who: str = "integration") -> AsyncIterator[NetSuiteClient]:
        settings = NetSuiteSettings.from_environ(self.emulator.env(who=who, base_url=BASE_URL))
        transport = httpx.ASGITransport(app=self.emulator.app)
        async with connect(settings, transport=transport, clock=self.clock) as client:
            yield client

    @asynccontextmanager
    async def ledger(self, url: str | None = None) -> AsyncIterator[Ledger]:
        opened = await Ledger.open(
            url or self.ledger_url, self.emulator.account_id, "production", clock=self.clock.utc
        )
        try:
            yield opened
        finally:
            await opened.close()

    async def sync(self, url: str | None = None, **options: Any) -> SyncReport:
        """One sync-back pass, a minute after the last change."""
        self.clock.advance(60)
        async with self.client() as client, self.ledger(url) as ledger:
            return await sync_back(client, ledger, **options)

    async def rows(self, query: str, *params: str) -> list[dict[str, str]]:
        async with self.client("admin") as client:
            return [row async for row in client.suiteql(query, params)]

    async def export(self, loads: int = 10, seed: int = 3) -> None:
        async with self.client() as client, self.ledger() as ledger:
            await ingest_documents(ledger, list(generate(loads, seed=seed)))

            async def no_wait(_: float) -> None:
                return None

            exporter = Exporter(
                client,
                ledger,
                load_mapping(demo_mapping_path()),
                await load_reference_data(client, sleep=no_wait),
                governor=ConcurrencyGovernor(known_limit=5),
                clock=self.clock.utc,
                sleep=no_wait,
            )
            await exporter.run()

    async def open_documents(self, type_code: str) -> list[dict[str, str]]:
        """Our open invoices (CustInvc) or bills (VendBill), oldest first."""
        return await self.rows(
            "SELECT id, externalid, foreigntotal, foreignamountunpaid FROM transaction "
            "WHERE type = ? AND externalid IS NOT NULL AND foreignamountunpaid > 0 ORDER BY id",
            type_code,
        )


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.fixture
def make_account(seconds: Seconds, tmp_path: Path) -> Iterator[Any]:
    made: list[Emulator] = []

    def make(ledger_url: str | None = None, *, time_zone: str | None = None) -> Account:
        emulator = Emulator.from_scenario("healthy", clock=seconds, time_zone=time_zone)
        made.append(emulator)
        return Account(emulator, seconds, ledger_url or f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}")

    yield make
    for emulator in made:
        emulator.close()


def of_type(events: list[StoredEvent], event_type: str) -> list[StoredEvent]:
    return [e for e in events if e.type == event_type]
