"""The API's request and response bodies (its OpenAPI document follows from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class RejectedDocument(BaseModel):
    index: int = Field(description="Position of the document in the request, from 0.")
    id: str | None
    kind: str | None
    field: str = Field(description="JSON path of the problem, e.g. $.lines[0].amount.")
    reason: str


class ConflictingDocument(BaseModel):
    index: int
    kind: str
    id: str
    version: int
    held_hash: str
    sent_hash: str
    reason: str


class IngestResponse(BaseModel):
    accepted: int = Field(description="New document versions recorded (committed before this answer).")
    duplicates: int = Field(description="Versions already held with the same content.")
    superseded: int = Field(description="Older versions that a newer one replaced before they were written.")
    conflicts: list[ConflictingDocument] = Field(
        description="Versions already held with other content: refused; send a new version."
    )
    rejected: list[RejectedDocument] = Field(description="Invalid documents, one entry per problem.")


class Problem(BaseModel):
    detail: str


class InvalidRequest(BaseModel):
    detail: str | list[dict[str, Any]] = Field(
        description="What is wrong: a sentence, or FastAPI's list of the fields that do not match the schema."
    )


class LastRun(BaseModel):
    started_at: str
    ended_at: str
    documents: int
    records_written: int
    synced: int
    failed: int
    http_429: int
    failed_checks: list[str]
    unchecked: list[str]


class Account(BaseModel):
    slug: str
    account_id: str
    environment: str
    auth_method: str
    mapping_version: int
    mapping_hash: str
    concurrency_override: int | None
    learned_limit: int | None
    paused: bool
    pause_reason: str | None


class Summary(BaseModel):
    account: Account
    counts: dict[str, dict[str, int]] = Field(description="Document versions by kind, then by state.")
    totals: dict[str, int] = Field(description="Document versions by state.")
    oldest_pending_age_s: float | None
    last_run: LastRun | None
    last_run_at: datetime | None
    doctor_ran_at: datetime | None
    doctor_failed_checks: list[str]


class RecordLink(BaseModel):
    type: str
    external_id: str
    internal_id: str
    url: str = Field(description="The record's page in NetSuite.")


class ErrorDetail(BaseModel):
    category: str
    code: str | None
    detail: str | None
    cause: str | None
    fix: str | None


class DocumentVersion(BaseModel):
    row_id: int
    kind: str
    id: str
    version: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    blocked_on: str | None
    skip_reason: str | None
    updated_at: datetime
    records: list[RecordLink]
    error: ErrorDetail | None


class DocumentPage(BaseModel):
    documents: list[DocumentVersion]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last.")


class DocumentDetail(BaseModel):
    kind: str
    id: str
    versions: list[DocumentVersion]


class ErrorGroup(BaseModel):
    group: str = Field(
        description='The cause\'s name: pass to POST …/retry as {"group": …} to retry these documents.'
    )
    category: str
    code: str | None
    detail: str = Field(description="NetSuite's (or the translation's) words, shared by every document here.")
    cause: str | None = Field(description="The cause in plain words.")
    fix: str | None = Field(description="What to change, with NetSuite's menu path where one applies.")
    fixed_by_mapping: bool = Field(
        description="Failed on the mapping: queued again by themselves once a corrected mapping is stored."
    )
    count: int
    documents: list[DocumentVersion]


class RejectedLineOut(BaseModel):
    source: str
    line: int
    kind: str | None
    id: str | None
    issues: list[dict[str, str]]
    raw: str


class ErrorsResponse(BaseModel):
    failed: list[ErrorGroup] = Field(
        description="Failed documents grouped by cause, the largest group first."
    )
    blocked: list[DocumentVersion]
    rejected: list[RejectedLineOut] = Field(description="Input lines that were not valid documents.")


class SentRequestOut(BaseModel):
    ok: bool = Field(description="NetSuite accepted the request (a 2xx answer).")
    method: str = Field(description="PUT (create by external id), PATCH (update), POST (transform), DELETE.")
    record_type: str
    external_id: str
    payload: dict[str, Any] | None = Field(
        description="The record body sent (no secret: those go in headers)."
    )
    status: int | None = Field(description="The HTTP status of a refusal; null on success or without answer.")
    internal_id: str | None
    error_code: str | None
    error_detail: str | None


class AttemptOut(BaseModel):
    attempt: int = Field(description="The attempt's number (1 for the first).")
    finished_at: datetime
    state: str = Field(description="The state the attempt left the version in.")
    outcome_unknown: bool
    error: ErrorDetail | None
    requests: list[SentRequestOut]


class EventOut(BaseModel):
    seq: int
    id: str
    type: str
    created_at: datetime
    payload: dict[str, Any]


class TimelineVersion(BaseModel):
    version: DocumentVersion
    received_at: datetime | None
    document: dict[str, Any] = Field(description="The TMS document as received.")
    attempts: list[AttemptOut] = Field(description="The last attempts (at most 20), oldest first.")


class Timeline(BaseModel):
    kind: str
    id: str
    versions: list[TimelineVersion]
    attachments: list[DocumentVersion]
    events: list[EventOut] = Field(
        description="What read-back saw of the document's records since, oldest first."
    )


class ActivityHour(BaseModel):
    hour: datetime = Field(description="The hour's start, UTC.")
    records_written: int
    documents_failed: int
    requests: int
    throttled: int = Field(description="NetSuite's 429 answers (concurrency limit reached).")


class Activity(BaseModel):
    hours: list[ActivityHour] = Field(description="Every hour of the window, oldest first (quiet ones as 0).")


class RetryRequest(BaseModel):
    ids: list[int] | None = Field(default=None, description="Row ids (row_id) of failed or blocked versions.")
    group: str | None = Field(default=None, description="An error group as GET …/errors names it.")
    all: bool = Field(default=False, description="Every failed and blocked version.")


class RetryResponse(BaseModel):
    queued: int


class Check(BaseModel):
    id: str
    title: str
    status: str
    detail: str
    fix: str | None
    docs: str | None = None
    transient: bool = False


class DoctorResponse(BaseModel):
    ran_at: datetime | None
    checks: list[Check]
    summary: dict[str, int]


class AccountCreate(BaseModel):
    slug: str = Field(description="Lower-case letters, digits and hyphens, e.g. freightco-prod.")
    credentials: dict[str, str] = Field(
        description="NETSUITE_* values as in an env file (NETSUITE_PRIVATE_KEY holds an OAuth 2.0 key's PEM); "
        "stored encrypted, never returned."
    )
    mapping: str = Field(description="The mapping file's TOML text.")
    concurrency: int | None = Field(default=None, ge=1)


class CredentialsUpdate(BaseModel):
    credentials: dict[str, str]


class MappingUpdate(BaseModel):
    mapping: str


class Health(BaseModel):
    status: str


class Event(BaseModel):
    cursor: str = Field(
        description="Where this event sits in the account's feed: pass it as `after` to read on."
    )
    id: str = Field(description="The event's stable id (msg_…), the `webhook-id` of its deliveries.")
    type: str = Field(description="invoice.paid, bill.paid, record.changed_in_netsuite, document.synced, …")
    created_at: datetime = Field(description="When the connector kept it (UTC).")
    body: dict[str, Any] = Field(
        description="The event as its webhook carries it: id, type, account, occurred_at, document, netsuite, "
        "amounts and currency where it has them."
    )


class EventPage(BaseModel):
    events: list[Event]
    next_cursor: str = Field(
        description="The last event's cursor (or the one given when there is nothing new): poll with it."
    )


class SyncBackResponse(BaseModel):
    events: int = Field(description="New events this pass kept.")
    by_type: dict[str, int]
    modified_read: int = Field(description="Transaction rows read (the overlap's included).")
    deleted_read: int
    window: dict[str, str] | None = Field(description="The account's local times read: from, to.")


class WebhookCreate(BaseModel):
    url: str = Field(pattern=r"^https?://", max_length=2000, description="Where the events are POSTed.")
    from_start: bool = Field(
        default=False, description="Deliver every event kept so far too (default: those kept from now on)."
    )


class Webhook(BaseModel):
    id: int
    url: str
    enabled: bool
    disabled_reason: str | None
    deliveries: dict[str, int] = Field(description="Its deliveries by state: pending, delivered, failed.")


class WebhookCreated(Webhook):
    secret: str = Field(
        description="The signing secret (whsec_…), shown this once and kept encrypted: give it to the receiver, "
        "which verifies each delivery with a Standard Webhooks library."
    )


class WebhookDelivery(BaseModel):
    event_id: str
    cursor: str
    state: str = Field(description="pending, delivered or failed (its last attempt spent).")
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None


class RedeliverRequest(BaseModel):
    event_ids: list[str] | None = Field(
        default=None, max_length=1000, description="The events to send again (msg_…); none: every failed one."
    )


class RedeliverResponse(BaseModel):
    due: int = Field(description="Deliveries due again now.")
