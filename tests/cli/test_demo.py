"""`tms-netsuite demo` exports a generated month into the in-process emulator; failures exit cleanly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tms_netsuite.cli import main


def test_demo_exports_a_month_and_status_reads_its_ledger(tmp_path: Path) -> None:
    """The demo passes its checks, exports every document, and `status --json` finds them all settled."""
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--loads", "12", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert "check credentials: pass" in result.output
    assert "check accounts: pass" in result.output
    assert (folder / "ledger.db").exists()
    status = CliRunner().invoke(
        main,
        [
            "status",
            "--json",
            "--env-file",
            str(folder / "netsuite.env"),
            "--ledger",
            str(folder / "ledger.db"),
        ],
    )
    assert status.exit_code == 0, status.output
    rows = json.loads(status.output)["rows"]
    lines = (folder / "documents.jsonl").read_text().splitlines()
    carried = sum(len(json.loads(line).get("attachments", [])) for line in lines)
    assert carried > 0  # invoices with PODs and BOLs, carrier bills with rate confirmations
    assert len(rows) == len(lines) + carried  # each attachment is a row of its own
    files = [row for row in rows if row["kind"] == "attachment" and row["state"] == "synced"]
    assert {row["tms_id"].rsplit(":", 1)[1] for row in files} == {"pod", "bol", "rate_confirmation"}
    assert all("/app/common/media/mediaitem.nl?id=" in row["records"][0]["url"] for row in files)
    assert {row["state"] for row in rows} <= {"synced", "skipped", "superseded", "void"}
    synced = [row for row in rows if row["state"] == "synced"]
    assert all(record["internal_id"] for row in synced for record in row["records"])
    skipped = [row for row in rows if row["state"] == "skipped"]  # company drivers' payroll settlements
    assert skipped
    assert all(row["skip_reason"] and row["blocked_on"] is None for row in skipped)


def test_a_refused_login_exits_2_with_the_cause_and_fix(tmp_path: Path) -> None:
    """Against a revoked token the demo exports nothing and exits 2, naming the credentials check and its fix."""
    result = CliRunner().invoke(
        main, ["demo", "--loads", "2", "--scenario", "revoked-token", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "connection" in result.output
    assert "Login Audit Trail" in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help() -> None:
    """Each command explains itself in --help."""
    for name, command in main.commands.items():
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, name


def test_errors_groups_failures_with_the_fix_and_retry_queues_them(tmp_path: Path) -> None:
    """Into an account whose October is closed, the doctor's periods check warns and the run goes on (the
    mapping's closed_period = "fail"): October's documents fail one by one; `errors` groups them by cause with
    the fix, and `retry --all` queues them (and the documents they block) again."""
    folder = tmp_path / "demo"
    args = ["demo", "--loads", "6", "--scenario", "closed-period", "--dir", str(folder)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output  # not stopped at the preflight: the documents fail alone
    assert "check periods: warn (Oct 2026 (closed)" in result.output
    where = ["--env-file", str(folder / "netsuite.env"), "--ledger", str(folder / "ledger.db")]
    errors = CliRunner().invoke(main, ["errors", *where])
    assert errors.exit_code == 0, errors.output
    assert "failed" in errors.output
    assert "Manage Accounting Periods" in errors.output
    waiting = [
        row
        for state in ("failed", "blocked")
        for row in json.loads(
            CliRunner().invoke(main, ["status", "--json", "--state", state, *where]).output
        )["rows"]
    ]
    retried = CliRunner().invoke(main, ["retry", "--all", *where])
    assert retried.exit_code == 0, retried.output
    assert f"{len(waiting)} document versions queued again" in retried.output
    assert CliRunner().invoke(main, ["retry", *where]).exit_code == 2  # neither ids nor --all


def test_the_demo_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    """`--dir .` once emptied the working directory: a folder holding the user's files is refused untouched."""
    (tmp_path / "thesis.docx").write_text("years of work")
    result = CliRunner().invoke(main, ["demo", "--loads", "2", "--dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "did not make" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.docx"]


def test_an_unknown_scenario_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--scenario", "nope", "--dir", str(folder)])
    assert result.exit_code == 2, result.output
    assert "'nope' is not one of: " in result.output
    assert "healthy" in result.output
    assert "Traceback" not in result.output
    assert not folder.exists()


def test_a_second_demo_replaces_only_its_own_files(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    first = CliRunner().invoke(main, ["demo", "--loads", "2", "--dir", str(folder), "--auth", "oauth2"])
    assert first.exit_code == 0, first.output
    (folder / "notes.txt").write_text("mine")
    second = CliRunner().invoke(main, ["demo", "--loads", "3", "--dir", str(folder)])
    assert second.exit_code == 0, second.output
    assert (folder / "notes.txt").read_text() == "mine"
    assert not list(folder.glob("*key.pem"))  # the first run's key went with its files


def test_the_suggested_commands_run_as_printed(tmp_path: Path) -> None:
    """After `make demo` the venv is not on PATH: the demo prints the path that works, and it does."""
    script = Path(sys.executable).parent / "tms-netsuite"
    environ = {**os.environ, "PATH": "/usr/bin:/bin"}
    demo = subprocess.run(  # noqa: S603 - our own entry point
        [str(script), "demo", "--loads", "2", "--dir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    suggested, files = re.findall(r"`([^`]* status [^`]*)`", demo.stdout)
    assert suggested.startswith(str(script))
    assert " status --files " in files
    status = subprocess.run(  # noqa: S602 - the exact line a user would paste into a shell
        suggested,
        shell=True,
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
