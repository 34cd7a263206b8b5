"""`tms-netsuite export --backfill` as users run it: killed during a backfill (batch jobs queued in NetSuite),
then finished — every record in NetSuite once, with the lines a run without backfill writes."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.test_export_cli import CLI, cli, documents_file
from tests.integration.conftest import served_emulator
from tms_netsuite.mapping import demo_mapping_path

DEEP = os.environ.get("TMS_NETSUITE_DEEP") == "1"
LINES = (
    'SELECT t.externalid, t.type, COUNT(l.id) FROM "transaction" t LEFT JOIN transactionline l '
    'ON l."transaction" = t.id GROUP BY t.externalid, t.type ORDER BY t.externalid, t.type'
)


def export_args(source: Path, ledger: Path, *extra: str) -> list[str]:
    return [
        "export",
        "--input",
        str(source),
        "--mapping",
        str(demo_mapping_path()),
        "--ledger",
        str(ledger),
        *extra,
    ]


def held(account_db: Path) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]:
    with sqlite3.connect(account_db) as store:
        duplicates = store.execute(
            'SELECT externalid, COUNT(*) FROM "transaction" GROUP BY externalid, type HAVING COUNT(*) > 1'
        ).fetchall()
        return duplicates, store.execute(LINES).fetchall()


@pytest.mark.parametrize("seed", range(5, 9) if DEEP else [5])
def test_a_backfill_killed_while_jobs_run_resumes_to_exactly_once(tmp_path: Path, seed: int) -> None:
    source = documents_file(tmp_path, 12, seed=seed)
    rng = random.Random(seed)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}
    backfilled, plain = tmp_path / "backfilled", tmp_path / "plain"
    backfilled.mkdir()
    plain.mkdir()
    slow = ("--latency-ms", "20", "--async-processors", "3")
    faults = ("--faults", "5xx=0.02,drop=0.02", "--seed", "7")
    with served_emulator(backfilled, *slow, *faults, "--db", str(backfilled / "account.db")):
        env_file = backfilled / "netsuite.env"
        for _ in range(4 if DEEP else 2):
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
                [*CLI, *export_args(source, backfilled / "l.db", "--backfill"), "--env-file", str(env_file)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=environ,
            )
            time.sleep(rng.uniform(1.5, 3.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
        final = cli(
            *export_args(source, backfilled / "l.db", "--backfill", "--json"), env_file=env_file, timeout=300
        )
    with served_emulator(plain, "--db", str(plain / "account.db")):
        clean = cli(
            *export_args(source, plain / "l.db", "--no-backfill"),
            env_file=plain / "netsuite.env",
            timeout=300,
        )
    summary = json.loads(final.stdout)
    assert final.returncode == 0, (final.stdout, final.stderr)
    assert clean.returncode == 0, clean.stderr
    assert summary["failed"] == summary["blocked"] == summary["pending"] == 0
    assert summary["backfill"] is True
    duplicates, lines = held(backfilled / "account.db")
    clean_duplicates, clean_lines = held(plain / "account.db")
    assert duplicates == clean_duplicates == []
    assert lines == clean_lines  # every transaction once, with its lines once
    assert len(lines) > 30
    with sqlite3.connect(backfilled / "account.db") as store:
        jobs = store.execute("SELECT COUNT(*) FROM asyncjob").fetchone()[0]
    assert jobs > 0  # batch jobs were submitted (by the killed runs and the last)
