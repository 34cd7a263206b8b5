"""Read-back and webhook delivery as worker jobs, over real sockets and processes on a real PostgreSQL ledger: two
API nodes (`serve --no-workers`) and two `tms-netsuite worker` processes share two emulated accounts.

- One read-back per account, whoever wakes it: with a read-back due once (an hour apart), the untouched account
  is read back exactly once across all four processes (before, every API node read every account back itself).
- Exports wake read-back: documents synced reach a webhook receiver as `document.synced` though the next scheduled
  read-back is an hour away.
- A paid invoice (`netsuite-emulator act`) found by `POST …/sync-back` on one node reaches the receiver once,
  and no event is delivered twice although both nodes and both workers' sweeps wake the deliveries.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from netsuite_emulator.testing import ServedEmulator, start_emulator
from tests.service.conftest import documents
from tests.service.test_served_events import act, receiver, until
from tests.workers.test_workers import CLI, _asyncpg, _base_environ, _seed_account, database
from tms_netsuite.accounts import Accounts, SecretBox, create_key
from tms_netsuite.ledger import Registry
from tms_netsuite.mapping import demo_mapping_path

pytestmark = pytest.mark.postgres

__all__ = ["database"]  # the fixture, shared with test_workers

HOUR = (
    "60"  # --sync-back-every: each account's scheduled read-back is due once in this test (it has no cursor)
)


async def _register(url: str, environ: dict[str, str], emulators: dict[str, ServedEmulator]) -> str:
    registry = await Registry.open(_asyncpg(url))
    try:
        accounts = Accounts(registry, SecretBox.load(url, environ, create=False))
        mapping = demo_mapping_path().read_text(encoding="utf-8")
        for slug, emulator in emulators.items():
            await accounts.add(slug, emulator.env, mapping)
        return (await create_key(registry, account_slug=None, read_only=False)).key
    finally:
        await registry.close()


def _readbacks(logs: list[Path], slug: str) -> int:
    """Read-back passes of the account, in every process's log."""
    pattern = re.compile(rf"read-back of {re.escape(slug)}: ")
    return sum(len(pattern.findall(log.read_text(errors="replace"))) for log in logs if log.exists())


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_one_readback_per_account_and_each_webhook_once_across_nodes_and_workers(
    tmp_path: Path, database: str, processes: list[subprocess.Popen[bytes]]
) -> None:
    environ = _base_environ() | {
        "TMS_NETSUITE_DATABASE_URL": database,
        "TMS_NETSUITE_SECRET_KEY": Fernet.generate_key().decode(),
    }
    emulators: dict[str, ServedEmulator] = {}
    stores: dict[str, Path] = {}
    try:
        for n, slug in enumerate(("busy", "quiet")):
            folder = tmp_path / slug
            folder.mkdir()
            stores[slug] = folder / "account.db"
            _seed_account(stores[slug], f"{7200001 + n}")
            emulators[slug] = start_emulator(
                folder, "--latency-ms", "5", "--db", str(stores[slug]), environ=_base_environ()
            )
        migrated = subprocess.run(  # noqa: S603
            [*CLI, "migrate"], capture_output=True, text=True, env=environ, timeout=120, check=False
        )
        assert migrated.returncode == 0, migrated.stderr
        key = asyncio.run(_register(database, environ, emulators))

        logs: list[Path] = []
        apis: list[str] = []

        def start(*args: str) -> Path:
            log = tmp_path / f"process-{len(logs)}.log"
            logs.append(log)
            with log.open("ab") as stream:
                processes.append(
                    subprocess.Popen(  # noqa: S603 - our own interpreter and package
                        [*CLI, *args], stdout=stream, stderr=subprocess.STDOUT, env=environ
                    )
                )
            return log

        for n in range(2):
            ready = tmp_path / f"ready-{n}"
            start(
                "serve", "--no-workers", "--port", "0", "--ready-file", str(ready), "--sync-back-every", HOUR
            )
            apis.append(ready.as_posix())
        for _ in range(2):
            start("worker", "--sync-back-every", HOUR, "--slice", "2")
        for n, ready_path in enumerate(apis):
            ready = Path(ready_path)
            until(lambda: ready.exists() or processes[n].poll() is not None, 60, "serve starts")  # noqa: B023
            assert processes[n].poll() is None, logs[n].read_text()
            apis[n] = "http://" + ready.read_text().strip()

        accepted: list[dict[str, Any]] = []
        secret: list[str] = []
        headers = {"Authorization": f"Bearer {key}"}
        with (
            receiver(accepted, secret) as url,
            httpx.Client(base_url=apis[0], headers=headers, timeout=60) as first,
            httpx.Client(base_url=apis[1], headers=headers, timeout=60) as second,
        ):
            made = first.post("/v1/accounts/busy/webhooks", json={"url": url, "from_start": True})
            assert made.status_code == 201, made.text
            secret.append(made.json()["secret"])
            assert second.post("/v1/accounts/busy/documents", json=documents(3)).status_code == 202

            # Exports wake the read-back (the scheduled one is an hour away): their events arrive soon.
            until(lambda: any(e["type"] == "document.synced" for e in accepted), 60, "document.synced")
            # The untouched account: read back once (the sweep found it due), by one process of the four.
            until(lambda: _readbacks(logs, "quiet") >= 1, 30, "the quiet account's read-back")

            with sqlite3.connect(stores["busy"]) as db:
                invoice = db.execute(
                    "SELECT id FROM \"transaction\" WHERE type = 'CustInvc' AND externalid IS NOT NULL "
                    "AND foreignamountunpaid > 0 ORDER BY id LIMIT 1"
                ).fetchone()[0]
            act("pay-invoice", "--db", str(stores["busy"]), str(invoice))
            time.sleep(
                1.2
            )  # NetSuite's clock counts whole seconds: a pass leaves the second it began to the next
            synced = second.post("/v1/accounts/busy/sync-back")
            assert synced.status_code == 200, synced.text
            assert synced.json()["by_type"].get("invoice.paid", 0) >= 1

            def paid() -> list[dict[str, Any]]:
                return [
                    e
                    for e in accepted
                    if e["type"] == "invoice.paid" and e["netsuite"]["internal_id"] == str(invoice)
                ]

            until(paid, 30, "invoice.paid delivered")
            time.sleep(
                6
            )  # more delivery rounds (the sweeps, every 10 s, ran through the test): nothing comes twice
            assert len(paid()) == 1
            ids = [e["id"] for e in accepted]
            assert len(ids) == len(set(ids)), "an event was delivered twice"
            feed = first.get("/v1/accounts/busy/events", params={"limit": 1000}).json()["events"]
            assert {e["id"] for e in feed} == set(ids), "every event kept was delivered"
            deliveries = first.get(f"/v1/accounts/busy/webhooks/{made.json()['id']}/deliveries").json()
            assert {d["state"] for d in deliveries} == {"delivered"}
            assert len(deliveries) == len(ids)

        assert _readbacks(logs, "quiet") == 1, "the quiet account was read back more than once"
        for n in range(2):  # the API nodes ran no read-back of their own (sync-back asked of the second only)
            assert _readbacks(logs[n : n + 1], "quiet") == 0
    finally:
        for emulator in emulators.values():
            emulator.stop()
