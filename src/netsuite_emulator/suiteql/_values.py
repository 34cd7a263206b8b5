"""NetSuite's SQL functions as the SQLite functions the translation calls, and values as SuiteQL over REST
shows them."""

from __future__ import annotations

import datetime as dt
import functools
import re
import sqlite3
from decimal import Decimal
from zoneinfo import ZoneInfo

# Date columns (no time part). NetSuite answers dates in the user's Date Format preference: M/D/YYYY, the US
# default, in the recorded answers ("trandate": "5/11/2020"). Stored as ISO text, they are reformatted on the way
# out; TO_CHAR(date, 'YYYY-MM-DD') gives a client the same text whatever the preference.


def _as_datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def local_time(value: str | bytes | int | float | None, zone: ZoneInfo) -> str | bytes | int | float | None:
    """A stored UTC date-time ('2026-10-03T23:30:00Z') as the user's local time ('2026-10-03 16:30:00');
    anything else (a local time already, a date, NULL) as it is."""
    if not isinstance(value, str) or not value.endswith("Z"):
        return value
    return _local(value, zone)


@functools.lru_cache(maxsize=65_536)  # called per row and per comparison: a second's stamp repeats a lot
def _local(value: str, zone: ZoneInfo) -> str:
    try:
        moment = dt.datetime.fromisoformat(value[:-1]).replace(tzinfo=dt.UTC)
    except ValueError:
        return value
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


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


def to_timestamp(value: object, pattern: str | None = None) -> str | None:
    """TO_TIMESTAMP: a local date-time, its time kept even at midnight (to compare with local date-times)."""
    if value is None:
        return None
    raw = str(value)
    moment = dt.datetime.strptime(raw, pattern) if pattern else dt.datetime.fromisoformat(raw)
    return moment.replace(microsecond=0).isoformat(sep=" ")


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


# A Date Format preference's tokens (Home > Set Preferences > General > Date Format; Setup > Company > General
# Preferences sets the default): M/D/YYYY is the US default the recorded answers show; others such as DD/MM/YYYY,
# DD.MM.YYYY, YYYY-MM-DD and DD-Mon-YYYY are offered. The emulator renders any pattern of these tokens.
_DATE_TOKENS = re.compile(r"YYYY|MONTH|Mon|MM|M|DD|D")


def format_date(value: str, pattern: str) -> str:
    """An ISO date in a Date Format preference's pattern."""
    day = dt.date.fromisoformat(value)
    shown = {
        "YYYY": f"{day.year:04d}",
        "MONTH": day.strftime("%B"),
        "Mon": day.strftime("%b"),
        "MM": f"{day.month:02d}",
        "M": str(day.month),
        "DD": f"{day.day:02d}",
        "D": str(day.day),
    }
    return _DATE_TOKENS.sub(lambda token: shown[token.group()], pattern)


def items_of(
    rows: list[sqlite3.Row], dates: frozenset[str], zone: ZoneInfo, date_format: str = "M/D/YYYY"
) -> list[dict[str, str]]:
    """Rows as SuiteQL items: lower-case keys, string values, NULLs left out (as NetSuite leaves them out);
    dates and date-times as the user's date in the user's Date Format (a date-time without its time, in the
    user's time zone)."""
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
            if is_date:
                local = str(local_time(shown, zone))
                if _ISO_DATE.match(local):
                    shown = format_date(local[:10], date_format)
            item[key] = shown
        items.append(item)
    return items
