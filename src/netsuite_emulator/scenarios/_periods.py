"""Accounting periods: fiscal years, quarters and months, generated relative to the account's clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _parse_month(text: str, current: int) -> int:
    if text == "current":
        return current
    if text == "previous":
        return current - 1
    year, _, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise ValueError(f"period {text!r} is not 'current', 'previous' or YYYY-MM")
    return _month_index(int(year), int(month))


def _month_row(index: int, parent: int, closed: bool) -> dict[str, Any]:
    year, month0 = divmod(index, 12)
    start = dt.date(year, month0 + 1, 1)
    end = dt.date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return {
        "periodname": f"{_MONTHS[month0]} {year}",
        "startdate": start.isoformat(),
        "enddate": end.isoformat(),
        "parent": parent,
        "closed": closed,
        # Closing a period locks it first, as NetSuite's period close checklist does.
        "alllocked": closed,
        "aplocked": closed,
        "arlocked": closed,
        "payrolllocked": closed,
    }


def generate_periods(spec: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """Rows for ``accountingperiod``: from ``first`` (or January of last year, if earlier) through
    ``months_after_current`` months after the current one; months named in ``closed`` are closed.

    Calendar-year fiscal years; a year or quarter is closed only when all its months are.
    """
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    current = _month_index(today.year, today.month)
    first = min(_parse_month(str(spec.get("first", "2025-01")), current), _month_index(today.year - 1, 1))
    last = current + int(spec.get("months_after_current", 1))
    closed = {_parse_month(str(m), current) for m in spec.get("closed", [])}
    rows: list[dict[str, Any]] = []
    next_id = 1
    for year in range(first // 12, last // 12 + 1):
        year_id = next_id
        year_months = [m for m in range(year * 12, year * 12 + 12) if first <= m <= last]
        rows.append(_summary_row(year_id, f"FY {year}", year_months, None, closed, is_year=True))
        next_id += 1
        for quarter in range(4):
            months = [m for m in year_months if (m % 12) // 3 == quarter]
            if not months:
                continue
            quarter_id = next_id
            rows.append(_summary_row(quarter_id, f"Q{quarter + 1} {year}", months, year_id, closed))
            next_id += 1
            for month in months:
                rows.append({"id": next_id, **_month_row(month, quarter_id, month in closed)})
                next_id += 1
    return rows


def _summary_row(
    row_id: int, name: str, months: list[int], parent: int | None, closed: set[int], *, is_year: bool = False
) -> dict[str, Any]:
    first_row, last_row = _month_row(months[0], 0, False), _month_row(months[-1], 0, False)
    all_closed = all(m in closed for m in months)
    return {
        "id": row_id,
        "periodname": name,
        "startdate": first_row["startdate"],
        "enddate": last_row["enddate"],
        "parent": parent,
        "isyear": is_year,
        "isquarter": not is_year,
        "isposting": False,
        "closed": all_closed,
        "alllocked": all_closed,
    }
