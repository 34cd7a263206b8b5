"""Attachment throughput: files per second and MB per second when a month's paperwork (each invoice's POD and
BOL, each carrier bill's rate confirmation) is exported with its documents into the emulator, at NetSuite's
concurrency limit C = 5 with L = 25 ms per request (the export benchmark's first setting).

The emulator runs as its own process (``netsuite-emulator serve``, pinned to the first core when there are two),
over a real socket; the export (``run_export``, checks skipped, the limit learned) runs in this process. The
generator's PDFs are moved to files beside the input and padded to ``--file-kb`` (a scanned POD is a few hundred
KB), so each upload reads its file from disk as it is sent.

Two runs, each from a fresh ledger into a fresh emulator: the month with its files, and the same month without
them (``generate(attachments=False)``). Measured:

- the file phase of the first run: from its first document-service request to its last ``!attach`` answer, with
  files/s and MB/s over it, and the physical limit of its requests (requests · L / C) against its wall;
- what the files add to the whole export: the difference of the two runs' walls, per file.

Afterwards every file is checked in the emulator's File Cabinet: once each, attached once.

    python -m bench.attachment_speed [--loads 100] [--file-kb 200] [--limit 5] [--latency-ms 25]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import signal
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.emulator_speed import _machine
from netsuite_emulator.testing import start_emulator

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "examples" / "demo-mapping.toml"
SEED = 7


class _FileTimes(httpx.AsyncHTTPTransport):
    """When the run's first document-service request left and its last ``!attach`` answer came back, and every
    request's (start, end, kind), for the mean requests in flight and the mean request time by kind."""

    def __init__(self) -> None:
        super().__init__()
        self.first_file: float | None = None
        self.last_attach: float | None = None
        self.first: float | None = None
        self.last: float | None = None
        self.spans: list[tuple[float, float, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        now = time.monotonic()
        self.first = self.first or now
        path = request.url.path
        if "/document/v1/" in path and self.first_file is None:
            self.first_file = now
        kind = (
            "upload"
            if path.endswith("/document/v1/file") and request.method == "POST"
            else "attach"
            if "/!attach/" in path or "/!detach/" in path
            else "suiteql"
            if "/query/" in path
            else "other"
        )
        try:
            return await super().handle_async_request(request)
        finally:
            self.last = time.monotonic()
            self.spans.append((now, self.last, kind))
            if kind == "attach":
                self.last_attach = self.last

    def in_flight(self, start: float, end: float) -> float:
        """The mean number of requests in flight between ``start`` and ``end``."""
        busy = sum(max(0.0, min(e, end) - max(s, start)) for s, e, _ in self.spans)
        return round(busy / (end - start), 2) if end > start else 0.0

    def mean_ms(self) -> dict[str, float]:
        kinds = sorted({kind for _, _, kind in self.spans})
        return {
            k: round(
                1000
                * sum(e - s for s, e, kind in self.spans if kind == k)
                / sum(1 for *_, x in self.spans if x == k),
                1,
            )
            for k in kinds
        }


def _on_disk(documents: list[Any], folder: Path, file_kb: int) -> list[Any]:
    """The documents with their inline files moved beside the input and padded to ``file_kb``."""
    folder.mkdir()
    moved = []
    for document in documents:
        attachments = getattr(document, "attachments", None) or ()
        if not attachments:
            moved.append(document)
            continue
        replaced = []
        for attachment in attachments:
            data = attachment.inline or b""
            data += (b"%" + hashlib.sha256(data).digest()) * max(0, (file_kb * 1024 - len(data)) // 33)
            path = folder / f"{document.id}-v{document.version}-{attachment.file_name}"
            path.write_bytes(data)
            replaced.append(
                attachment.model_copy(
                    update={
                        "content_base64": None,
                        "path": str(path),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            )
        moved.append(document.model_copy(update={"attachments": tuple(replaced)}))
    return moved


async def _export(documents: list[Any], env_file: Path, ledger_path: Path) -> dict[str, Any]:
    from tms_netsuite.config import read_environment
    from tms_netsuite.export import ingest_documents
    from tms_netsuite.ledger import Ledger
    from tms_netsuite.mapping import load_mapping
    from tms_netsuite.netsuite import NetSuiteSettings, connect
    from tms_netsuite.run import run_export

    environ = read_environment(env_file)
    settings = NetSuiteSettings.from_environ(environ)
    transport = _FileTimes()
    async with connect(settings, transport=transport) as client:
        ledger = await Ledger.open(f"sqlite+aiosqlite:///{ledger_path}", settings.account.realm, "production")
        try:
            await ingest_documents(ledger, documents)
            run = await run_export(
                client, ledger, load_mapping(MAPPING), environ=environ, concurrency=None, skip_checks=True
            )
            states = {k.value: v for k, v in (await ledger.counts()).items()}
        finally:
            await ledger.close()
        assert run.report is not None
        report = run.report
        requests = client.stats.requests
        by_status = {str(k): v for k, v in client.stats.by_status.items()}
    return {
        "wall_s": round((transport.last or 0.0) - (transport.first or 0.0), 3),
        "file_phase_s": round((transport.last_attach or 0.0) - (transport.first_file or 0.0), 3)
        if transport.first_file is not None
        else 0.0,
        "file_phase_in_flight": transport.in_flight(
            transport.first_file or 0.0, transport.last_attach or 0.0
        ),
        "in_flight": transport.in_flight(transport.first or 0.0, transport.last or 0.0),
        "request_ms_by_kind": transport.mean_ms(),
        "files_uploaded": report.files_uploaded,
        "files_attached": report.files_attached,
        "requests": requests,
        "by_status": by_status,
        "failed": report.failed,
        "blocked": report.blocked,
        "states": states,
    }


def _run(
    documents: list[Any], folder: Path, limit: int, latency_ms: float, core: int | None
) -> dict[str, Any]:
    folder.mkdir()
    db = folder / "account.db"
    args = ["--db", str(db), "--concurrency-limit", str(limit), "--latency-ms", str(latency_ms)]
    served = start_emulator(folder, *args, "--scenario", "healthy", timeout=60, core=core)
    try:
        result = asyncio.run(_export(documents, folder / "netsuite.env", folder / "ledger.db"))
    finally:
        served.stop(signal.SIGINT)
    with sqlite3.connect(db) as store:
        names = [row[0] for row in store.execute("SELECT name FROM file")]
        links = store.execute("SELECT recordtype, record, file FROM emulator_fileattachment").fetchall()
        result["stored_bytes"] = store.execute("SELECT COALESCE(SUM(filesize), 0) FROM file").fetchone()[0]
    result["files_in_cabinet"] = len(names)
    result["each_file_once"] = len(names) == len(set(names))
    result["each_attached_once"] = len(links) == len({link[2] for link in links}) == len(names)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loads", type=int, default=100)
    parser.add_argument("--file-kb", type=int, default=200)
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=25.0)
    args = parser.parse_args()

    from tms_netsuite.generate import generate

    cores = sorted(os.sched_getaffinity(0))
    core = cores[0] if len(cores) >= 2 else None
    if core is not None:
        os.sched_setaffinity(0, {cores[1]})
    with tempfile.TemporaryDirectory(prefix="attachment-bench-") as tmp:
        folder = Path(tmp)
        with_files = _on_disk(
            list(generate(args.loads, SEED, attachments=True)), folder / "paperwork", args.file_kb
        )
        without = list(generate(args.loads, SEED))
        files = _run(with_files, folder / "with", args.limit, args.latency_ms, core)
        bare = _run(without, folder / "without", args.limit, args.latency_ms, core)
    uploaded, phase = files["files_uploaded"], files["file_phase_s"]
    megabytes = files["stored_bytes"] / 1e6
    # Each file costs an upload and an attach; every request holds one of C slots for at least L.
    floor_s = 2 * uploaded * args.latency_ms / 1000 / args.limit
    result = {
        "benchmark": "attachment_speed",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "command": f"python -m bench.attachment_speed --loads {args.loads} --file-kb {args.file_kb} "
        f"--limit {args.limit} --latency-ms {args.latency_ms:g}",
        "concurrency_limit": args.limit,
        "latency_ms": args.latency_ms,
        "files": uploaded,
        "megabytes": round(megabytes, 2),
        "file_phase_s": phase,
        "files_per_s": round(uploaded / phase, 1) if phase else None,
        "mb_per_s": round(megabytes / phase, 2) if phase else None,
        "file_phase_floor_s": round(floor_s, 3),
        "file_phase_efficiency": round(floor_s / phase, 2) if phase else None,
        "wall_with_files_s": files["wall_s"],
        "wall_without_files_s": bare["wall_s"],
        "added_ms_per_file": round((files["wall_s"] - bare["wall_s"]) * 1000 / uploaded, 1)
        if uploaded
        else None,
        "with_files": files,
        "without_files": bare,
    }
    print(
        f"{uploaded} files ({megabytes:.1f} MB) at C={args.limit}, L={args.latency_ms:g} ms: file phase {phase:.2f} s "
        f"= {result['files_per_s']} files/s, {result['mb_per_s']} MB/s (floor {floor_s:.2f} s, efficiency "
        f"{result['file_phase_efficiency']}); the whole export {files['wall_s']:.2f} s with files, "
        f"{bare['wall_s']:.2f} s without ({result['added_ms_per_file']} ms more per file); requests in flight "
        f"during the file phase {files['file_phase_in_flight']} of {args.limit}, mean request time by kind "
        f"{files['request_ms_by_kind']} ms; each file once: "
        f"{files['each_file_once']}, attached once: {files['each_attached_once']}"
    )
    print(json.dumps(result))
    ok = (
        files["each_file_once"] and files["each_attached_once"] and not files["failed"] and not bare["failed"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
