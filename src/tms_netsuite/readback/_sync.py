"""One read-back pass: what changed in NetSuite since the last pass, kept as snapshots and events.

The pass reads the window (cursor − overlap … NetSuite's clock as it began) page by page. Each page's snapshots
and events are committed together; the cursor moves only once every page, the deletions and the ledger's own
outcomes are done. A pass that dies leaves the cursor where it was: the next one reads the same window again,
finds the snapshots already moved and the events' keys already kept, and adds only what is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tms_netsuite.ledger import Cursor, Ledger, NewEvent, OurRecord, ReadbackLedger, Snapshot, StoredEvent
from tms_netsuite.mapping import RecordType
from tms_netsuite.netsuite import ConcurrencyGovernor, NetSuiteClient
from tms_netsuite.readback import _events as ev
from tms_netsuite.readback._detect import (
    APPLYING,
    BILL,
    INVOICE,
    Context,
    detect,
    document_ref,
    entered_by_person,
)
from tms_netsuite.readback._reader import DELETED_SQL, MODIFIED_SQL, PAGE_SIZE, Reader
from tms_netsuite.readback._window import Window, measured_offset, utc_of, window

DEFAULT_OVERLAP = timedelta(minutes=15)
# Internal ids are unique per family (transactions apart from customers and vendors): look ours up by family.
TRANSACTION_TYPES = tuple(t.value for t in RecordType if t.transaction_type is not None)
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class SyncReport:
    """What one pass read and found."""

    window: Window | None = None
    modified: int = 0  # transaction rows read (the overlap's included)
    deleted: int = 0  # DeletedRecord rows read
    requests: int = 0
    events: list[StoredEvent] = field(default_factory=list)  # new events, in the order they were kept

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for stored in self.events:
            found[stored.type] = found.get(stored.type, 0) + 1
        return found


async def sync_back(
    client: NetSuiteClient,
    ledger: Ledger,
    *,
    overlap: timedelta = DEFAULT_OVERLAP,
    page_size: int = PAGE_SIZE,
    governor: ConcurrencyGovernor | None = None,
    sleep: Sleep = asyncio.sleep,
    after_page: Callable[[], Awaitable[None]] | None = None,
) -> SyncReport:
    """Read what changed in NetSuite since the last pass (the first pass: since the first export) and keep the
    events it makes. ``after_page`` is awaited after each committed page (tests stop a pass there)."""
    reader = Reader(client, governor=governor, sleep=sleep, page_size=page_size)
    store = ledger.readback()
    report = SyncReport()
    began, local_now = await reader.server_clock()
    offset = measured_offset(began, local_now)
    cursor = await store.cursor()
    if cursor is None:
        first = await store.first_export_at()
        start, start_offset = (first, None) if first is not None else (began, offset)
    else:
        start, start_offset = cursor.at, cursor.offset_seconds
    report.window = span = window(start, start_offset, began, offset, overlap)
    ctx_base = (client.account.realm, offset, await reader.currencies())
    async for page in reader.pages(MODIFIED_SQL, span):
        report.modified += len(page)
        report.events += await _transactions_page(reader, store, page, ctx_base)
        if after_page is not None:
            await after_page()
    async for page in reader.pages(DELETED_SQL, span):
        report.deleted += len(page)
        report.events += await _deletions_page(store, page, ctx_base)
    report.events += await _ledger_outcomes(store, client.account.realm)
    await store.commit([], [], Cursor(began, offset))
    report.requests = reader.requests
    return report


async def _transactions_page(
    reader: Reader,
    store: ReadbackLedger,
    page: list[dict[str, str]],
    ctx_base: tuple[str, int, dict[str, str]],
) -> list[StoredEvent]:
    by_id = {row["id"]: row for row in page}
    ours = await store.our_records(by_id, record_types=TRANSACTION_TYPES)
    applying = [row for row in page if row.get("type") in APPLYING]
    links_from = await reader.links_from([row["id"] for row in applying]) if applying else []
    paid_docs = await store.our_records(
        {link["previousdoc"] for link in links_from}, record_types=TRANSACTION_TYPES
    )
    missing = [doc for doc in paid_docs if doc not in by_id]
    for row in await reader.transactions(missing) if missing else []:
        by_id[row["id"]] = row
    ours = {**ours, **paid_docs}
    documents = [by_id[i] for i in ours if i in by_id]
    payables = [row["id"] for row in documents if row.get("type") in (INVOICE, BILL)]
    links_to = await reader.links_to(payables) if payables else []
    appliers = await store.our_records(
        {link["nextdoc"] for link in [*links_to, *links_from]}, record_types=TRANSACTION_TYPES
    )
    counts = await reader.line_counts([row["id"] for row in documents]) if documents else {}
    previous = await store.snapshots(row["id"] for row in documents)
    ctx = Context(ctx_base[0], ctx_base[1], ctx_base[2], {**appliers, **ours})
    snapshots: list[Snapshot] = []
    events: list[NewEvent] = []
    for row in documents:
        applied = [link for link in links_to if link["previousdoc"] == row["id"]]
        snapshot, found = detect(
            row, ours[row["id"]], previous.get(row["id"]), applied, counts.get(row["id"]), ctx
        )
        snapshots.append(snapshot)
        events += found
    for row in applying:
        if row["id"] in ctx.ours:
            continue
        entered = entered_by_person(row, [link for link in links_from if link["nextdoc"] == row["id"]], ctx)
        if entered is not None:
            events.append(entered)
    return await store.commit(snapshots, events)


async def _deletions_page(
    store: ReadbackLedger, page: list[dict[str, str]], ctx_base: tuple[str, int, dict[str, str]]
) -> list[StoredEvent]:
    """Deletions of records the ledger still believes are in NetSuite (one the connector deleted itself, for a
    voided document, has already left the ledger's records)."""
    by_type: dict[str, list[str]] = {}
    for row in page:
        by_type.setdefault(row.get("type", "").lower(), []).append(row["id"])
    ours: dict[str, OurRecord] = {}
    for deleted_type, ids in by_type.items():
        types = [t.value for t in RecordType if t.value.lower() == deleted_type]
        if types:
            ours.update(await store.our_records(ids, record_types=types))
    previous = await store.snapshots(ours)
    snapshots: list[Snapshot] = []
    events: list[NewEvent] = []
    for row in page:
        record = ours.get(row["id"])
        if record is None:
            continue
        before = previous.get(row["id"])
        snapshots.append(_deleted_snapshot(record, before, row["lm"]))
        events.append(
            ev.event(
                ev.RECORD_DELETED,
                f"{ev.RECORD_DELETED}:{record.record_type}:{row['id']}",
                account=ctx_base[0],
                occurred_at=utc_of(row["lm"], ctx_base[1]),
                document=document_ref(record),
                netsuite={
                    "type": record.record_type,
                    "internal_id": record.internal_id,
                    "external_id": record.external_id,
                    "url": record.url,
                    "number": None,
                },
                name=row.get("name"),
                last_seen=_last_seen(before),
            )
        )
    return await store.commit(snapshots, events)


def _deleted_snapshot(record: OurRecord, before: Snapshot | None, deleted_at: str) -> Snapshot:
    return Snapshot(
        internal_id=record.internal_id,
        record_type=record.record_type,
        external_id=record.external_id,
        url=record.url,
        tms_kind=record.kind,
        tms_id=record.tms_id,
        tms_version=record.version,
        last_modified=deleted_at,
        total=before.total if before else "0",
        amount_remaining=before.amount_remaining if before else None,
        status=before.status if before else None,
        line_count=before.line_count if before else None,
        voided=before.voided if before else False,
        deleted=True,
    )


def _last_seen(before: Snapshot | None) -> dict[str, Any] | None:
    if before is None:
        return None
    return {"total": before.total, "amount_remaining": before.amount_remaining, "status": before.status}


async def _ledger_outcomes(store: ReadbackLedger, account: str) -> list[StoredEvent]:
    """``document.synced`` and ``document.failed`` for the ledger's outcomes not yet announced."""
    kept: list[StoredEvent] = []
    while rows := await store.documents_to_announce():
        kept += await store.commit([], [_outcome_event(row, account) for row in rows])
    return kept


def _outcome_event(row: Mapping[str, Any], account: str) -> NewEvent:
    document = {"kind": row["kind"], "id": row["tms_id"], "version": row["version"]}
    records: Sequence[Mapping[str, str]] = row["records"]
    netsuite = [
        {
            "type": r["record_type"],
            "internal_id": r["internal_id"],
            "external_id": r["external_id"],
            "url": r["url"],
        }
        for r in records
    ]
    occurred = (
        row["updated_at"].strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(row["updated_at"], datetime) else None
    )
    if row["state"] == "synced":
        return ev.event(
            ev.DOCUMENT_SYNCED,
            f"document.synced:{row['id']}",
            account=account,
            occurred_at=occurred or "",
            document=document,
            netsuite=netsuite[0] if netsuite else None,
            records=netsuite,
        )
    return ev.event(
        ev.DOCUMENT_FAILED,
        f"document.failed:{row['id']}:{row['attempts']}",
        account=account,
        occurred_at=occurred or "",
        document=document,
        netsuite=None,
        error={
            "category": row["error_category"],
            "code": row["error_code"],
            "detail": row["error_detail"],
            "fix": row["error_fix"],
        },
    )
