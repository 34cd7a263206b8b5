"""The account's lists a mapping names (its reference data), read once per run by paged SuiteQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import date

from tms_netsuite.mapping import (
    Account,
    AccountType,
    Currency,
    Entity,
    Item,
    ListRecord,
    Period,
    ReferenceData,
    Subsidiary,
)
from tms_netsuite.netsuite import ConcurrencyGovernor, NetSuiteClient, RequestError, call_with_retries

_Scope = Callable[[Mapping[str, str]], frozenset[str] | None]

# SuiteQL of NetSuite's own tables and columns; `keyset="id"` pages past the 100,000-row ceiling. On accounts,
# items, classes, departments and locations `subsidiary` is a multi-select that SuiteQL answers as one string
# ("1, 3, 5") and refuses to filter on ("Invalid or unsupported search"): it is read whole and parsed here, never
# put in a WHERE clause. Customers and vendors keep one primary subsidiary.
_QUERIES = {
    "currency": "SELECT id, name, symbol, isinactive FROM currency",
    "subsidiary": "SELECT s.id, s.name, s.parent, s.isinactive, c.symbol FROM subsidiary s "
    "JOIN currency c ON c.id = s.currency",
    "account": "SELECT a.id, a.acctnumber, a.acctname, a.accttype, a.isinactive, a.subsidiary, a.includechildren, "
    "c.symbol FROM account a LEFT JOIN currency c ON c.id = a.currency",
    "item": "SELECT id, itemid, isinactive, subsidiary, includechildren, incomeaccount, expenseaccount FROM item",
    "expensecategory": "SELECT id, name, isinactive FROM expensecategory",
    "classification": "SELECT id, name, isinactive, subsidiary, includechildren FROM classification",
    "department": "SELECT id, name, isinactive, subsidiary, includechildren FROM department",
    "location": "SELECT id, name, isinactive, subsidiary, includechildren FROM location",
    "term": "SELECT id, name, isinactive FROM term",
    "paymentmethod": "SELECT id, name, isinactive FROM paymentmethod",
    "customer": "SELECT id, companyname, externalid, isinactive, subsidiary FROM customer",
    "vendor": "SELECT id, companyname, externalid, isinactive, subsidiary FROM vendor",
    # Dates come in the user's Date Format preference (M/D/YYYY, DD/MM/YYYY, …): TO_CHAR gives ISO whatever it is.
    "accountingperiod": "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS startdate, "
    "TO_CHAR(enddate, 'YYYY-MM-DD') AS enddate, closed, alllocked, arlocked, aplocked "
    "FROM accountingperiod WHERE isyear = 'F' AND isquarter = 'F'",
}
# Record schemas whose fields show a feature or preference the API has no table for (metadata catalog).
_SCHEMAS = ("customerpayment", "vendorbill")


# Reads in flight at once while the account's limit is unknown: NetSuite's smallest accounts allow 5 requests,
# and a 429 costs more than the wait. With a known limit, up to MAX_READS: every list at once.
UNKNOWN_LIMIT_READS = 4
MAX_READS = 16


def read_gate(limit: int | None) -> asyncio.Semaphore:
    """The gate concurrent reads pass through: the account's limit when known (up to ``MAX_READS``), else 4."""
    return asyncio.Semaphore(UNKNOWN_LIMIT_READS if limit is None else max(1, min(limit, MAX_READS)))


async def load_reference_data(
    client: NetSuiteClient,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    gate: asyncio.Semaphore | None = None,
    governor: ConcurrencyGovernor | None = None,
) -> ReferenceData:
    """Read every list translation resolves names against (one paged query per list, retried when throttled
    or when NetSuite fails for a moment). The lists are independent: they are read as many at a time as
    ``gate`` lets through (default ``read_gate(None)``); pass a gate shared with other reads to keep the
    total in flight under the account's limit; each request also holds a slot of ``governor``, when given."""
    gate = gate or read_gate(None)

    async def read(query: str) -> list[dict[str, str]]:
        async with gate:
            return await call_with_retries(
                lambda: _rows(client, query), idempotent=True, governor=governor, sleep=sleep
            )

    async def fields_of(record_type: str) -> frozenset[str] | None:
        async with gate:
            try:
                schema = await call_with_retries(
                    lambda: client.record_schema(record_type), idempotent=True, governor=governor, sleep=sleep
                )
            except RequestError:  # a catalog the role may not read: the features stay unknown
                return None
        properties = schema.get("properties")
        return frozenset(properties) if isinstance(properties, dict) else None

    results, (payment, bill) = await asyncio.gather(
        asyncio.gather(*(read(query) for query in _QUERIES.values())),
        asyncio.gather(*(fields_of(record_type) for record_type in _SCHEMAS)),
    )
    rows = dict(zip(_QUERIES, results, strict=True))
    children = _children(rows["subsidiary"])

    def scope(row: Mapping[str, str]) -> frozenset[str] | None:
        """The subsidiaries a record is available to: those selected on it and, with includechildren, every
        descendant of one (None: no subsidiary selected, every subsidiary)."""
        selected = subsidiary_ids(row.get("subsidiary"))
        if not selected:
            return None
        if row.get("includechildren", "F") != "T":
            return selected
        return frozenset().union(*(_descendants(own, children) for own in selected))

    return ReferenceData(
        currencies=tuple(
            Currency(id=r["id"], name=r["name"], symbol=r["symbol"], is_inactive=_flag(r))
            for r in rows["currency"]
        ),
        subsidiaries=tuple(
            Subsidiary(id=r["id"], name=r["name"], currency=r["symbol"], is_inactive=_flag(r))
            for r in rows["subsidiary"]
        ),
        accounts=tuple(
            Account(
                id=r["id"],
                name=r["acctname"],
                number=r.get("acctnumber"),
                type=AccountType(r["accttype"]),
                currency=r.get("symbol"),
                is_inactive=_flag(r),
                subsidiaries=scope(r),
            )
            for r in rows["account"]
            if r["accttype"] in AccountType.__members__.values()
        ),
        items=tuple(
            Item(
                id=r["id"],
                name=r["itemid"],
                is_inactive=_flag(r),
                subsidiaries=scope(r),
                income_account=r.get("incomeaccount") or None,
                expense_account=r.get("expenseaccount") or None,
            )
            for r in rows["item"]
        ),
        expense_categories=_lists(rows["expensecategory"], "name", scope),
        classes=_lists(rows["classification"], "name", scope),
        departments=_lists(rows["department"], "name", scope),
        locations=_lists(rows["location"], "name", scope),
        terms=_lists(rows["term"], "name", scope),
        payment_methods=_lists(rows["paymentmethod"], "name", scope),
        customers=_entities(rows["customer"], scope),
        vendors=_entities(rows["vendor"], scope),
        periods=_periods(rows["accountingperiod"]),
        payment_instruments=None if payment is None else "paymentOption" in payment,
        bill_approval_routing=None if bill is None else "approvalStatus" in bill,
    )


async def _rows(client: NetSuiteClient, query: str) -> list[dict[str, str]]:
    return [row async for row in client.suiteql(query, keyset="id")]


def subsidiary_ids(value: str | None) -> frozenset[str]:
    """The internal ids of a multi-select as SuiteQL answers it: "1, 3, 5" (one id for a single select)."""
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())


def _flag(row: Mapping[str, str]) -> bool:
    return row.get("isinactive") == "T"


def _lists(rows: list[dict[str, str]], name: str, scope: _Scope) -> tuple[ListRecord, ...]:
    return tuple(
        ListRecord(id=r["id"], name=r[name], is_inactive=_flag(r), subsidiaries=scope(r)) for r in rows
    )


def _entities(rows: list[dict[str, str]], scope: _Scope) -> tuple[Entity, ...]:
    return tuple(
        Entity(
            id=r["id"],
            name=r.get("companyname", ""),
            external_id=r.get("externalid"),
            is_inactive=_flag(r),
            subsidiaries=scope(r),
        )
        for r in rows
    )


def _periods(rows: list[dict[str, str]]) -> tuple[Period, ...]:
    periods = []
    for r in rows:
        start, end = parse_date(r.get("startdate", "")), parse_date(r.get("enddate", ""))
        if start is None or end is None:
            continue
        periods.append(
            Period(
                id=r["id"],
                name=r.get("periodname", r["id"]),
                start=start,
                end=end,
                closed=r.get("closed") == "T",
                all_locked=r.get("alllocked") == "T",
                ar_locked=r.get("arlocked") == "T",
                ap_locked=r.get("aplocked") == "T",
            )
        )
    return tuple(sorted(periods, key=lambda period: period.start))


def parse_date(text: str) -> date | None:
    """A date read with ``TO_CHAR(…, 'YYYY-MM-DD')``. A date column read as it is comes in the user's Date
    Format preference, which may be M/D/YYYY or D/M/YYYY (ambiguous): the queries never read it so."""
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _children(subsidiaries: list[dict[str, str]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for row in subsidiaries:
        if row.get("parent"):
            children.setdefault(row["parent"], []).append(row["id"])
    return children


def _descendants(root: str, children: Mapping[str, list[str]]) -> set[str]:
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found
