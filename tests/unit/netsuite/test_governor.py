"""The concurrency governor stays under a known limit, finds an unknown one, and backs off on 429s."""

from __future__ import annotations

import asyncio

import pytest

from tms_netsuite.netsuite import Backoff, ConcurrencyGovernor

pytestmark = pytest.mark.anyio
DEFAULT_START = ConcurrencyGovernor.DEFAULT_START


class FakeAccount:
    """Counts requests in flight and answers 429 above the account's limit, like NetSuite."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self.rejected = 0

    async def request(self, governor: ConcurrencyGovernor) -> None:
        async with governor.slot() as slot:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                if self.in_flight > self.limit:  # NetSuite refuses at arrival, and answers at once
                    self.rejected += 1
                    slot.throttled()
                    return
                await asyncio.sleep(0)
                await asyncio.sleep(0)
            finally:
                self.in_flight -= 1


async def run(account: FakeAccount, governor: ConcurrencyGovernor, requests: int, workers: int = 50) -> None:
    queue = list(range(requests))

    async def worker() -> None:
        while queue:
            queue.pop()
            await account.request(governor)

    await asyncio.gather(*(worker() for _ in range(workers)))


async def test_a_known_limit_is_never_exceeded() -> None:
    """50 concurrent workers never put more than the known limit in flight, and the limit is not raised."""
    account, governor = FakeAccount(limit=7), ConcurrencyGovernor(known_limit=7)
    await run(account, governor, 2000)
    assert account.peak == 7
    assert account.rejected == 0
    assert governor.stats.limit == 7


async def test_an_unknown_limit_is_found_and_kept() -> None:
    """From 5 the governor grows to the account's limit, learns it from the first 429s and stays there."""
    account, governor = FakeAccount(limit=12), ConcurrencyGovernor()
    assert governor.stats.limit == DEFAULT_START
    await run(account, governor, 3000)
    stats = governor.stats
    assert stats.ceiling == 12
    assert stats.limit in (12, 13)  # 13 only while probing above the ceiling
    assert 1 <= account.rejected <= 3  # the first overshoot, then one probe every 2,000 answers
    await run(account, governor, 6000)
    assert account.rejected <= 8  # a steady run sees almost no 429s: ~1 per 2,000 requests


async def test_a_429_drops_the_limit_below_where_it_happened() -> None:
    """Started at 8 on an account that allows 3, the 429s bring it down to exactly 3, and it stays."""
    account, governor = FakeAccount(limit=3), ConcurrencyGovernor(start=8)
    await run(account, governor, 400)
    assert governor.stats.ceiling == 3
    assert governor.stats.throttled == account.rejected
    assert account.rejected < 20


async def test_a_limit_learnt_mid_run_is_held_and_never_exceeded() -> None:
    """The preflight reads governanceLimits after the governor has started: from then on the limit is that one
    (capped by a configured limit, and by a ceiling 429s have shown)."""
    account, governor = FakeAccount(limit=7), ConcurrencyGovernor()
    governor.know_limit(7)
    assert governor.stats.limit == 7
    await run(account, governor, 2000)
    assert account.peak == 7
    assert account.rejected == 0
    assert governor.stats.limit == 7
    configured = ConcurrencyGovernor(known_limit=3)
    configured.know_limit(7)
    assert configured.stats.limit == 3
    throttled = ConcurrencyGovernor(start=8)
    await run(FakeAccount(limit=3), throttled, 400)
    throttled.know_limit(7)
    assert throttled.stats.limit == 3
    with pytest.raises(ValueError, match="at least 1"):
        governor.know_limit(0)


def test_backoff_is_full_jitter_with_a_cap_and_a_floor() -> None:
    """The wait is rng * min(cap, base * 2**(attempt-1)), never below Retry-After."""
    backoff = Backoff(base=1.0, cap=30.0)
    assert [backoff.delay(n, rng=lambda: 1.0) for n in (1, 2, 3, 6, 20)] == [1.0, 2.0, 4.0, 30.0, 30.0]
    assert backoff.delay(4, rng=lambda: 0.5) == 4.0
    assert backoff.delay(1, rng=lambda: 0.0) == 0.0
    assert backoff.delay(1, rng=lambda: 0.0, floor=3.0) == 3.0


async def test_slots_go_first_come_first_served_and_cancelled_waiters_leak_nothing() -> None:
    """With one slot, waiters get it in arrival order; a waiter cancelled while queued gives up its place."""
    governor = ConcurrencyGovernor(known_limit=1)
    order: list[str] = []
    release = asyncio.Event()

    async def use(name: str) -> None:
        async with governor.slot():
            order.append(name)
            await release.wait()

    first = asyncio.create_task(use("first"))
    await asyncio.sleep(0)
    queued = [asyncio.create_task(use(name)) for name in ("second", "third", "fourth")]
    await asyncio.sleep(0)
    queued[1].cancel()  # "third" leaves the queue
    release.set()
    await asyncio.gather(first, queued[0], queued[2])
    assert order == ["first", "second", "fourth"]
    assert queued[1].cancelled()
    async with asyncio.timeout(2), governor.slot():  # the slot is free again: nothing leaked
        pass


async def test_a_learned_limit_is_where_it_starts_and_a_ceiling_probed_rarely() -> None:
    """A limit an earlier run learned from 429s (kept by the service across restarts) is the start and the
    ceiling: full use does not climb above it answer by answer, as a fresh governor does."""
    kept = ConcurrencyGovernor(learned=2)
    fresh = ConcurrencyGovernor(start=2)
    for governor in (kept, fresh):
        for _ in range(10):
            async with governor.slot(), governor.slot():
                pass
    assert kept.stats.limit == 2
    assert kept.stats.ceiling == 2
    assert fresh.stats.limit > 2
    assert ConcurrencyGovernor(known_limit=4, learned=2).stats.limit == 4  # a known limit wins
