"""The reaper against procrastinate's pitfalls, in-process on a PostgreSQL database of the test's own: a dead
worker's job with a queueing lock while another of its kind waits (procrastinate #1446) is failed, not retried,
and the account is left with exactly one waiting job; a job is never scheduled in the future (#1599)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import procrastinate
import psycopg
import pytest

from tests.conftest import require
from tests.workers.test_workers import ADMIN_URL
from tms_netsuite.ledger import Registry
from tms_netsuite.workers import Workers, WorkerSettings

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


@pytest.fixture
async def database() -> AsyncIterator[str]:
    try:
        admin = await psycopg.AsyncConnection.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL is unreachable at {ADMIN_URL} ({type(exc).__name__})")
    name = f"reaper_test_{uuid.uuid4().hex[:12]}"
    async with admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
            registry = await Registry.open(url.replace("postgresql://", "postgresql+asyncpg://", 1))
            await registry.close()  # the ledger's migrations, 0013 (the queue's tables) among them
            yield url
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _jobs(url: str) -> list[tuple[str, str, str | None, bool]]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cursor = await conn.execute(
            "SELECT task_name, status::text, queueing_lock, scheduled_at IS NULL FROM procrastinate_jobs ORDER BY id"
        )
        return [tuple(row) for row in await cursor.fetchall()]  # type: ignore[misc]


async def test_a_dead_workers_job_is_failed_and_its_account_waits_once(database: str) -> None:
    workers = Workers(database, WorkerSettings(stalled_after=1))
    async with workers.opened():
        manager = workers.app.job_manager
        assert await workers.defer("drain", "acme") is True
        assert await workers.defer("drain", "acme") is False  # one waits already (queueing lock)
        dead = await manager.register_worker()
        job = await manager.fetch_job(queues=None, worker_id=dead)
        assert job is not None
        assert job.status == "doing"
        assert await workers.defer("drain", "acme") is True  # the running one is not waiting
        async with await psycopg.AsyncConnection.connect(database, autocommit=True) as conn:
            await conn.execute("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'")
        assert await workers.reap() == 1  # no unique violation (#1446): failed, not put back to todo
        assert await workers.reap() == 0
    assert await _jobs(database) == [
        ("tms_netsuite.drain", "failed", "drain:acme", True),
        ("tms_netsuite.drain", "todo", "drain:acme", True),  # never scheduled in the future (#1599)
    ]


async def test_the_hourly_cleanup_deletes_ended_jobs_past_their_retention_and_keeps_the_rest(
    database: str,
) -> None:
    workers = Workers(database, WorkerSettings(stalled_after=1, keep_jobs_hours=24))
    async with workers.opened():
        assert "cleanup" in {
            task.periodic_id for task in workers.app.periodic_registry.periodic_tasks.values()
        }
        manager = workers.app.job_manager
        assert await workers.defer("readback", "old") is True
        assert await workers.defer("readback", "recent") is True
        assert await workers.defer("deliver", "waiting") is True
        dead = await manager.register_worker()
        for _ in range(2):
            job = await manager.fetch_job(queues=None, worker_id=dead)
            assert job is not None
            await manager.finish_job(job, status=procrastinate.jobs.Status.FAILED, delete_job=False)
        async with await psycopg.AsyncConnection.connect(database, autocommit=True) as conn:
            # The first failure ended two days ago (its events date it), the second just now.
            await conn.execute(
                "UPDATE procrastinate_events SET at = at - interval '2 days' WHERE job_id IN "
                "(SELECT id FROM procrastinate_jobs WHERE queueing_lock = 'readback:old')"
            )
        await workers.cleanup()
    assert await _jobs(database) == [
        ("tms_netsuite.readback", "failed", "readback:recent", True),
        ("tms_netsuite.deliver", "todo", "deliver:waiting", True),
    ]
