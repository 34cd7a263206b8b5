"""Where the ledger lives: --ledger, TMS_NETSUITE_LEDGER, TMS_NETSUITE_DATABASE_URL, or ./tms-netsuite.db."""

from __future__ import annotations

from pathlib import Path

import pytest

from tms_netsuite.errors import TmsNetSuiteError
from tms_netsuite.ledger import Ledger, LedgerUnavailable, ledger_url
from tms_netsuite.netsuite import ConfigurationError


def test_default_is_a_sqlite_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert ledger_url(None, {}) == f"sqlite+aiosqlite:///{tmp_path / 'tms-netsuite.db'}"


def test_path_beats_environment(tmp_path: Path) -> None:
    environ = {
        "TMS_NETSUITE_LEDGER": str(tmp_path / "env.db"),
        "TMS_NETSUITE_DATABASE_URL": "postgresql://u@h/db",
    }
    assert ledger_url(tmp_path / "cli.db", environ).endswith("/cli.db")
    assert ledger_url(None, environ).endswith("/env.db")


def test_postgresql_url_uses_the_async_driver() -> None:
    url = ledger_url(None, {"TMS_NETSUITE_DATABASE_URL": "postgresql://user:pw@db.local:5432/ledger"})
    assert url == "postgresql+asyncpg://user:pw@db.local:5432/ledger"


@pytest.mark.parametrize("value", ["not a url", "mysql://u@h/db"])
def test_other_database_urls_are_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="TMS_NETSUITE_DATABASE_URL"):
        ledger_url(None, {"TMS_NETSUITE_DATABASE_URL": value})


@pytest.mark.anyio
async def test_a_ledger_that_cannot_be_opened_is_a_named_error_of_the_project(tmp_path: Path) -> None:
    """Ledger.open raises LedgerUnavailable (a TmsNetSuiteError, caught once by the CLI or a service)."""
    not_a_database = tmp_path / "input.jsonl"
    not_a_database.write_text('{"kind": "invoice"}\n' * 100)
    for url in (f"sqlite+aiosqlite:///{tmp_path}/missing/l.db", f"sqlite+aiosqlite:///{not_a_database}"):
        with pytest.raises(LedgerUnavailable) as caught:
            await Ledger.open(url, "123456_SB1", "sandbox")
        assert isinstance(caught.value, TmsNetSuiteError)
        assert "Fix:" in str(caught.value)
