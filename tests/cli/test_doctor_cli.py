"""`tms-netsuite doctor` as users run it, against a served emulator: one JSON object, exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_export_cli import cli
from tests.integration.conftest import served_emulator
from tms_netsuite.cli._demo import demo_mapping


@pytest.mark.parametrize(
    ("scenario", "code", "failing"), [("healthy", 0, set()), ("missing-accounts", 1, {"accounts"})]
)
def test_doctor_json_and_exit_code(tmp_path: Path, scenario: str, code: int, failing: set[str]) -> None:
    """--json prints exactly one object with checks and summary; exit 1 exactly when a check fails."""
    admin = tmp_path / "admin.env"
    with served_emulator(tmp_path, "--scenario", scenario, "--admin-env-file", str(admin)):
        result = cli(
            "doctor",
            "--mapping",
            str(demo_mapping()),
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
