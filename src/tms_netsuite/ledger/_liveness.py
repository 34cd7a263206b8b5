"""Which runs are alive: every live run holds a lock that its process's death frees at once, whatever machine or
container it ran in.

On PostgreSQL the lock is a session advisory lock (its key derived from the run id), held on a connection of its
own for the run's life: the server frees it when that connection closes, a killed process's included. Beside a
SQLite ledger it is ``fcntl.flock`` on a file of its own in a folder next to the ledger (``<ledger>.runs/``): the
kernel frees it when the process dies. A free lock is a dead run; a held one a live run. Where neither can tell
(a run id of an older version, a platform without ``flock``, an in-memory database), the run's lease decides.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

if sys.platform != "win32":  # on Windows leases alone tell a dead run
    import fcntl

logger = logging.getLogger("tms_netsuite.ledger")

# A run id of this version: a random UUID's 32 hex digits (older versions wrote host:pid:nonce).
_RUN_ID = re.compile(r"[0-9a-f]{32}")


# PostgreSQL advisory locks of runs use the two-key form, the first key this constant, so runs' locks can be
# counted in pg_locks apart from any other advisory lock ("tmsn" in ASCII).
_RUNS = 0x746D736E


def _advisory_key(run_id: str) -> int:
    """The run's second PostgreSQL advisory lock key: 32 bits of a hash of its id (a signed int). Two live runs
    sharing one (one chance in four billion) only make the second wait for the first to end."""
    digest = hashlib.sha256(f"tms-netsuite run {run_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


_HELD_RUN_LOCKS = sa.text(
    "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = :runs"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


class Liveness:
    """Holds this run's lock and tells which other runs hold theirs, for one ledger database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        in_memory = not database or database == ":memory:" or database.startswith("file:")
        self._folder = None if in_memory else Path(f"{database}.runs")

    @asynccontextmanager
    async def hold(self, run_id: str) -> AsyncIterator[None]:
        """Hold ``run_id``'s lock until the block ends (or the process dies)."""
        if self._engine.dialect.name == "postgresql":
            async with self._engine.connect() as conn:
                key = _advisory_key(run_id)
                await conn.execute(
                    sa.text("SELECT pg_advisory_lock(:runs, :key)"), {"runs": _RUNS, "key": key}
                )
                await conn.commit()  # the lock is the session's: no transaction stays open
                try:
                    yield
                finally:
                    with contextlib.suppress(Exception):  # a lost connection has freed it already
                        await conn.execute(
                            sa.text("SELECT pg_advisory_unlock(:runs, :key)"), {"runs": _RUNS, "key": key}
                        )
                        await conn.commit()
            return
        path = self._lock_file(run_id)
        if path is None:
            yield
            return
        path.parent.mkdir(exist_ok=True)
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()  # before the lock is let go: a checker never finds a free file of a live run
            os.close(descriptor)

    async def alive(self, run_ids: Iterable[str]) -> dict[str, bool | None]:
        """For each run id: True when its run holds its lock, False when the lock is free (the run is dead),
        None when this cannot be told (its lease decides)."""
        wanted = list(dict.fromkeys(run_ids))
        if self._engine.dialect.name == "postgresql":
            return await self._alive_postgresql(wanted)
        return {run_id: self._alive_file(run_id) for run_id in wanted}

    async def count_alive(self) -> int:
        """How many runs hold their lock now (runs of older versions and unlockable ledgers are not counted)."""
        if self._engine.dialect.name == "postgresql":
            async with self._engine.connect() as conn:
                return int((await conn.execute(_HELD_RUN_LOCKS, {"runs": _RUNS})).scalar_one())
        if self._folder is None or not self._folder.is_dir():
            return 0
        return sum(self._alive_file(path.stem) is True for path in self._folder.glob("*.lock"))

    async def _alive_postgresql(self, run_ids: list[str]) -> dict[str, bool | None]:
        found: dict[str, bool | None] = dict.fromkeys(run_ids)
        checked = [run_id for run_id in run_ids if _RUN_ID.fullmatch(run_id)]
        if not checked:
            return found
        async with self._engine.connect() as conn:
            for run_id in checked:
                key = _advisory_key(run_id)
                free = (
                    await conn.execute(
                        sa.text("SELECT pg_try_advisory_lock(:runs, :key)"), {"runs": _RUNS, "key": key}
                    )
                ).scalar()
                if free:
                    await conn.execute(
                        sa.text("SELECT pg_advisory_unlock(:runs, :key)"), {"runs": _RUNS, "key": key}
                    )
                found[run_id] = not free
            await conn.commit()
        return found

    def _alive_file(self, run_id: str) -> bool | None:
        path = self._lock_file(run_id)
        if path is None:
            return None
        try:
            descriptor = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            # A run makes its file before it claims anything and removes it only once it has let go of its rows:
            # a run that holds rows and has no file is gone.
            return False
        except OSError:
            logger.warning("cannot open the lock file %s; the run's lease decides", path, exc_info=True)
            return None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            logger.warning("cannot lock %s; the run's lease decides", path, exc_info=True)
            return None
        else:
            with contextlib.suppress(OSError):
                path.unlink()
            return False
        finally:
            os.close(descriptor)

    def _lock_file(self, run_id: str) -> Path | None:
        if sys.platform == "win32" or self._folder is None or not _RUN_ID.fullmatch(run_id):
            return None
        return self._folder / f"{run_id}.lock"
