"""Periods: the accounting periods the pending documents (and today) post in are open."""

from __future__ import annotations

from datetime import date

from tms_netsuite.doctor._context import DOCS_PERIODS, Context, read_rows, skipped, transient, unchecked
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.netsuite import RequestError


def _us_date(text: str) -> date | None:
    try:
        month, day, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None


async def check_periods(ctx: Context, pending: list[date]) -> CheckResult:
    title = title_of("periods")
    if ctx.client is None or not ctx.passed("connection"):
        return skipped("periods", "the connection failed")
    try:
        rows = await read_rows(
            ctx,
            ctx.client,
            "SELECT id, periodname, startdate, enddate, closed, alllocked, arlocked, aplocked FROM accountingperiod "
            "WHERE isyear = 'F' AND isquarter = 'F'",
        )
    except RequestError as exc:
        if transient(exc):
            return unchecked("periods", "the accounting periods", exc)
        return skipped("periods", f"accounting periods could not be read ({exc}); see permissions")
    today = ctx.now().date()
    wanted = {today: "the current period", **{d: "a pending document" for d in pending if d != today}}
    problems: list[str] = []
    checked: list[str] = []
    for day, why in sorted(wanted.items()):
        period = next(
            (
                r
                for r in rows
                if (s := _us_date(r.get("startdate", "")))
                and (e := _us_date(r.get("enddate", "")))
                and s <= day <= e
            ),
            None,
        )
        if period is None:
            problems.append(f"no accounting period covers {day.isoformat()} ({why})")
            continue
        name = period.get("periodname", period.get("id", "?"))
        if name in checked:
            continue
        checked.append(name)
        if period.get("closed") == "T":
            problems.append(f"{name} ({why}) is closed")
        elif period.get("alllocked") == "T" or (
            period.get("arlocked") == "T" and period.get("aplocked") == "T"
        ):
            problems.append(f"{name} ({why}) is locked")
        elif period.get("arlocked") == "T" or period.get("aplocked") == "T":
            problems.append(f"{name} ({why}) has A/R or A/P locked")
    if problems:
        return CheckResult(
            "periods",
            title,
            Status.FAIL,
            "; ".join(problems),
            "Reopen or unlock the period at Setup > Accounting > Manage Accounting Periods (or Period Close "
            "Checklist), create the missing periods there, or date the documents in an open period.",
            DOCS_PERIODS,
        )
    return CheckResult("periods", title, Status.PASS, f"open for posting: {', '.join(checked)}")
