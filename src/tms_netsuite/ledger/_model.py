"""What the ledger holds and hands out: the states of a document version, the items it ingests, the rows it
claims and reports, and the outcomes it settles."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tms_netsuite.ledger._readback import StoredEvent


class State(enum.StrEnum):
    """Where a document version stands."""

    PENDING = "pending"  # waiting for its (next) attempt
    EXPORTING = "exporting"  # claimed by a run; reclaimed when the run's lease lapses
    SYNCED = "synced"  # NetSuite holds it
    SKIPPED = "skipped"  # nothing to write, by rule (e.g. a company driver's payroll settlement)
    FAILED = "failed"  # a permanent error; waits for `retry` after the cause is fixed
    BLOCKED = "blocked"  # waits for a dependency that failed
    SUPERSEDED = "superseded"  # a newer version replaced it: before it was written, or since in NetSuite
    VOID = "void"  # voided in the TMS; reversed in NetSuite when it had been written


AWAITS_APPROVAL = "bill awaits approval in NetSuite"
"""The reason of a row blocked until people approve a bill in NetSuite (its ``blocked_on`` starts with it): such
rows are looked at again once per run, never waited for within one."""

# The sets of states the ledger's statements select by, defined here only.
WAITING_STATES = (State.PENDING, State.FAILED, State.BLOCKED)
"""Not written and not under way: a newer version of the document supersedes these."""
OPEN_STATES = (*WAITING_STATES, State.EXPORTING)
"""Still to export, a failed row after :meth:`Ledger.retry`: the periods of their dates are still posted into."""
STUCK_STATES = (State.FAILED, State.BLOCKED)
"""Moving again only by :meth:`Ledger.retry` (or, blocked, by the release of their dependency)."""


@dataclass(frozen=True, slots=True)
class IngestItem:
    """A validated TMS document version to record."""

    kind: str
    tms_id: str
    version: int
    payload: Mapping[str, Any]
    voided: bool = False
    priority: int = 0  # claimed in ascending order: master data before the transactions that use it


@dataclass(frozen=True, slots=True)
class Conflict:
    """A document version sent again with other content: refused, the ledger keeps the content it holds.

    An id and version name one content for good: the record NetSuite holds (or will) was written from the
    first, so a change must come as a new version. ``position`` is the item's place in the ingest call."""

    position: int
    kind: str
    tms_id: str
    version: int
    held_hash: str  # content_hash of the version the ledger holds
    sent_hash: str  # content_hash of the version sent again

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.tms_id} v{self.version} is already held with other content "
            f"(held sha256 {self.held_hash[:16]}…, sent sha256 {self.sent_hash[:16]}…); refused: "
            f"send it as a new version (version {self.version + 1} or higher)"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.tms_id,
            "version": self.version,
            "held_hash": self.held_hash,
            "sent_hash": self.sent_hash,
            "reason": str(self),
        }


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What an ingest did: new rows, exact repeats ignored, rows superseded by newer versions, and versions
    refused because they repeat an id and version with other content."""

    inserted: int = 0
    duplicates: int = 0
    superseded: int = 0
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True, slots=True)
class WrittenRecord:
    """A NetSuite record a document became."""

    record_type: str
    external_id: str
    internal_id: str
    url: str


MAPPING_ERROR_CODE = "MAPPING"
"""The error code of a translation failure (the mapping names no NetSuite record for a TMS value): such rows are
queued again when the mapping changes."""


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """Why an attempt failed, as the client's error and its catalogue entry describe it."""

    category: str
    code: str | None
    detail: str | None
    cause: str | None = None
    fix: str | None = None


@dataclass(frozen=True, slots=True)
class SentRequest:
    """One request an attempt sent NetSuite to write a record, and NetSuite's answer.

    ``payload`` is the record body sent (the translated document, references swapped for internal ids): it
    holds no secret, the credentials travel in headers. ``ok``: NetSuite accepted it (a 2xx; the client does not
    tell 200, 201 and 204 apart, NetSuite's pages disagree on which a create answers). ``status`` is the HTTP
    status of a refusal (None when no answer came: a dropped connection, a timeout)."""

    method: str  # PUT (create by external id), PATCH (update), POST (transform), DELETE
    record_type: str
    external_id: str
    payload: Mapping[str, Any] | None = None
    status: int | None = None
    internal_id: str | None = None
    error_code: str | None = None
    error_detail: str | None = None
    ok: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "method": self.method,
            "record_type": self.record_type,
            "external_id": self.external_id,
            "payload": None if self.payload is None else dict(self.payload),
            "status": self.status,
            "internal_id": self.internal_id,
            "error_code": self.error_code,
            "error_detail": self.error_detail,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> SentRequest:
        return cls(
            method=str(value["method"]),
            record_type=str(value["record_type"]),
            external_id=str(value["external_id"]),
            payload=value.get("payload"),
            status=value.get("status"),
            internal_id=value.get("internal_id"),
            error_code=value.get("error_code"),
            error_detail=value.get("error_detail"),
            ok=bool(value.get("ok")),
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt at a claimed row ended, for :meth:`Ledger.settle`: its new state, the records it wrote,
    and why it failed, waits or was skipped."""

    row_id: int
    state: State
    written: tuple[WrittenRecord, ...] = ()
    error: ErrorInfo | None = None
    next_attempt_at: datetime | None = None
    outcome_unknown: bool = False
    blocked_on: str | None = None  # the dependency a blocked row waits for (``record_type/eid:external_id``)
    skip_reason: str | None = None  # why nothing is written for a skipped row
    attempt: int = 0  # the row's attempt number (its claim count); 0: no attempt to keep in its history
    requests: tuple[SentRequest, ...] = ()  # what the attempt sent NetSuite, in order, with the answers

    def __post_init__(self) -> None:
        # Each reason belongs to one state: release_blocked matches blocked_on against dependencies.
        if self.blocked_on is not None and self.state is not State.BLOCKED:
            raise ValueError(f"only a blocked outcome names a dependency, not a {self.state.value} one")
        if self.skip_reason is not None and self.state is not State.SKIPPED:
            raise ValueError(f"only a skipped outcome has a skip reason, not a {self.state.value} one")

    @classmethod
    def retry(
        cls,
        row_id: int,
        error: ErrorInfo,
        *,
        at: datetime,
        outcome_unknown: bool,
        written: Sequence[WrittenRecord] = (),
    ) -> Outcome:
        """A retryable failure: pending again from ``at``."""
        return cls(
            row_id,
            State.PENDING,
            tuple(written),
            error,
            next_attempt_at=at,
            outcome_unknown=outcome_unknown,
        )

    @classmethod
    def failed(cls, row_id: int, error: ErrorInfo, *, written: Sequence[WrittenRecord] = ()) -> Outcome:
        """A permanent failure: waits for :meth:`Ledger.retry`."""
        return cls(row_id, State.FAILED, tuple(written), error)

    @classmethod
    def skipped(cls, row_id: int, reason: str) -> Outcome:
        """Nothing to write, by rule (a company driver's payroll settlement, say); ``reason`` says which."""
        return cls(row_id, State.SKIPPED, skip_reason=reason)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A document version claimed for export by one run."""

    row_id: int
    kind: str
    tms_id: str
    version: int
    voided: bool
    payload: Mapping[str, Any]
    attempts: int
    outcome_unknown: bool  # an earlier attempt may have written it: look it up before writing again


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A document version as the ledger holds it, for status and error reports."""

    row_id: int
    kind: str
    tms_id: str
    version: int
    state: State
    attempts: int
    next_attempt_at: datetime | None
    blocked_on: str | None  # the dependency a blocked row waits for
    skip_reason: str | None  # why a skipped row writes nothing
    error: ErrorInfo | None
    updated_at: datetime
    records: tuple[WrittenRecord, ...] = field(default=())
    created_at: datetime | None = None  # when the ledger received the version


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt at a document version as the ledger keeps it (the last ``Ledger.ATTEMPTS_KEPT`` of each):
    when it ended, how (the state it left the row in), why it failed, and the requests it sent."""

    row_id: int
    attempt: int
    finished_at: datetime
    state: State
    outcome_unknown: bool
    error: ErrorInfo | None
    requests: tuple[SentRequest, ...]

    @property
    def status(self) -> int | None:
        """The HTTP status of the attempt's last answered request (the one that decided it)."""
        return next((r.status for r in reversed(self.requests) if r.status is not None), None)


@dataclass(frozen=True, slots=True)
class VersionHistory:
    """One version of a document: the ledger's row, the TMS document as received, and its attempts kept."""

    row: LedgerRow
    payload: Mapping[str, Any]
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    """A document's history: each version with its attempts and the records it became (with their NetSuite
    links), the files attached to it (ledger rows of kind ``attachment``), and what read-back saw of it since
    (payments, edits, voids: the events naming it, oldest first)."""

    kind: str
    tms_id: str
    versions: tuple[VersionHistory, ...]
    attachments: tuple[LedgerRow, ...]
    events: tuple[StoredEvent, ...]


@dataclass(frozen=True, slots=True)
class HourActivity:
    """One hour of an account's activity: records written, documents failed, requests made and 429s."""

    hour: datetime  # the hour's start, UTC
    records_written: int = 0
    documents_failed: int = 0
    requests: int = 0
    throttled: int = 0


@dataclass(frozen=True, slots=True)
class RejectedLine:
    """An input line that was not a valid document, as the ledger keeps it: where it was (``source``, the file,
    and ``line``, its number there), what is wrong (``issues``: (field, reason) pairs), the document it named
    when it named one, and the raw line (cut to ``MAX_RAW_CHARS``)."""

    source: str
    line: int
    issues: tuple[tuple[str, str], ...]
    raw: str
    kind: str | None = None
    tms_id: str | None = None
    rejected_at: datetime | None = None

    MAX_RAW_CHARS = 4000

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "kind": self.kind,
            "id": self.tms_id,
            "issues": [{"field": field_, "reason": reason} for field_, reason in self.issues],
            "raw": self.raw,
        }


def content_hash(payload: Mapping[str, Any]) -> str:
    """A stable hash of a document's content, to tell a changed document from a repeat."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
