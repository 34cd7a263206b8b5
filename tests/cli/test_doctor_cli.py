"""`tms-netsuite doctor` as users run it, against a served emulator: one JSON object, exit codes 0/1/2."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.cli.test_export_cli import cli
from tests.integration.conftest import served_emulator
from tms_netsuite.ledger import Ledger, ledger_url
from tms_netsuite.mapping import demo_mapping_path


async def _make_ledger(path: Path) -> None:
    await (await Ledger.open(ledger_url(path, {}), "1234567", "production")).close()


@pytest.mark.parametrize(
    ("scenario", "code", "failing"), [("healthy", 0, set()), ("missing-accounts", 1, {"accounts", "lists"})]
)
def test_doctor_json_and_exit_code(tmp_path: Path, scenario: str, code: int, failing: set[str]) -> None:
    """--json prints exactly one object with checks and summary; exit 1 exactly when a check fails."""
    admin = tmp_path / "admin.env"
    with served_emulator(tmp_path, "--scenario", scenario, "--admin-env-file", str(admin)):
        result = cli(
            "doctor",
            "--mapping",
            str(demo_mapping_path()),
            "--admin-env-file",
            str(admin),
            "--json",
            env_file=tmp_path / "netsuite.env",
        )
    report = json.loads(result.stdout)
    assert result.returncode == code, result.stderr
    assert {check["id"] for check in report["checks"] if check["status"] == "fail"} == failing
    assert sum(report["summary"].values()) == len(report["checks"])
    assert all(set(check) >= {"id", "title", "status", "detail", "fix", "docs"} for check in report["checks"])


def test_doctor_reports_bad_settings_with_exit_2(tmp_path: Path) -> None:
    """A mapping file that does not exist: the doctor cannot run, exit 2 with the reason."""
    env_file = tmp_path / "netsuite.env"
    env_file.write_text("NETSUITE_ACCOUNT_ID=123456\n")
    result = cli("doctor", "--mapping", str(tmp_path / "missing.toml"), env_file=env_file)
    assert result.returncode == 2
    assert "missing.toml" in result.stderr


def test_drift_names_permissions_removed_since_the_last_passing_run(tmp_path: Path) -> None:
    """A passing run is kept in the ledger; after the role loses permissions, `drift` names what changed.
    Without a ledger file the doctor creates none."""
    admin, ledger = tmp_path / "admin.env", tmp_path / "ledger.db"
    args = ["doctor", "--mapping", str(demo_mapping_path()), "--admin-env-file", str(admin), "--json"]
    with served_emulator(tmp_path, "--admin-env-file", str(admin)):
        without = cli(*args, "--ledger", str(ledger), env_file=tmp_path / "netsuite.env")
        assert not ledger.exists()
        asyncio.run(_make_ledger(ledger))  # `status` never makes one: `export` does
        first = cli(*args, "--ledger", str(ledger), env_file=tmp_path / "netsuite.env")
    changed = tmp_path / "changed"
    changed.mkdir()
    with served_emulator(
        changed, "--scenario", "permissions-changed", "--admin-env-file", str(changed / "admin.env")
    ):
        second = cli(
            *args[:-2],
            str(changed / "admin.env"),
            "--json",
            "--ledger",
            str(ledger),
            env_file=changed / "netsuite.env",
        )
    drift = {check["id"]: check for check in json.loads(second.stdout)["checks"]}["drift"]
    assert without.returncode == first.returncode == 0, (without.stdout, first.stdout)
    assert {c["id"]: c for c in json.loads(first.stdout)["checks"]}["drift"]["status"] == "skip"
    assert second.returncode == 1
    assert drift["status"] == "warn", drift  # `permissions` itself fails; drift says what changed
    assert "TRAN_CUSTINVC" in drift["detail"], drift
    assert "LIST_CUSTJOB" in drift["detail"], drift
