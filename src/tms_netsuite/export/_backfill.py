"""Backfills: new records created through NetSuite's asynchronous batch requests beside the synchronous slots.

A run with backfill on sends every record it must *create* (not updates, deletes or transforms) to one queue.
Two kinds of consumers empty it:

- **Synchronous slots.** As many workers as the run's governor allows create one record per request. The run's
  governor is kept ``live_slots`` below the account's limit, so live work (another ``export`` run, the service)
  finds a slot free at once: it goes first.
- **REST async processors.** A dispatcher takes up to 100 records of one type at a time — its share of what waits,
  ``processors / (processors + synchronous slots)`` — and submits them as one batch request (``Prefer:
  respond-async``, ``type=collection``) with an idempotency key derived from the batch's content, keeps at most
  ``max_jobs`` jobs in flight, polls each with back-off, then learns the new records' internal ids with one
  SuiteQL query; a record not found reads its task's result, which is the error its document gets.

Submission and polling are requests like any other: they take a slot of the same governor.

Exactly once, without remembering jobs: every create here is a POST that carries the record's external id, never
an upsert (``PUT …/eid:``). NetSuite refuses a second record of a type with an external id it holds, so a job
whose fate is unknown (a lost answer, a run that died with jobs queued) cannot make a record twice, whatever runs
beside it or after it; a create it refuses is looked up by external id, and a record found there is the one
written. The idempotency key makes sending a submission again after a lost answer return the first job instead of
queueing a second.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tms_netsuite.export._report import ExportReport
from tms_netsuite.mapping import NetSuiteWrite, RecordKey
from tms_netsuite.netsuite import (
    ConcurrencyGovernor,
    NetSuiteClient,
    RequestError,
    RequestInfo,
    RetryDecision,
    ServerError,
    call_with_retries,
)

logger = logging.getLogger("tms_netsuite.export")

# uuid5 namespace of the batches' idempotency keys (NetSuite's examples use UUIDs as keys).
_KEYS = uuid.UUID("6f1c1a8e-8b0c-4d59-9e57-2b8f0c6b3a11")


@dataclass(frozen=True)
class BackfillSettings:
    """How a backfill shares the account.

    Args:
        live_slots: synchronous slots the run leaves free for live work (the run's governor is kept this far
            below the account's limit; at least one slot is always used).
        processors: how many REST async processors the account has (its SuiteCloud Plus licences); only sizes
            the batches' share of the queue.
        max_batch: records per batch request (NetSuite allows 100).
        min_batch: a smaller batch is sent only when no job is in flight: every job costs requests of the same
            slots (its submission, its polls, one lookup), which small jobs would spend on little.
        max_jobs: batch jobs in flight at once (the processors take tasks first in, first out across jobs: jobs
            queued behind the running one keep them busy while its answer is polled).
        claim: documents the run claims at a time while backfilling (more than otherwise: documents waiting for
            a batch job are many, and the slots must still find work).
        first_poll_s, max_poll_s: the back-off of a job's polls; the first comes when the job should be done
            (the tasks queued before it and its own, at the latency synchronous creates take, over the
            processors).
        job_timeout_s: a job not completed by then is given up: its records' outcome is unknown (they are
            looked up by external id when their documents are tried again).
        threshold: with backfill not asked for, a run turns it on when more documents than this are pending.
    """

    live_slots: int = 1
    processors: int = 5
    max_batch: int = 100
    min_batch: int = 50
    max_jobs: int = 6
    first_poll_s: float = 0.5
    max_poll_s: float = 2.0
    job_timeout_s: float = 900.0
    threshold: int = 1000
    claim: int = 1000

    def __post_init__(self) -> None:
        if self.live_slots < 0 or self.processors < 1 or self.max_jobs < 1:
            raise ValueError("live_slots ≥ 0, processors ≥ 1 and max_jobs ≥ 1")
        if not 1 <= self.max_batch <= 100:
            raise ValueError("a batch holds 1 to 100 records")


@dataclass(eq=False)
class _Item:
    write: NetSuiteWrite
    body: dict[str, Any]
    done: asyncio.Future[str] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class BatchCreator:
    """Creates records for the run's documents: through synchronous slots and batch jobs, as they free up.

    Args:
        client, governor: the run's NetSuite client and governor (every request takes one of its slots).
        settings: the backfill's settings.
        look_up: internal ids of the records NetSuite holds among these keys (asked now, one query per type).
        awaited: records other writes wait for: a batch takes them last, the synchronous slots (whose answer
            comes at once, a batch job's after the tasks queued before it and a poll) take the oldest first.
        sleep: injected waiting (between polls).
        report: the run's report (batch jobs and records created through them are counted there).
    """

    def __init__(
        self,
        client: NetSuiteClient,
        governor: ConcurrencyGovernor,
        settings: BackfillSettings,
        *,
        look_up: Callable[[list[RecordKey]], Awaitable[dict[RecordKey, str]]],
        awaited: set[RecordKey] | None = None,
        sleep: Callable[[float], Awaitable[None]],
        report: ExportReport,
    ) -> None:
        self._client = client
        self._governor = governor
        self._settings = settings
        self._look_up = look_up
        self._awaited = awaited if awaited is not None else set()
        self._sleep = sleep
        self._report = report
        self._queue: deque[_Item] = deque()
        self._changed = asyncio.Event()
        self._jobs = 0
        self._tasks_in_flight = 0  # records in this run's jobs not yet completed
        self._latency = 0.0  # how long a synchronous create takes (a running mean): a task's time
        self._busy_until = 0.0  # when the processors should be done with this run's jobs (monotonic)
        self._tasks: set[asyncio.Task[None]] = set()
        self._workers = 0

    async def create(self, write: NetSuiteWrite, payload: dict[str, Any]) -> str:
        """Create the record (its dependencies are in NetSuite); its internal id.

        Raises:
            RequestError: NetSuite refused it (synchronously, or in its batch task), or the batch's submission
                or polling failed after retries.
        """
        self._start()
        item = _Item(write, {**payload, "externalId": write.external_id})
        self._queue.append(item)
        self._changed.set()
        return await item.done

    async def close(self) -> None:
        """Stop the workers and the dispatcher; a job still in flight is abandoned (its documents were
        cancelled with the run; what it writes is found by external id later)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for item in self._queue:
            item.done.cancel()
        self._queue.clear()

    def _start(self) -> None:
        if self._tasks:
            return
        self._workers = max(1, self._governor.stats.limit)
        for _ in range(self._workers):
            self._spawn(self._sync_worker())
        self._spawn(self._dispatcher())

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)

    async def _wait_for_change(self) -> None:
        self._changed.clear()
        await self._changed.wait()

    # -- synchronous slots ------------------------------------------------------------------------------

    async def _sync_worker(self) -> None:
        while True:
            if not self._queue:
                await self._wait_for_change()
                continue
            item = self._queue.popleft()
            if item.done.done():
                continue
            try:
                item.done.set_result(await self._create_one(item))
            except Exception as exc:  # a RequestError, or a defect: its document fails or waits, never hangs
                if not isinstance(exc, RequestError):
                    logger.exception("creating %s failed", item.write.key)
                item.done.set_exception(exc)

    async def _create_one(self, item: _Item) -> str:
        record_type = item.write.record_type.value

        async def create() -> str:
            started = time.monotonic()
            internal = await self._client.create(record_type, item.body)
            took = time.monotonic() - started
            self._latency = took if not self._latency else 0.9 * self._latency + 0.1 * took
            return internal

        try:
            return await call_with_retries(
                create,
                idempotent=False,
                governor=self._governor,
                sleep=self._sleep,
                on_throttled=self._throttled,
            )
        except RequestError as exc:
            if exc.retryable:
                raise
            # Refused: perhaps because a job (of this run or of one that died) created it meanwhile.
            found = await self._look_up([item.write.key])
            if item.write.key in found:
                return found[item.write.key]
            raise

    # -- batch jobs -------------------------------------------------------------------------------------

    async def _dispatcher(self) -> None:
        settings = self._settings
        while True:
            # A batch only for what the synchronous slots cannot take at once: a few records go faster there.
            if len(self._queue) <= self._workers or self._jobs >= settings.max_jobs:
                await self._wait_for_change()
                continue
            if len(self._queue) < settings.max_batch:
                await asyncio.sleep(0.05)  # let the documents being translated fill a batch
            share = settings.processors / (settings.processors + self._workers)
            size = min(settings.max_batch, max(1, math.ceil(len(self._queue) * share)))
            if size < min(settings.min_batch, settings.max_batch) and self._jobs:
                await self._wait_for_change()
                continue
            batch = self._take(size)
            if not batch:
                await self._wait_for_change()
                continue
            self._jobs += 1
            self._tasks_in_flight += len(batch)
            self._spawn(self._job(batch))

    def _take(self, size: int) -> list[_Item]:
        """Up to ``size`` waiting records of one type, newest first (the synchronous workers take the oldest);
        records other writes wait for go last into a batch (their answer comes sooner through a slot)."""
        if not self._queue:
            return []
        wanted = next(
            (i.write.record_type for i in reversed(self._queue) if i.write.key not in self._awaited),
            self._queue[-1].write.record_type,
        )
        of_type = [i for i in reversed(self._queue) if i.write.record_type is wanted and not i.done.done()]
        chosen = [i for i in of_type if i.write.key not in self._awaited][:size]
        if len(chosen) < size:
            chosen += [i for i in of_type if i.write.key in self._awaited][: size - len(chosen)]
        picked = set(map(id, chosen))
        self._queue = deque(i for i in self._queue if id(i) not in picked)
        return chosen

    async def _job(self, batch: list[_Item]) -> None:
        record_type = batch[0].write.record_type
        try:
            key = _idempotency_key(record_type.value, batch)
            job = await call_with_retries(
                lambda: self._client.submit_batch(
                    record_type.value, [item.body for item in batch], idempotency_key=key
                ),
                idempotent=True,  # the key makes a repeated submission return the first job
                governor=self._governor,
                sleep=self._sleep,
                on_throttled=self._throttled,
            )
            self._report.batch_jobs += 1
            # First in, first out across jobs: this one ends after the tasks queued before it and its own.
            now = time.monotonic()
            self._busy_until = (
                max(now, self._busy_until) + len(batch) * self._latency / self._settings.processors
            )
            await self._until_completed(job, self._busy_until - now)
            found = await self._look_up([item.write.key for item in batch])
            for n, item in enumerate(batch, start=1):
                internal = found.get(item.write.key)
                if internal is not None:
                    self._report.batched += 1
                    item.done.set_result(internal)
                    continue
                error = await call_with_retries(
                    lambda n=n: self._client.async_task_error(job, n),  # type: ignore[misc]
                    idempotent=True,
                    governor=self._governor,
                    sleep=self._sleep,
                    on_throttled=self._throttled,
                )
                item.done.set_exception(error or _vanished(item))
        except Exception as exc:  # a RequestError, or a defect: the documents fail or wait, never hang
            if not isinstance(exc, RequestError):
                logger.exception("a batch job of %d %s records failed", len(batch), record_type.value)
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(exc)
        finally:
            self._jobs -= 1
            self._tasks_in_flight -= len(batch)
            self._changed.set()

    async def _until_completed(self, job: str, expected: float) -> None:
        delay = max(self._settings.first_poll_s, expected)
        waited, first = 0.0, True
        while True:
            if waited > self._settings.job_timeout_s:
                raise _given_up(job)
            await self._sleep(delay)
            waited += delay
            status = await call_with_retries(
                lambda: self._client.async_job(job),
                idempotent=True,
                governor=self._governor,
                sleep=self._sleep,
                on_throttled=self._throttled,
            )
            if status.get("completed") is True:
                return
            delay = self._settings.first_poll_s if first else min(delay * 1.5, self._settings.max_poll_s)
            first = False

    def _throttled(self) -> None:
        self._report.http_429 += 1


def _idempotency_key(record_type: str, batch: list[_Item]) -> str:
    """The same records with the same content give the same key (a resubmission after a lost answer)."""
    digest = hashlib.sha256(record_type.encode())
    for item in batch:
        digest.update(json.dumps(item.body, sort_keys=True, default=str).encode())
    return str(uuid.uuid5(_KEYS, digest.hexdigest()))


def _given_up(job: str) -> RequestError:
    return ServerError(
        f"batch job {job} did not complete in time; its records' outcome is unknown",
        request=RequestInfo("GET", f"async job {job}"),
        status=500,
        decision=RetryDecision(retry=True, reason="the batch job did not complete in time"),
    )


def _vanished(item: _Item) -> RequestError:
    """A task that succeeded whose record is not found (yet): retried later, its outcome unknown."""
    return ServerError(
        f"the batch task for {item.write.key} succeeded, but NetSuite does not hold the record",
        request=RequestInfo("POST", f"batch:{item.write.key}"),
        status=500,
        decision=RetryDecision(retry=True, reason="the record of a succeeded batch task was not found"),
    )
