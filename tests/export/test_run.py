"""One export run against the emulator: the preflight reads governanceLimits once, and the run keeps the
limit it read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.doctor.test_preflight import BASE_URL, GOVERNANCE, CountingTransport
from tms_netsuite.export import BackfillSettings, ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger
from tms_netsuite.mapping import demo_mapping_path, load_mapping
from tms_netsuite.netsuite import NetSuiteSettings, connect
from tms_netsuite.run import RunResult, run_export

pytestmark = pytest.mark.anyio


async def run(
    emulator: Emulator, tmp_path: Path, who: str, *, concurrency: int | None = None
) -> tuple[RunResult, Counter[str]]:
    environ = emulator.env(who=who, base_url=BASE_URL)
    transport = CountingTransport(emulator)
    ledger = await Ledger.open(f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", emulator.account_id, "production")
    try:
        await ingest_documents(ledger, list(generate(2, seed=3)))
        async with connect(NetSuiteSettings.from_environ(environ), transport=transport) as client:
            result = await run_export(
                client,
                ledger,
                load_mapping(demo_mapping_path()),
                environ=environ,
                concurrency=concurrency,
            )
    finally:
        await ledger.close()
    return result, transport.paths


@pytest.mark.parametrize(
    ("who", "concurrency", "expected"),
    [("admin", None, 6), ("admin", 3, 3), ("integration", None, None), ("integration", 4, 4)],
)
async def test_governance_limits_are_read_once_per_run(
    who: str, concurrency: int | None, expected: int | None, tmp_path: Path
) -> None:
    """Administrators read the account's limit (capped by a configured one); other roles are refused it and
    keep to the configured limit, or learn it. Either way one request per run."""
    with Emulator.from_scenario("healthy", concurrency_limit=6) as emulator:
        result, paths = await run(emulator, tmp_path, who, concurrency=concurrency)
    assert result.ready, result.checks
    assert result.report is not None
    assert result.report.records_written > 0
    assert result.concurrency_limit == expected
    assert paths[GOVERNANCE] == 1


async def test_a_failed_check_leaves_the_limit_unused(tmp_path: Path) -> None:
    with Emulator.from_scenario("missing-accounts") as emulator:
        result, paths = await run(emulator, tmp_path, "admin")
    assert not result.ready
    assert result.report is None
    assert result.concurrency_limit is None
    assert paths[GOVERNANCE] == 1


@pytest.mark.parametrize(("allocations", "expected"), [({2: 4}, 2), ({1: 3}, 3), ({1: 3, 2: 2}, 3)])
async def test_the_run_keeps_to_the_pool_its_integration_draws_from(
    allocations: dict[int, int], expected: int, tmp_path: Path
) -> None:
    """An integration with an allocation keeps to it; one without shares only the unallocated rest of the
    account's limit (6 here), not the whole of it: more would meet 429s from NetSuite."""
    with Emulator.from_scenario("healthy", concurrency_limit=6) as emulator:
        for integration, allocation in allocations.items():
            emulator.store.execute(
                "UPDATE integration SET concurrencylimit = ? WHERE id = ?", [allocation, integration]
            )
        result, _ = await run(emulator, tmp_path, "admin")
    assert result.ready, result.checks
    assert result.concurrency_limit == expected


class InFlightTransport(CountingTransport):
    """Notes the most requests in flight at once before the run's first write (the preflight's reads)."""

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.in_flight = 0
        self.peak_before_write = 0
        self.wrote = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.wrote = self.wrote or (request.method != "GET" and "/record/" in request.url.path)
        self.in_flight += 1
        if not self.wrote:
            self.peak_before_write = max(self.peak_before_write, self.in_flight)
        try:
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1


@pytest.mark.parametrize(("who", "concurrency"), [("integration", 5), ("admin", None)])
async def test_a_backfill_leaves_live_slots_during_its_checks_too(
    who: str, concurrency: int | None, tmp_path: Path
) -> None:
    """A backfill keeps ``live_slots`` of the account's limit free from its first request: its preflight reads
    are never more than limit - live_slots at once (else a live run's own checks meet 429s behind them), the
    limit configured or read from governanceLimits."""
    with Emulator.from_scenario("healthy", concurrency_limit=5, latency_ms=50) as emulator:
        environ = emulator.env(who=who, base_url=BASE_URL)
        transport = InFlightTransport(emulator)
        ledger = await Ledger.open(
            f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", emulator.account_id, "production"
        )
        try:
            await ingest_documents(ledger, list(generate(2, seed=3)))
            async with connect(NetSuiteSettings.from_environ(environ), transport=transport) as client:
                result = await run_export(
                    client,
                    ledger,
                    load_mapping(demo_mapping_path()),
                    environ=environ,
                    concurrency=concurrency,
                    backfill=True,
                    backfill_settings=BackfillSettings(live_slots=1, first_poll_s=0.01),
                )
        finally:
            await ledger.close()
        refused = emulator.stats().refused
    assert result.ready, result.checks
    assert result.backfill is True
    assert result.concurrency_limit == 5
    assert result.report is not None
    assert result.report.records_written > 0
    assert transport.peak_before_write == 4
    assert refused == 0
