"""NetSuite's SQL functions as the SQLite functions the translation calls, and values as SuiteQL over REST
shows them."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from decimal import Decimal

# Date columns (no time part). NetSuite answers dates in the user's date format: M/D/YYYY, the US default that
# the recorded answers show ("trandate": "5/11/2020"). Stored as ISO text, they are reformatted on the way out.


def _as_datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def to_char(value: object, pattern: str | None = None) -> str | None:
    if value is None:
        return None
    moment = _as_datetime(value)
    if pattern is not None and moment is not None:
        return moment.strftime(pattern)
    return text(value)


def to_date(value: object, pattern: str | None = None) -> str | None:
    if value is None:
        return None
    raw = str(value)
    moment = dt.datetime.strptime(raw, pattern) if pattern else dt.datetime.fromisoformat(raw)
    if moment.time() == dt.time(0):
        return moment.date().isoformat()
    return moment.isoformat(sep=" ")


def to_number(value: object) -> int | float | None:
    if value is None or isinstance(value, int | float):
        return value
    number = Decimal(str(value).strip())
    return int(number) if number == number.to_integral_value() else float(number)


# -- answers -------------------------------------------------------------------------------------------------


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def text(value: object) -> str:
    """A value as SuiteQL over REST shows it: always a string."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        shown = repr(value)
        return format(Decimal(shown), "f") if "e" in shown else shown
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _us_date(value: str) -> str:
    year, month, day = value.split("-")
    return f"{int(month)}/{int(day)}/{year}"


def items_of(rows: list[sqlite3.Row], dates: frozenset[str]) -> list[dict[str, str]]:
    """Rows as SuiteQL items: lower-case keys, string values, NULLs left out (as NetSuite leaves them out)."""
    if not rows:
        return []
    keys = [name.lower() for name in rows[0].keys()]  # noqa: SIM118 -- iterating a Row gives its values
    dated = [key in dates for key in keys]
    items: list[dict[str, str]] = []
    for row in rows:
        item: dict[str, str] = {}
        for key, is_date, value in zip(keys, dated, row, strict=True):
            if value is None:
                continue
            shown = value if type(value) is str else str(value) if type(value) is int else text(value)
            if is_date and _ISO_DATE.fullmatch(shown):
                shown = _us_date(shown)
            item[key] = shown
        items.append(item)
    return items
