"""How fast the local NetSuite emulator answers, so it is never the bottleneck of the project's benchmarks.

The emulator runs as its own process (``netsuite-emulator serve``, latency 0) and is measured over a real socket:

- authenticated GETs: ``GET /services/rest/system/v1/serverTime`` signed with TBA (a fresh nonce each time);
- SuiteQL pages: ``POST /services/rest/query/v1/suiteql?limit=100&offset=…`` over a 10,000-row item table.

Load generator: this process, an ``httpx.AsyncClient`` (HTTP/1.1 keep-alive) with ``--workers`` concurrent
tasks, each request signed by oauthlib (HMAC-SHA256) just before it is sent. On a machine with two or more cores
the emulator is pinned to core 0 and the load generator to core 1 (``os.sched_setaffinity``), so each has one
core to itself; with one core they share it, and the report says so.

    python -m bench.emulator_speed [--seconds 10] [--workers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from oauthlib import oauth1

from netsuite_emulator import Emulator
from netsuite_emulator.testing import start_emulator

SERVER_TIME = "/services/rest/system/v1/serverTime"
SUITEQL = "/services/rest/query/v1/suiteql"
PAGE_QUERY = "SELECT id, itemid, displayname, itemtype, isinactive FROM item ORDER BY id"
ITEMS = 10_000
PAGE = 100
TARGETS = {"authenticated GETs": 600.0, "SuiteQL pages of 100 rows": 400.0}


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _signer(env: dict[str, str]) -> oauth1.Client:
    return oauth1.Client(
        env["NETSUITE_CONSUMER_KEY"],
        client_secret=env["NETSUITE_CONSUMER_SECRET"],
        resource_owner_key=env["NETSUITE_TOKEN_ID"],
        resource_owner_secret=env["NETSUITE_TOKEN_SECRET"],
        signature_method="HMAC-SHA256",
        realm=env["NETSUITE_ACCOUNT_ID"],
    )


def _prepare_account(folder: Path) -> Path:
    """An account file with ``ITEMS`` extra items, so that SuiteQL has full pages to serve."""
    db = folder / "account.db"
    with Emulator.from_scenario("healthy", db_path=db) as emulator, emulator.store.write() as conn:
        conn.executemany(
            "INSERT INTO item (id, itemid, displayname, itemtype) VALUES (?, ?, ?, 'Service')",
            ((n, f"bench-{n}", f"Bench item {n}") for n in range(1_000, 1_000 + ITEMS)),
        )
    return db


async def _run(name: str, env: dict[str, str], seconds: float, workers: int, suiteql: bool) -> Result:
    base = env["NETSUITE_BASE_URL"]
    signer = _signer(env)
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    done = errors = 0
    offsets = iter(range(10**9))
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(stop: float) -> None:
            nonlocal done, errors
            while time.monotonic() < stop:
                if suiteql:
                    offset = next(offsets) % (ITEMS // PAGE) * PAGE
                    url = f"{base}{SUITEQL}?limit={PAGE}&offset={offset}"
                    _, headers, _ = signer.sign(url, "POST")
                    headers |= {"Prefer": "transient", "Content-Type": "application/json"}
                    response = await client.post(url, headers=headers, content=json.dumps({"q": PAGE_QUERY}))
                    ok = response.status_code == 200 and len(response.json()["items"]) == PAGE
                else:
                    url = base + SERVER_TIME
                    _, headers, _ = signer.sign(url, "GET")
                    response = await client.get(url, headers=headers)
                    ok = response.status_code == 200
                done += 1
                errors += not ok

        await asyncio.gather(*(worker(time.monotonic() + 1.0) for _ in range(workers)))  # warm-up
        done = errors = 0
        started = time.monotonic()
        await asyncio.gather(*(worker(started + seconds) for _ in range(workers)))
        elapsed = time.monotonic() - started
    return Result(name, done, errors, elapsed)


def _machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout  # noqa: S607
        model = next(
            (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")),
            "?",
        )
    except (OSError, subprocess.CalledProcessError):
        model = platform.processor() or "?"
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    pinned = len(cores) >= 2
    with tempfile.TemporaryDirectory(prefix="emulator-bench-") as tmp:
        folder = Path(tmp)
        db = _prepare_account(folder)
        serve = ["--db", str(db), "--concurrency-limit", "64", "--latency-ms", "0"]
        emulator = start_emulator(folder, *serve, core=cores[0] if pinned else None)
        env = emulator.env
        try:
            if pinned:
                os.sched_setaffinity(0, {cores[1]})
            results = [
                asyncio.run(_run("authenticated GETs", env, args.seconds, args.workers, suiteql=False)),
                asyncio.run(_run("SuiteQL pages of 100 rows", env, args.seconds, args.workers, suiteql=True)),
            ]
        finally:
            emulator.stop(signal.SIGINT)
    sharing = (
        f"emulator pinned to core {cores[0]}, load generator to core {cores[1]}"
        if pinned
        else "emulator and load generator share one core"
    )
    print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {_machine()}")
    print(f"cores: {sharing}")
    print(
        f"load generator: httpx.AsyncClient, {args.workers} concurrent tasks, oauthlib TBA signing per request"
    )
    print("emulator: netsuite-emulator serve --latency-ms 0 --concurrency-limit 64 (uvicorn, one process)")
    failed = False
    summary: dict[str, object] = {}
    for result in results:
        target = TARGETS[result.name]
        verdict = "ok" if result.rate >= target and not result.errors else "BELOW TARGET"
        failed |= verdict != "ok"
        print(
            f"{result.name}: {result.rate:,.0f}/s ({result.requests:,} in {result.seconds:.1f} s, "
            f"{result.errors} errors; target {target:,.0f}/s: {verdict})"
        )
        key = "suiteql_pages_per_s" if "SuiteQL" in result.name else "authenticated_gets_per_s"
        summary[key] = round(result.rate)
        summary[f"{key}_target_met"] = verdict == "ok"
    print(json.dumps(summary))  # the last line: one JSON object, for `make bench`'s summary
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
