"""The first hour with an account (issue 15's sharp edges), as a user meets them on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_export_cli import cli, documents_file, export_args
from tests.integration.conftest import served_emulator


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
