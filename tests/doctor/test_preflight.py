"""The export's preflight against the emulator: what does not depend on each other is read together, never
more at once than the account's limit (4 while it is unknown), with no more requests than one per read."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.doctor import Preflight, Status, run_fast_checks
from tms_netsuite.mapping import ReferenceData, demo_mapping_path, load_mapping
from tms_netsuite.netsuite import NetSuiteSettings, connect

pytestmark = pytest.mark.anyio
BASE_URL = "http://emulator.test"
GOVERNANCE = "/services/rest/system/v1/governanceLimits"
SUITEQL = "/services/rest/query/v1/suiteql"
# serverTime, governanceLimits, one query per list of the reference data, custom fields; the periods check reads
# the periods among the lists, not a second time.
REQUESTS = 2 + len(fields(ReferenceData)) + 1
# Enough latency that requests sent together are in flight together.
LATENCY_MS = 50


SERVER_TIME = "/services/rest/system/v1/serverTime"


class CountingTransport(httpx.AsyncBaseTransport):
    """An ASGI transport that counts requests by path, and notes when each is sent and answered."""

    def __init__(self, emulator: Emulator) -> None:
        self._inner = httpx.ASGITransport(app=emulator.app)
        self.paths: Counter[str] = Counter()
        self.events: list[tuple[str, str]] = []  # ("sent" | "answered", path), in order

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths[request.url.path] += 1
        self.events.append(("sent", request.url.path))
        response = await self._inner.handle_async_request(request)
        self.events.append(("answered", request.url.path))
        return response


async def _no_sleep(seconds: float) -> None:
    return None


async def preflight(
    emulator: Emulator,
    who: str = "integration",
    *,
    concurrency: int | None = None,
    transport: CountingTransport | None = None,
) -> tuple[Preflight, Counter[str]]:
    environ = emulator.env(who=who, base_url=BASE_URL)
    transport = transport or CountingTransport(emulator)
    async with connect(NetSuiteSettings.from_environ(environ), transport=transport) as client:
        found = await run_fast_checks(
            client,
            environ,
            load_mapping(demo_mapping_path()),
            concurrency=concurrency,
            sleep=_no_sleep,
        )
    return found, transport.paths


def passed(found: Preflight) -> bool:
    return bool(found.checks) and all(c.status is not Status.FAIL for c in found.checks)


async def test_an_unknown_limit_reads_four_at_a_time() -> None:
    """The integration role may not read governanceLimits: reads overlap, four at most, and nothing is
    refused by an account allowing five."""
    with Emulator.from_scenario("healthy", concurrency_limit=5, latency_ms=LATENCY_MS) as emulator:
        found, paths = await preflight(emulator)
        stats = emulator.stats()
    assert passed(found), found.checks
    assert found.concurrency_limit is None
    assert 1 < stats.peak_in_flight <= 4
    assert stats.refused == 0
    assert paths[GOVERNANCE] == 1
    assert sum(paths.values()) == stats.served == REQUESTS


@pytest.mark.parametrize("limit", [5, 20])
async def test_a_known_limit_is_used_and_never_exceeded(limit: int) -> None:
    """An administrator's token reads the limit alongside the connection check; the lists, custom fields and
    periods are then read that many at a time."""
    with Emulator.from_scenario("healthy", concurrency_limit=limit, latency_ms=LATENCY_MS) as emulator:
        found, paths = await preflight(emulator, who="admin")
        stats = emulator.stats()
    assert passed(found), found.checks
    assert found.concurrency_limit == limit
    assert 4 < stats.peak_in_flight <= limit
    assert stats.refused == 0
    assert paths[GOVERNANCE] == 1
    assert sum(paths.values()) == stats.served == REQUESTS


@pytest.mark.parametrize("who", ["integration", "admin"])
async def test_a_configured_limit_caps_the_reads(who: str) -> None:
    with Emulator.from_scenario("healthy", concurrency_limit=20, latency_ms=LATENCY_MS) as emulator:
        found, _ = await preflight(emulator, who, concurrency=2)
        stats = emulator.stats()
    assert passed(found), found.checks
    assert found.concurrency_limit == 2
    assert stats.peak_in_flight == 2


async def test_429s_during_the_preflight_are_retried() -> None:
    with Emulator.from_scenario("healthy", faults={"429": 0.3}, seed=2) as emulator:
        found, _ = await preflight(emulator)
        stats = emulator.stats()
    assert stats.faults["429"] > 0
    assert passed(found), found.checks
    assert found.reference is not None


async def test_a_refused_login_reads_no_lists(tmp_path: Path) -> None:
    """The lists, custom fields and periods wait for a working connection: refused, they are skipped unread."""
    with Emulator.from_scenario("revoked-token") as emulator:
        found, paths = await preflight(emulator)
    status = {c.id: c.status for c in found.checks}
    assert status["connection"] is Status.FAIL
    assert status["clock"] is Status.PASS  # from the refusal's Date header
    assert {status[i] for i in ("subsidiaries", "accounts", "lists", "periods")} == {Status.SKIP}
    assert found.reference is None
    assert found.concurrency_limit is None
    assert paths[SUITEQL] == 0
    assert paths[GOVERNANCE] == 1  # a refused login is not retried there: the connection check judges it


async def test_a_known_limit_sends_the_lists_with_the_connection_check() -> None:
    """With the limit known before the first request, the lists do not wait for serverTime's answer (one round
    trip less before the first write at a second a request); with it unknown, they do."""
    for concurrency, early in ((5, True), (None, False)):
        with Emulator.from_scenario("healthy", concurrency_limit=5, latency_ms=LATENCY_MS) as emulator:
            transport = CountingTransport(emulator)
            found, paths = await preflight(emulator, concurrency=concurrency, transport=transport)
            stats = emulator.stats()
        assert passed(found), found.checks
        assert stats.refused == 0
        assert sum(paths.values()) == stats.served == REQUESTS
        answered = transport.events.index(("answered", SERVER_TIME))
        assert (("sent", SUITEQL) in transport.events[:answered]) is early, concurrency


async def test_a_refused_login_reads_the_same_with_a_known_limit() -> None:
    """Lists sent early beside a connection check that fails are forgotten: the checks say what they say when
    the reads wait (same statuses and messages, no lists handed on)."""
    found = {}
    for concurrency in (None, 5):
        with Emulator.from_scenario("revoked-token", latency_ms=LATENCY_MS) as emulator:
            found[concurrency], _ = await preflight(emulator, concurrency=concurrency)

    def said(checks: Preflight) -> list[tuple[str, Status, str]]:
        return [(c.id, c.status, c.detail) for c in checks.checks if c.id != "clock"]  # clock: seconds move

    assert said(found[5]) == said(found[None])
    assert found[5].reference is None
    assert {c.status for c in found[5].checks if c.id in ("subsidiaries", "accounts", "lists")} == {
        Status.SKIP
    }


async def test_unusable_settings_fail_credentials_without_a_request() -> None:
    with Emulator.from_scenario("healthy") as emulator:
        environ = emulator.env(base_url=BASE_URL)
        transport = CountingTransport(emulator)
        async with connect(NetSuiteSettings.from_environ(environ), transport=transport) as client:
            found = await run_fast_checks(
                client,
                {**environ, "NETSUITE_TOKEN_ID": ""},
                load_mapping(demo_mapping_path()),
                sleep=_no_sleep,
            )
    status = {c.id: c.status for c in found.checks}
    assert status.pop("credentials") is Status.FAIL
    assert set(status.values()) == {Status.SKIP}
    assert not transport.paths


async def test_checks_skipped_after_the_credentials_keep_their_titles() -> None:
    with Emulator.from_scenario("healthy") as emulator:
        environ = emulator.env(base_url=BASE_URL)
        async with connect(NetSuiteSettings.from_environ(environ)) as client:
            found = await run_fast_checks(client, {**environ, "NETSUITE_TOKEN_ID": ""}, None, sleep=_no_sleep)
    titles = {c.id: c.title for c in found.checks if c.status is Status.SKIP}
    assert titles["periods"] == "The accounting periods to post in are open"
    assert all(title != check_id for check_id, title in titles.items())
