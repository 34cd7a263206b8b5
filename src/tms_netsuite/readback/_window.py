"""The window one read-back pass reads: from the cursor, less an overlap, to NetSuite's clock as the pass began.

SuiteQL compares ``lastmodifieddate`` in the users' time zone, to the second, while the cursor is kept in UTC
from NetSuite's ``serverTime``. The window's bounds are therefore local times with their seconds, never a date:
Airbyte's NetSuite source lost records by keeping a date as its cursor (airbytehq/airbyte#79653). The users'
offset from UTC is measured at each pass (SYSDATE against serverTime); across a daylight-saving change the lower
bound takes the smaller of the two offsets, so a change made in the repeated hour is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"
SUITEQL_FORMAT = "YYYY-MM-DD HH24:MI:SS"  # the same, in TO_CHAR / TO_TIMESTAMP's words
_QUARTER_HOUR = 900


@dataclass(frozen=True, slots=True)
class Window:
    """Local times (``'YYYY-MM-DD HH:MM:SS'``): read what was modified at or after ``lower`` and before
    ``upper``; ``began`` is NetSuite's clock (UTC) as the pass began, the next cursor."""

    lower: str
    upper: str
    began: datetime
    offset_seconds: int


def measured_offset(server_utc: datetime, local_now: str) -> int:
    """The users' offset from UTC, in seconds, from NetSuite's clock read two ways (to the quarter hour: every
    time zone's offset is a multiple of it)."""
    local = datetime.strptime(local_now, LOCAL_FORMAT)
    seconds = (local - server_utc.replace(tzinfo=None)).total_seconds()
    return round(seconds / _QUARTER_HOUR) * _QUARTER_HOUR


def window(
    cursor_at: datetime, cursor_offset: int | None, began: datetime, offset_seconds: int, overlap: timedelta
) -> Window:
    """The window from ``cursor_at`` (UTC; re-read from ``overlap`` earlier) to ``began`` (UTC)."""
    smaller = offset_seconds if cursor_offset is None else min(cursor_offset, offset_seconds)
    lower = (cursor_at - overlap).replace(tzinfo=None, microsecond=0) + timedelta(seconds=smaller)
    upper = began.replace(tzinfo=None, microsecond=0) + timedelta(seconds=offset_seconds)
    return Window(lower.strftime(LOCAL_FORMAT), upper.strftime(LOCAL_FORMAT), began, offset_seconds)


def utc_of(local: str, offset_seconds: int) -> str:
    """A local time as an ISO UTC moment (``2026-10-04T06:30:00Z``), for events."""
    moment = datetime.strptime(local, LOCAL_FORMAT) - timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
