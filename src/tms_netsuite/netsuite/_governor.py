"""How many requests may be in flight: NetSuite's account-wide concurrency limit, given or learned.

One governor per run: the preflight's reads and the engine's writes share it, so a 429 is learnt in one place.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

# NetSuite's smallest tier allows 5 concurrent requests: a safe start when the limit is unknown.
DEFAULT_START = 5
# Grow by one after this many answers in a row without a 429 while every slot was busy...
_GROW_AFTER = 50
# ...but once a 429 has shown where the ceiling is, probe above it only after this many.
_PROBE_AFTER = 2000


@dataclass(frozen=True, slots=True)
class GovernorStats:
    """What the governor saw: the limit it holds now, the learned ceiling, and 429s."""

    limit: int
    ceiling: int | None
    throttled: int


class ConcurrencyGovernor:
    """An adjustable semaphore that finds the account's concurrency limit and stays under it.

    With a known limit (``governanceLimits``, or ``--concurrency``), it never exceeds it. Without one it
    starts at 5 and adds a slot after a run of unthrottled answers at full use; a 429 drops it below the
    concurrency at which it happened and makes that a sticky ceiling, probed upward rarely.

    Args:
        known_limit: the account's (or integration's) limit, if known; never exceeded.
        start: the starting limit when none is known.
        learned: a ceiling an earlier run learned from 429s (a service keeps it across restarts): the governor
            starts there and probes above it only rarely, instead of finding it again with fresh 429s.
    """

    DEFAULT_START = DEFAULT_START

    def __init__(
        self, *, known_limit: int | None = None, start: int = DEFAULT_START, learned: int | None = None
    ) -> None:
        if known_limit is not None and known_limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        if learned is not None and learned < 1:
            raise ValueError("a learned limit must be at least 1")
        self._max = known_limit
        self._ceiling: int | None = learned if known_limit is None else None
        self._limit = known_limit if known_limit is not None else (learned or start)
        self._in_flight = 0
        self._quiet = 0  # answers without a 429 since the last change
        self._throttled = 0
        self._epoch = 0  # bumped when a 429 lowers the limit
        # First come, first served: a freed slot goes to exactly one waiter (waking every waiter to let one
        # through cost about a millisecond of CPU per request at 20 in flight).
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def stats(self) -> GovernorStats:
        return GovernorStats(limit=self._limit, ceiling=self._ceiling, throttled=self._throttled)

    def know_limit(self, limit: int) -> None:
        """The limit became known (read from governanceLimits mid-run): hold it, and never exceed it from now."""
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self._max = limit if self._max is None else min(self._max, limit)
        self._limit = self._max if self._ceiling is None else min(self._max, self._ceiling)
        self._hand_over()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[_Slot]:
        """Hold one request slot; report a 429 through the yielded slot's ``throttled()``."""
        await self._acquire()
        slot = _Slot(in_flight=self._in_flight, epoch=self._epoch)
        try:
            yield slot
        finally:
            self._in_flight -= 1
            self._record(slot)
            self._hand_over()

    async def _acquire(self) -> None:
        if self._in_flight < self._limit and not self._waiters:
            self._in_flight += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # _hand_over counted this request in flight before waking it
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._in_flight -= 1  # the slot arrived with the cancellation: pass it on
                self._hand_over()
            else:
                self._waiters.remove(waiter)
            raise

    def _hand_over(self) -> None:
        while self._waiters and self._in_flight < self._limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._in_flight += 1
                waiter.set_result(None)

    def _record(self, slot: _Slot) -> None:
        in_flight = slot.in_flight
        if slot.was_throttled:
            # Refused as the k-th request in flight means the limit is below k. Evidence from before the
            # last decrease can only lower the ceiling further; fresh evidence replaces it.
            self._throttled += 1
            self._quiet = 0
            bound = max(1, in_flight - 1)
            fresh = slot.epoch == self._epoch or self._ceiling is None
            self._ceiling = bound if fresh else min(self._ceiling or bound, bound)
            if self._ceiling < self._limit or fresh:
                self._epoch += 1
            self._limit = self._ceiling
            return
        self._quiet += 1
        full = in_flight >= self._limit
        if self._ceiling is None:
            wait = 1  # no 429 yet: climb a slot per answer at full use, to find the limit quickly
        elif self._limit >= self._ceiling:
            wait = _PROBE_AFTER
        else:
            wait = _GROW_AFTER
        if full and self._quiet >= wait and (self._max is None or self._limit < self._max):
            self._limit += 1
            self._quiet = 0


class _Slot:
    __slots__ = ("epoch", "in_flight", "was_throttled")

    def __init__(self, *, in_flight: int, epoch: int) -> None:
        self.in_flight = in_flight
        self.epoch = epoch
        self.was_throttled = False

    def throttled(self) -> None:
        """The request held in this slot was answered 429."""
        self.was_throttled = True


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: a random wait in [0, min(cap, base * 2**attempt)].

    Full jitter spreads retries of many documents apart (NetSuite asks integrations to avoid synchronised
    retries). A server's ``Retry-After`` is a floor. The formula is one line, so no library is pulled in.
    """

    base: float = 1.0
    # Past the export's --max-wait (5 minutes by default), so a document that keeps failing ends the run
    # (pending, for the next one) instead of keeping it alive.
    cap: float = 1800.0

    def delay(
        self, attempt: int, *, rng: Callable[[], float] = random.random, floor: float | None = None
    ) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempts count from 1)."""
        ceiling = min(self.cap, self.base * math.pow(2, max(0, attempt - 1)))
        return max(floor or 0.0, rng() * ceiling)
