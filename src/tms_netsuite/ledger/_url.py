"""Which database holds the ledger: a SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tms_netsuite.errors import ConfigurationError

DEFAULT_LEDGER_PATH = Path("tms-netsuite.db")


def ledger_url(path: Path | None, environ: Mapping[str, str]) -> str:
    """The SQLAlchemy URL of the ledger.

    ``--ledger PATH`` wins, then ``TMS_NETSUITE_LEDGER`` (a file path), then ``TMS_NETSUITE_DATABASE_URL``
    (``postgresql://user@host/db``), then ``./tms-netsuite.db``.
    """
    database_url = environ.get("TMS_NETSUITE_DATABASE_URL", "").strip()
    chosen = path or (Path(environ["TMS_NETSUITE_LEDGER"]) if environ.get("TMS_NETSUITE_LEDGER") else None)
    if chosen is None and database_url:
        try:
            url = make_url(database_url)
        except ArgumentError as exc:
            raise ConfigurationError(
                f"TMS_NETSUITE_DATABASE_URL is not a database URL; expected e.g. postgresql://user@host:5432/db ({exc})"
            ) from exc
        if url.get_backend_name() != "postgresql":
            raise ConfigurationError("TMS_NETSUITE_DATABASE_URL must be a postgresql:// URL")
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    file = (chosen or DEFAULT_LEDGER_PATH).expanduser().resolve()
    return f"sqlite+aiosqlite:///{file}"
