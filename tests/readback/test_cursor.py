"""The cursor loses nothing: not by truncating it to a date (midnight in the account's time zone), not by paging
without a unique order, not at the overlap's boundary, not past 100,000 rows, not when a pass is killed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from netsuite_emulator import Emulator
from tests.readback.conftest import Account, of_type
from tms_netsuite.readback import sync_back
from tms_netsuite.readback._reader import MODIFIED_SQL, Reader
from tms_netsuite.readback._window import window

pytestmark = pytest.mark.anyio
DEEP = bool(os.environ.get("TMS_NETSUITE_DEEP"))  # read before the hermetic fixture clears it


def same_second_rows(emulator: Emulator, count: int, stamp: str, *, spread: int = 1) -> list[str]:
    """``count`` transactions written straight into the account, modified within ``spread`` seconds."""
    with emulator.store.write() as conn:
        ids = []
        for n in range(count):
            cursor = conn.execute(
                'INSERT INTO "transaction" (type, recordtype, trandate, subsidiary, currency, foreigntotal, '
                "createddate, lastmodifieddate) VALUES ('Journal', 'journalentry', '2026-11-02', 1, 1, 0, ?, ?)",
                (stamp, stamp[:17] + f"{n % spread:02d}Z"),
            )
            ids.append(str(cursor.lastrowid))
    return ids


async def test_a_cursor_truncated_to_a_date_misses_the_evening_before_midnight(
    make_account: Callable[..., Account],
) -> None:
    """At 00:30 UTC it is still the afternoon before in Los Angeles: a cursor kept as the UTC date misses the
    evening's payment; the plain column shows the date only; ours reads it."""
    account = make_account(time_zone="America/Los_Angeles")
    await account.export()
    account.clock.set("2026-11-04T00:29:00")
    await account.sync()  # at 00:30 UTC, 16:30 in Los Angeles
    truncated = account.clock.utc().date().isoformat()  # what a date cursor keeps: 2026-11-04
    invoice = (await account.open_documents("CustInvc"))[0]
    account.clock.set("2026-11-04T06:00:00")  # 22:00 on the 3rd in Los Angeles
    account.person.pay_invoice(invoice["id"])
    [row] = await account.rows(
        "SELECT lastmodifieddate, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm FROM transaction WHERE id = ?",
        invoice["id"],
    )
    assert row == {"lastmodifieddate": "11/3/2026", "lm": "2026-11-03 22:00:00"}
    naive = await account.rows(
        "SELECT id FROM transaction WHERE lastmodifieddate >= TO_DATE(?, 'YYYY-MM-DD')", truncated
    )
    assert invoice["id"] not in {r["id"] for r in naive}, "the date cursor loses it"
    report = await account.sync()
    [paid] = of_type(report.events, "invoice.paid")
    assert paid.payload["netsuite"]["internal_id"] == invoice["id"]
    assert paid.payload["occurred_at"] == "2026-11-04T06:00:00Z"


async def test_paging_without_a_unique_order_loses_the_rest_of_a_second(
    make_account: Callable[..., Account],
) -> None:
    account = make_account(time_zone="UTC")
    ids = same_second_rows(account.emulator, 12, "2026-11-02T16:00:00Z")
    naive: list[str] = []
    last = "2026-11-02 15:00:00"
    while True:  # keyset on lastmodifieddate alone, five rows a page
        page = await account.rows(
            "SELECT * FROM (SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lm FROM transaction "
            "WHERE lastmodifieddate > TO_TIMESTAMP(?, 'YYYY-MM-DD HH24:MI:SS') ORDER BY lastmodifieddate) "
            "WHERE ROWNUM <= 5",
            last,
        )
        naive += [r["id"] for r in page]
        if len(page) < 5:
            break
        last = page[-1]["lm"]
    assert len(naive) == 5, "the other seven rows of that second are skipped"
    async with account.client() as client:
        reader = Reader(client, page_size=5)
        span = window(account.clock.utc().replace(hour=0), 0, account.clock.utc(), 0, overlap=timedelta(0))
        ours = [row["id"] async for page in reader.pages(MODIFIED_SQL, span) for row in page]
    assert sorted(ours, key=int) == sorted(ids, key=int)
    assert len(ours) == len(set(ours))


@pytest.mark.parametrize("rows", [3_000, 120_000])
async def test_keyset_paging_reads_many_rows_once_each_in_order(
    make_account: Callable[..., Account], rows: int
) -> None:
    """Past NetSuite's 100,000-row ceiling for one query (with TMS_NETSUITE_DEEP=1): one page per query."""
    if rows > 100_000 and not DEEP:
        pytest.skip("the 120,000-row run is part of `make test-deep` (TMS_NETSUITE_DEEP=1)")
    account = make_account(time_zone="UTC")
    ids = same_second_rows(account.emulator, rows, "2026-11-02T16:00:00Z", spread=7)
    async with account.client() as client:
        reader = Reader(client, page_size=1000 if rows > 10_000 else 200)
        span = window(account.clock.utc().replace(hour=0), 0, account.clock.utc(), 0, overlap=timedelta(0))
        seen = [
            (row["lm"], int(row["id"])) async for page in reader.pages(MODIFIED_SQL, span) for row in page
        ]
    assert len(seen) == rows
    assert seen == sorted(seen), "in (lastmodifieddate, id) order"
    assert {str(i) for _, i in seen} == set(ids)
    assert reader.requests == rows // reader.page_size + 1


async def test_a_change_at_the_windows_end_is_read_by_the_next_pass(
    make_account: Callable[..., Account],
) -> None:
    """A change in the very second a pass begins is left to the next (the window's end is exclusive); one saved
    with a time before the last pass began (a long save) is found by the overlap."""
    account = make_account()
    await account.export()
    await account.sync()
    first, second = (await account.open_documents("CustInvc"))[:2]
    account.clock.advance(300)
    account.person.pay_invoice(first["id"])
    async with account.client() as client, account.ledger() as ledger:
        same_second = await sync_back(client, ledger)
    assert of_type(same_second.events, "invoice.paid") == []
    late = account.clock.now - 30  # stamped 30 s before the pass that just ran began
    account.clock.advance(60)
    saved_at = account.clock.now
    account.clock.now = late
    account.person.pay_invoice(second["id"])
    account.clock.now = saved_at
    report = await account.sync()
    paid = {e.payload["netsuite"]["internal_id"] for e in of_type(report.events, "invoice.paid")}
    assert paid == {first["id"], second["id"]}
    assert (await account.sync()).events == []


async def test_a_killed_pass_resumes_without_gaps_or_duplicates(
    make_account: Callable[..., Account], tmp_path: Path
) -> None:
    """A pass stopped after its first page leaves the cursor; the next pass keeps exactly the events one
    uninterrupted pass keeps (event ids are stable), none twice."""
    account = make_account()
    await account.export()
    shutil.copy(tmp_path / "ledger.db", tmp_path / "twin.db")
    twin = f"sqlite+aiosqlite:///{tmp_path / 'twin.db'}"

    class Killed(Exception):
        pass

    async def kill() -> None:
        raise Killed

    with pytest.raises(Killed):
        await account.sync(page_size=20, after_page=kill)
    resumed = await account.sync(page_size=20)
    async with account.ledger() as ledger:
        kept = await ledger.readback().events_after(0, limit=100_000)
    clean = await account.sync(twin, page_size=20)
    assert resumed.events, "the resumed pass keeps what the killed one did not reach"
    assert len({e.event_id for e in kept}) == len(kept)
    assert sorted(e.event_id for e in kept) == sorted(e.event_id for e in clean.events)
