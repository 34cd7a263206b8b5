"""Files on transactions: each attachment a document carries is a ledger row of its own (kind ``attachment``),
so it is retried, blocked, failed and reported like any document, and a bad file never holds back the
document's records.

Exactly once, like the records: a file's name in NetSuite is made from the document, the attachment's kind and
its SHA-256, and is looked up in its folder (the document service's ``q`` filter) before any upload, so an upload
whose answer was lost is found rather than repeated. Attaching is idempotent; a newer version of a document whose
file changed attaches the new file and detaches the old one from the same transaction (the old file stays in the
File Cabinet). The bytes are read from disk as they are sent, and every request holds a governor slot.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio

from tms_netsuite.documents import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    Document,
    Kind,
    Status,
    attachment_problem,
    netsuite_file_type,
)
from tms_netsuite.export._report import ExportReport
from tms_netsuite.export._writer import logged
from tms_netsuite.ledger import Claimed, IngestItem, Ledger, SentRequest, WrittenRecord
from tms_netsuite.mapping import MappingConfig, RecordKey, RecordType, external_id
from tms_netsuite.netsuite import (
    ConcurrencyGovernor,
    InvalidDataError,
    NetSuiteClient,
    NotFoundError,
    call_with_retries,
)

logger = logging.getLogger("tms_netsuite.export")

T = TypeVar("T")

ATTACHMENT_KIND = "attachment"
ATTACHMENT_PRIORITY = 9  # after every document: the transaction it goes on is written first
FILE_RECORD = "file"  # ledger record types of the File Cabinet file and of a transaction's attachment slot
ATTACHMENT_RECORD = "attachment"
_LOOKUP_CHUNK = 500
_CHUNK = 3 * 64 * 1024  # a multiple of 3: each piece base64-encodes on its own
_SAFE = re.compile(r"[^A-Za-z0-9._-]")

# The NetSuite transaction each kind of document becomes (its first record in mapping/_transactions.py).
TARGETS: dict[Kind, RecordType] = {
    Kind.INVOICE: RecordType.INVOICE,
    Kind.CARRIER_BILL: RecordType.VENDOR_BILL,
    Kind.DRIVER_SETTLEMENT: RecordType.VENDOR_BILL,
    Kind.CREDIT_MEMO: RecordType.CREDIT_MEMO,
    Kind.VENDOR_CREDIT: RecordType.VENDOR_CREDIT,
}


class AttachmentRefused(Exception):
    """The file cannot be sent as it is (missing, changed, too large, of a type the connector does not upload):
    a permanent failure of the attachment, until the file is fixed and the row retried."""


class AttachmentSuperseded(Exception):
    """The row belongs to an older version of its document than the ledger's newest: nothing is sent."""


@dataclass(frozen=True, slots=True)
class AttachmentJob:
    """A claimed attachment row made ready: what to send and onto which record."""

    payload: Mapping[str, Any]
    target: RecordKey
    name: str  # the file's name in NetSuite ("" for a removal)

    @property
    def removed(self) -> bool:
        """The document's newer version has no file in this slot: the one attached is detached."""
        return bool(self.payload.get("removed"))

    @property
    def slot(self) -> str:
        """The attachment's place on its transaction, as the ledger keys it."""
        return f"{self.target}/{self.payload['slot']}"


# -- ingest --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttachmentProblem:
    """An attachment that will not be sent as it stands, named by its document and field."""

    kind: str
    tms_id: str
    version: int
    field: str  # e.g. attachments[0]
    file_name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} {self.tms_id} v{self.version} {self.field} ({self.file_name}): {self.reason}"


def carries_files(document: Document) -> bool:
    """Whether the document's kind becomes a transaction files are attached to."""
    return document.kind in TARGETS


def slot_prefix(document: Document) -> str:
    """What the TMS ids of a document's attachment rows start with (``invoice:INV-1:``)."""
    return f"{document.kind.value}:{document.id}:"


def slots(document: Document) -> list[str]:
    """The attachment slots a document version fills, in its order: the attachment's kind, then ``pod-2``…"""
    attachments: tuple[Attachment, ...] = getattr(document, "attachments", None) or ()
    seen: dict[str, int] = {}
    names = []
    for attachment in attachments:
        seen[attachment.kind.value] = seen.get(attachment.kind.value, 0) + 1
        count = seen[attachment.kind.value]
        names.append(attachment.kind.value if count == 1 else f"{attachment.kind.value}-{count}")
    return names


def held_slots(latest: Mapping[str, Mapping[str, Any]], document: Document) -> set[str]:
    """The slots of a document that hold a file by the ledger's latest attachment rows (``latest``, by TMS id,
    from :meth:`Ledger.latest_payloads_under`): a slot whose latest row removed its file holds none."""
    prefix = slot_prefix(document)
    return {
        tms_id[len(prefix) :]
        for tms_id, payload in latest.items()
        if tms_id.startswith(prefix) and not payload.get("removed")
    }


def attachment_items(
    document: Document, base_dir: Path | None, earlier: Collection[str] = ()
) -> tuple[list[IngestItem], list[AttachmentProblem]]:
    """The ledger rows of a document's attachments, and what is wrong with any of them now (they are ingested
    all the same: a missing file may arrive before the export, and is checked again then).

    ``earlier`` names the slots that earlier versions of the document filled: each one this version leaves
    empty gets a row that removes its file (detached from the transaction at export, kept in the File
    Cabinet), which also supersedes an earlier version's row not yet exported."""
    attachments: tuple[Attachment, ...] = getattr(document, "attachments", None) or ()
    target_type = TARGETS.get(document.kind)
    if target_type is None:
        return [], []
    items: list[IngestItem] = []
    problems: list[AttachmentProblem] = []
    filled = slots(document)
    reference = {"kind": document.kind.value, "id": document.id, "version": document.version}
    date = getattr(document, "date").isoformat()  # noqa: B009 -- every target kind is dated
    for slot in sorted(set(earlier) - set(filled)):
        removal = {"document": reference, "slot": slot, "removed": True, "company": document.company}
        items.append(
            IngestItem(
                kind=ATTACHMENT_KIND,
                tms_id=f"{slot_prefix(document)}{slot}",
                version=document.version,
                payload=removal | {"date": date},
                voided=document.status is Status.VOID,
                priority=ATTACHMENT_PRIORITY,
            )
        )
    for index, (attachment, slot) in enumerate(zip(attachments, filled, strict=True)):
        payload: dict[str, Any] = {
            "document": reference,
            "slot": slot,
            "field": f"attachments[{index}]",
            "company": document.company,
            "date": date,
            **attachment.model_dump(mode="json", exclude_none=True),
        }
        if document.kind is Kind.DRIVER_SETTLEMENT and getattr(document, "driver_type", None) == "company":
            # Payroll pays a company driver: the settlement becomes no vendor bill (at most an accrual journal).
            payload["skip"] = (
                "a company driver's settlement becomes no vendor bill (payroll pays it): no file is sent"
            )
        if attachment.path is not None:
            path = Path(attachment.path)
            payload["path"] = str(path if path.is_absolute() else (base_dir or Path.cwd()) / path)
        try:
            check_source(payload)
        except AttachmentRefused as refused:
            problems.append(
                AttachmentProblem(
                    document.kind.value,
                    document.id,
                    document.version,
                    payload["field"],
                    attachment.file_name,
                    str(refused),
                )
            )
        items.append(
            IngestItem(
                kind=ATTACHMENT_KIND,
                tms_id=f"{slot_prefix(document)}{slot}",
                version=document.version,
                payload=payload,
                voided=document.status is Status.VOID,
                priority=ATTACHMENT_PRIORITY,
            )
        )
    return items, problems


def check_source(payload: Mapping[str, Any]) -> int:
    """The file's size once its type, presence, size and SHA-256 are checked (the bytes are read, not kept).

    Raises:
        AttachmentRefused: with the reason.
    """
    attachment = Attachment.model_validate(
        {k: payload[k] for k in ("kind", "file_name", "content_type", "sha256") if k in payload}
        | ({"content_base64": payload["content_base64"]} if "content_base64" in payload else {"path": "x"})
    )
    problem = attachment_problem(attachment)
    if problem is not None:
        raise AttachmentRefused(problem)
    digest = hashlib.sha256()
    if "content_base64" in payload:
        data = base64.b64decode(payload["content_base64"])
        size = len(data)
        digest.update(data)
    else:
        path = Path(payload["path"])
        if not path.is_file():
            raise AttachmentRefused(f"no file at {path}")
        size = path.stat().st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise AttachmentRefused(_too_large(size))
        with path.open("rb") as file:
            while chunk := file.read(1024 * 1024):
                digest.update(chunk)
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(_too_large(size))
    if digest.hexdigest() != payload["sha256"]:
        raise AttachmentRefused(
            f"its SHA-256 is {digest.hexdigest()}, not the {payload['sha256']} the document gives"
        )
    return size


def _sendable(job: AttachmentJob) -> bool:
    """Whether a job may upload a file, by what costs no reading: not a removal, and a file present and within
    10 MB (the full check, hash included, comes before the upload)."""
    if job.removed or "skip" in job.payload:
        return False
    if "content_base64" in job.payload:
        return len(str(job.payload["content_base64"])) * 3 // 4 <= MAX_ATTACHMENT_BYTES + 2
    path = Path(str(job.payload.get("path", "")))
    return path.is_file() and path.stat().st_size <= MAX_ATTACHMENT_BYTES


def _too_large(size: int) -> str:
    return (
        f"{size} bytes is over NetSuite's limit of {MAX_ATTACHMENT_BYTES} bytes (10 MB) per document-service "
        "request; nothing was sent"
    )


def file_name(payload: Mapping[str, Any]) -> str:
    """The file's name in NetSuite: document kind and id, attachment slot, the start of its SHA-256, extension.

    Made from the content, so the same bytes have the same name in every run and a changed file a new one."""
    document = payload["document"]
    tms_id = str(document["id"])
    safe = _SAFE.sub("_", tms_id)
    if safe != tms_id:  # keep two ids that differ only in unsafe characters apart
        safe += "-" + hashlib.sha256(tms_id.encode()).hexdigest()[:8]
    extension = str(payload["file_name"]).rsplit(".", 1)[-1].lower()
    return f"{document['kind']}_{safe}_{payload['slot']}_{str(payload['sha256'])[:16]}.{extension}"


def prepare_attachment(row: Claimed) -> AttachmentJob:
    payload = row.payload
    document = payload["document"]
    kind = Kind(document["kind"])
    target = RecordKey(TARGETS[kind], external_id(kind, str(document["id"])))
    return AttachmentJob(payload, target, "" if payload.get("removed") else file_name(payload))


# -- export --------------------------------------------------------------------------------------------------


class AttachmentWriter:
    """Uploads a run's files into their folders and attaches them, each request in a governor slot.

    Args:
        client: the NetSuite client.
        ledger: what earlier runs uploaded and attached.
        governor: the run's one governor.
        mapping: where files go (``[attachments]``).
        find_record: the internal id of a record NetSuite holds (the run's record writer), or None.
        sleep: injected waiting.
        report: the run's counts.
    """

    def __init__(
        self,
        client: NetSuiteClient,
        ledger: Ledger,
        governor: ConcurrencyGovernor,
        mapping: MappingConfig,
        *,
        find_record: Callable[[RecordKey], Awaitable[str | None]],
        sleep: Callable[[float], Awaitable[None]],
        report: ExportReport,
    ) -> None:
        self._client = client
        self._ledger = ledger
        self._governor = governor
        self._mapping = mapping
        self._find_record = find_record
        self._sleep = sleep
        self._report = report
        self._folders: dict[tuple[str, ...], str] = {}
        self._looked_up: dict[str, list[tuple[str, str]]] = {}  # file name → (folder, id) NetSuite holds
        self._folder_locks: dict[tuple[str, ...], asyncio.Lock] = {}
        self._newest: dict[tuple[str, str], int] = {}  # each batch's documents' newest version in the ledger

    async def learn(self, jobs: list[AttachmentJob]) -> None:
        """Which of a batch's files NetSuite holds, by name: one SuiteQL query on the File table per 500 names
        (instead of a look-up per file). A file whose earlier upload had an unknown outcome is looked up again
        just before it would be sent."""
        documents = {(str(d["kind"]), str(d["id"])) for d in (job.payload["document"] for job in jobs)}
        for key, payload in (await self._ledger.latest_payloads(documents)).items():
            self._newest[key] = int(payload.get("version", 0))
        # A file refused on sight (missing, over 10 MB) is not asked about: it is refused before any request.
        names = sorted({job.name for job in jobs if _sendable(job)} - set(self._looked_up))
        for start in range(0, len(names), _LOOKUP_CHUNK):
            chunk = names[start : start + _LOOKUP_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            query = f"SELECT id, name, folder FROM file WHERE name IN ({marks})"  # noqa: S608 -- placeholders only

            async def rows(query: str = query, chunk: list[str] = chunk) -> list[dict[str, str]]:
                return [row async for row in self._client.suiteql(query, chunk)]

            found = await self._call(rows, idempotent=True)
            self._report.existence_queries += 1
            for name in chunk:
                self._looked_up.setdefault(name, [])
            for row in found:
                self._looked_up.setdefault(row["name"], []).append((str(row["folder"]), str(row["id"])))

    async def write(
        self, job: AttachmentJob, *, uncertain: bool, sent: list[SentRequest] | None = None
    ) -> tuple[str, list[WrittenRecord]] | RecordKey:
        """Upload (unless NetSuite has it) and attach one file; returns the record it went on and what was
        written, or the record it waits for when that is not in NetSuite yet.

        Raises:
            AttachmentRefused: the file is missing, changed, too large or of a type the connector does not send.
            AttachmentSuperseded: a newer version of the document is held.
            RequestError: NetSuite refused a request.

        ``sent``: the upload and attach requests are appended to it with NetSuite's answers (the file's name,
        folder, type and size stand for its bytes).
        """
        trail: list[SentRequest] = [] if sent is None else sent
        document = job.payload["document"]
        newest = self._newest.get((str(document["kind"]), str(document["id"])), 0)
        if newest > int(document["version"]):
            # An older version that arrived late: the newer one's files rule (its own rows attach them).
            raise AttachmentSuperseded(
                f"version {newest} of the document is newer; its files are the ones sent"
            )
        if job.removed:
            return await self._remove(job)
        payload = job.payload
        size = await anyio.to_thread.run_sync(check_source, payload)
        record_id = await self._find_record(job.target)
        if record_id is None:
            return job.target
        date = str(payload["date"])
        folder_path = self._mapping.attachments.folder_for(
            str(payload["company"]), int(date[:4]), int(date[5:7])
        )
        folder = await self._folder(folder_path)
        file_key = f"{folder}/{job.name}"
        known = await self._ledger.known_records([(FILE_RECORD, file_key), (ATTACHMENT_RECORD, job.slot)])
        file_id = known.get((FILE_RECORD, file_key))
        if file_id is None and job.name in self._looked_up and not uncertain:
            file_id = next((i for f, i in self._looked_up[job.name] if f == folder), None)
        elif file_id is None:
            file_id = await self._find_file(folder, job.name)
        if file_id is None:
            try:
                upload = self._upload(job, folder, size)
                file_id = await logged(
                    trail, "POST", FILE_RECORD, file_key, _described(job, folder, size), upload
                )
            except InvalidDataError:
                # NetSuite holds a file of that name there after all (another run sent it meanwhile).
                file_id = await self._find_file(folder, job.name)
                if file_id is None:
                    raise
        self._looked_up.setdefault(job.name, []).append((folder, file_id))
        previous = known.get((ATTACHMENT_RECORD, job.slot)) or None  # "": the slot's file was removed
        record_type = job.target.record_type.value
        if previous != file_id or uncertain:
            attach = self._call(
                lambda: self._client.attach_file(record_type, record_id, file_id), idempotent=True
            )
            target = {"record_type": record_type, "id": record_id, "file": file_id}
            await logged(trail, "POST", ATTACHMENT_RECORD, job.slot, target, attach, internal=file_id)
            self._report.files_attached += 1
        if previous is not None and previous != file_id:
            await self._detach(record_type, record_id, previous, job.slot)
        url = f"{self._client.account.app_url}/app/common/media/mediaitem.nl?id={file_id}"
        written = [
            WrittenRecord(FILE_RECORD, file_key, file_id, url),
            WrittenRecord(ATTACHMENT_RECORD, job.slot, file_id, url),
        ]
        return record_id, written

    async def _remove(self, job: AttachmentJob) -> tuple[str, list[WrittenRecord]]:
        """Detach the file a slot held from the transaction, for a newer version without it; the ledger then
        holds the slot empty (""), so the same file coming back is attached again.

        Exactly once: the ledger names the file attached until this row settles, so a run that dies after the
        detach (or whose answer was lost) sends it again, and detaching what is no longer attached changes
        nothing (NetSuite keeps no attachment table SuiteQL reads, so the ledger is where it is looked up)."""
        known = await self._ledger.known_records([(ATTACHMENT_RECORD, job.slot)])
        previous = known.get((ATTACHMENT_RECORD, job.slot)) or None
        if previous is None:
            return "", []  # nothing was attached there: an earlier version's file never went
        record_id = await self._find_record(job.target)
        if record_id is not None:  # a transaction deleted in NetSuite took its attachments with it
            await self._detach(job.target.record_type.value, record_id, previous, job.slot)
        return record_id or "", [WrittenRecord(ATTACHMENT_RECORD, job.slot, "", "")]

    async def _detach(self, record_type: str, record_id: str, file_id: str, slot: str) -> None:
        try:
            await self._call(
                lambda: self._client.attach_file(record_type, record_id, file_id, detach=True),
                idempotent=True,
            )
            self._report.files_detached += 1
        except (NotFoundError, InvalidDataError) as exc:  # the old file was deleted by hand: nothing to undo
            logger.info("old file %s of %s not detached: %s", file_id, slot, exc.code)

    async def _upload(self, job: AttachmentJob, folder: str, size: int) -> str:
        """Upload the file's bytes into the folder; its internal id."""
        payload = job.payload

        def chunks() -> AsyncIterator[bytes]:
            return _read(payload, size)

        file_id = await self._call(
            lambda: self._client.upload_file(
                name=job.name,
                folder=folder,
                file_type=netsuite_file_type(str(payload["content_type"])),
                size=size,
                chunks=chunks,
                description=f"{payload['file_name']} ({payload['kind']}) from the TMS",
            )
        )
        self._report.files_uploaded += 1
        return file_id

    async def _find_file(self, folder: str, name: str) -> str | None:
        found = await self._call(
            lambda: self._client.find_documents("file", f'name IS "{name}" AND folder ANY_OF {folder}'),
            idempotent=True,
        )
        return found[0] if found else None

    async def _folder(self, path: tuple[str, ...]) -> str:
        """The folder's internal id, made (with its parents) where it is missing."""
        known = self._folders.get(path)
        if known is not None:
            return known
        lock = self._folder_locks.setdefault(path, asyncio.Lock())
        async with lock:
            if path in self._folders:
                return self._folders[path]
            parent = await self._folder(path[:-1]) if len(path) > 1 else None
            folder = await self._find_folder(path[-1], parent)
            if folder is None:
                try:
                    folder = await self._call(lambda: self._client.create_folder(path[-1], parent))
                except InvalidDataError:
                    # Another run made it meanwhile (NetSuite refuses a second folder of one name there).
                    folder = await self._find_folder(path[-1], parent)
                    if folder is None:
                        raise
            self._folders[path] = folder
            return folder

    async def _find_folder(self, name: str, parent: str | None) -> str | None:
        where = "parent EMPTY" if parent is None else f"parent ANY_OF {parent}"
        found = await self._call(
            lambda: self._client.find_documents("folder", f'name IS "{name}" AND {where}'), idempotent=True
        )
        return found[0] if found else None

    async def _call(self, request: Callable[[], Awaitable[T]], *, idempotent: bool = False) -> T:
        return await call_with_retries(
            request,
            idempotent=idempotent,
            governor=self._governor,
            sleep=self._sleep,
            on_throttled=self._throttled,
        )

    def _throttled(self) -> None:
        self._report.http_429 += 1


async def _read(payload: Mapping[str, Any], size: int) -> AsyncIterator[bytes]:
    """The file's bytes in pieces as they are sent; a file that changed since it was checked stops the upload
    before its last byte (NetSuite then refuses the short body: nothing is stored)."""
    digest = hashlib.sha256()
    sent = 0
    if "content_base64" in payload:
        data = base64.b64decode(payload["content_base64"])
        for start in range(0, len(data), _CHUNK):
            piece = data[start : start + _CHUNK]
            digest.update(piece)
            sent += len(piece)
            if sent == size and digest.hexdigest() != payload["sha256"]:
                raise AttachmentRefused("the inline content does not match its SHA-256")
            yield piece
        return
    async with await anyio.open_file(payload["path"], "rb") as file:
        while True:
            piece = await file.read(_CHUNK)
            if not piece:
                break
            digest.update(piece)
            sent += len(piece)
            if sent > size or (sent == size and digest.hexdigest() != payload["sha256"]):
                raise AttachmentRefused(f"{payload['path']} changed while it was being sent")
            yield piece
    if sent != size:
        raise AttachmentRefused(f"{payload['path']} changed while it was being sent")


def _described(job: AttachmentJob, folder: str, size: int) -> dict[str, Any]:
    """What an upload sends, as the attempt history keeps it: the file's facts, never its bytes."""
    return {
        "name": job.name,
        "folder": folder,
        "content_type": job.payload.get("content_type"),
        "size": size,
        "sha256": job.payload.get("sha256"),
    }
