"""Worker processes on a PostgreSQL ledger, as operators run them: `tms-netsuite migrate`, `serve --no-workers`
taking documents over HTTP, three `tms-netsuite worker` processes sharing four emulated NetSuite accounts (one
throttled to one request at a time, one injecting faults), a worker SIGKILLed mid-drain, every worker's database
connection terminated under it. Every document of every account must end in NetSuite exactly once (each
emulator's own store is NetSuite's truth, as in the export crash tests).

`make test` runs one bounded scenario; TMS_NETSUITE_DEEP=1 (`make test-deep`) runs more documents, several kills
at several moments and repeated connection cuts.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet

from netsuite_emulator import Emulator
from netsuite_emulator.testing import ServedEmulator, start_emulator
from tests.conftest import require
from tms_netsuite.accounts import Accounts, SecretBox, create_key
from tms_netsuite.documents import dump_document
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Registry, State
from tms_netsuite.mapping import demo_mapping_path

pytestmark = pytest.mark.postgres

CLI = [sys.executable, "-c", "from tms_netsuite.cli import main; main()"]
ADMIN_URL = os.environ.get("TMS_NETSUITE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
DEEP = os.environ.get("TMS_NETSUITE_DEEP") == "1"

# The four accounts: (slug, emulator options).
ACCOUNTS = [
    ("plain", ["--latency-ms", "5"]),
    ("throttled", ["--latency-ms", "5", "--concurrency-limit", "1"]),
    ("faulty", ["--latency-ms", "5", "--faults", "5xx=0.03,drop=0.03,429=0.03,slow=0.01", "--seed", "11"]),
    ("slow", ["--latency-ms", "40"]),
]


@dataclass
class Cluster:
    folder: Path
    url: str  # the ledger's PostgreSQL URL
    environ: dict[str, str]
    emulators: dict[str, ServedEmulator]
    stores: dict[str, Path]
    api: str = ""
    admin: str = ""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def start(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as stream:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
                [*CLI, *args], stdout=stream, stderr=subprocess.STDOUT, env=self.environ
            )
        self.processes.append(process)
        return process

    def start_worker(self, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / f"worker-{len(self.workers)}.log"
        worker = (self.start("worker", *args, log=log), log)
        self.workers.append(worker)
        return worker


def _base_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}


@pytest.fixture
def database() -> Iterator[str]:
    """A PostgreSQL database of this test's own, dropped after."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL is unreachable at {ADMIN_URL} ({type(exc).__name__})")
    name = f"workers_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cluster(tmp_path: Path, database: str) -> Iterator[Cluster]:
    environ = _base_environ() | {
        "TMS_NETSUITE_DATABASE_URL": database,
        "TMS_NETSUITE_SECRET_KEY": Fernet.generate_key().decode(),
    }
    emulators: dict[str, ServedEmulator] = {}
    stores: dict[str, Path] = {}
    cluster = Cluster(tmp_path, database, environ, emulators, stores)
    try:
        for slug, options in ACCOUNTS:
            folder = tmp_path / slug
            folder.mkdir()
            stores[slug] = folder / "account.db"
            _seed_account(stores[slug], f"{7100001 + len(stores)}")
            emulators[slug] = start_emulator(
                folder, *options, "--db", str(stores[slug]), environ=_base_environ()
            )
        migrated = subprocess.run(  # noqa: S603
            [*CLI, "migrate"], capture_output=True, text=True, env=environ, timeout=120, check=False
        )
        assert migrated.returncode == 0, migrated.stderr
        cluster.admin = asyncio.run(_register(cluster))
        yield cluster
    finally:
        for process in cluster.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for emulator in emulators.values():
            emulator.stop()


def _seed_account(path: Path, account_id: str) -> None:
    """A healthy account of its own NetSuite account id (the registry holds one slug per NetSuite account); the
    served emulator reuses an account already in its --db."""
    Emulator.from_scenario("healthy", db_path=path).close()
    with sqlite3.connect(path) as store:
        store.execute("UPDATE company SET accountid = ?", (account_id,))


async def _register(cluster: Cluster) -> str:
    registry = await Registry.open(_asyncpg(cluster.url))
    try:
        accounts = Accounts(registry, SecretBox.load(cluster.url, cluster.environ, create=False))
        mapping = demo_mapping_path().read_text(encoding="utf-8")
        for slug, emulator in cluster.emulators.items():
            await accounts.add(slug, emulator.env, mapping)
        return (await create_key(registry, account_slug=None, read_only=False)).key
    finally:
        await registry.close()


def _asyncpg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def _serve_api_only(cluster: Cluster) -> None:
    ready = cluster.folder / "ready"
    process = cluster.start(
        "serve", "--no-workers", "--port", "0", "--ready-file", str(ready), log=cluster.folder / "serve.log"
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None, (cluster.folder / "serve.log").read_text()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cluster.api = "http://" + ready.read_text().strip()


def _post_documents(cluster: Cluster, loads: int, month: str = "2026-10") -> int:
    total = 0
    with httpx.Client(base_url=cluster.api, timeout=60) as client:
        for n, slug in enumerate(cluster.emulators):
            docs = [json.loads(dump_document(d)) for d in generate(loads, seed=40 + n, month=month)]
            answer = client.post(
                f"/v1/accounts/{slug}/documents",
                json=docs,
                headers={"Authorization": f"Bearer {cluster.admin}"},
            )
            assert answer.status_code == 202, answer.text
            total += len(docs)
    return total


async def _states(url: str) -> dict[str, dict[State, int]]:
    registry = await Registry.open(_asyncpg(url))
    try:
        return {r.slug: await registry.ledger(r).counts() for r in await registry.all_accounts()}
    finally:
        await registry.close()


async def _written(url: str) -> dict[str, set[str]]:
    """The external ids the ledger says each account's documents became."""
    registry = await Registry.open(_asyncpg(url))
    try:
        written: dict[str, set[str]] = {}
        for record in await registry.all_accounts():
            ids = written.setdefault(record.slug, set())
            async for row in registry.ledger(record).rows():
                ids.update(r.external_id for r in row.records)
        return written
    finally:
        await registry.close()


def _waiting(states: dict[str, dict[State, int]]) -> dict[str, dict[str, int]]:
    """Each account's versions not yet in a final state, by state."""
    final = (State.SYNCED, State.SKIPPED, State.SUPERSEDED, State.VOID)
    return {
        slug: {s.value: n for s, n in counts.items() if s not in final and n}
        for slug, counts in states.items()
    }


def _wait_all_synced(cluster: Cluster, within: float) -> None:
    deadline = time.monotonic() + within
    while True:
        waiting = _waiting(asyncio.run(_states(cluster.url)))
        if not any(waiting.values()):
            return
        if time.monotonic() > deadline:
            logs = "\n".join(log.read_text()[-1500:] for _, log in cluster.workers)
            raise AssertionError(f"not all synced after {within} s: {waiting}\n{logs}")
        time.sleep(0.5)


def _assert_exactly_once(cluster: Cluster) -> None:
    written = asyncio.run(_written(cluster.url))
    for slug, store_path in cluster.stores.items():
        with sqlite3.connect(store_path) as store:
            duplicates = store.execute(
                'SELECT externalid, COUNT(*) FROM "transaction" GROUP BY externalid HAVING COUNT(*) > 1'
            ).fetchall()
            in_netsuite = {
                row[0]
                for row in store.execute(
                    'SELECT externalid FROM "transaction" WHERE externalid LIKE ?', ("tms-%",)
                )
            }
        assert duplicates == [], slug
        assert in_netsuite, slug
        # Nothing in NetSuite that the ledger does not know as written (a lost outcome written again under
        # another id would show here), and every transaction the ledger wrote is there.
        assert in_netsuite <= written[slug], (slug, sorted(in_netsuite - written[slug])[:5])
        assert {i for i in written[slug] if i in in_netsuite} == in_netsuite


_STARTED = re.compile(r"job (\d+): drain of (\S+) started")


def _drains_started(log: Path) -> list[tuple[int, str]]:
    return [(int(m[1]), m[2]) for m in _STARTED.finditer(log.read_text(errors="replace"))]


def _drains_so_far(cluster: Cluster) -> dict[Path, int]:
    return {log: len(_drains_started(log)) for p, log in cluster.workers if p.poll() is None}


def _kill_mid_drain(cluster: Cluster, within: float = 60, since: dict[Path, int] | None = None) -> str:
    """SIGKILL the first live worker that started driving an account after ``since`` (default: from now on);
    returns the account."""
    alive = [(p, log) for p, log in cluster.workers if p.poll() is None]
    before = {log: (since or {}).get(log, len(_drains_started(log))) for _, log in alive}
    deadline = time.monotonic() + within
    while True:
        for process, log in alive:
            started = _drains_started(log)
            if len(started) > before[log]:
                process.send_signal(signal.SIGKILL)
                process.wait()
                return started[-1][1]
        assert time.monotonic() < deadline, "no worker started a drain"
        time.sleep(0.02)


def _moving_again(cluster: Cluster, slug: str, within: float) -> float:
    """Seconds until a surviving worker starts a drain of ``slug`` it had not started before (the kill), or until
    the account has nothing left to drive (the killed worker had finished its drain before the kill)."""
    start = time.monotonic()
    alive = [log for p, log in cluster.workers if p.poll() is None]
    seen = {log: len(_drains_started(log)) for log in alive}
    checked = start
    while True:
        for log in alive:
            if any(s == slug for _, s in _drains_started(log)[seen[log] :]):
                return time.monotonic() - start
        if time.monotonic() - checked > 1.0:
            checked = time.monotonic()
            if not _waiting(asyncio.run(_states(cluster.url))).get(slug):
                return checked - start
        assert time.monotonic() - start < within, f"{slug} not driven again within {within} s"
        time.sleep(0.1)


def _terminate_connections(url: str) -> int:
    """Cut every connection to the test's database but this one (what a restarted server does to them)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (url.rsplit("/", 1)[1],),
        ).fetchall()
    return len(rows)


def test_three_workers_four_accounts_a_kill_and_cut_connections_exactly_once(cluster: Cluster) -> None:
    _serve_api_only(cluster)
    for _ in range(3):
        cluster.start_worker("--accounts-at-once", "2", "--slice", "2")
    _post_documents(cluster, loads=12 if DEEP else 5)
    for kill in range(2 if DEEP else 1):
        since = None
        if kill:  # a fresh worker in place of the killed one
            cluster.start_worker("--accounts-at-once", "2", "--slice", "2")
            # More work, so that drains start again however far the first month got (December: the healthy
            # account's other open period; its master data repeats October's ids and is refused as conflicts).
            # A drain finishes the batch it claimed before it yields, which can outlast the wait below, so the
            # drains counted are those started since the documents were posted.
            since = _drains_so_far(cluster)
            _post_documents(cluster, loads=12, month="2026-12")
            time.sleep(2.0)  # another moment of the drain
        slug = _kill_mid_drain(cluster, since=since)
        # The heartbeat tells the worker is dead; its account goes to another worker within a minute.
        assert _moving_again(cluster, slug, within=60) < 60
    for _ in range(2 if DEEP else 1):
        assert _terminate_connections(cluster.url) > 0
        time.sleep(1.0)
    _wait_all_synced(cluster, within=240 if DEEP else 120)
    _assert_exactly_once(cluster)
    # The workers that were not killed are still up after their connections were cut.
    assert sum(p.poll() is None for p, _ in cluster.workers) >= 2


def test_vendored_queue_schema_is_the_installed_procrastinates() -> None:
    """Migration 0013 applies a frozen copy of procrastinate's schema: the version installed must be the one it
    copies (a new version needs a migration of its own, which this test asks for)."""
    import procrastinate.schema

    import tms_netsuite.ledger.migrations.versions as versions

    frozen = Path(versions.__file__).with_name("procrastinate-3.10.0-schema.sql").read_text(encoding="utf-8")
    assert procrastinate.schema.SchemaManager.get_schema() == frozen
