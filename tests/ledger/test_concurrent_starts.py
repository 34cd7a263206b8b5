"""Runs started together on one fresh ledger: migrations take turns and ingest is idempotent under races, on
SQLite and PostgreSQL (issue 16 §4: `database is locked [SQL: CREATE TABLE alembic_version …]`, `relation
"documents" already exists`, `uq_documents_version`)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.ledger.conftest import _postgres_database
from tms_netsuite.ledger import IngestItem, IngestSummary, Ledger, State

pytestmark = pytest.mark.anyio
OPENERS = 3
ROUNDS = 6


def items(opener: int) -> list[IngestItem]:
    """What each opener ingests: 300 documents every opener sends, then 20 of its own."""
    shared = [IngestItem("invoice", f"S{i:03}", 1, {"id": f"S{i:03}", "n": i}) for i in range(300)]
    own = [IngestItem("invoice", f"O{opener}-{i}", 1, {"id": f"O{opener}-{i}"}) for i in range(20)]
    return shared + own


async def open_and_ingest(url: str, opener: int) -> IngestSummary:
    ledger = await Ledger.open(url, "123456_SB1", "sandbox")
    try:
        return await ledger.ingest(items(opener))
    finally:
        await ledger.close()


async def check_ledger(url: str, summaries: list[IngestSummary]) -> None:
    ledger = await Ledger.open(url, "123456_SB1", "sandbox")
    try:
        assert await ledger.counts() == {State.PENDING: 300 + OPENERS * 20}
    finally:
        await ledger.close()
    assert sum(summary.inserted for summary in summaries) == 300 + OPENERS * 20
    assert sum(summary.duplicates for summary in summaries) == 300 * (OPENERS - 1)
    assert all(summary.conflicts == () for summary in summaries)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def fresh_databases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[[], AsyncIterator[str]]]:
    """A factory of fresh, empty databases of each kind (one per round)."""
    if request.param == "sqlite":

        async def sqlite_database() -> AsyncIterator[str]:
            yield f"sqlite+aiosqlite:///{tmp_path / f'ledger-{time.monotonic_ns()}.db'}"

        yield sqlite_database
        return
    yield _postgres_database


async def test_openers_started_together_on_a_fresh_ledger_never_crash(
    fresh_databases: Callable[[], AsyncIterator[str]],
) -> None:
    """Three openers at once on a fresh ledger, each migrating it and ingesting 300 shared documents and 20 of
    its own, six times over: none fails, and the ledger holds each version once."""
    for _ in range(ROUNDS):
        async for url in fresh_databases():
            openers = (open_and_ingest(url, opener) for opener in range(OPENERS))
            # Every opener ends before the database is dropped, and a wait on a lock fails the test in time.
            results = await asyncio.wait_for(asyncio.gather(*openers, return_exceptions=True), 60)
            failures = [repr(result) for result in results if isinstance(result, BaseException)]
            assert failures == []
            await check_ledger(url, [result for result in results if isinstance(result, IngestSummary)])


_OPENER = """
import asyncio, sys, time
from tests.ledger.test_concurrent_starts import open_and_ingest
start = float(sys.argv[3])
time.sleep(max(0.0, start - time.time()))
summary = asyncio.run(open_and_ingest(sys.argv[1], int(sys.argv[2])))
print(summary.inserted, summary.duplicates)
"""


def run_openers(url: str) -> list[IngestSummary]:
    """Three processes released at the same instant; what each ingested."""
    start = time.time() + 2.0  # every process has imported SQLAlchemy by then
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and test module
            [sys.executable, "-c", _OPENER, url, str(opener), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for opener in range(OPENERS)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]
    last_lines = [err.strip().splitlines()[-1:] for _, err in outputs]
    assert [process.returncode for process in processes] == [0] * OPENERS, last_lines
    counts = [[int(n) for n in out.split()] for out, _ in outputs]
    return [IngestSummary(inserted, duplicates) for inserted, duplicates in counts]


async def test_processes_started_together_on_a_fresh_ledger_never_crash(
    fresh_databases: Callable[[], AsyncIterator[str]],
) -> None:
    """The same with three processes released at the same instant (as three `export` runs started at once)."""
    async for url in fresh_databases():
        await check_ledger(url, await asyncio.to_thread(run_openers, url))
