"""Read-back's SuiteQL: transactions modified in a window, paged by the unique key (lastmodifieddate, id);
deletions from DeletedRecord, paged the same way; the links between payments and the documents they pay; line
counts; the users' clock.

Paging is by keyset, one page per query, never by offset: NetSuite answers at most 100,000 rows for one query
and an offset past a page boundary moves when rows change between pages. The key is unique: paging by
``lastmodifieddate`` alone would skip the rest of a second's rows when a page ends inside that second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime

from tms_netsuite.netsuite import ConcurrencyGovernor, NetSuiteClient, call_with_retries
from tms_netsuite.readback._window import SUITEQL_FORMAT, Window

Sleep = Callable[[float], Awaitable[None]]
PAGE_SIZE = 1000  # NetSuite's largest SuiteQL page
_IN_CHUNK = 500  # ids per IN (…) list

_TS = f"TO_TIMESTAMP(?, '{SUITEQL_FORMAT}')"

# Transaction columns (SuiteQL's transaction table): amounts in the transaction's currency ("foreign"), the
# amount remaining (foreignamountunpaid) and paid for invoices and bills, applied/unapplied for payments and
# credits (oneworld-and-service.md §2: meir.prolecto.com's SQL A/R and A/P fields).
TRANSACTION_COLUMNS = (
    "t.id, t.type, t.recordtype, t.externalid, t.tranid, t.entity, t.subsidiary, t.currency, t.trandate, "
    "t.foreigntotal, t.foreignamountunpaid, t.foreignamountpaid, t.foreignpaymentamountused, "
    "t.foreignpaymentamountunused, t.status, t.voided, "
    f"TO_CHAR(t.lastmodifieddate, '{SUITEQL_FORMAT}') AS lm"
)

MODIFIED_SQL = (
    f"SELECT * FROM (SELECT {TRANSACTION_COLUMNS} FROM transaction t "  # noqa: S608 -- fixed text
    f"WHERE (t.lastmodifieddate > {_TS} OR (t.lastmodifieddate = {_TS} AND t.id > ?)) "
    f"AND t.lastmodifieddate < {_TS} "
    "ORDER BY t.lastmodifieddate, t.id) WHERE ROWNUM <= {limit}"
)

DELETED_SQL = (
    f"SELECT * FROM (SELECT d.recordid AS id, d.type, d.name, TO_CHAR(d.deleteddate, '{SUITEQL_FORMAT}') AS lm "  # noqa: S608
    f"FROM deletedrecord d WHERE (d.deleteddate > {_TS} OR (d.deleteddate = {_TS} AND d.recordid > ?)) "
    f"AND d.deleteddate < {_TS} "
    "ORDER BY d.deleteddate, d.recordid) WHERE ROWNUM <= {limit}"
)


class Reader:
    """SuiteQL reads for read-back, each retried in place when NetSuite fails transiently."""

    def __init__(
        self,
        client: NetSuiteClient,
        *,
        governor: ConcurrencyGovernor | None = None,
        sleep: Sleep = asyncio.sleep,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._client = client
        self._governor = governor
        self._sleep = sleep
        self.page_size = page_size
        self.requests = 0

    async def rows(self, query: str, params: Sequence[str | int] = ()) -> list[dict[str, str]]:
        """Every row of a query that answers a bounded number of rows."""

        async def read() -> list[dict[str, str]]:
            return [row async for row in self._client.suiteql(query, params)]

        self.requests += 1
        return await call_with_retries(read, idempotent=True, governor=self._governor, sleep=self._sleep)

    async def server_clock(self) -> tuple[datetime, str]:
        """NetSuite's clock in UTC (serverTime) and as the users' local time (SYSDATE)."""
        self.requests += 1
        utc = await call_with_retries(
            self._client.server_time, idempotent=True, governor=self._governor, sleep=self._sleep
        )
        [row] = await self.rows(f"SELECT TO_CHAR(SYSDATE, '{SUITEQL_FORMAT}') AS localnow FROM dual")  # noqa: S608
        return utc, row["localnow"]

    async def pages(self, template: str, window: Window) -> AsyncIterator[list[dict[str, str]]]:
        """Pages of rows in the window, in (lm, id) order, each the next ``page_size`` after the last key."""
        last_lm, last_id = window.lower, "0"
        query = template.replace("{limit}", str(int(self.page_size)))
        while True:
            page = await self.rows(query, [last_lm, last_lm, last_id, window.upper])
            if page:
                yield page
            if len(page) < self.page_size:
                return
            last_lm, last_id = page[-1]["lm"], page[-1]["id"]

    async def transactions(self, ids: Sequence[str]) -> list[dict[str, str]]:
        """These transactions as they are now."""
        found: list[dict[str, str]] = []
        for chunk in _chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            found += await self.rows(
                f"SELECT {TRANSACTION_COLUMNS} FROM transaction t WHERE t.id IN ({marks})",  # noqa: S608
                chunk,
            )
        return found

    async def links_from(self, next_docs: Sequence[str]) -> list[dict[str, str]]:
        """What these payments, credits and applications apply to (previoustransactionlinelink)."""
        return await self._links("nextdoc", next_docs)

    async def links_to(self, previous_docs: Sequence[str]) -> list[dict[str, str]]:
        """What is applied to these invoices and bills."""
        return await self._links("previousdoc", previous_docs)

    async def _links(self, column: str, ids: Sequence[str]) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for chunk in _chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            found += await self.rows(
                "SELECT l.previousdoc, l.nextdoc, l.previoustype, l.nexttype, l.foreignamount, "  # noqa: S608
                f"n.recordtype AS nextrecordtype, n.externalid AS nextexternalid FROM previoustransactionlinelink l "
                f"JOIN transaction n ON n.id = l.nextdoc WHERE l.{column} IN ({marks})",
                chunk,
            )
        return found

    async def line_counts(self, ids: Sequence[str]) -> dict[str, int]:
        """Lines of each transaction, its main line left out."""
        counts: dict[str, int] = {}
        for chunk in _chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            for row in await self.rows(
                "SELECT transaction AS id, COUNT(*) AS n FROM transactionline "  # noqa: S608
                f"WHERE mainline = 'F' AND transaction IN ({marks}) GROUP BY transaction",
                chunk,
            ):
                counts[row["id"]] = int(row["n"])
        return counts

    async def currencies(self) -> dict[str, str]:
        """Currency internal id → ISO code."""
        return {row["id"]: row["symbol"] for row in await self.rows("SELECT id, symbol FROM currency")}


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + _IN_CHUNK] for i in range(0, len(unique), _IN_CHUNK)]
