"""Exporting one document: its translation, its records written in order, and how it ended.

Records a document depends on are written first; a dependency that failed blocks the document until it is
synced. A refused request reschedules the document for a later attempt (with backoff, never sooner than NetSuite
may still be working on a request we stopped waiting for), or fails it until the cause is fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from tms_netsuite.documents import Document, InvalidDocument, validate_document
from tms_netsuite.export._attachments import (
    ATTACHMENT_KIND,
    AttachmentJob,
    AttachmentRefused,
    AttachmentSuperseded,
    AttachmentWriter,
    prepare_attachment,
)
from tms_netsuite.export._settle import Settlement
from tms_netsuite.export._writer import AwaitingApproval, Blocked, RecordWriter
from tms_netsuite.ledger import (
    AWAITS_APPROVAL,
    MAPPING_ERROR_CODE,
    Claimed,
    ErrorInfo,
    Outcome,
    State,
    WrittenRecord,
)
from tms_netsuite.mapping import (
    Failed,
    MappingConfig,
    ReferenceData,
    Related,
    Skipped,
    Translated,
    translate,
)
from tms_netsuite.netsuite import (
    Backoff,
    CredentialsError,
    NetSuiteError,
    NetworkError,
    RequestError,
    ServerError,
)

logger = logging.getLogger("tms_netsuite.export")

_STILL_RUNNING_S = 15 * 60  # NetSuite ends a REST request after 15 minutes

Prepared = Translated | Skipped | Failed | InvalidDocument | AttachmentJob
"""A claimed row made ready to export: its records, or why it has none."""


class _Stop(Exception):
    """Raised inside a document's export when another document has stopped the run."""


class DocumentExport:
    """Exports a claimed document (many run side by side) and hands its outcome to the settlement.

    Args:
        records: writes the records and knows which NetSuite holds.
        settlement: where outcomes go.
        mapping, reference: what translation needs.
        backoff: when a rescheduled document is tried again.
        clock, rng: injected time and randomness.
    """

    def __init__(
        self,
        records: RecordWriter,
        settlement: Settlement,
        mapping: MappingConfig,
        reference: ReferenceData,
        *,
        backoff: Backoff,
        clock: Callable[[], datetime],
        rng: Callable[[], float],
        files: AttachmentWriter,
    ) -> None:
        self._records = records
        self._files = files
        self._settlement = settlement
        self._mapping = mapping
        self._reference = reference
        self._backoff = backoff
        self._clock = clock
        self._rng = rng
        self.stopped: RequestError | None = None
        """The refusal of the credentials that stops the run: no document writes anything after it."""

    @staticmethod
    def validate(row: Claimed) -> Document | InvalidDocument | AttachmentJob:
        """A claimed row's document, or why it is not one; an attachment row's job."""
        if row.kind == ATTACHMENT_KIND:
            return prepare_attachment(row)
        try:
            return validate_document(dict(row.payload))
        except InvalidDocument as exc:
            return exc

    def prepare(self, validated: Document | InvalidDocument | AttachmentJob, related: Related) -> Prepared:
        """Translate a validated row (pure CPU work), seeing the other documents it names in ``related``."""
        if isinstance(validated, InvalidDocument | AttachmentJob):
            return validated
        return translate(validated, self._mapping, self._reference, related)

    async def export(self, row: Claimed, prepared: Prepared) -> None:
        """Write a document's records and settle how it ended."""
        self._settlement.attempting(row)
        try:
            if isinstance(prepared, InvalidDocument):
                await self._fail(row, ErrorInfo("data", "INVALID_DOCUMENT", str(prepared)))
            elif isinstance(prepared, Failed):
                first = prepared.errors[0]
                detail = "; ".join(str(error) for error in prepared.errors)
                await self._fail(row, ErrorInfo("data", MAPPING_ERROR_CODE, detail, first.cause, first.fix))
            elif isinstance(prepared, AttachmentJob):
                await self._attach(row, prepared)
            elif isinstance(prepared, Skipped):
                await self._settlement.finished(Outcome.skipped(row.row_id, prepared.reason))
            else:
                await self._write_all(row, prepared)
        except (NetSuiteError, ValueError, KeyError, TypeError) as exc:
            # One document's defect (an id NetSuite cannot take, a shape translation did not foresee) fails
            # that document, never the run.
            logger.exception("export of %s %s v%s failed unexpectedly", row.kind, row.tms_id, row.version)
            await self._fail(row, ErrorInfo("data", type(exc).__name__, str(exc)[:2000]))

    async def refused(self, row: Claimed, exc: RequestError, written: list[WrittenRecord]) -> None:
        """Settle a document NetSuite refused: rescheduled when the error is retryable, failed otherwise."""
        self._settlement.attempting(row)
        error = ErrorInfo(
            category=exc.explanation.category.value if exc.explanation else "retry_later",
            code=exc.code,
            detail=exc.detail or str(exc),
            cause=exc.explanation.cause if exc.explanation else None,
            fix=exc.explanation.fix if exc.explanation else None,
        )
        if isinstance(exc, CredentialsError) and not exc.retryable:
            self.stopped = exc
        if exc.retryable or isinstance(exc, CredentialsError):
            unknown = isinstance(exc, ServerError) or (isinstance(exc, NetworkError) and exc.outcome_unknown)
            floor = exc.retry_after
            if (isinstance(exc, NetworkError) and exc.outcome_unknown and exc.timed_out) or exc.status == 504:
                # NetSuite may still be working on a request we stopped waiting for (up to 15 minutes):
                # looking it up sooner could miss a write that lands later, and write it twice.
                floor = max(floor or 0.0, _STILL_RUNNING_S)
            delay = self._backoff.delay(row.attempts, rng=self._rng, floor=floor)
            await self._reschedule(row, written, error=error, delay=delay, outcome_unknown=unknown)
            return
        logger.info("export failed: %s %s: %s", row.kind, row.tms_id, exc.code)
        await self._fail(row, error, written)

    async def _write_all(self, row: Claimed, translation: Translated) -> None:
        if row.voided and not any(self._records.holds(write.key) for write in translation.records):
            # Voided before any of its records reached NetSuite: there is nothing to reverse or delete.
            await self._settlement.finished(Outcome(row.row_id, State.VOID))
            return
        written: list[WrittenRecord] = []
        try:
            for write in translation.records:
                await self._records.await_dependencies(write)
                if self.stopped is not None:
                    raise _Stop
                await self._records.check_approvals(write)
                record = await self._records.write(
                    write, uncertain=row.outcome_unknown, sent=self._settlement.attempting(row)
                )
                if record is not None:
                    written.append(record)
        except Blocked as blocked:
            outcome = Outcome(row.row_id, State.BLOCKED, tuple(written), blocked_on=str(blocked.dependency))
            await self._settlement.blocked(outcome, blocked.dependency)
            return
        except AwaitingApproval as waiting:
            # Left blocked for people to approve the bill in NetSuite; the next run looks again (never polled).
            reason = f"{AWAITS_APPROVAL}: {waiting.bill}"
            await self._settlement.finished(
                Outcome(row.row_id, State.BLOCKED, tuple(written), blocked_on=reason)
            )
            return
        except _Stop:
            await self._reschedule(row, written, error=None, delay=0.0, outcome_unknown=False)
            return
        except RequestError as exc:
            await self.refused(row, exc, written)
            return
        state = State.VOID if row.voided else State.SYNCED
        await self._settlement.finished(Outcome(row.row_id, state, written=tuple(written)))

    async def _attach(self, row: Claimed, job: AttachmentJob) -> None:
        """Upload and attach one file; its transaction must be in NetSuite first (else the row waits blocked)."""
        if row.voided:  # a voided document's files are not sent (one already attached stays on the record)
            await self._settlement.finished(Outcome(row.row_id, State.VOID))
            return
        if "skip" in job.payload:
            await self._settlement.finished(Outcome.skipped(row.row_id, str(job.payload["skip"])))
            return
        try:
            if self.stopped is not None:
                raise _Stop
            done = await self._files.write(
                job, uncertain=row.outcome_unknown, sent=self._settlement.attempting(row)
            )
        except AttachmentRefused as refused:
            fix = "Fix or replace the file (or correct the document's sha256, content_type), then `tms-netsuite retry`."
            await self._fail(row, ErrorInfo("data", "INVALID_ATTACHMENT", str(refused), None, fix))
            return
        except AttachmentSuperseded as superseded:
            await self._settlement.finished(Outcome.skipped(row.row_id, str(superseded)))
            return
        except _Stop:
            await self._reschedule(row, [], error=None, delay=0.0, outcome_unknown=False)
            return
        except RequestError as exc:
            await self.refused(row, exc, [])
            return
        if isinstance(done, tuple):
            await self._settlement.finished(Outcome(row.row_id, State.SYNCED, written=tuple(done[1])))
            return
        outcome = Outcome(row.row_id, State.BLOCKED, blocked_on=str(done))
        await self._settlement.blocked(outcome, done)

    async def _fail(self, row: Claimed, error: ErrorInfo, written: Iterable[WrittenRecord] = ()) -> None:
        await self._settlement.finished(Outcome.failed(row.row_id, error, written=tuple(written)))

    async def _reschedule(
        self,
        row: Claimed,
        written: list[WrittenRecord],
        *,
        error: ErrorInfo | None,
        delay: float,
        outcome_unknown: bool,
    ) -> None:
        await self._settlement.finished(
            Outcome.retry(
                row.row_id,
                error or ErrorInfo("retry_later", None, "the run stopped before this document"),
                at=self._clock() + timedelta(seconds=delay),
                outcome_unknown=outcome_unknown,
                written=written,
            )
        )
