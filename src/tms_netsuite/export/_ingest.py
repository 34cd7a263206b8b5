"""Ingest: validated TMS documents into the ledger, in chunks, with every rejected line kept for the report."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tms_netsuite.documents import Accepted, Document, Kind, Rejected, Status, dump_document, read_documents
from tms_netsuite.export._attachments import (
    ATTACHMENT_KIND,
    AttachmentProblem,
    attachment_items,
    carries_files,
    held_slots,
    slot_prefix,
    slots,
)
from tms_netsuite.ledger import Conflict, IngestItem, IngestSummary, Ledger, RejectedLine

# Claimed in this order, so the records a document refers to are written before it.
KIND_PRIORITY: dict[Kind, int] = {
    Kind.CUSTOMER: 0,
    Kind.CARRIER: 0,
    Kind.DRIVER: 0,
    Kind.INVOICE: 1,
    Kind.CARRIER_BILL: 1,
    Kind.DRIVER_SETTLEMENT: 1,
    Kind.CUSTOMER_DEPOSIT: 1,
    Kind.JOURNAL_ENTRY: 1,
    Kind.CUSTOMER_PAYMENT: 2,
    Kind.BILL_PAYMENT: 2,
    Kind.CREDIT_MEMO: 2,
    Kind.VENDOR_CREDIT: 2,
    Kind.DEPOSIT_APPLICATION: 3,
}
_CHUNK = 1000


@dataclass(slots=True)
class IngestResult:
    """Rows inserted, repeats ignored, versions superseded, the lines that were not valid documents, and the
    versions refused because they repeat an id and version with other content (``conflicts``: each one's
    ``position`` is its line in the input, or with :func:`ingest_documents` its index among the documents)."""

    inserted: int = 0
    duplicates: int = 0
    superseded: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    attachment_problems: list[AttachmentProblem] = field(default_factory=list)
    """Files documents carry that cannot be sent as they stand (ingested all the same, checked again at export)."""

    def add(self, summary: IngestSummary, positions: list[int] | None = None) -> None:
        """Count one ledger ingest; ``positions`` gives the line (or index) of each item it was handed."""
        self.inserted += summary.inserted
        self.duplicates += summary.duplicates
        self.superseded += summary.superseded
        for conflict in summary.conflicts:
            where = positions[conflict.position] if positions is not None else conflict.position
            self.conflicts.append(replace(conflict, position=where))


def ledger_item(document: Document) -> IngestItem:
    """The ledger row of a document version."""
    return IngestItem(
        kind=document.kind.value,
        tms_id=document.id,
        version=document.version,
        payload=json.loads(dump_document(document)),
        voided=document.status is Status.VOID,
        priority=KIND_PRIORITY[document.kind],
    )


class _HeldSlots:
    """The attachment slots each document's latest version fills, so that a newer version leaving one empty
    removes its file: read from the ledger once per chunk of documents (only for versions above 1: a first
    version has no earlier one), then kept as the ingest goes (a file may hold several versions)."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._held: dict[tuple[str, str], tuple[int, set[str]]] = {}

    async def load(self, documents: Iterable[Document]) -> None:
        wanted = {
            (d.kind.value, d.id): d
            for d in documents
            if carries_files(d) and d.version > 1 and (d.kind.value, d.id) not in self._held
        }
        if not wanted:
            return
        latest = await self._ledger.latest_payloads_under(
            ATTACHMENT_KIND, [slot_prefix(d) for d in wanted.values()]
        )
        for key, document in wanted.items():
            prefix = slot_prefix(document)
            versions = [int(p["document"]["version"]) for t, p in latest.items() if t.startswith(prefix)]
            self._held[key] = (max(versions, default=0), held_slots(latest, document))

    def items(
        self, document: Document, base_dir: Path | None
    ) -> tuple[list[IngestItem], list[AttachmentProblem]]:
        key = (document.kind.value, document.id)
        version, earlier = self._held.get(key, (0, set()))
        if document.version < version:  # late: a newer version's files rule (its rows supersede these anyway)
            return [], []
        made = attachment_items(document, base_dir, earlier if document.version > version else ())
        if carries_files(document) and document.version >= version:
            self._held[key] = (document.version, set(slots(document)))
        return made


async def _ingest_chunk(
    ledger: Ledger,
    held: _HeldSlots,
    documents: list[tuple[int, Document]],
    base_dir: Path | None,
    result: IngestResult,
) -> None:
    """Ingest documents (each with its line or index) and their attachments' rows in one ledger call."""
    await held.load(document for _, document in documents)
    chunk: list[IngestItem] = []
    positions: list[int] = []
    for position, document in documents:
        items, problems = held.items(document, base_dir)
        chunk.extend([ledger_item(document), *items])
        positions.extend([position] * (1 + len(items)))
        result.attachment_problems.extend(problems)
    if chunk:
        result.add(await ledger.ingest(chunk), positions)


async def ingest_lines(
    ledger: Ledger,
    lines: Iterable[str | bytes],
    *,
    source: str | None = None,
    base_dir: Path | None = None,
) -> IngestResult:
    """Validate JSON Lines and record every valid document version; a bad line never stops the others, and
    neither does a version refused as a conflict. With ``source`` (the input's name), the rejected lines are
    kept in the ledger in place of those of its last ingest, for `errors` and `status` to show. Attachments'
    paths are relative to ``base_dir`` (the JSON Lines file's folder; the working directory if None)."""
    result = IngestResult()
    held = _HeldSlots(ledger)
    documents: list[tuple[int, Document]] = []
    accepted: list[tuple[str, str]] = []
    for read in read_documents(lines):
        if isinstance(read, Accepted):
            documents.append((read.line, read.document))
            accepted.append((read.document.kind.value, read.document.id))
        else:
            result.rejected.append(read)
        if len(documents) >= _CHUNK:
            await _ingest_chunk(ledger, held, documents, base_dir, result)
            documents = []
    if documents:
        await _ingest_chunk(ledger, held, documents, base_dir, result)
    if source is not None:
        kept = [_kept(source, rejected) for rejected in result.rejected]
        await ledger.keep_rejected(source, kept, accepted)
    return result


def _kept(source: str, rejected: Rejected) -> RejectedLine:
    return RejectedLine(
        source=source,
        line=rejected.line,
        issues=tuple((issue.field, issue.reason) for issue in rejected.issues),
        raw=rejected.raw,
        kind=rejected.kind,
        tms_id=rejected.id,
    )


async def ingest_documents(
    ledger: Ledger, documents: Iterable[Document], *, base_dir: Path | None = None
) -> IngestResult:
    """Record document versions already validated (the Python API and the generator)."""
    result = IngestResult()
    held = _HeldSlots(ledger)
    chunk: list[tuple[int, Document]] = []
    for index, document in enumerate(documents):  # each item's position: its document's index
        chunk.append((index, document))
        if len(chunk) >= _CHUNK:
            await _ingest_chunk(ledger, held, chunk, base_dir, result)
            chunk = []
    if chunk:
        await _ingest_chunk(ledger, held, chunk, base_dir, result)
    return result
