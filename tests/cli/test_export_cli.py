"""`tms-netsuite export` as users run it: a separate process, over a real socket to a served emulator."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.conftest import served_emulator
from tms_netsuite.documents import write_documents
from tms_netsuite.generate import generate
from tms_netsuite.mapping import demo_mapping_path

CLI = [sys.executable, "-c", "from tms_netsuite.cli import main; main()"]


def cli(*args: str, env_file: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and package
        [*CLI, *args, "--env-file", str(env_file)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environ,
        check=False,
    )


def export_args(tmp_path: Path, source: Path) -> list[str]:
    """`export` of `source` with the demo mapping into the test's ledger, as most tests here run it."""
    return [
        "export",
        "--input",
        str(source),
        "--mapping",
        str(demo_mapping_path()),
        "--ledger",
        str(tmp_path / "l.db"),
    ]


def documents_file(tmp_path: Path, loads: int, seed: int, *, bad_line: bool = False) -> Path:
    path = tmp_path / "documents.jsonl"
    with path.open("w") as stream:
        write_documents(generate(loads, seed), stream)
        if bad_line:
            stream.write('{"kind": "invoice", "id": "X"}\n')
    return path


def killed_then_finished(
    tmp_path: Path,
    source: Path,
    ledger: str,
    *,
    kills: int,
    pause: tuple[float, float],
    rng: random.Random,
    timeout: float,
) -> subprocess.CompletedProcess[str]:
    """`export` of ``source`` started ``kills`` times and SIGKILLed after a random pause each time, then run to
    its end with ``--json`` (against the emulator ``served_emulator`` serves in ``tmp_path``). Every run is given
    the same input, as a scheduled job would be (a kill may land before the first ingest commits; ingesting
    again is idempotent)."""
    env_file = tmp_path / "netsuite.env"
    args = [
        *CLI,
        "export",
        "--mapping",
        str(demo_mapping_path()),
        "--ledger",
        ledger,
        "--env-file",
        str(env_file),
    ]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}
    for _ in range(kills):
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
            [*args, "--input", str(source)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environ,
        )
        time.sleep(rng.uniform(*pause))
        process.send_signal(signal.SIGKILL)
        process.wait()
    return cli(
        "export",
        "--input",
        str(source),
        "--mapping",
        str(demo_mapping_path()),
        "--ledger",
        ledger,
        "--json",
        env_file=env_file,
        timeout=timeout,
    )


def test_export_json_summary_and_exit_codes(tmp_path: Path) -> None:
    """--json prints one object; a rejected input line makes the exit code 1; a second run writes nothing."""
    source = documents_file(tmp_path, 4, seed=9, bad_line=True)
    with served_emulator(tmp_path) as env:
        env_file = tmp_path / "netsuite.env"
        args = (*export_args(tmp_path, source),)
        first = cli(*args, "--json", env_file=env_file)
        second = cli(
            "export",
            "--mapping",
            str(demo_mapping_path()),
            "--ledger",
            str(tmp_path / "l.db"),
            "--json",
            env_file=env_file,
        )
        status = cli("status", "--json", "--ledger", str(tmp_path / "l.db"), env_file=env_file)
    summary = json.loads(first.stdout)
    assert first.returncode == 1, first.stderr
    assert summary["rejected"] == 1
    [rejected] = summary["rejected_lines"]  # issue 15 §3 edge 5: the lines themselves, not only a count
    assert rejected["raw"] == '{"kind": "invoice", "id": "X"}'
    assert rejected["issues"]
    assert summary["failed"] == summary["blocked"] == summary["pending"] == 0
    assert summary["records_written"] > 0
    assert summary["requests"] >= summary["records_written"]
    assert summary["existence_queries"] > 0
    assert summary["deleted"] == 0  # a first run has nothing in NetSuite to delete
    assert "line" in first.stderr
    again = json.loads(second.stdout)
    assert second.returncode == 0, second.stderr
    assert again["records_written"] == 0
    assert env["NETSUITE_ACCOUNT_ID"]
    assert {row["state"] for row in json.loads(status.stdout)["rows"]} <= {
        "synced",
        "skipped",
        "superseded",
        "void",
    }


def test_a_failing_check_stops_before_any_write(tmp_path: Path) -> None:
    """Against an account missing accounts the mapping names, export writes nothing and exits 2."""
    source = documents_file(tmp_path, 2, seed=1)
    with served_emulator(tmp_path, "--scenario", "missing-accounts") as _:
        result = cli(
            *export_args(tmp_path, source),
            "--json",
            env_file=tmp_path / "netsuite.env",
        )
    body = json.loads(result.stdout)
    assert result.returncode == 2, result.stderr
    assert any(check["id"] == "accounts" and check["status"] == "fail" for check in body["checks"])


# `make test-deep` kills more runs over more seeds.
DEEP = os.environ.get("TMS_NETSUITE_DEEP") == "1"


@pytest.mark.parametrize("seed", range(5, 11) if DEEP else [5])
def test_killed_exports_resume_to_exactly_once(tmp_path: Path, seed: int) -> None:
    """Export killed with SIGKILL at random moments, against an emulator injecting every fault kind, then
    resumed: every document ends synced, and NetSuite holds no external id twice."""
    source = documents_file(tmp_path, 10, seed=seed)
    rng = random.Random(seed)
    account_db = tmp_path / "account.db"
    faults = "5xx=0.03,drop=0.03,429=0.03,401=0.02,slow=0.01"
    ledger = str(tmp_path / "l.db")
    with served_emulator(
        tmp_path, "--faults", faults, "--seed", "7", "--latency-ms", "5", "--db", str(account_db)
    ):
        final = killed_then_finished(
            tmp_path, source, ledger, kills=6 if DEEP else 3, pause=(0.5, 2.0), rng=rng, timeout=300
        )
    summary = json.loads(final.stdout)
    assert final.returncode == 0, (final.stdout, final.stderr)
    assert summary["failed"] == summary["blocked"] == summary["pending"] == 0
    # The emulator's own store is NetSuite's truth here (SuiteQL through the faulty server would need retries).
    with sqlite3.connect(account_db) as store:
        duplicates = store.execute(
            'SELECT externalid, COUNT(*) FROM "transaction" GROUP BY externalid HAVING COUNT(*) > 1'
        ).fetchall()
        written = store.execute(
            'SELECT COUNT(*) FROM "transaction" WHERE externalid LIKE ?', ("tms-%",)
        ).fetchone()
    assert duplicates == []
    assert written[0] > 0


def test_one_bad_byte_rejects_its_line_and_the_rest_is_exported(tmp_path: Path) -> None:
    """Invalid UTF-8 in the middle of the file: that line is rejected by number, every other line exported."""
    source = documents_file(tmp_path, 3, seed=21)
    lines = source.read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    lines.insert(middle, b'{"kind":"invoice","id":"\xff"}\n')
    source.write_bytes(b"\xef\xbb\xbf" + b"".join(lines))
    with served_emulator(tmp_path):
        env_file = tmp_path / "netsuite.env"
        result = cli(
            *export_args(tmp_path, source),
            "--json",
            env_file=env_file,
        )
    summary = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    assert summary["rejected"] == 1
    [rejected] = summary["rejected_lines"]  # issue 15 §3 edge 5: the lines themselves, not only a count
    assert rejected["raw"] == '{"kind":"invoice","id":"\\xff"}'
    assert rejected["line"] == middle + 1
    assert f"line {middle + 1}: $: not UTF-8" in result.stderr.replace("\n", "")
    assert summary["failed"] == summary["blocked"] == summary["pending"] == 0
    with sqlite3.connect(tmp_path / "l.db") as ledger:
        (rows,) = ledger.execute("SELECT count(*) FROM documents").fetchone()
    assert rows == len(lines) - 1


def test_the_same_version_with_other_content_is_a_reported_conflict(tmp_path: Path) -> None:
    """An invoice v1 exported, then sent again as v1 with another memo and one line: refused as a conflict
    (named, both hashes, "send it as a new version"), exit 1, NetSuite keeps the first content. Within one
    file too: v2 sent twice with different memos writes the first and refuses the second."""
    source = documents_file(tmp_path, 2, seed=3)
    invoice = next(
        json.loads(line) for line in source.read_text().splitlines() if json.loads(line)["kind"] == "invoice"
    )
    changed = {**invoice, "memo": "sent again, changed", "lines": invoice["lines"][:1]}
    newer = [{**invoice, "version": 2, "memo": f"v2, take {take}"} for take in (1, 2)]
    again = tmp_path / "again.jsonl"
    again.write_text("".join(json.dumps(document) + "\n" for document in (changed, *newer)))
    ledger = str(tmp_path / "l.db")
    mapping = str(demo_mapping_path())
    with served_emulator(tmp_path):
        env_file = tmp_path / "netsuite.env"
        first = cli(
            "export", "--input", str(source), "--mapping", mapping, "--ledger", ledger, env_file=env_file
        )
        second = cli(
            "export",
            "--input",
            str(again),
            "--mapping",
            mapping,
            "--ledger",
            ledger,
            "--json",
            env_file=env_file,
        )
    assert first.returncode == 0, first.stderr
    summary = json.loads(second.stdout)
    assert second.returncode == 1, second.stderr
    assert (summary["conflicts"], summary["unchanged"]) == (2, 0)
    v1, v2 = summary["conflicting"]
    assert (v1["line"], v1["kind"], v1["id"], v1["version"]) == (1, "invoice", invoice["id"], 1)
    assert (v2["line"], v2["version"]) == (3, 2)
    assert v1["held_hash"] != v1["sent_hash"]
    assert v1["sent_hash"][:16] in v1["reason"]
    stderr = " ".join(second.stderr.split())
    assert f"conflict {again}:line 1: invoice {invoice['id']} v1 is already held with other content" in stderr
    assert "send it as a new version" in stderr
    with sqlite3.connect(ledger) as opened:
        memos = opened.execute(
            "SELECT version, json_extract(payload, '$.memo') FROM documents WHERE tms_id = ? ORDER BY version",
            (invoice["id"],),
        ).fetchall()
    assert memos == [(1, invoice["memo"]), (2, "v2, take 1")]
