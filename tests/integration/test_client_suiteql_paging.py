"""The client's SuiteQL iterator against the emulator: keyset paging through 250,000 rows of a seeded table."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.integration.conftest import BASE_URL
from tms_netsuite.netsuite import NetSuiteSettings, connect

pytestmark = pytest.mark.anyio
ROWS = 250_000


async def test_keyset_paging_through_250000_rows(tmp_path: Path) -> None:
    with Emulator.from_scenario("healthy") as emulator:
        with emulator.store.write() as conn:
            conn.executemany(
                "INSERT INTO item (id, itemid, itemtype, subsidiary) VALUES (?, ?, 'Service', 1)",
                ((n, f"bulk-{n:06d}") for n in range(1_000, 1_000 + ROWS)),
            )
        settings = NetSuiteSettings.from_environ(emulator.env(base_url=BASE_URL, key_dir=tmp_path))
        transport = httpx.ASGITransport(app=emulator.app)
        count, previous = 0, -1
        async with connect(settings, transport=transport) as ns:
            async for row in ns.suiteql(
                "SELECT id, itemid FROM item WHERE id >= ?", ["1000"], page_size=1000, keyset="id"
            ):
                key = int(row["id"])
                assert key > previous
                assert row["itemid"] == f"bulk-{key:06d}"
                previous = key
                count += 1
        assert count == ROWS
        assert previous == 1_000 + ROWS - 1
        assert emulator.stats().served == ROWS // 1000  # one request a page
