"""Writing records to NetSuite: which of them it holds already, the records a write waits for, and one request
per record inside a governor slot.

A record is created with ``PUT …/eid:`` and updated with ``PATCH …/eid:?replace=…`` (NetSuite appends non-keyed
sublist lines otherwise, and a PUT onto an existing record is such an update). So a PUT is sent only where the
record was just looked up and not found. What NetSuite holds is learned from the ledger first, then from one SuiteQL query per
table and chunk of keys.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from tms_netsuite.export._report import ExportReport
from tms_netsuite.ledger import Ledger, SentRequest, WrittenRecord
from tms_netsuite.mapping import NetSuiteWrite, Operation, RecordKey, RecordType
from tms_netsuite.netsuite import (
    ConcurrencyGovernor,
    ExternalId,
    NetSuiteClient,
    NotFoundError,
    RequestError,
    call_with_retries,
)

if TYPE_CHECKING:
    from tms_netsuite.export._backfill import BatchCreator

T = TypeVar("T")

_EXISTENCE_CHUNK = 1000


class Blocked(Exception):
    """A record a write depends on is not in NetSuite, and no document under way is writing it."""

    def __init__(self, dependency: RecordKey) -> None:
        super().__init__(str(dependency))
        self.dependency = dependency


class AwaitingApproval(Exception):
    """A bill the write applies waits for approval in NetSuite (approval routing): NetSuite would refuse it."""

    def __init__(self, bill: RecordKey) -> None:
        super().__init__(str(bill))
        self.bill = bill


# The records that apply vendor bills: NetSuite lists only approved bills in their apply lists.
_APPLY_BILLS = frozenset({RecordType.VENDOR_PAYMENT, RecordType.VENDOR_CREDIT})
_PENDING_APPROVAL = "1"


class RecordWriter:
    """Writes one run's records, knowing the internal id of each record NetSuite holds.

    Args:
        client: the NetSuite client.
        ledger: where records written by earlier runs are known, and deleted ones forgotten.
        governor: caps requests in flight at the account's concurrency limit.
        sleep: injected waiting, between attempts of one request.
        report: the run's report; records, requests and 429s are counted in it.
        bill_approval: the account routes vendor bills for approval: a bill is read before anything applies it.
    """

    def __init__(
        self,
        client: NetSuiteClient,
        ledger: Ledger,
        governor: ConcurrencyGovernor,
        *,
        sleep: Callable[[float], Awaitable[None]],
        report: ExportReport,
        bill_approval: bool = False,
    ) -> None:
        self._bill_approval = bill_approval
        self._approved: set[RecordKey] = set()  # bills read as approved this run
        self._client = client
        self._ledger = ledger
        self._governor = governor
        self._sleep = sleep
        self._report = report
        self._known: dict[RecordKey, str] = {}  # internal ids of the records NetSuite holds
        self._in_flight: dict[RecordKey, asyncio.Event] = {}  # records of documents being exported
        # A backfill: creates go through it (batch jobs beside the slots), records others wait for first.
        self.batches: BatchCreator | None = None
        self.awaited: set[RecordKey] = set()

    def holds(self, key: RecordKey) -> bool:
        """Whether NetSuite is known to hold the record."""
        return key in self._known

    def reserve(self, writes: Iterable[NetSuiteWrite]) -> None:
        """Mark records as being written by a document under way: writes depending on them wait for it."""
        for write in writes:
            self._in_flight.setdefault(write.key, asyncio.Event())

    def release(self, writes: Iterable[NetSuiteWrite]) -> None:
        """The document writing these records has ended: writes waiting for them stop waiting, written or not."""
        for write in writes:
            event = self._in_flight.pop(write.key, None)
            if event is not None:
                event.set()

    async def await_dependencies(self, write: NetSuiteWrite) -> None:
        """Wait until every record the write depends on is in NetSuite.

        Raises:
            Blocked: a dependency is not in NetSuite and nothing under way writes it (or its writer failed).
        """
        for dependency in write.depends_on:
            if dependency in self._known:
                continue
            event = self._in_flight.get(dependency)
            if event is not None:
                self.awaited.add(dependency)
                await event.wait()
                if dependency in self._known:
                    continue
            raise Blocked(dependency)

    async def check_approvals(self, write: NetSuiteWrite) -> None:
        """Under bill approval routing, read the approval status of each bill the write applies (its dependencies
        are in NetSuite by now), once per bill and run.

        Raises:
            AwaitingApproval: a bill is Pending Approval; NetSuite would refuse the payment or credit.
        """
        if (
            not self._bill_approval
            or write.operation is Operation.DELETE
            or write.record_type not in _APPLY_BILLS
        ):
            return
        for key in write.depends_on:
            internal = self._known.get(key)
            if key.record_type is not RecordType.VENDOR_BILL or key in self._approved or internal is None:
                continue
            read = functools.partial(
                self._client.get, RecordType.VENDOR_BILL.value, internal, fields=["approvalStatus"]
            )
            record = await self._call(read, idempotent=True)
            status = record.get("approvalStatus")
            if str(status.get("id") if isinstance(status, dict) else status) == _PENDING_APPROVAL:
                raise AwaitingApproval(key)
            self._approved.add(key)

    async def find(self, key: RecordKey) -> str | None:
        """The internal id of a record NetSuite holds (known, from the ledger or asked now), or None."""
        return self._known.get(key) or await self._look_up(key)

    async def find_after_writers(self, key: RecordKey) -> str | None:
        """As :meth:`find`, once a document under way that writes the record has ended (a file waits for its
        transaction in the same run rather than being blocked and claimed again)."""
        event = self._in_flight.get(key)
        if event is not None and key not in self._known:
            await event.wait()
        return await self.find(key)

    async def write(
        self, write: NetSuiteWrite, *, uncertain: bool = False, sent: list[SentRequest] | None = None
    ) -> WrittenRecord | None:
        """Write one record whose dependencies are in NetSuite; None for a delete.

        ``uncertain``: an earlier attempt's outcome is unknown (a dropped answer, a run that died). Its record
        is looked up again just before the write, and updated with ``PATCH …?replace=`` if it exists: a
        ``PUT …/eid:`` onto an existing record would append its lines a second time. ``sent``: each write
        request made is appended to it with NetSuite's answer (the document's attempt history)."""
        record_type, eid = write.record_type.value, ExternalId(write.external_id)
        trail: list[SentRequest] = [] if sent is None else sent
        internal = self._known.get(write.key)
        if internal is None and uncertain:
            internal = await self._look_up(write.key)
        if write.operation is Operation.DELETE:
            if internal is not None:
                await self._logged(trail, "DELETE", write, None, self._delete(record_type, eid))
                self._known.pop(write.key, None)
                await self._ledger.forget_records([(record_type, write.external_id)])
            return None
        payload = _swap_references(write.payload, write.depends_on, self._known)
        if internal is not None:
            try:
                patch = self._call(
                    lambda: self._client.patch(record_type, eid, payload, replace=write.replace)
                )
                await self._logged(trail, "PATCH", write, payload, patch, internal=internal)
                self._report.updated += 1
            except NotFoundError:  # deleted in NetSuite since: create it again
                internal = None
        if internal is None:
            method = "POST" if write.operation is Operation.TRANSFORM and write.transform_from else "PUT"
            internal = await self._logged(trail, method, write, payload, self._create(write, payload))
            self._report.created += 1
        self._report.records_written += 1
        self._known[write.key] = internal
        return WrittenRecord(
            record_type, write.external_id, internal, self._link(write.record_type, internal)
        )

    @staticmethod
    async def _logged(
        trail: list[SentRequest],
        method: str,
        write: NetSuiteWrite,
        payload: Any,
        request: Awaitable[T],
        *,
        internal: str | None = None,
    ) -> T:
        return await logged(
            trail, method, write.record_type.value, write.external_id, payload, request, internal=internal
        )

    async def _create(self, write: NetSuiteWrite, payload: dict[str, Any]) -> str:
        record_type, eid = write.record_type.value, ExternalId(write.external_id)
        if write.operation is Operation.TRANSFORM and write.transform_from is not None:
            source = write.transform_from
            source_id = self._known[source]
            return await self._call(
                lambda: self._client.transform(source.record_type.value, source_id, record_type, payload)
            )
        if self.batches is not None:
            return await self.batches.create(write, payload)
        internal = await self._call(lambda: self._client.upsert(record_type, eid, payload))
        if internal is None:  # NetSuite did not name it in Location: read it back
            record = await self._call(
                lambda: self._client.get(record_type, eid, fields=["id"]), idempotent=True
            )
            internal = str(record["id"])
        return internal

    async def _delete(self, record_type: str, eid: ExternalId) -> None:
        try:
            await self._call(lambda: self._client.delete(record_type, eid))
            self._report.deleted += 1
        except NotFoundError:
            pass  # already gone: that is what a delete wants

    async def _call(self, request: Callable[[], Awaitable[T]], *, idempotent: bool = False) -> T:
        """One NetSuite request inside a governor slot. A 429 is retried in place after a short pause (NetSuite
        did nothing); reads are also retried in place on any retryable error."""
        return await call_with_retries(
            request,
            idempotent=idempotent,
            governor=self._governor,
            sleep=self._sleep,
            on_throttled=self._throttled,
        )

    def _throttled(self) -> None:
        self._report.http_429 += 1

    async def learn_existing(self, keys: set[RecordKey]) -> None:
        """Which records NetSuite holds: the ledger's knowledge, then SuiteQL for the rest (resolves every
        write whose outcome was unknown, and keeps a fresh ledger from writing blindly over a record)."""
        # Records being written by documents under way are known when those end (or their dependents block).
        unknown = [key for key in keys if key not in self._known and key not in self._in_flight]
        known = await self._ledger.known_records([(k.record_type.value, k.external_id) for k in unknown])
        for key in unknown:
            internal = known.get((key.record_type.value, key.external_id))
            if internal is not None:
                self._known[key] = internal
        by_table: dict[str, list[RecordKey]] = {}
        for key in unknown:
            if key not in self._known:
                by_table.setdefault(key.record_type.table, []).append(key)
        await asyncio.gather(
            *(
                self._query_existing(table, table_keys[start : start + _EXISTENCE_CHUNK])
                for table, table_keys in by_table.items()
                for start in range(0, len(table_keys), _EXISTENCE_CHUNK)
            )
        )

    async def look_up_now(self, keys: list[RecordKey]) -> dict[RecordKey, str]:
        """The internal ids of those of these records NetSuite holds, asked now (one query per type and chunk)."""
        by_table: dict[str, list[RecordKey]] = {}
        for key in keys:
            by_table.setdefault(key.record_type.table, []).append(key)
        await asyncio.gather(
            *(
                self._query_existing(table, table_keys[start : start + _EXISTENCE_CHUNK])
                for table, table_keys in by_table.items()
                for start in range(0, len(table_keys), _EXISTENCE_CHUNK)
            )
        )
        return {key: self._known[key] for key in keys if key in self._known}

    async def _look_up(self, key: RecordKey) -> str | None:
        """The internal id of one record if the ledger or NetSuite holds it, asked now."""
        known = await self._ledger.known_records([(key.record_type.value, key.external_id)])
        internal = known.get((key.record_type.value, key.external_id))
        if internal is not None:
            self._known[key] = internal
        else:
            await self._query_existing(key.record_type.table, [key])
        return self._known.get(key)

    async def _query_existing(self, table: str, keys: list[RecordKey]) -> None:
        wanted = {(k.record_type.transaction_type, k.external_id.casefold()): k for k in keys}
        placeholders = ", ".join("?" for _ in keys)
        columns = "id, externalid, type" if table == "transaction" else "id, externalid"
        # NetSuite compares external ids without regard to case; so does this lookup.
        query = f"SELECT {columns} FROM {table} WHERE UPPER(externalid) IN ({placeholders})"  # noqa: S608
        self._report.existence_queries += 1

        async def rows() -> list[dict[str, str]]:
            return [row async for row in self._client.suiteql(query, [k.external_id.upper() for k in keys])]

        for row in await self._call(rows, idempotent=True):
            key = wanted.get((row.get("type"), row.get("externalid", "").casefold()))
            if key is not None:
                self._known[key] = row["id"]

    def _link(self, record_type: RecordType, internal_id: str) -> str:
        page = record_type.ui_page
        if page is None:
            return f"{self._client.account.app_url}/app/common/search/ubersearchresults.nl?quicksearch={internal_id}"
        return f"{self._client.account.app_url}/app/{page}?id={internal_id}"


async def logged(
    trail: list[SentRequest],
    method: str,
    record_type: str,
    external_id: str,
    payload: Any,
    request: Awaitable[T],
    *,
    internal: str | None = None,
) -> T:
    """Await one write request, keeping it and NetSuite's answer (accepted, or the refusal's status, code and
    detail; the internal id) in ``trail``: the document's attempt history."""
    try:
        answer = await request
    except RequestError as exc:
        trail.append(
            SentRequest(method, record_type, external_id, payload, exc.status, internal, exc.code, exc.detail)
        )
        raise
    created = answer if isinstance(answer, str) else internal
    trail.append(SentRequest(method, record_type, external_id, payload, None, created, ok=True))
    return answer


def _swap_references(payload: Any, dependencies: Iterable[RecordKey], known: Mapping[RecordKey, str]) -> Any:
    """Replace ``{"externalId": …}`` references to the records a write depends on, now in NetSuite, with
    ``{"id": …}`` (only its dependencies are looked at: the map of everything known grows with the run)."""
    by_external_id = {key.external_id: known[key] for key in dependencies if key in known}
    return _swap(payload, by_external_id) if by_external_id else payload


def _swap(value: Any, by_external_id: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"externalId"} and value["externalId"] in by_external_id:
            return {"id": by_external_id[value["externalId"]]}
        return {k: _swap(v, by_external_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, by_external_id) for v in value]
    return value
