"""Periods: the accounting periods the pending documents (and today) post in are open."""

from __future__ import annotations

from datetime import date

from tms_netsuite.doctor._context import DOCS_PERIODS, Context, read_rows, skipped, transient, unchecked
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.doctor._reference import parse_date
from tms_netsuite.doctor._setup import ACCOUNTING_PREFERENCES
from tms_netsuite.mapping import ClosedPeriod, Period
from tms_netsuite.netsuite import RequestError


async def check_periods(ctx: Context, pending: list[date]) -> CheckResult:
    title = title_of("periods")
    if ctx.client is None or not ctx.passed("connection"):
        return skipped("periods", "the connection failed")
    if ctx.reference is not None:
        # The lists the export reads hold the same periods (one query for both): not read a second time.
        rows = [_row(period) for period in ctx.reference.periods]
    else:
        try:
            rows = await read_rows(
                ctx,
                ctx.client,
                # SuiteQL answers a date column in the user's Date Format preference (M/D/YYYY, DD/MM/YYYY, …);
                # TO_CHAR gives the same text whatever it is.
                "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS startdate, "
                "TO_CHAR(enddate, 'YYYY-MM-DD') AS enddate, closed, alllocked, arlocked, aplocked "
                "FROM accountingperiod WHERE isyear = 'F' AND isquarter = 'F'",
            )
        except RequestError as exc:
            if transient(exc):
                return unchecked("periods", "the accounting periods", exc)
            return skipped("periods", f"accounting periods could not be read ({exc}); see permissions")
    today = ctx.now().date()
    wanted = {today: "the current period", **{d: "a pending document" for d in pending if d != today}}
    problems: list[str] = []  # no period at all: NetSuite refuses every document of those dates
    unpostable: dict[str, list[date]] = {}  # period (and why) → pending dates in it
    checked: list[str] = []
    for day, why in sorted(wanted.items()):
        period = next(
            (
                r
                for r in rows
                if (s := parse_date(r.get("startdate", "")))
                and (e := parse_date(r.get("enddate", "")))
                and s <= day <= e
            ),
            None,
        )
        if period is None:
            problems.append(f"no accounting period covers {day.isoformat()} ({why})")
            continue
        name = period.get("periodname", period.get("id", "?"))
        state = _unpostable(period)
        if state is not None:
            unpostable.setdefault(f"{name} ({state})", []).append(day)
        elif name not in checked:
            checked.append(name)
    if problems:
        return CheckResult(
            "periods",
            title,
            Status.FAIL,
            "; ".join(problems),
            "Create the missing periods at Setup > Accounting > Manage Accounting Periods, or date the documents "
            "in an existing period.",
            DOCS_PERIODS,
        )
    if unpostable:
        return _closed(title, unpostable, checked, today, ctx)
    return CheckResult("periods", title, Status.PASS, f"open for posting: {', '.join(checked)}")


def _row(period: Period) -> dict[str, str]:
    """A period of the reference data as the query's row."""
    flag = {True: "T", False: "F"}
    return {
        "id": period.id,
        "periodname": period.name,
        "startdate": period.start.isoformat(),
        "enddate": period.end.isoformat(),
        "closed": flag[period.closed],
        "alllocked": flag[period.all_locked],
        "arlocked": flag[period.ar_locked],
        "aplocked": flag[period.ap_locked],
    }


def _unpostable(period: dict[str, str]) -> str | None:
    if period.get("closed") == "T":
        return "closed"
    if period.get("alllocked") == "T" or (period.get("arlocked") == "T" and period.get("aplocked") == "T"):
        return "locked"
    if period.get("arlocked") == "T" or period.get("aplocked") == "T":
        return "A/R or A/P locked"
    return None


def _closed(
    title: str, unpostable: dict[str, list[date]], checked: list[str], today: date, ctx: Context
) -> CheckResult:
    """Closed or locked periods that hold pending documents (or today): what the mapping's policy does with
    them, and the accounting preferences it relies on (which the API cannot read)."""
    policy = ctx.mapping.options.closed_period if ctx.mapping is not None else ClosedPeriod.FAIL
    parts = []
    for period, days in unpostable.items():
        count = len([d for d in days if d != today])
        who = (
            f"pending documents on {count} date{'s' if count != 1 else ''}"
            if count
            else "no pending document"
        )
        parts.append(f"{period}: {who}{', and today' if today in days else ''}")
    if policy is ClosedPeriod.FAIL:
        outcome = 'closed_period = "fail": each such document fails alone, the rest is exported'
        fix = (
            "Reopen or unlock the period at Setup > Accounting > Manage Accounting Periods and `tms-netsuite retry` "
            'the documents, or set [options] closed_period = "next_open_period" in the mapping.'
        )
    else:
        outcome = 'closed_period = "next_open_period": each such document posts in the next open period, its date kept'
        fix = (
            f'Confirm at {ACCOUNTING_PREFERENCES} > General that "Allow Transaction Date Outside of the Posting '
            'Period" is Warn or Allow (with Disallow NetSuite refuses a posting period that does not hold the '
            'date); "Default Posting Period When Transaction Date in Closed Period" does not matter, the connector '
            "names the period. The API cannot read either preference."
        )
    open_part = f"; open for posting: {', '.join(checked)}" if checked else ""
    return CheckResult(
        "periods", title, Status.WARN, f"{'; '.join(parts)} — {outcome}{open_part}", fix, DOCS_PERIODS
    )
