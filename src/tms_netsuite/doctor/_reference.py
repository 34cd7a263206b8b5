"""The account's lists a mapping names (its reference data), read once per run by paged SuiteQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from tms_netsuite.mapping import Account, AccountType, Currency, Entity, ListRecord, ReferenceData, Subsidiary
from tms_netsuite.netsuite import ConcurrencyGovernor, NetSuiteClient, call_with_retries

_Scope = Callable[[Mapping[str, str]], frozenset[str] | None]

# SuiteQL of NetSuite's own tables and columns; `keyset="id"` pages past the 100,000-row ceiling.
_QUERIES = {
    "currency": "SELECT id, name, symbol, isinactive FROM currency",
    "subsidiary": "SELECT s.id, s.name, s.parent, s.isinactive, c.symbol FROM subsidiary s "
    "JOIN currency c ON c.id = s.currency",
    "account": "SELECT a.id, a.acctnumber, a.acctname, a.accttype, a.isinactive, a.subsidiary, a.includechildren, "
    "c.symbol FROM account a LEFT JOIN currency c ON c.id = a.currency",
    "item": "SELECT id, itemid, isinactive, subsidiary, includechildren FROM item",
    "expensecategory": "SELECT id, name, isinactive FROM expensecategory",
    "classification": "SELECT id, name, isinactive, subsidiary, includechildren FROM classification",
    "department": "SELECT id, name, isinactive, subsidiary, includechildren FROM department",
    "location": "SELECT id, name, isinactive, subsidiary FROM location",
    "term": "SELECT id, name, isinactive FROM term",
    "paymentmethod": "SELECT id, name, isinactive FROM paymentmethod",
    "customer": "SELECT id, companyname, externalid, isinactive, subsidiary FROM customer",
    "vendor": "SELECT id, companyname, externalid, isinactive, subsidiary FROM vendor",
}


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

    results = await asyncio.gather(*(read(query) for query in _QUERIES.values()))
    rows = dict(zip(_QUERIES, results, strict=True))
    children = _children(rows["subsidiary"])

    def scope(row: Mapping[str, str]) -> frozenset[str] | None:
        """The subsidiaries a record is available to: its own and, with includechildren, every descendant."""
        own = row.get("subsidiary")
        if not own:
            return None
        if row.get("includechildren", "F") != "T":
            return frozenset({own})
        return frozenset(_descendants(own, children))

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
        items=_lists(rows["item"], "itemid", scope),
        expense_categories=_lists(rows["expensecategory"], "name", scope),
        classes=_lists(rows["classification"], "name", scope),
        departments=_lists(rows["department"], "name", scope),
        locations=_lists(rows["location"], "name", scope),
        terms=_lists(rows["term"], "name", scope),
        payment_methods=_lists(rows["paymentmethod"], "name", scope),
        customers=_entities(rows["customer"], scope),
        vendors=_entities(rows["vendor"], scope),
    )


async def _rows(client: NetSuiteClient, query: str) -> list[dict[str, str]]:
    return [row async for row in client.suiteql(query, keyset="id")]


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
