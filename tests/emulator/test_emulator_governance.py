"""Governance: the account's concurrency limit, latency inside the limit, and every injected fault kind."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from netsuite_emulator import Emulator
from netsuite_emulator.governance import (
    FAULT_KINDS,
    ConnectionDropped,
    Governor,
    parse_faults,
    split_fault_rate,
)
from tests.emulator.helpers import BASE_URL, FakeClock, client_for, tba_headers

MakeEmulator = Callable[..., Emulator]
SERVER_TIME = "/services/rest/system/v1/serverTime"
GOVERNANCE = "/services/rest/system/v1/governanceLimits"
SUITEQL = "/services/rest/query/v1/suiteql"
CONCURRENCY_429 = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
    "title": "Bad Request",
    "status": 429,
    "o:errorDetails": [
        {
            "detail": "Concurrent request limit exceeded. Request blocked.",
            "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
        }
    ],
    "o:errorCode": "USER_ERROR",
}
pytestmark = pytest.mark.anyio


async def get(client: httpx.AsyncClient, env: dict[str, str], clock: FakeClock, path: str) -> httpx.Response:
    headers = tba_headers(env, "GET", BASE_URL + path, timestamp=clock.now)
    return await client.get(path, headers=headers)


async def query(client: httpx.AsyncClient, env: dict[str, str], clock: FakeClock) -> httpx.Response:
    headers = tba_headers(env, "POST", BASE_URL + SUITEQL, timestamp=clock.now)
    headers |= {"Prefer": "transient", "Content-Type": "application/json"}
    return await client.post(SUITEQL, headers=headers, content=json.dumps({"q": "SELECT id FROM term"}))


async def test_the_limit_holds_under_50_concurrent_requests(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator(latency_ms=100)
    env = emulator.env()
    async with client_for(emulator) as client:
        responses = await asyncio.gather(*(get(client, env, clock, SERVER_TIME) for _ in range(50)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 5
    assert statuses.count(429) == 45
    assert all(r.json() == CONCURRENCY_429 for r in responses if r.status_code == 429)
    stats = emulator.stats()
    assert (stats.limit, stats.served, stats.refused, stats.peak_in_flight, stats.in_flight) == (
        5,
        5,
        45,
        5,
        0,
    )
    # A refused request never reached authentication: only the five served ones are in the audit trail.
    assert len(emulator.audit_trail()) == 5


async def test_refusal_is_immediate_and_the_slot_is_held_while_sleeping(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator(concurrency_limit=1, latency_ms=200)
    env = emulator.env()
    async with client_for(emulator) as client:
        slow = asyncio.ensure_future(get(client, env, clock, SERVER_TIME))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        refused = await get(client, env, clock, SERVER_TIME)
        refused_after = time.monotonic() - started
        served = await slow
        again = await get(client, env, clock, SERVER_TIME)
    assert refused.status_code == 429
    assert refused_after < 0.1
    assert served.status_code == again.status_code == 200


async def test_the_token_endpoint_takes_no_slot(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator(concurrency_limit=1, latency_ms=200)
    env = emulator.env()
    async with client_for(emulator) as client:
        busy = asyncio.ensure_future(get(client, env, clock, SERVER_TIME))
        await asyncio.sleep(0.05)
        token = await client.post(
            "/services/rest/auth/oauth2/v1/token", data={"grant_type": "client_credentials"}
        )
        await busy
    assert token.status_code == 400  # answered (badly formed, on purpose), not refused with 429
    assert emulator.stats().refused == 0


async def test_low_concurrency_scenario(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator("low-concurrency", latency_ms=100)
    env = emulator.env()
    async with client_for(emulator) as client:
        pair = await asyncio.gather(
            get(client, env, clock, SERVER_TIME), get(client, env, clock, SERVER_TIME)
        )
        limits = await get(client, emulator.env(who="admin"), clock, GOVERNANCE)
    assert sorted(r.status_code for r in pair) == [200, 429]
    assert limits.json()["accountConcurrencyLimit"] == 1


async def test_override_is_what_governance_limits_reports(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator("low-concurrency", concurrency_limit=7)
    async with client_for(emulator) as client:
        limits = await get(client, emulator.env(who="admin"), clock, GOVERNANCE)
    assert limits.json()["accountConcurrencyLimit"] == 7
    assert emulator.stats().limit == 7


async def test_latency_is_the_whole_time_of_a_request_own_work_included() -> None:
    """A request takes the latency in all: the emulator's own work counts towards it instead of adding to it
    (0.5 s of work under a 0.6 s latency answers after about 0.6 s, not 1.1 s)."""

    async def working_app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.5)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    governed = Governor(lambda: 5, latency_ms=600).wrap(working_app, lambda: "id")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=governed), base_url=BASE_URL) as client:
        started = time.monotonic()
        answer = await client.get(SERVER_TIME)
        elapsed = time.monotonic() - started
    assert answer.text == "done"
    assert 0.6 <= elapsed < 1.0


@pytest.mark.parametrize("fault", [None, "5xx", "429", "401"])
async def test_the_slot_is_free_before_the_answer_leaves(fault: str | None) -> None:
    """The answer goes out with the request's slot already free (NetSuite's count ends with its processing, the
    way back is network time): a client that sends its next request as an answer arrives meets no 429 below C."""
    governor = Governor(lambda: 1, latency_ms=5, faults={fault: 1.0} if fault else None, seed=1)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    in_flight_at_send: list[int] = []

    async def watching(message: dict[str, object]) -> None:
        in_flight_at_send.append(governor.stats().in_flight)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "path": "/services/rest/record/v1/customer", "method": "GET", "headers": []}
    await governor.wrap(app, lambda: "id")(scope, receive, watching)  # type: ignore[arg-type]
    assert in_flight_at_send
    assert set(in_flight_at_send) == {0}
    assert governor.stats().in_flight == 0


async def test_latency_and_seeded_jitter(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator(latency_ms=40, jitter_ms=40, seed=5)
    env = emulator.env()
    async with client_for(emulator) as client:
        started = time.monotonic()
        for _ in range(5):
            assert (await get(client, env, clock, SERVER_TIME)).status_code == 200
        elapsed = time.monotonic() - started
    assert 5 * 0.040 <= elapsed < 5 * 0.080 + 1.0
    first = Governor(lambda: 5, latency_ms=40, jitter_ms=40, seed=5)
    second = Governor(lambda: 5, latency_ms=40, jitter_ms=40, seed=5)
    delays = [first.delay() for _ in range(20)]
    assert delays == [second.delay() for _ in range(20)]
    assert all(0.040 <= d <= 0.080 for d in delays)
    assert len(set(delays)) > 1


@pytest.mark.parametrize("kind", ["5xx", "429", "401"])
async def test_refusing_faults_run_no_handler(
    kind: str, make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator(faults={kind: 1.0})
    env = emulator.env()
    async with client_for(emulator) as client:
        faulted = [await query(client, env, clock) for _ in range(3)]
        untouched = await get(client, env, clock, SERVER_TIME)  # serverTime is never faulted
    expected = {"5xx": 500, "429": 429, "401": 401}[kind]
    assert {r.status_code for r in faulted} == {expected}
    body = faulted[0].json()
    if kind == "5xx":
        assert body["o:errorDetails"][0]["o:errorCode"] == "UNEXPECTED_ERROR"
        assert body["o:errorDetails"][0]["detail"].startswith("An unexpected error occurred. Error ID: ")
    elif kind == "429":
        assert body == CONCURRENCY_429
    else:
        assert body["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert untouched.status_code == 200
    assert [e.request for e in emulator.audit_trail()] == [
        f"GET {SERVER_TIME}"
    ]  # the faulted ones never logged in
    stats = emulator.stats()
    assert stats.faults == {k: (3 if k == kind else 0) for k in FAULT_KINDS}
    assert stats.refused == 0  # injected 429s are counted as faults, not as limit refusals


async def test_drop_runs_the_handler_then_loses_the_answer(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator(faults={"drop": 1.0})
    env = emulator.env()
    record = "/services/rest/record/v1/invoice/1"
    async with client_for(emulator) as client:
        with pytest.raises(ConnectionDropped) as raised:
            await query(client, env, clock)
        with pytest.raises(httpx.RemoteProtocolError):  # what a client's transport-error handling catches
            await get(client, env, clock, record)
        assert (await get(client, env, clock, SERVER_TIME)).status_code == 200
    assert isinstance(raised.value, httpx.TransportError)
    # Both handlers ran (each logged in, and a write would have been committed) before the answer was lost.
    assert [(e.status, e.request) for e in emulator.audit_trail()] == [
        ("Success", f"POST {SUITEQL}"),
        ("Success", f"GET {record}"),
        ("Success", f"GET {SERVER_TIME}"),
    ]
    stats = emulator.stats()
    assert (stats.faults["drop"], stats.in_flight, stats.served) == (2, 0, 3)


async def test_slow_answers_take_five_times_as_long(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator(faults={"slow": 1.0}, latency_ms=30)
    env = emulator.env()
    async with client_for(emulator) as client:
        started = time.monotonic()
        response = await query(client, env, clock)
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 5 * 0.030
    assert emulator.stats().faults["slow"] == 1


async def test_seeded_faults_repeat_and_every_kind_is_met(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    outcomes: list[list[str]] = []
    for _ in range(2):
        emulator = make_emulator(faults=split_fault_rate(0.75), seed=42)
        env = emulator.env()
        seen: list[str] = []
        async with client_for(emulator) as client:
            for _ in range(60):
                try:
                    seen.append(str((await query(client, env, clock)).status_code))
                except ConnectionDropped:
                    seen.append("dropped")
        outcomes.append(seen)
        assert all(count > 0 for count in emulator.stats().faults.values()), emulator.stats().faults
    assert outcomes[0] == outcomes[1]
    assert {"200", "500", "429", "401", "dropped"} <= set(outcomes[0])


def test_fault_specifications() -> None:
    assert parse_faults("5xx=0.1, drop=0.2") == {"5xx": 0.1, "drop": 0.2}
    assert split_fault_rate(0.5) == dict.fromkeys(FAULT_KINDS, 0.1)
    for bad in ("boom=0.1", "5xx", "5xx=2", "5xx=0.6,drop=0.6", "5xx=0.1,5xx=0.1", "5xx=x"):
        with pytest.raises(ValueError, match=r"."):
            parse_faults(bad)
    with pytest.raises(ValueError, match="at least 1"):
        Emulator.from_scenario("healthy", concurrency_limit=0)


@pytest.mark.parametrize(
    ("allocations", "served"),
    [
        ({1: 1}, 1),  # this integration's own allocation caps it
        ({2: 3}, 2),  # another integration holds 3 of 5: this one shares the 2 left unallocated
        ({}, 5),  # no allocation anywhere: the whole account limit
    ],
)
async def test_an_integration_draws_from_its_allocation_or_the_unallocated_pool(
    make_emulator: MakeEmulator, clock: FakeClock, allocations: dict[int, int], served: int
) -> None:
    emulator = make_emulator(latency_ms=100)  # the account limit is 5
    for integration, allocation in allocations.items():
        emulator.store.execute(
            "UPDATE integration SET concurrencylimit = ? WHERE id = ?", [allocation, integration]
        )
    env = emulator.env()
    async with client_for(emulator) as client:
        responses = await asyncio.gather(*(get(client, env, clock, SERVER_TIME) for _ in range(5)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == served
    assert all(r.json() == CONCURRENCY_429 for r in responses if r.status_code == 429)
    assert emulator.stats().in_flight == 0
