"""Runs SuiteQL for a role on one account store.

The translation of a query depends on the query, the store's schema and the role's visibility, so it is cached
on those: repeated queries (paging, benchmarks) cost one SQLite statement, not a parse.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from netsuite_emulator.permissions import TABLE_PERMISSIONS, VIEW
from netsuite_emulator.store import AccountStore

from ._translate import (
    MAX_STEPS,
    Catalog,
    Compiled,
    SubsidiaryScope,
    Visibility,
    compile_suiteql,
    unsupported,
)
from ._values import items_of, local_time, to_char, to_date, to_number, to_timestamp

_CACHE_SIZE = 512


@dataclass(frozen=True)
class Page:
    items: list[dict[str, str]]
    total: int


class SuiteQLService:
    """Runs SuiteQL for a role on one account store."""

    def __init__(self, store: AccountStore, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        self._catalog: Catalog | None = None
        self._cache: OrderedDict[tuple[str, int, Visibility], Compiled] = OrderedDict()
        store.create_function("ns_to_char", 1, to_char)
        store.create_function("ns_to_char", 2, to_char)
        store.create_function("ns_to_date", 1, to_date)
        store.create_function("ns_to_date", 2, to_date)
        store.create_function("ns_to_timestamp", 1, to_timestamp)
        store.create_function("ns_to_timestamp", 2, to_timestamp)
        store.create_function("ns_to_number", 1, to_number)
        self._zone = ZoneInfo(store.time_zone())
        store.create_function("ns_local", 1, self._local)
        store.create_function("ns_sysdate", 0, self._sysdate, deterministic=False)
        store.create_function("ns_systimestamp", 0, self._systimestamp, deterministic=False)

    def _local(self, value: str | bytes | int | float | None) -> str | bytes | int | float | None:
        return local_time(value, self._zone)

    # SYSDATE and SYSTIMESTAMP in the user's time zone, the frame date-time columns are compared in (a guess:
    # public SuiteQL filters "today's" deletions with DeletedDate >= TO_DATE(TO_CHAR(SYSDATE, 'YYYY-MM-DD'), …)).
    def _sysdate(self) -> str:
        return dt.datetime.fromtimestamp(self._clock(), self._zone).date().isoformat()

    def _systimestamp(self) -> str:
        return dt.datetime.fromtimestamp(self._clock(), self._zone).strftime("%Y-%m-%d %H:%M:%S")

    def catalog(self) -> Catalog:
        """The exposed tables that exist in the store, with their columns; re-read when the schema changes."""
        version = int(self._store.query("PRAGMA schema_version")[0][0])
        if self._catalog is None or self._catalog.version != version:
            names = {r[0] for r in self._store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = {
                table: tuple(r[1] for r in self._store.query(f'PRAGMA table_info("{table}")'))
                for table in TABLE_PERMISSIONS
                if table in names
            }
            self._catalog = Catalog(version, columns)
            self._cache.clear()
        return self._catalog

    def visibility(
        self, role_id: int, is_administrator: bool, subsidiaries: SubsidiaryScope | None
    ) -> Visibility:
        if is_administrator:
            return Visibility(frozenset(TABLE_PERMISSIONS), None)
        levels = {
            r[0]: int(r[1])
            for r in self._store.query(
                "SELECT permkey, permlevel FROM rolepermissions WHERE role = ?", (role_id,)
            )
        }
        tables = frozenset(t for t, key in TABLE_PERMISSIONS.items() if levels.get(key, 0) >= VIEW)
        return Visibility(tables, subsidiaries)

    def compile(self, query: str, visibility: Visibility) -> Compiled:
        catalog = self.catalog()
        key = (query, catalog.version, visibility)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = compile_suiteql(query, catalog, visibility)
            self._cache[key] = compiled
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return compiled

    def run(
        self, query: str, params: Sequence[object], visibility: Visibility, *, limit: int, offset: int
    ) -> Page:
        self._zone = ZoneInfo(self._store.time_zone())  # read once per query: the functions run per row
        compiled = self.compile(query, visibility)
        if len(params) != compiled.parameters:
            # NetSuite's wording for a parameter count mismatch is not documented.
            raise unsupported()
        try:
            rows = self._store.guarded_query(compiled.page_sql, (*params, limit, offset), max_steps=MAX_STEPS)
            if offset == 0 and len(rows) < limit:
                total = len(rows)
            else:
                total = int(self._store.guarded_query(compiled.count_sql, params, max_steps=MAX_STEPS)[0][0])
        except (sqlite3.Error, ValueError, OverflowError, ArithmeticError):
            raise unsupported() from None
        return Page(
            items_of(rows, compiled.date_outputs, self._zone, self._store.company().date_format), total
        )
