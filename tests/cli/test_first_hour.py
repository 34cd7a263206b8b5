"""The first hour with an account (issue 15's sharp edges), as a user meets them on the command line."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_export_cli import CLI, cli, documents_file, export_args
from tests.integration.conftest import served_emulator
from tms_netsuite.cli import main
from tms_netsuite.mapping import demo_mapping_path


@pytest.mark.parametrize(
    ("scenario", "permkey"),
    [("missing-permissions", "TRAN_VENDBILL"), ("no-suiteql-permission", "REPO_ANALYTICS")],
)
def test_a_refused_preflight_names_the_failing_check_and_its_fix(
    tmp_path: Path, scenario: str, permkey: str
) -> None:
    """The role lost a permission: the export names the permissions check and what to grant, in words and in
    --json, and does not offer --skip-doctor, which cannot help without the account's lists."""
    source = documents_file(tmp_path, 2, seed=3)
    args = export_args(tmp_path, source)
    with served_emulator(tmp_path, "--scenario", scenario):
        words = cli(*args, env_file=tmp_path / "netsuite.env")
        as_json = cli(*args, "--json", env_file=tmp_path / "netsuite.env")
    assert words.returncode == as_json.returncode == 2
    assert "a prerequisite check failed (permissions)" in words.stderr
    assert permkey in words.stderr
    assert "--skip-doctor cannot help" in words.stderr
    report = json.loads(as_json.stdout)
    assert report["failed_checks"] == ["permissions"]
    assert report["skip_doctor_helps"] is False
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert [c["id"] for c in failed] == ["permissions"]
    assert permkey in failed[0]["detail"]
    assert failed[0]["fix"]


def _mapping_without_fuel_surcharge(tmp_path: Path) -> Path:
    """The demo mapping with no item for fuel surcharges (no category entry, no default): the doctor cannot
    see it, translation fails every invoice that has one."""
    text = demo_mapping_path().read_text()
    text = text.replace('default = "Accessorial"\n', "", 1).replace(
        'fuel_surcharge = "Fuel Surcharge"\n', "", 1
    )
    changed = tmp_path / "mapping.toml"
    changed.write_text(text)
    return changed


def test_documents_failed_on_the_mapping_go_again_once_it_changes(tmp_path: Path) -> None:
    """Edge 6: after the user fixed the mapping, documents that failed on it stayed failed until `retry --all`
    and nothing said so. `errors` says the next export takes them again; the next export with the changed
    mapping (a hash in the ledger) queues them by itself and says so."""
    source = documents_file(tmp_path, 4, seed=3)
    ledger = str(tmp_path / "l.db")
    broken = _mapping_without_fuel_surcharge(tmp_path)
    with served_emulator(tmp_path):
        env_file = tmp_path / "netsuite.env"
        first = cli(
            "export",
            "--input",
            str(source),
            "--mapping",
            str(broken),
            "--ledger",
            ledger,
            "--json",
            env_file=env_file,
        )
        again = cli("export", "--mapping", str(broken), "--ledger", ledger, "--json", env_file=env_file)
        errors = cli("errors", "--ledger", ledger, env_file=env_file)
        fixed = cli("export", "--mapping", str(demo_mapping_path()), "--ledger", ledger, env_file=env_file)
        status = cli("status", "--json", "--ledger", ledger, env_file=env_file)
    failed = json.loads(first.stdout)["failed"]
    assert first.returncode == 1, first.stderr
    assert failed > 0
    assert json.loads(again.stdout)["failed"] == failed  # the same mapping: nothing taken again
    assert "MAPPING" in errors.stdout
    assert (
        "the next `tms-netsuite export` queues these again by itself once the mapping changed"
        in errors.stdout
    )
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"{failed} documents that failed on the mapping were queued again" in fixed.stdout
    assert json.loads(status.stdout)["counts"].get("failed", 0) == 0


def test_ctrl_c_says_what_is_done_and_what_the_next_run_checks(tmp_path: Path) -> None:
    """Edge 8: Ctrl-C printed "Aborted!" with exit 1; now it exits 130 saying what is done and what the next run
    looks up, and `status` run meanwhile says an export run is active."""
    source = documents_file(tmp_path, 20, seed=4)
    ledger = tmp_path / "l.db"
    with served_emulator(tmp_path, "--latency-ms", "300"):
        env_file = tmp_path / "netsuite.env"
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
            [*CLI, *export_args(tmp_path, source), "--concurrency", "1", "--env-file", str(env_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
            preexec_fn=_default_sigint,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _in_state(ledger, "exporting") < 1:
                time.sleep(0.2)
            during = cli("status", "--ledger", str(ledger), env_file=env_file)
            # Finished documents are settled in groups (here only at the run's end), so the ledger shows none
            # synced mid-run: interrupt after a pause in which some finish (the run lasts 20 s or more).
            time.sleep(2)
            assert process.poll() is None, "the export ended before it could be interrupted"
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert "An export run is active now (1)" in during.stdout, during.stdout + during.stderr
    assert process.returncode == 130, stderr
    assert "Aborted!" not in stderr
    said = " ".join(stderr.split())
    assert "Stopped by Ctrl-C: finished documents are recorded (" in said, said
    assert "synced" in said
    assert "The next export looks up in NetSuite the" in said
    after = cli("status", "--ledger", str(ledger), env_file=env_file)
    assert "No export run is active." in after.stdout


def _default_sigint() -> None:
    """Give the exporter the SIGINT a terminal gives it: a non-interactive shell's background job (`make test &`)
    starts with SIGINT ignored, and an ignored signal stays ignored across exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _in_state(ledger: Path, state: str) -> int:
    if not ledger.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM documents WHERE state = ?", (state,)).fetchone()[0])
    except sqlite3.Error:
        return 0


def test_the_summary_counts_what_was_exported(tmp_path: Path) -> None:
    """Edge 9: "Exported 91 document versions" was printed when 42 failed or were blocked, and "concurrency
    learned from 429s, 0 throttled" when nothing was learned. Into a closed period with --skip-doctor, the
    exported count excludes the failed and blocked, and the concurrency clause says what happened."""
    folder = tmp_path / "demo"
    args = ["demo", "--loads", "6", "--scenario", "closed-period", "--dir", str(folder), "--skip-doctor"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    line = next(text for text in result.output.splitlines() if text.startswith("Exported "))
    exported, tried = (
        int(n) for n in re.findall(r"^Exported (\d+) document versions of (\d+) tried", line)[0]
    )
    assert exported < tried, line
    assert "failed" in line.split(":")[0]
    assert "0 throttled" not in line
    assert "no request was throttled" in line


def test_doctor_text_orders_causes_first_with_docs_links(tmp_path: Path) -> None:
    """Edges 7 and 11: a subsidiary not assigned to the role shows first as the subsidiaries failure, the
    accounts it hides as "skipped: depends on subsidiaries"; the text shows the docs link, not only --json."""
    with served_emulator(tmp_path, "--scenario", "subsidiary-not-assigned"):
        result = cli("doctor", "--mapping", str(demo_mapping_path()), env_file=tmp_path / "netsuite.env")
    text = result.stdout
    assert result.returncode == 1, text + result.stderr
    assert text.index("Credentials") < text.index("Role and user") < text.index("Subsidiaries")
    assert text.index("fail subsidiaries") < text.index("skip accounts")
    assert "skip accounts: skipped: depends on subsidiaries" in " ".join(text.split())
    assert "NetSuite has no account named" not in text.split("skip accounts")[0]
    assert "docs: https://docs.oracle.com/" in text
