"""The worker commands on a SQLite ledger: refused with the fix, before anything starts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tms_netsuite.cli import main


def test_worker_needs_postgresql(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["worker"], env={"TMS_NETSUITE_LEDGER": str(tmp_path / "l.db")})
    assert result.exit_code == 2
    assert "TMS_NETSUITE_DATABASE_URL=postgresql://" in result.output


def test_serve_no_workers_needs_postgresql(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--no-workers", "--ledger", str(tmp_path / "l.db")])
    assert result.exit_code == 2
    assert "--no-workers needs a PostgreSQL ledger" in result.output


def test_migrate_brings_a_sqlite_ledger_up_to_date(tmp_path: Path) -> None:
    ledger = tmp_path / "l.db"
    result = CliRunner().invoke(main, ["migrate", "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    assert ledger.exists()
