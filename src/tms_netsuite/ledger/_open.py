"""Opening the ledger's database: the engine, its schema brought up to date one process at a time, and a named
error (what failed, which database, the fix) when it cannot be opened."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tms_netsuite.errors import TmsNetSuiteError

# PostgreSQL: give up on a server that does not answer the connection within this many seconds.
CONNECT_TIMEOUT = 10
_DATABASE_URL_FIX = "correct TMS_NETSUITE_DATABASE_URL (postgresql://user@host:5432/db)"


class LedgerUnavailable(TmsNetSuiteError):
    """The ledger's database cannot be opened: a missing folder, a file that is not a database, a PostgreSQL
    server that cannot be reached or a database that does not exist. The message names the database (never a
    password) and the fix; nothing was sent to NetSuite."""


def lock_key(purpose: str, account: str = "") -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit integer) for one purpose, and account if given."""
    digest = hashlib.sha256(f"tms-netsuite:{purpose}:{account}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def ledger_exists(url: str) -> bool:
    """Whether a ledger may already be at ``url`` without creating one: an SQLite file that exists (a folder
    that does not is :class:`LedgerUnavailable`); a PostgreSQL URL always (opening it tells)."""
    database = make_url(url)
    if database.get_backend_name() != "sqlite":
        return True
    file = Path(database.database or "")
    _check_sqlite_folder(file)
    return file.exists()


async def open_engine(url: str) -> AsyncEngine:
    """An engine on the ledger at ``url`` with its schema at the latest migration; raises
    :class:`LedgerUnavailable` when the database cannot be opened."""
    database = make_url(url)
    if database.get_backend_name() == "sqlite":
        _check_sqlite_folder(Path(database.database or ""))
        engine = create_async_engine(url)
        sa.event.listen(engine.sync_engine, "connect", _sqlite_connect)
        sa.event.listen(engine.sync_engine, "begin", _sqlite_begin)
    else:
        engine = create_async_engine(url, connect_args={"timeout": CONNECT_TIMEOUT})
    try:
        await _migrate(engine)
    except (OSError, TimeoutError, sa.exc.SQLAlchemyError) as exc:
        await engine.dispose()
        raise _unavailable(url, exc) from exc
    return engine


async def _migrate(engine: AsyncEngine) -> None:
    """Apply pending migrations, one process at a time: several runs started together on a fresh ledger would
    otherwise all create its tables at once. The version is read first without the lock (the usual case: up
    to date, nothing to wait for), then again by Alembic once the lock is held, so the later runs find the
    work done. SQLite: BEGIN EXCLUSIVE (waiting up to the busy timeout); PostgreSQL: an advisory lock held by
    the migrating transaction on the same connection."""
    async with engine.connect() as conn:
        if await conn.run_sync(_at_head):
            return
        await conn.rollback()
        if conn.dialect.name == "sqlite":
            conn = await conn.execution_options(sqlite_begin="EXCLUSIVE")
        async with conn.begin():
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(lock_key("migrations"))))
            await conn.run_sync(_upgrade)


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "tms_netsuite.ledger:migrations")
    config.attributes["connection"] = connection
    return config


def _at_head(connection: Connection) -> bool:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    return MigrationContext.configure(connection).get_current_revision() == head


def _upgrade(connection: Connection) -> None:
    command.upgrade(_config(connection), "head")


# Switching a fresh file to WAL while another opener does the same can answer "database is locked" at once,
# without waiting out the busy timeout: it is tried again this often, this far apart.
_WAL_ATTEMPTS = 200
_WAL_PAUSE = 0.05


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLAlchemy, not the driver, begins transactions (see _sqlite_begin). The busy timeout rides out another
    # process's commit. WAL (kept in the file once set) lets status readers run beside an export.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() != "wal":
        for attempt in range(1, _WAL_ATTEMPTS + 1):
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                break
            except Exception as exc:  # the driver's OperationalError, as whichever adapter wraps it
                if "locked" not in str(exc) or attempt == _WAL_ATTEMPTS:
                    raise
                time.sleep(_WAL_PAUSE)  # a fresh ledger's first seconds only
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A claim reads candidates and then marks them; BEGIN IMMEDIATE takes the write lock before the read, so
    # two claimers never pick the same rows (PostgreSQL gets the same from FOR UPDATE SKIP LOCKED).
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _check_sqlite_folder(file: Path) -> None:
    if not file.parent.is_dir():
        raise LedgerUnavailable(
            f"the ledger {file} cannot be opened: its folder {file.parent} does not exist. "
            "Fix: create the folder, or pass --ledger (or TMS_NETSUITE_LEDGER) a file in an existing folder."
        )


def shown_url(url: str) -> str:
    """The database URL as an operator wrote it, without any password (``postgresql://user@host:5432/db``)."""
    database = make_url(url)
    if database.get_backend_name() == "sqlite":
        return database.database or ""
    shown = URL.create(
        database.get_backend_name(),
        username=database.username,
        host=database.host,
        port=database.port,
        database=database.database,
    )  # built anew: URL.set(password=None) keeps the password
    return shown.render_as_string(hide_password=True)


def _unavailable(url: str, exc: BaseException) -> LedgerUnavailable:
    """The named error for a database that could not be opened (the driver's text is never echoed whole: a
    driver may quote its connection string)."""
    where = shown_url(url)
    orig = getattr(exc, "orig", None)
    if make_url(url).get_backend_name() == "sqlite":
        reason = str(orig or exc)
        if "file is not a database" in reason:
            return LedgerUnavailable(
                f"{where} is not a ledger: it is not an SQLite database. Fix: pass --ledger the ledger's file "
                "(e.g. tms-netsuite.db), not an input file; a path that does not exist yet makes a new ledger."
            )
        return LedgerUnavailable(
            f"the ledger {where} cannot be opened: {reason}. Fix: check that the file and its folder are "
            "readable and writable by this user, or pass --ledger another file."
        )
    sqlstate = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    database = make_url(url).database
    if sqlstate == "3D000":  # invalid_catalog_name
        return LedgerUnavailable(
            f'the PostgreSQL ledger database "{database}" does not exist at {where}. Fix: create it '
            f'(e.g. createdb "{database}" as its owner), or {_DATABASE_URL_FIX}.'
        )
    if sqlstate in ("28P01", "28000"):  # invalid_password, invalid_authorization_specification
        return LedgerUnavailable(
            f"PostgreSQL refused the login to the ledger at {where}. Fix: check the user and password in "
            f"TMS_NETSUITE_DATABASE_URL, and the server's pg_hba.conf."
        )
    if isinstance(exc, ConnectionRefusedError):
        return LedgerUnavailable(
            f"cannot connect to the PostgreSQL ledger at {where}: connection refused (nothing listens there). "
            f"Fix: start PostgreSQL, or {_DATABASE_URL_FIX}."
        )
    if isinstance(exc, TimeoutError):
        return LedgerUnavailable(
            f"cannot connect to the PostgreSQL ledger at {where}: no answer within {CONNECT_TIMEOUT} s. "
            f"Fix: check the host, the port and the network, or {_DATABASE_URL_FIX}."
        )
    if isinstance(exc, OSError):
        return LedgerUnavailable(
            f"cannot connect to the PostgreSQL ledger at {where}: {exc.strerror or type(exc).__name__}. "
            f"Fix: check the host and port, or {_DATABASE_URL_FIX}."
        )
    return LedgerUnavailable(
        f"the PostgreSQL ledger at {where} cannot be opened ({type(orig or exc).__name__}"
        f"{', SQLSTATE ' + sqlstate if sqlstate else ''}). Fix: check the server's log, or {_DATABASE_URL_FIX}."
    )
