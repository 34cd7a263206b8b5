"""The service (`tms-netsuite serve`) over a real socket: how fast documents go in, and how long from `202` to
synced at a steady offered load.

- Ingest: documents per second posted over HTTP in batches of 100 into a paused account (nothing exports while
  it is measured), one client posting after another's answer, and four side by side.
- Latency: documents offered at a steady rate (``--rate`` per second, in batches every 0.5 s) to an account
  whose NetSuite is an emulator with C = 5 and L = 100 ms; each document's latency runs from its `202` to the
  moment the ledger recorded it synced (the row's ``updated_at``), read back through ``GET …/documents``.

The emulator and the service run as processes of their own on this machine, as in `bench.export_speed`.

    python -m bench.service_speed [--rate 10] [--seconds 30]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.emulator_speed import _machine
from netsuite_emulator.testing import start_emulator
from tms_netsuite.documents import dump_document
from tms_netsuite.generate import generate

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "examples" / "demo-mapping.toml"
CLI = [sys.executable, "-c", "from tms_netsuite.cli import main; main()"]
BATCH = 100


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}


def _cli(*args: str) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, check=True, env=_environ())
    return done.stdout


def _documents(loads: int, seed: int) -> list[dict[str, Any]]:
    return [json.loads(dump_document(document)) for document in generate(loads, seed=seed)]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _ingest(url: str, key: str, documents: list[dict[str, Any]], clients: int) -> float:
    """Documents per second, posted in batches of 100 by ``clients`` clients side by side."""
    batches = [documents[i : i + BATCH] for i in range(0, len(documents), BATCH)]
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def post(share: list[list[dict[str, Any]]]) -> None:
            for batch in share:
                answer = await client.post("/v1/accounts/ingest/documents", json=batch, headers=headers)
                answer.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(post(batches[i::clients]) for i in range(clients)))
        return len(documents) / (time.perf_counter() - started)


async def _latency(url: str, key: str, documents: list[dict[str, Any]], rate: float) -> dict[str, Any]:
    """Offer ``rate`` documents a second (a batch every 0.5 s) and measure 202 → synced per document."""
    headers = {"Authorization": f"Bearer {key}"}
    accepted: dict[tuple[str, str], float] = {}
    per_batch = max(1, round(rate / 2))
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        started = time.time()
        for number, start in enumerate(range(0, len(documents), per_batch)):
            await asyncio.sleep(max(0.0, started + number * 0.5 - time.time()))
            batch = documents[start : start + per_batch]
            answer = await client.post("/v1/accounts/live/documents", json=batch, headers=headers)
            answer.raise_for_status()
            now = time.time()
            for document in batch:
                accepted.setdefault((document["kind"], document["id"]), now)
        offered_s = time.time() - started
        deadline = time.time() + 600
        while True:
            summary = (await client.get("/v1/accounts/live/summary", headers=headers)).json()
            totals = summary["totals"]
            if not any(totals.get(s) for s in ("pending", "exporting")) or time.time() > deadline:
                break
            await asyncio.sleep(0.5)
        synced: dict[tuple[str, str], float] = {}
        cursor = None
        while True:
            params = {"limit": "1000", "state": "synced", **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/v1/accounts/live/documents", params=params, headers=headers)).json()
            for row in page["documents"]:
                when = dt.datetime.fromisoformat(row["updated_at"]).timestamp()
                key_ = (row["kind"], row["id"])
                synced[key_] = max(synced.get(key_, 0.0), when)
            cursor = page["next_cursor"]
            if cursor is None:
                break
    latencies = [synced[k] - t for k, t in accepted.items() if k in synced]
    return {
        "offered_per_s": round(len(documents) / offered_s, 1),
        "documents": len(documents),
        "synced": len(latencies),
        "states": totals,
        "p50_s": round(_percentile(latencies, 0.50), 3),
        "p99_s": round(_percentile(latencies, 0.99), 3),
        "mean_s": round(statistics.fmean(latencies), 3),
        "last_run": summary["last_run"],
        "learned_limit": summary["account"]["learned_limit"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=10.0, help="documents offered per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load is offered")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="service-bench-") as temporary:
        folder = Path(temporary)
        (folder / "emulator").mkdir()
        emulator = start_emulator(
            folder / "emulator", "--concurrency-limit", "5", "--latency-ms", "100", environ=_environ()
        )
        serve = None
        try:
            ledger = str(folder / "service.db")
            _cli(
                "accounts",
                "add",
                "live",
                "--env-file",
                str(emulator.env_file),
                "--mapping",
                str(MAPPING),
                "--ledger",
                ledger,
            )
            # A second account, never reached: it is paused, so ingest is measured alone.
            other = folder / "other.env"
            other.write_text(
                emulator.env_file.read_text().replace(emulator.env["NETSUITE_ACCOUNT_ID"], "7654321"),
                encoding="utf-8",
            )
            _cli(
                "accounts",
                "add",
                "ingest",
                "--env-file",
                str(other),
                "--mapping",
                str(MAPPING),
                "--ledger",
                ledger,
            )
            _cli("accounts", "pause", "ingest", "--ledger", ledger)
            key = json.loads(_cli("api-keys", "create", "--admin", "--json", "--ledger", ledger))["key"]
            ready = folder / "ready"
            serve = subprocess.Popen(
                [*CLI, "serve", "--port", "0", "--ledger", ledger, "--ready-file", str(ready)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=_environ(),
            )
            while not ready.exists():
                if serve.poll() is not None:
                    raise RuntimeError("serve did not start")
                time.sleep(0.05)
            url = "http://" + ready.read_text().strip()
            sequential = asyncio.run(_ingest(url, key, _documents(300, seed=1), clients=1))
            parallel = asyncio.run(_ingest(url, key, _documents(300, seed=2), clients=4))
            loads = max(
                1, round(args.rate * args.seconds / 3.4)
            )  # the generator writes ~3.4 documents a load
            latency = asyncio.run(_latency(url, key, _documents(loads, seed=3), args.rate))
        finally:
            if serve is not None:
                serve.terminate()
                serve.wait(timeout=60)
            emulator.stop()
    result = {
        "machine": _machine(),
        "ingest_docs_per_s": {"1 client": round(sequential), "4 clients": round(parallel)},
        "latency_c5_l100": latency,
    }
    print(
        f"ingest over HTTP, batches of {BATCH}: {round(sequential)} docs/s (1 client), {round(parallel)} docs/s (4 clients)"
    )
    print(
        f"202 → synced at {latency['offered_per_s']} docs/s offered, C = 5, L = 100 ms: p50 {latency['p50_s']} s, "
        f"p99 {latency['p99_s']} s ({latency['synced']} of {latency['documents']} synced)"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
