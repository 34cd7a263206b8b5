"""When each account's exports run: one task per account in this process, woken by ingest (debounced), by
retries coming due and by the doctor's schedule.

Behind the small :class:`ExportScheduler` interface, so a job queue shared by several processes (PostgreSQL)
can take its place without the API noticing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from tms_netsuite.service._observe import account_slug

logger = logging.getLogger("tms_netsuite.service")

# One pass of an account's exports; returns seconds until it is due again (None: only when woken).
Cycle = Callable[[str, asyncio.Event], Awaitable[float | None]]


class ExportScheduler(Protocol):
    """What the API needs of whatever runs the exports."""

    def wake(self, slug: str) -> None:
        """Documents arrived (or a retry, a resume, new settings) for this account: export soon."""

    async def start(self, slugs: list[str]) -> None:
        """Begin with these accounts."""

    async def stop(self, grace: float) -> None:
        """Claim nothing more; let what is under way finish within ``grace`` seconds, then cancel it (its rows
        are let go and looked up in NetSuite by the next run, so nothing is written twice)."""


class InProcessScheduler:
    """At most one export of an account at a time, every account in its own task: a throttled or failing
    account waits on its own and holds back no other.

    Args:
        cycle: one pass of an account (see :data:`Cycle`); it must give up claiming once ``stopping`` is set.
        debounce: seconds to gather more documents after a wake-up before exporting.
        idle: the longest wait between passes when nothing is known to be due (a safety net).
        retry_after_error: seconds before a pass that raised is tried again.
    """

    def __init__(
        self, cycle: Cycle, *, debounce: float = 0.2, idle: float = 300.0, retry_after_error: float = 30.0
    ) -> None:
        self._cycle = cycle
        self._debounce = debounce
        self._idle = idle
        self._retry_after_error = retry_after_error
        self._wakes: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.stopping = asyncio.Event()

    def wake(self, slug: str) -> None:
        if self.stopping.is_set():
            return
        if slug not in self._tasks or self._tasks[slug].done():
            self._wakes[slug] = asyncio.Event()
            self._tasks[slug] = asyncio.create_task(self._run(slug), name=f"exports of {slug}")
        self._wakes[slug].set()

    async def start(self, slugs: list[str]) -> None:
        for slug in slugs:
            self.wake(slug)

    def running(self) -> list[str]:
        """The accounts with a live task."""
        return sorted(slug for slug, task in self._tasks.items() if not task.done())

    async def stop(self, grace: float) -> None:
        self.stopping.set()
        for event in self._wakes.values():
            event.set()
        tasks = [task for task in self._tasks.values() if not task.done()]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, slug: str) -> None:
        account_slug.set(slug)
        wake = self._wakes[slug]
        while not self.stopping.is_set():
            wake.clear()
            await self._pause(self._debounce)
            if self.stopping.is_set():
                return
            try:
                delay = await self._cycle(slug, self.stopping)
            except LookupError:  # the account was removed
                return
            except Exception:  # a defect or an unreachable ledger must not end the account's exports for good
                logger.exception(
                    "the exports of %s failed; trying again in %.0f s", slug, self._retry_after_error
                )
                delay = self._retry_after_error
            wait = self._idle if delay is None else min(max(delay, 0.0), self._idle)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=wait)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
