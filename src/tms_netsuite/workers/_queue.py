"""The job queue on the ledger's PostgreSQL database (procrastinate): which worker drives which account when.

The ledger stays the source of truth for documents and exactly-once (claims, leases, the outcome-unknown rule);
the queue only decides who works on an account next. Every job is about one account, or is the sweep:

- ``drain``: one bounded export pass (:meth:`Service.export_pass`) that yields after ``slice_seconds`` and is
  deferred again behind the other accounts' jobs while rows are still due;
- ``doctor``: the account's doctor, deferred by the sweep when its schedule says so;
- ``readback``: one read-back pass (:meth:`Service.readback_pass`), deferred by the sweep once the account's
  last complete pass (its cursor's ``updated_at`` in the ledger) is ``--sync-back-every`` old, and after an
  export pass that settled documents (their events then come at once);
- ``deliver``: one round of webhook deliveries (:meth:`Service.deliver_pass`), deferred after a read-back that
  kept events, by the API (a new or re-enabled endpoint, a redelivery) and by the sweep while any are due;
- ``sweep`` (periodic): defers each of those that is due for every account, so nothing waits longer than one
  sweep even if a defer was lost (a crash between an ingest's commit and its defer, a dead worker);
- ``cleanup`` (periodic, hourly): deletes finished jobs older than ``keep_jobs_hours`` (successful ones are
  deleted as they finish; this takes the failed, cancelled and aborted ones), so the job table stays small.

Drains and doctors hold procrastinate's ``lock`` on the account (one worker drives an account at a time, at its
full limit); a read-back and a delivery each hold a lock of their own kind on it (one of each at a time, beside
the exports). Every account job has a ``queueing_lock`` on (job kind, account), so at most one of a kind
waits: however many API nodes and workers wake an account, its read-back runs once. Another job kind about one
account is one more entry in :data:`ACCOUNT_JOBS`, a coroutine of (service, slug).

Around procrastinate's known pitfalls:

- #1599 (a job scheduled in the future blocks every ready job of its lock): no account job is ever deferred with
  a future ``scheduled_at``. What comes due later (a retry's backoff, the doctor's next run) is picked up by
  the sweep, which defers it once it is due.
- #1446 (retrying a stalled job that has a queueing lock fails with a unique violation when another of its kind
  waits) and #1408 (the documented stalled-job retrier is itself a job, and can stall): stalled jobs are never
  retried. A reaper that is not a job (a loop in every worker process, :meth:`Workers.reap`) marks the jobs
  of workers whose heartbeat stopped as failed, which frees the account's lock, and defers a fresh job of
  the same kind (a waiting one already there is as good). Nothing the reaper does can stall.
- A periodic task with a lock stalls everything behind it when its worker dies (#1408's comments, #1543): the
  sweep has neither lock nor queueing lock; two sweeps at once only defer what is already deferred.

A worker the reaper wrongly takes for dead (a heartbeat late past ``stalled_after``, e.g. its connection was
cut) may overlap with the fresh job on another worker: the ledger's claims keep that to efficiency, never a
document written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import exceptions as queue_errors
from sqlalchemy.engine import make_url

from tms_netsuite.service import Service

logger = logging.getLogger("tms_netsuite.workers")

AccountJob = Callable[[Service, str, asyncio.Event], Awaitable[bool]]
"""One job about one account: (service, slug, stopping) → whether more of the same is due at once."""


async def _drain(service: Service, slug: str, stopping: asyncio.Event) -> bool:
    delay = await service.export_pass(slug, stopping)
    return delay is not None and delay <= 0


async def _doctor(service: Service, slug: str, stopping: asyncio.Event) -> bool:
    await service.doctor(slug)  # wakes the account's exports (a drain is deferred) once it has run
    return False


async def _readback(service: Service, slug: str, stopping: asyncio.Event) -> bool:
    await service.readback_pass(slug)  # defers the account's delivery when it kept events
    return False


async def _deliver(service: Service, slug: str, stopping: asyncio.Event) -> bool:
    await service.deliver_pass(slug)
    return False  # what is left (more than a round, retries) the sweep defers once due


ACCOUNT_JOBS: dict[str, AccountJob] = {
    "drain": _drain,
    "doctor": _doctor,
    "readback": _readback,
    "deliver": _deliver,
}

# The lock a job kind holds on its account. Exports and the doctor share one (the doctor's pause must not race an
# export); read-back and delivery each have their own, so a slow webhook receiver or a long read-back holds back no
# export, as with the in-process tasks.
_LOCKS = {"drain": "account", "doctor": "account", "readback": "readback", "deliver": "deliver"}


@dataclass(frozen=True)
class WorkerSettings:
    """How workers share the accounts.

    Args:
        accounts_at_once: accounts one worker process drives at a time (its procrastinate concurrency).
        slice_seconds: a drain stops claiming after this long and, with rows still due, is deferred again behind
            the jobs of other accounts waiting already: a huge or throttled account takes its turns.
        sweep_every: seconds between sweeps (a divisor of 60: the seconds column, the sixth, of a cron).
        heartbeat_every: seconds between a worker's heartbeats.
        stalled_after: seconds without a heartbeat after which a worker's jobs are taken for dead.
        reap_every: seconds between each worker's look for dead workers' jobs.
        keep_jobs_hours: hours failed (and cancelled, aborted) jobs are kept for a look before the hourly cleanup
            deletes them.
    """

    accounts_at_once: int = 4
    slice_seconds: float = 30.0
    sweep_every: int = 10
    heartbeat_every: float = 5.0
    stalled_after: float = 20.0
    reap_every: float = 5.0
    keep_jobs_hours: int = 168


def queue_conninfo(ledger_url: str) -> str:
    """The libpq URL (procrastinate's psycopg connector) of the ledger's PostgreSQL database."""
    url = make_url(ledger_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            "worker processes need a PostgreSQL ledger (TMS_NETSUITE_DATABASE_URL=postgresql://…)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Workers:
    """The queue's app, its tasks, deferring jobs, and running a worker process's share of them.

    Build it, :meth:`bind` the service the tasks run on, then ``async with workers.opened():`` around
    deferring (:meth:`defer`, :meth:`scheduler`) and :meth:`run`.
    """

    def __init__(self, ledger_url: str, settings: WorkerSettings | None = None) -> None:
        self.settings = settings or WorkerSettings()
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=queue_conninfo(ledger_url),
                min_size=1,
                max_size=self.settings.accounts_at_once + 4,
                # psycopg's pool names the connection string in some messages: a name of our own instead.
                name="tms-netsuite-queue",
            )
        )
        self._service: Service | None = None
        self._stopping = asyncio.Event()
        self._register()

    def bind(self, service: Service) -> None:
        self._service = service

    @contextlib.asynccontextmanager
    async def opened(self) -> Any:
        await self.app.open_async()
        try:
            yield self
        finally:
            await self.app.close_async()

    def scheduler(self, kind: str = "drain") -> ProcrastinateScheduler:
        """The service's scheduler of one job kind: waking an account defers its job of that kind."""
        return ProcrastinateScheduler(self, kind)

    async def defer(self, kind: str, slug: str) -> bool:
        """Defer a job of ``kind`` for the account, to run now; False when one of its kind already waits."""
        task = self.app.tasks[f"tms_netsuite.{kind}"]
        try:
            # Never schedule_at/schedule_in: a future job blocks its whole lock (procrastinate #1599).
            await task.configure(lock=f"{_LOCKS[kind]}:{slug}", queueing_lock=f"{kind}:{slug}").defer_async(
                slug=slug
            )
        except queue_errors.AlreadyEnqueued:
            return False
        return True

    def _register(self) -> None:
        app = self.app
        for kind, job in ACCOUNT_JOBS.items():
            app.task(name=f"tms_netsuite.{kind}", retry=False, pass_context=True)(
                self._account_task(kind, job)
            )

        @app.periodic(cron=f"* * * * * */{self.settings.sweep_every}", periodic_id="sweep")
        @app.task(name="tms_netsuite.sweep", retry=False)
        async def sweep(timestamp: int) -> None:
            await self.sweep()

        # procrastinate's builtin remove_old_jobs does this too, but only on a queue of its own ("builtin"): the
        # same call here runs on the workers' queue without another queue to listen to.
        @app.periodic(cron="0 * * * *", periodic_id="cleanup")
        @app.task(name="tms_netsuite.cleanup", retry=False)
        async def cleanup(timestamp: int) -> None:
            await self.cleanup()

    def _account_task(self, kind: str, job: AccountJob) -> Callable[..., Awaitable[None]]:
        async def run(context: procrastinate.JobContext, slug: str) -> None:
            service = self._require_service()
            logger.info("job %s: %s of %s started", context.job.id, kind, slug)
            stopping = asyncio.Event()
            loop = asyncio.get_running_loop()
            timer = loop.call_later(self.settings.slice_seconds, stopping.set)
            follow = asyncio.create_task(_follow(self._stopping, stopping))
            try:
                again = await job(service, slug, stopping)
            except LookupError:  # the account was removed
                return
            finally:
                timer.cancel()
                follow.cancel()
            if again and not self._stopping.is_set():
                # Behind every job already waiting (procrastinate takes the oldest first at one priority).
                await self.defer(kind, slug)

        run.__name__ = kind
        return run

    def _require_service(self) -> Service:
        if self._service is None:
            raise RuntimeError("Workers.bind(service) first")
        return self._service

    async def sweep(self) -> dict[str, int]:
        """Defer for every account a drain when rows are due, a doctor, a read-back and a delivery where one is
        due; counts what it deferred."""
        service = self._require_service()
        deferred = dict.fromkeys(ACCOUNT_JOBS, 0)
        for record in await service.registry.all_accounts():
            doctor, rows = await service.work_due(record)
            due = {"doctor": doctor, "drain": rows}
            # A read-back or delivery under way is not done yet (its cursor, its rows not settled): asked first,
            # so that one finishing in between has already left the ledger saying so.
            for kind, check in (("readback", service.readback_due), ("deliver", service.deliveries_due)):
                due[kind] = not await self._under_way(kind, record.slug) and await check(record)
            for kind, now in due.items():
                if now and await self.defer(kind, record.slug):
                    deferred[kind] += 1
        return deferred

    async def _under_way(self, kind: str, slug: str) -> bool:
        """Whether a job of ``kind`` about the account waits or runs (procrastinate's queueing lock covers only
        the waiting ones)."""
        found = await self.app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE queueing_lock = %(lock)s "
            "AND status IN ('todo', 'doing')",
            lock=f"{kind}:{slug}",
        )
        return bool(found["n"])

    async def cleanup(self) -> None:
        """Delete jobs that ended (failed, cancelled, aborted; successful ones already are) more than
        ``keep_jobs_hours`` ago."""
        await self.app.job_manager.delete_old_jobs(
            nb_hours=self.settings.keep_jobs_hours,
            include_failed=True,
            include_cancelled=True,
            include_aborted=True,
        )

    async def reap(self) -> int:
        """Fail the jobs of workers whose heartbeat stopped and defer a fresh one of each account's kind (never a
        retry: procrastinate #1446, #1408). Returns how many this call reaped."""
        manager = self.app.job_manager
        reaped = 0
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=self.settings.stalled_after):
            try:
                await manager.finish_job(job, status=procrastinate.jobs.Status.FAILED, delete_job=False)
            except queue_errors.ConnectorException:
                continue  # another worker's reaper got there first
            reaped += 1
            kind = job.task_name.removeprefix("tms_netsuite.")
            slug = job.task_kwargs.get("slug")
            logger.warning("job %s (%s of %s) lost its worker; deferred again", job.id, kind, slug)
            if kind in ACCOUNT_JOBS and isinstance(slug, str):
                await self.defer(kind, slug)
        return reaped

    async def run(self, stopping: asyncio.Event, *, name: str | None = None) -> None:
        """Work until ``stopping`` is set, then let the jobs under way finish their documents (they claim
        nothing more) and return. A worker that stops by itself (its database connection failed: procrastinate
        stops a worker whose heartbeat or listener fails) is started again after a short pause."""
        self._stopping = stopping
        reaper = asyncio.create_task(self._reap_forever(stopping), name="reaper")
        pause = 0.5
        try:
            while not stopping.is_set():
                worker = asyncio.create_task(
                    self.app.run_worker_async(
                        concurrency=self.settings.accounts_at_once,
                        name=name or "worker",
                        install_signal_handlers=False,
                        update_heartbeat_interval=self.settings.heartbeat_every,
                        stalled_worker_timeout=self.settings.stalled_after,
                        delete_jobs="successful",
                        listen_notify=True,
                        # A job waiting on its account's lock gets no notification when the lock frees: it is
                        # found by this poll (one cheap query a second).
                        fetch_job_polling_interval=1.0,
                    ),
                    name="procrastinate worker",
                )
                waiting = asyncio.create_task(stopping.wait())
                await asyncio.wait({worker, waiting}, return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
                if not worker.done():  # asked to stop: cancelling lets the worker wait for its jobs
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker
                    return
                try:
                    worker.result()
                    logger.warning("the worker stopped by itself; starting it again in %.1f s", pause)
                except Exception as exc:  # the database went away: wait for it and start again
                    logger.warning(
                        "the worker failed (%s); starting it again in %.1f s", type(exc).__name__, pause
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=pause * (1 + random.random()))
                pause = min(pause * 2, 10.0)
        finally:
            reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reaper

    async def _reap_forever(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.reap()
            except Exception as exc:  # an unreachable database: the next round tries again
                logger.warning("looking for dead workers' jobs failed (%s)", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.settings.reap_every)


async def _follow(source: asyncio.Event, target: asyncio.Event) -> None:
    await source.wait()
    target.set()


class ProcrastinateScheduler:
    """The service's :class:`ExportScheduler` of one job kind on a PostgreSQL ledger: waking an account defers
    its job of that kind, which any worker process sharing the database runs. Nothing of it runs in the process
    that wakes: an API node runs no read-back or delivery of its own."""

    def __init__(self, workers: Workers, kind: str = "drain") -> None:
        self._workers = workers
        self._kind = kind
        self._pending: set[asyncio.Task[bool]] = set()

    def wake(self, slug: str) -> None:
        task = asyncio.create_task(self._defer(slug), name=f"defer {self._kind} of {slug}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _defer(self, slug: str) -> bool:
        try:
            return await self._workers.defer(self._kind, slug)
        except Exception as exc:  # the sweep defers it within one interval
            logger.warning(
                "deferring the %s of %s failed (%s); the sweep will", self._kind, slug, type(exc).__name__
            )
            return False

    async def start(self, slugs: list[str]) -> None:
        # Exports start at once (rows may be due); a read-back or delivery only when due, which the sweep
        # knows from the ledger: a restart of every API node reads nothing back again.
        if self._kind != "drain":
            return
        for slug in slugs:
            await self._defer(slug)

    async def stop(self, grace: float) -> None:
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=grace)
