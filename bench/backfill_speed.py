"""A backfill through asynchronous batch requests, with live documents exported beside it (issue 22 §3).

One emulator (``netsuite-emulator serve`` as its own process) with C = 5 concurrency slots, P = 5 REST async
processors and L = 200 ms a request and a task. Two worker processes:

- ``backfill``: a ledger holding documents that become about 2,000 NetSuite records, exported by ``run_export``
  with backfill on (new records through batch requests beside the synchronous slots, one slot left to live work);
- ``live``: a second export run, as the service runs one per ingest: one live document at a time (their own
  customers, carriers and transactions, distinct from the backfill's), ingested into a ledger of its own and
  exported at once; its latency is from ingest to synced.

First the live worker alone on an idle account (the reference latency), then both together until the backfill
ends. Afterwards every expected record of both is looked up through SuiteQL as the administrator.

Figures (the last stdout line is one JSON object):

- ``backfill_of_bound`` = (N·L/(C + P)) ÷ wall: the backfill's wall clock (its first request to its last answer)
  against what C synchronous slots and P processors allow, N being the records it created;
- ``backfill_speedup`` = (N·L/C) ÷ wall: against the bound of one record per request;
- ``live_p99_ratio_during_backfill`` = live documents' p99 latency during the backfill ÷ on the idle account;
- ``lost``, ``duplicated``: records missing, or present more than once, of both runs.

    python -m bench.backfill_speed [--loads 560] [--live 15]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.emulator_speed import _machine
from bench.export_speed import _rename
from netsuite_emulator.testing import start_emulator

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "examples" / "demo-mapping.toml"
SEED = 7
LIMIT, PROCESSORS, LATENCY_MS = 5, 5, 200.0
LOADS = 560  # the generator's documents for L loads become about 3.6·L records under the demo mapping
LIVE_LOADS = {"idle": 5, "busy": 15}  # enough documents for the idle phase, and to outlast the backfill


class _TimedTransport(httpx.AsyncHTTPTransport):
    """Notes when the run's first request left and its last answer came back."""

    def __init__(self) -> None:
        super().__init__()
        self.first: float | None = None
        self.last: float | None = None
        self.kinds: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        now = time.monotonic()
        if self.first is None:
            self.first = now
        path = request.url.path
        kind = "async" if "/async/" in path else "suiteql" if "/query/" in path else "record"
        self.kinds[f"{request.method} {kind}"] += 1
        try:
            return await super().handle_async_request(request)
        finally:
            self.last = time.monotonic()


def _documents(which: str, loads: int) -> list[Any]:
    """The backfill's documents, or a live phase's: another month, every id (master data too) suffixed."""
    from tms_netsuite.documents import dump_document, validate_document
    from tms_netsuite.generate import generate

    if which == "backfill":
        return list(generate(loads, SEED, "2026-03"))
    batch = list(generate(loads, SEED + 1, "2026-04"))
    renamed = {d.id: f"{d.id}-{which.upper()}" for d in batch}
    return [validate_document(_rename(json.loads(dump_document(d)), renamed)) for d in batch]


def _expected(documents: list[Any], reference: Any) -> list[list[Any]]:
    """[table, type code, external id] of every record the newest versions become on a fresh account."""
    from tms_netsuite.export import KIND_PRIORITY
    from tms_netsuite.mapping import Operation, Translated, load_mapping, translate

    mapping = load_mapping(MAPPING)
    newest: dict[tuple[str, str], Any] = {}
    for document in documents:
        key = (document.kind.value, document.id)
        if key not in newest or newest[key].version < document.version:
            newest[key] = document
    rows = []
    for document in sorted(newest.values(), key=lambda d: KIND_PRIORITY[d.kind]):
        if document.status.value == "void":
            continue
        translation = translate(document, mapping, reference)
        if isinstance(translation, Translated):
            for write in translation.records:
                if write.operation is not Operation.DELETE:
                    rows.append(
                        [write.record_type.table, write.record_type.transaction_type, write.external_id]
                    )
    return rows


def _exists(path: Path) -> bool:
    return path.exists()


def _touch(path: Path) -> None:
    path.touch()


# -- the workers -------------------------------------------------------------------------------------------


async def _backfill(env_file: Path, ledger_path: Path, loads: int, ready: Path, go: Path) -> dict[str, Any]:
    from tms_netsuite.config import read_environment
    from tms_netsuite.export import BackfillSettings, ingest_documents
    from tms_netsuite.ledger import Ledger
    from tms_netsuite.mapping import load_mapping
    from tms_netsuite.netsuite import NetSuiteSettings, connect
    from tms_netsuite.run import run_export

    environ = read_environment(env_file)
    settings = NetSuiteSettings.from_environ(environ)
    documents = _documents("backfill", loads)
    ledger = await Ledger.open(f"sqlite+aiosqlite:///{ledger_path}", settings.account.realm, "production")
    await ingest_documents(ledger, documents)
    _touch(ready)
    while not _exists(go):  # noqa: ASYNC110 - another process creates the file
        await asyncio.sleep(0.05)
    transport = _TimedTransport()
    async with connect(settings, transport=transport) as client:
        run = await run_export(
            client,
            ledger,
            load_mapping(MAPPING),
            environ=environ,
            skip_checks=True,
            backfill=True,
            backfill_settings=BackfillSettings(processors=PROCESSORS),
        )
        assert run.report is not None
        requests = client.stats.requests
    states = {k.value: v for k, v in (await ledger.counts()).items()}
    await ledger.close()
    return {
        "wall_s": (transport.last or 0.0) - (transport.first or 0.0),
        "created": run.report.created,
        "records_written": run.report.records_written,
        "batched": run.report.batched,
        "batch_jobs": run.report.batch_jobs,
        "http_429": run.report.http_429,
        "requests": requests,
        "request_kinds": dict(transport.kinds),
        "states": states,
    }


async def _live(env_file: Path, ledger_path: Path, count: int, stop: Path | None) -> dict[str, Any]:
    """Live documents one at a time, each ingested then exported by a run of its own; latencies in seconds.
    With ``stop``: until that file exists (the backfill ended), else ``count`` documents."""
    from tms_netsuite.config import read_environment
    from tms_netsuite.export import KIND_PRIORITY, ingest_documents
    from tms_netsuite.ledger import Ledger, State
    from tms_netsuite.mapping import load_mapping
    from tms_netsuite.netsuite import NetSuiteSettings, connect
    from tms_netsuite.run import run_export

    environ = read_environment(env_file)
    settings = NetSuiteSettings.from_environ(environ)
    mapping = load_mapping(MAPPING)
    phase = "idle" if stop is None else "busy"  # each phase sends documents of its own, master data included
    documents = sorted(_documents(phase, LIVE_LOADS[phase]), key=lambda d: KIND_PRIORITY[d.kind])
    ledger = await Ledger.open(f"sqlite+aiosqlite:///{ledger_path}", settings.account.realm, "production")
    latencies: list[float] = []
    sent: list[Any] = []
    async with connect(settings) as client:
        for document in documents:
            if (stop is not None and _exists(stop)) or (stop is None and len(latencies) >= count):
                break
            started = time.monotonic()
            await ingest_documents(ledger, [document])
            await run_export(
                client, ledger, mapping, environ=environ, skip_checks=True, max_wait=dt.timedelta(0)
            )
            latencies.append(time.monotonic() - started)
            sent.append(document)
            await asyncio.sleep(0.2)  # live documents arrive one by one, not back to back
        # What a run left for later (throttled past its retries) is finished, as the next run would.
        await run_export(
            client, ledger, mapping, environ=environ, skip_checks=True, max_wait=dt.timedelta(minutes=3)
        )
    states = {k.value: v for k, v in (await ledger.counts()).items()}
    await ledger.close()
    done = (State.SYNCED.value, State.SKIPPED.value, State.VOID.value, State.SUPERSEDED.value)
    not_done = sum(n for s, n in states.items() if s not in done)
    return {"latencies": latencies, "sent": len(sent), "states": states, "not_done": not_done}


# -- the conductor -------------------------------------------------------------------------------------------


def _sent(phase: str, count: int) -> list[Any]:
    from tms_netsuite.export import KIND_PRIORITY

    return sorted(_documents(phase, LIVE_LOADS[phase]), key=lambda d: KIND_PRIORITY[d.kind])[:count]


async def _check(admin_env_file: Path, documents: list[Any]) -> tuple[int, int]:
    """Records missing, and records present more than once, through SuiteQL as the administrator."""
    from tms_netsuite.config import read_environment
    from tms_netsuite.doctor import load_reference_data
    from tms_netsuite.netsuite import NetSuiteSettings, connect

    settings = NetSuiteSettings.from_environ(read_environment(admin_env_file))
    present: Counter[tuple[str, str | None, str]] = Counter()
    async with connect(settings) as client:
        expected = _expected(documents, await load_reference_data(client))
        for table in sorted({row[0] for row in expected}):
            columns = "id, externalid, type" if table == "transaction" else "id, externalid"
            query = f"SELECT {columns} FROM {table} WHERE externalid IS NOT NULL"  # noqa: S608 - fixed names
            async for row in client.suiteql(query):
                present[(table, row.get("type"), row["externalid"].casefold())] += 1
    wanted = {(table, code, eid.casefold()) for table, code, eid in expected}
    lost = sum(1 for key in wanted if present.get(key, 0) == 0)
    duplicated = sum(1 for key in wanted if present.get(key, 0) > 1)
    return lost, duplicated


def _worker(folder: Path, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bench.backfill_speed", "--worker", *args]
    return subprocess.Popen(command, cwd=ROOT)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loads", type=int, default=LOADS, help="loads of the backfill's documents")
    parser.add_argument("--live", type=int, default=15, help="live documents on the idle account")
    parser.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, env_file, ledger, out, *rest = args.worker
        if kind == "backfill":
            result = asyncio.run(
                _backfill(Path(env_file), Path(ledger), int(rest[0]), Path(rest[1]), Path(rest[2]))
            )
        else:
            stop = Path(rest[1]) if rest[1] != "-" else None
            result = asyncio.run(_live(Path(env_file), Path(ledger), int(rest[0]), stop))
        Path(out).write_text(json.dumps(result))
        return 0
    print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", flush=True)
    print(f"machine: {_machine()}", flush=True)
    print(
        f"setting: C = {LIMIT}, P = {PROCESSORS}, L = {LATENCY_MS:.0f} ms; backfill of {args.loads} loads",
        flush=True,
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="backfill-bench-") as tmp:
        folder = Path(tmp)
        admin = folder / "admin.env"
        served = start_emulator(
            folder,
            "--admin-env-file",
            str(admin),
            "--concurrency-limit",
            str(LIMIT),
            "--latency-ms",
            str(LATENCY_MS),
            "--async-processors",
            str(PROCESSORS),
            wait_for=[admin],
            timeout=60,
        )
        env_file = folder / "netsuite.env"
        try:
            ready, go, stop = folder / "ready", folder / "go", folder / "stop"
            backfill = _worker(
                folder,
                "backfill",
                str(env_file),
                str(folder / "b.db"),
                str(folder / "b.json"),
                str(args.loads),
                str(ready),
                str(go),
            )
            # The idle account's live latency (the backfill's worker is only ingesting meanwhile).
            idle = _worker(
                folder,
                "live",
                str(env_file),
                str(folder / "idle.db"),
                str(folder / "idle.json"),
                str(args.live),
                "-",
            )
            if idle.wait(timeout=600) != 0:
                raise RuntimeError("the idle live worker failed")
            while not ready.exists():
                if backfill.poll() is not None:
                    raise RuntimeError("the backfill worker failed before it started")
                time.sleep(0.1)
            go.touch()
            busy = _worker(
                folder,
                "live",
                str(env_file),
                str(folder / "busy.db"),
                str(folder / "busy.json"),
                "0",
                str(stop),
            )
            if backfill.wait(timeout=900) != 0:
                raise RuntimeError("the backfill worker failed")
            stop.touch()
            if busy.wait(timeout=600) != 0:
                raise RuntimeError("the busy live worker failed")
            b = json.loads((folder / "b.json").read_text())
            idle_r = json.loads((folder / "idle.json").read_text())
            busy_r = json.loads((folder / "busy.json").read_text())
            documents = _documents("backfill", args.loads)
            documents += _sent("idle", idle_r["sent"]) + _sent("busy", busy_r["sent"])
            lost, duplicated = asyncio.run(_check(admin, documents))
        finally:
            served.stop(signal.SIGINT)
    n, wall = b["created"], b["wall_s"]
    bound = n * LATENCY_MS / 1000 / (LIMIT + PROCESSORS)
    one_by_one = n * LATENCY_MS / 1000 / LIMIT
    idle_p99, busy_p99 = _p99(idle_r["latencies"]), _p99(busy_r["latencies"] or [float("nan")])
    print(
        f"backfill: {n} records created ({b['batched']} through {b['batch_jobs']} batch jobs) in {wall:.1f} s; "
        f"bound N·L/(C+P) = {bound:.1f} s, one a request N·L/C = {one_by_one:.1f} s; "
        f"{b['requests']} requests {b['request_kinds']}; 429s {b['http_429']}; states {b['states']}",
        flush=True,
    )
    print(
        f"live: idle p99 {idle_p99:.2f} s over {len(idle_r['latencies'])} documents, during the backfill "
        f"p99 {busy_p99:.2f} s over {len(busy_r['latencies'])}; not done idle {idle_r['not_done']}, "
        f"busy {busy_r['not_done']}; bench took {time.monotonic() - started:.0f} s",
        flush=True,
    )
    figures = {
        "backfill_records": n,
        "backfill_wall_s": round(wall, 2),
        "backfill_of_bound": round(bound / wall, 3) if wall else None,
        "backfill_speedup": round(one_by_one / wall, 3) if wall else None,
        "backfill_batched": b["batched"],
        "backfill_batch_jobs": b["batch_jobs"],
        "live_p99_idle_s": round(idle_p99, 3),
        "live_p99_during_backfill_s": round(busy_p99, 3),
        "live_p99_ratio_during_backfill": round(busy_p99 / idle_p99, 3) if idle_p99 else None,
        "live_documents_during_backfill": len(busy_r["latencies"]),
        "lost": lost,
        "duplicated": duplicated,
    }
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
