"""Worker processes on PostgreSQL (`tms-netsuite worker`): N accounts, each an emulator with C = 5 and L = 100 ms,
exported by 1 and then 3 worker processes.

- Aggregate records written per second against the bound Σ C/L (N · 50 records/s).
- Each account's efficiency, (records · L / C) ÷ its own wall time from the first defer to its last document
  synced, and their spread (min, max): fairness between accounts.
- Each account's doctor runs once before the timing starts (it runs hourly after that).
- CPU seconds per record, per worker process (user + system from /proc, from after its start-up to the end).
- With 3 workers: a worker SIGKILLed as it starts driving an account, and the seconds until another worker
  drives that account again (heartbeat every 5 s, taken for dead after 20 s, reaped every 5 s).

Each account is an emulator process of its own (N processes): at L = 100 ms they mostly sleep, and one process
per account keeps each account's limit its own as in NetSuite. Documents are put in the ledgers in-process, then
one drain per account is deferred, as `serve` does when documents arrive. PostgreSQL at 127.0.0.1:5432 (a
database of the benchmark's own, dropped after).

    python -m bench.scaled_speed [--accounts 8] [--loads 30]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from cryptography.fernet import Fernet

from bench.emulator_speed import _machine
from netsuite_emulator import Emulator
from netsuite_emulator.testing import ServedEmulator, start_emulator
from tms_netsuite.accounts import Accounts, SecretBox
from tms_netsuite.export import ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Registry, State
from tms_netsuite.mapping import demo_mapping_path
from tms_netsuite.workers import Workers

CLI = [sys.executable, "-c", "from tms_netsuite.cli import main; main()"]
ADMIN_URL = os.environ.get("TMS_NETSUITE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
C, L_MS = 5, 100.0
DONE = (State.SYNCED, State.SKIPPED, State.SUPERSEDED, State.VOID)
_STARTED = re.compile(r"job (\d+): drain of (\S+) started")


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _asyncpg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _prepare(
    url: str, environ: dict[str, str], emulators: dict[str, ServedEmulator], loads: int
) -> None:
    registry = await Registry.open(_asyncpg(url))
    try:
        accounts = Accounts(registry, SecretBox.load(url, environ, create=False))
        mapping = demo_mapping_path().read_text(encoding="utf-8")
        for n, (slug, emulator) in enumerate(emulators.items()):
            record = await accounts.add(slug, emulator.env, mapping)
            await ingest_documents(registry.ledger(record), generate(loads, seed=100 + n))
    finally:
        await registry.close()


async def _defer_all(url: str, slugs: list[str], kind: str = "drain") -> None:
    workers = Workers(_asyncpg(url))
    async with workers.opened():
        for slug in slugs:
            await workers.defer(kind, slug)


async def _doctors_ran(url: str, slugs: list[str]) -> None:
    """Every account's doctor run once (it runs hourly after that): what is timed is exports, not the first doctor."""
    await _defer_all(url, slugs, "doctor")
    registry = await Registry.open(_asyncpg(url))
    try:
        waiting = list(slugs)
        while waiting:  # written by the workers, another process: polled
            await asyncio.sleep(0.25)
            waiting = [slug for slug in waiting if (await registry.get(slug)).doctor_ran_at is None]
    finally:
        await registry.close()


async def _timed_drains(url: str, slugs: list[str]) -> tuple[dict[str, float], dict[str, int]]:
    """Defer a drain per account; per account, seconds until every document is done, and records written."""
    registry = await Registry.open(_asyncpg(url))
    try:
        records = {slug: registry.ledger(await registry.get(slug)) for slug in slugs}
        start = time.monotonic()
        await _defer_all(url, slugs)
        finished: dict[str, float] = {}
        while len(finished) < len(slugs):
            for slug, ledger in records.items():
                if slug not in finished:
                    counts = await ledger.counts()
                    if all(state in DONE for state, n in counts.items() if n):
                        finished[slug] = time.monotonic() - start
            await asyncio.sleep(0.2)
        written: dict[str, int] = {}
        for slug, ledger in records.items():
            written[slug] = 0
            async for row in ledger.rows():
                written[slug] += len(row.records)
        return finished, written
    finally:
        await registry.close()


def _start_worker(
    folder: Path, environ: dict[str, str], index: int, k: int
) -> tuple[subprocess.Popen[bytes], Path]:
    log = folder / f"worker-{index}.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [*CLI, "worker", "--accounts-at-once", str(k)],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env=environ,
        )
    return process, log


def _run(folder: Path, n_accounts: int, n_workers: int, loads: int, kill: bool) -> dict[str, Any]:
    name = f"bench_scaled_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    environ = _environ() | {
        "TMS_NETSUITE_DATABASE_URL": url,
        "TMS_NETSUITE_SECRET_KEY": Fernet.generate_key().decode(),
    }
    emulators: dict[str, ServedEmulator] = {}
    workers: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for n in range(n_accounts):
            sub = folder / f"w{n_workers}-a{n}"
            sub.mkdir()
            store = sub / "account.db"
            # An account of its own NetSuite account id (the registry holds one slug per NetSuite account).
            Emulator.from_scenario("healthy", db_path=store).close()
            with sqlite3.connect(store) as db:
                db.execute("UPDATE company SET accountid = ?", (f"{8100001 + n}",))
            emulators[f"acct{n}"] = start_emulator(
                sub,
                "--db",
                str(store),
                "--concurrency-limit",
                str(C),
                "--latency-ms",
                str(L_MS),
                environ=_environ(),
            )
        subprocess.run([*CLI, "migrate"], env=environ, check=True, capture_output=True)
        asyncio.run(_prepare(url, environ, emulators, loads))
        k = -(-n_accounts // n_workers)
        workers = [_start_worker(folder, environ, f"{n_workers}-{i}", k) for i in range(n_workers)]
        for _, log in workers:
            while "started" not in log.read_text(errors="replace"):
                time.sleep(0.1)
        asyncio.run(_doctors_ran(url, list(emulators)))
        cpu0 = {p.pid: _cpu_seconds(p.pid) for p, _ in workers}
        finished, written = asyncio.run(_timed_drains(url, list(emulators)))
        wall = max(finished.values())
        cpu = {p.pid: _cpu_seconds(p.pid) - cpu0[p.pid] for p, _ in workers}
        records = sum(written.values())
        efficiency = {s: round((written[s] * L_MS / 1000 / C) / finished[s], 3) for s in finished}
        result: dict[str, Any] = {
            "workers": n_workers,
            "accounts_at_once": k,
            "records": records,
            "wall_s": round(wall, 2),
            "records_per_s": round(records / wall, 1),
            "bound_records_per_s": n_accounts * C / (L_MS / 1000),
            "efficiency": efficiency,
            "efficiency_min": min(efficiency.values()),
            "efficiency_max": max(efficiency.values()),
            "cpu_ms_per_record_per_worker": [round(1000 * c / records, 3) for c in cpu.values()],
        }
        if kill:
            result["kill_to_moving_again_s"] = _kill_and_time(url, environ, workers, emulators, loads)
        return result
    finally:
        for process, _ in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in workers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for emulator in emulators.values():
            emulator.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _kill_and_time(
    url: str,
    environ: dict[str, str],
    workers: list[tuple[subprocess.Popen[bytes], Path]],
    emulators: dict[str, ServedEmulator],
    loads: int,
) -> float:
    """More documents for every account, SIGKILL the first worker to start a drain, time until another one drives
    that account."""

    def starts(log: Path) -> list[str]:
        return [m[2] for m in _STARTED.finditer(log.read_text(errors="replace"))]

    before = {log: len(starts(log)) for _, log in workers}

    async def more() -> None:
        registry = await Registry.open(_asyncpg(url))
        try:
            for n, record in enumerate(await registry.all_accounts()):
                await ingest_documents(registry.ledger(record), generate(loads, seed=500 + n))
        finally:
            await registry.close()

    asyncio.run(more())
    asyncio.run(_defer_all(url, list(emulators)))
    while True:
        hit = next(((p, log) for p, log in workers if len(starts(log)) > before[log]), None)
        if hit:
            break
        time.sleep(0.02)
    victim, victim_log = hit
    slug = starts(victim_log)[-1]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed = time.monotonic()
    others = [log for p, log in workers if p is not victim]
    seen = {log: len(starts(log)) for log in others}
    while not any(slug in starts(log)[seen[log] :] for log in others):
        if time.monotonic() - killed > 120:
            return float("inf")
        time.sleep(0.1)
    return round(time.monotonic() - killed, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=8)
    parser.add_argument("--loads", type=int, default=30, help="generated loads per account")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n_workers in (1, 3):
            result = _run(Path(tmp), args.accounts, n_workers, args.loads, kill=n_workers > 1)
            print(json.dumps(result), flush=True)
            runs.append(result)
    print(
        json.dumps(
            {
                "benchmark": "scaled_speed",
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": _machine(),
                "accounts": args.accounts,
                "C": C,
                "L_ms": L_MS,
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
