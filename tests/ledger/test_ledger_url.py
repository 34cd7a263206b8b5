"""Where the ledger lives: --ledger, TMS_NETSUITE_LEDGER, TMS_NETSUITE_DATABASE_URL, or ./tms-netsuite.db."""

from __future__ import annotations

from pathlib import Path

import pytest

from tms_netsuite.ledger import ledger_url
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
