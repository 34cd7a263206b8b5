"""Every statement the ledger runs, built by name, as SQLAlchemy Core for SQLite and PostgreSQL alike.

Kept apart from :class:`~tms_netsuite.ledger.Ledger`, which decides when to run them and in which transaction
(as procrastinate keeps its ``queries.sql`` apart from its job manager). Each builder takes the account whose
rows it touches and the ledger clock's ``now``; none executes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tms_netsuite.ledger._model import (
    AWAITS_APPROVAL,
    MAPPING_ERROR_CODE,
    OPEN_STATES,
    STUCK_STATES,
    WAITING_STATES,
    Outcome,
    State,
)
from tms_netsuite.ledger._schema import (
    account_limits,
    activity,
    attempts,
    doctor_runs,
    documents,
    events,
    mapping_hashes,
    records,
    rejected_lines,
)

# Documents


def held_versions(account: str, dialect: str, identities: Sequence[tuple[str, str]]) -> sa.Select[Any]:
    """The rows held for these documents (kind, tms_id), by index probes on (account, kind, tms_id) whatever
    the planner's statistics say: a fresh or just loaded ledger has none, and PostgreSQL then filters every
    row of the account against a list of ids, a cost that grows with the ledger.

    SQLite probes the index for kind IN (…) AND tms_id IN (…) (rows of another kind that share an id come
    too, harmlessly: no item asks for them). PostgreSQL joins the documents, as two arrays, to a LATERAL
    subquery, one probe each; OFFSET 0 keeps the planner from flattening it into a hash join."""
    columns = (
        documents.c.id,
        documents.c.kind,
        documents.c.tms_id,
        documents.c.version,
        documents.c.state,
        documents.c.content_hash,
    )
    if dialect != "postgresql":
        return (
            sa.select(*columns)
            .where(documents.c.account == account)
            .where(documents.c.kind.in_(sorted({kind for kind, _ in identities})))
            .where(documents.c.tms_id.in_(sorted({tms_id for _, tms_id in identities})))
        )
    wanted = (
        sa.func.unnest(
            sa.literal([kind for kind, _ in identities], sa.ARRAY(sa.String())),
            sa.literal([tms_id for _, tms_id in identities], sa.ARRAY(sa.String())),
        )
        .table_valued("kind", "tms_id")
        .render_derived(name="wanted")
    )
    held = (
        sa.select(*columns)
        .where(documents.c.account == account)
        .where((documents.c.kind == wanted.c.kind) & (documents.c.tms_id == wanted.c.tms_id))
        .offset(0)
        .lateral("held")
    )
    return sa.select(*held.c).select_from(wanted).join(held, sa.true())


def insert_versions(dialect: str) -> sa.Insert:
    """New document versions, one row per bound parameter set, in the given order; a version another writer
    recorded meanwhile is skipped, and the (kind, tms_id, version) of every row really inserted comes back."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(documents)
        .on_conflict_do_nothing(
            index_elements=[documents.c.account, documents.c.kind, documents.c.tms_id, documents.c.version]
        )
        .returning(documents.c.kind, documents.c.tms_id, documents.c.version)
    )


def version_hashes(account: str, keys: Sequence[tuple[str, str, int]]) -> sa.Select[Any]:
    """The content hash held for each of these versions (kind, tms_id, version)."""
    return sa.select(
        documents.c.kind, documents.c.tms_id, documents.c.version, documents.c.content_hash
    ).where(
        (documents.c.account == account)
        & sa.tuple_(documents.c.kind, documents.c.tms_id, documents.c.version).in_(list(keys))
    )


def advisory_xact_lock(key: int) -> sa.Select[Any]:
    """PostgreSQL: wait for the advisory lock ``key``, held until the transaction ends."""
    return sa.select(sa.func.pg_advisory_xact_lock(key))


def supersede(row_ids: Sequence[int], now: datetime) -> sa.Update:
    """These held rows give way to a newer version, if they are still waiting (not exporting or written)."""
    return (
        documents.update()
        .where(documents.c.id.in_(list(row_ids)))
        .where(documents.c.state.in_(WAITING_STATES))
        .values(state=State.SUPERSEDED, updated_at=now)
    )


# The table again, under another name, for a row to be compared with its document's other versions. Made once:
# an alias builds its column collection on first use (half the 0.7 ms of building a settlement's supersede).
_NEWER = documents.alias("newer")
_OTHER = documents.alias("other")


def supersede_stale(account: str, now: datetime, run_id: str) -> sa.Update:
    """Rows waiting (pending, failed or blocked, or left exporting by a run whose lease lapsed) while a newer
    version of their document exists: the newer one carries the document now, so an older one must never be
    written after it, nor beside it in one batch."""
    newer = _NEWER
    has_newer = sa.exists().where(
        (newer.c.account == documents.c.account)
        & (newer.c.kind == documents.c.kind)
        & (newer.c.tms_id == documents.c.tms_id)
        & (newer.c.version > documents.c.version)
        & (newer.c.state != State.SUPERSEDED)
    )
    waiting = documents.c.state.in_(WAITING_STATES) | lapsed(now, run_id)
    return (
        documents.update()
        .where((documents.c.account == account) & waiting & has_newer)
        .values(state=State.SUPERSEDED, updated_at=now)
    )


# Claims


def lapsed(now: datetime, run_id: str) -> sa.ColumnElement[bool]:
    """A row left exporting by another run whose lease has run out (it crashed): ``run_id`` may take it over.
    A run never takes back its own rows: it may still be writing them."""
    return (
        (documents.c.state == State.EXPORTING)
        & (documents.c.lease_until <= now)
        & (documents.c.claimed_by != run_id)
    )


def other_version_exporting(now: datetime, run_id: str | None) -> sa.Exists:
    """Another version of the row's document is being exported: under a live lease, or by ``run_id`` itself."""
    other = _OTHER
    held = other.c.lease_until > now
    if run_id is not None:
        held |= other.c.claimed_by == run_id
    return sa.exists().where(
        (other.c.account == documents.c.account)
        & (other.c.kind == documents.c.kind)
        & (other.c.tms_id == documents.c.tms_id)
        & (other.c.id != documents.c.id)
        & (other.c.state == State.EXPORTING)
        & held
    )


def due(account: str, now: datetime, run_id: str) -> sa.ColumnElement[bool]:
    """A row ``run_id`` may claim now: pending and its next attempt time has come, or lapsed; and no other
    version of its document is being exported."""
    pending = (documents.c.state == State.PENDING) & (documents.c.next_attempt_at <= now)
    return (
        (documents.c.account == account)
        & (pending | lapsed(now, run_id))
        & ~other_version_exporting(now, run_id)
    )


def claim_candidates(account: str, now: datetime, run_id: str, limit: int) -> sa.Select[Any]:
    """The ids of up to ``limit`` due rows, by priority then age, locked against other claimers (PostgreSQL;
    SQLite's BEGIN IMMEDIATE does the same)."""
    return (
        sa.select(documents.c.id)
        .where(due(account, now, run_id))
        .order_by(documents.c.priority, documents.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def claim(
    account: str, row_ids: Sequence[int], now: datetime, run_id: str, lease_until: datetime
) -> sa.Update:
    """Take these rows (if still due) for ``run_id``, counting the attempt, and return what the export needs;
    a lapsed row comes back with its outcome unknown."""
    return (
        documents.update()
        .where(documents.c.id.in_(list(row_ids)) & due(account, now, run_id))
        .values(
            state=State.EXPORTING,
            claimed_by=run_id,
            lease_until=lease_until,
            attempts=documents.c.attempts + 1,
            outcome_unknown=documents.c.outcome_unknown | (documents.c.state == State.EXPORTING),
            updated_at=now,
        )
        .returning(
            documents.c.id,
            documents.c.kind,
            documents.c.tms_id,
            documents.c.version,
            documents.c.voided,
            documents.c.payload,
            documents.c.attempts,
            documents.c.outcome_unknown,
        )
    )


def active_claims(account: str, now: datetime) -> sa.Select[Any]:
    """The run ids holding rows in export under a lease not yet lapsed."""
    return (
        sa.select(documents.c.claimed_by)
        .where((documents.c.account == account) & (documents.c.state == State.EXPORTING))
        .where(documents.c.lease_until > now)
        .distinct()
    )


def expire_claims(account: str, run_ids: Sequence[str], now: datetime) -> sa.Update:
    """End the leases of these runs now."""
    return (
        documents.update()
        .where((documents.c.account == account) & (documents.c.state == State.EXPORTING))
        .where(documents.c.claimed_by.in_(list(run_ids)))
        .values(lease_until=now, updated_at=now)
    )


def renew_claims(account: str, run_id: str, lease_until: datetime) -> sa.Update:
    """Extend the lease of every row ``run_id`` holds."""
    return (
        documents.update()
        .where(
            (documents.c.account == account)
            & (documents.c.state == State.EXPORTING)
            & (documents.c.claimed_by == run_id)
        )
        .values(lease_until=lease_until)
    )


def held_elsewhere(account: str, now: datetime, run_id: str) -> sa.Select[Any]:
    """How many rows other runs are exporting under a live lease, and pending rows waiting for another version
    of their document under such a lease."""
    theirs = (
        (documents.c.state == State.EXPORTING)
        & (documents.c.lease_until > now)
        & (documents.c.claimed_by != run_id)
    )
    behind = (documents.c.state == State.PENDING) & other_version_exporting(now, None)
    return sa.select(sa.func.count()).where((documents.c.account == account) & (theirs | behind))


# Outcomes

_FINISHED_COLUMNS = (
    "state",
    "next_attempt_at",
    "outcome_unknown",
    "blocked_on",
    "skip_reason",
    "error_category",
    "error_code",
    "error_detail",
    "error_cause",
    "error_fix",
    "updated_at",
)


def finish(account: str, run_id: str | None) -> sa.Update:
    """A row's new state, its claim released; values bound per outcome (see :func:`finish_values`). With a run
    id, only a row that run still holds changes."""
    mine = (documents.c.id == sa.bindparam("row_id")) & (documents.c.account == account)
    if run_id is not None:
        mine &= (documents.c.claimed_by == run_id) & (documents.c.state == State.EXPORTING)
    return (
        documents.update()
        .where(mine)
        .values(
            claimed_by=None,
            lease_until=None,
            **{name: sa.bindparam(f"new_{name}") for name in _FINISHED_COLUMNS},
        )
    )


def finish_values(outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The bound values of :func:`finish` for one outcome."""
    error = outcome.error
    return {
        "row_id": outcome.row_id,
        "new_state": outcome.state,
        "new_next_attempt_at": outcome.next_attempt_at,
        "new_outcome_unknown": outcome.outcome_unknown,
        "new_blocked_on": outcome.blocked_on,
        "new_skip_reason": outcome.skip_reason,
        "new_error_category": error.category if error else None,
        "new_error_code": error.code if error else None,
        "new_error_detail": error.detail if error else None,
        "new_error_cause": error.cause if error else None,
        "new_error_fix": error.fix if error else None,
        "new_updated_at": now,
    }


def save_records(dialect: str) -> sa.Insert:
    """Records written, one row per bound parameter set; a record written again (same external id) names its
    new internal id, url and document."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(records)
    changed = ("internal_id", "url", "document_id", "written_at")
    return statement.on_conflict_do_update(
        index_elements=[records.c.account, records.c.record_type, records.c.external_id],
        set_={column: statement.excluded[column] for column in changed},
    )


def forget_record(account: str, record_type: str, external_id: str) -> sa.Delete:
    """Drop one record the ledger believed written."""
    return records.delete().where(
        (records.c.account == account)
        & (records.c.record_type == record_type)
        & (records.c.external_id == external_id)
    )


def release(account: str, dependencies: Sequence[str], now: datetime) -> sa.Update:
    """Rows blocked on any of these dependencies become pending."""
    return (
        documents.update()
        .where(
            (documents.c.account == account)
            & (documents.c.state == State.BLOCKED)
            & documents.c.blocked_on.in_(list(dependencies))
        )
        .values(state=State.PENDING, next_attempt_at=now, updated_at=now)
    )


def release_awaiting_approval(account: str, now: datetime) -> sa.Update:
    """Rows blocked until a bill is approved in NetSuite become pending, to be looked at again."""
    return (
        documents.update()
        .where(
            (documents.c.account == account)
            & (documents.c.state == State.BLOCKED)
            & documents.c.blocked_on.startswith(AWAITS_APPROVAL, autoescape=True)
        )
        .values(state=State.PENDING, next_attempt_at=now, updated_at=now)
    )


def awaiting_approval(account: str) -> sa.Select[Any]:
    """How many rows are blocked until a bill is approved in NetSuite."""
    return sa.select(sa.func.count()).where(
        (documents.c.account == account)
        & (documents.c.state == State.BLOCKED)
        & documents.c.blocked_on.startswith(AWAITS_APPROVAL, autoescape=True)
    )


def release_resolved(account: str, now: datetime) -> sa.Update:
    """Rows blocked on a record the ledger knows was written become pending."""
    written = sa.select(records.c.record_type + "/eid:" + records.c.external_id).where(
        records.c.account == account
    )
    return (
        documents.update()
        .where(
            (documents.c.account == account)
            & (documents.c.state == State.BLOCKED)
            & documents.c.blocked_on.in_(written.scalar_subquery())
        )
        .values(state=State.PENDING, next_attempt_at=now, updated_at=now)
    )


def retry(account: str, row_ids: Sequence[int] | None, now: datetime) -> sa.Update:
    """Failed and blocked rows (all of them, or those named) become pending."""
    condition = (documents.c.account == account) & documents.c.state.in_(STUCK_STATES)
    if row_ids is not None:
        condition &= documents.c.id.in_(list(row_ids))
    return (
        documents.update().where(condition).values(state=State.PENDING, next_attempt_at=now, updated_at=now)
    )


def supersede_replaced(account: str, row_ids: Sequence[int], now: datetime) -> sa.Update:
    """Synced versions older than a version these rows just wrote (synced or void) are superseded: NetSuite
    holds the newer one now, so a rebill no longer counts its first version as synced."""
    newer = _NEWER
    replaced_by_these = sa.exists().where(
        (newer.c.id.in_(list(row_ids)))
        & newer.c.state.in_((State.SYNCED, State.VOID))
        & (newer.c.account == documents.c.account)
        & (newer.c.kind == documents.c.kind)
        & (newer.c.tms_id == documents.c.tms_id)
        & (newer.c.version > documents.c.version)
    )
    return (
        documents.update()
        .where((documents.c.account == account) & (documents.c.state == State.SYNCED) & replaced_by_these)
        .values(state=State.SUPERSEDED, updated_at=now)
    )


def requeue_mapping_failures(account: str, now: datetime) -> sa.Update:
    """Rows that failed on the mapping (translation found no NetSuite record for a TMS value) become pending."""
    return (
        documents.update()
        .where(
            (documents.c.account == account)
            & (documents.c.state == State.FAILED)
            & (documents.c.error_code == MAPPING_ERROR_CODE)
        )
        .values(state=State.PENDING, next_attempt_at=now, updated_at=now)
    )


def mapping_hash_of(account: str) -> sa.Select[Any]:
    """The hash of the mapping the account's last export used."""
    return sa.select(mapping_hashes.c.mapping_hash).where(mapping_hashes.c.account == account)


def save_mapping_hash(
    account: str, mapping_hash: str, now: datetime, *, known: bool
) -> sa.Insert | sa.Update:
    """Keep the hash of the mapping this export uses (an update when the account has one already)."""
    if known:
        return (
            mapping_hashes.update()
            .where(mapping_hashes.c.account == account)
            .values(mapping_hash=mapping_hash, seen_at=now)
        )
    return mapping_hashes.insert().values(account=account, mapping_hash=mapping_hash, seen_at=now)


def learned_limit_of(account: str) -> sa.Select[Any]:
    """The concurrency limit the account's exports learned from 429s."""
    return sa.select(account_limits.c.learned_limit).where(account_limits.c.account == account)


def save_learned_limit(account: str, limit: int, now: datetime, *, known: bool) -> sa.Insert | sa.Update:
    """Keep the limit a run learned (an update when the account has one already)."""
    if known:
        return (
            account_limits.update()
            .where(account_limits.c.account == account)
            .values(learned_limit=limit, learned_at=now)
        )
    return account_limits.insert().values(account=account, learned_limit=limit, learned_at=now)


def rows_by_id(account: str, row_ids: Sequence[int]) -> sa.Select[Any]:
    """The id and state of each of these rows that exists."""
    return sa.select(documents.c.id, documents.c.state).where(
        (documents.c.account == account) & documents.c.id.in_(list(row_ids))
    )


# Rejected input lines


def forget_rejected(account: str, source: str, identities: Sequence[tuple[str, str]]) -> sa.Delete:
    """The rejected lines kept from an earlier ingest of ``source`` (they are read again now), and those of
    documents (kind, tms_id) a valid line has since brought."""
    condition = rejected_lines.c.source == source
    if identities:
        condition |= sa.tuple_(rejected_lines.c.kind, rejected_lines.c.tms_id).in_(list(identities))
    return rejected_lines.delete().where((rejected_lines.c.account == account) & condition)


def keep_rejected() -> sa.Insert:
    """Rejected lines, one per bound parameter set."""
    return rejected_lines.insert()


def rejected(account: str) -> sa.Select[Any]:
    """The rejected lines kept, by source and line."""
    return (
        sa.select(rejected_lines)
        .where(rejected_lines.c.account == account)
        .order_by(rejected_lines.c.source, rejected_lines.c.line, rejected_lines.c.id)
    )


def accounts() -> sa.CompoundSelect[Any]:
    """Every account with rows or rejected lines in this ledger."""
    return sa.union(sa.select(documents.c.account).distinct(), sa.select(rejected_lines.c.account).distinct())


# Reports


def counts(account: str) -> sa.Select[Any]:
    """How many rows are in each state."""
    return (
        sa.select(documents.c.state, sa.func.count())
        .where(documents.c.account == account)
        .group_by(documents.c.state)
    )


def next_attempt(account: str, now: datetime) -> sa.Select[Any]:
    """The earliest next attempt of a pending row that no live lease on another version holds back (such a
    row is due when that lease lapses, see :func:`next_lease_end`)."""
    return sa.select(sa.func.min(documents.c.next_attempt_at)).where(
        (documents.c.account == account)
        & (documents.c.state == State.PENDING)
        & ~other_version_exporting(now, None)
    )


def next_lease_end(account: str) -> sa.Select[Any]:
    """The earliest end of a lease on a row in export."""
    return sa.select(sa.func.min(documents.c.lease_until)).where(
        (documents.c.account == account) & (documents.c.state == State.EXPORTING)
    )


def open_payloads(account: str) -> sa.Select[Any]:
    """The payloads of the document versions still to export (pending, exporting, blocked or failed)."""
    return sa.select(documents.c.payload).where(
        (documents.c.account == account) & documents.c.state.in_(OPEN_STATES)
    )


def known_records(account: str, keys: Sequence[tuple[str, str]]) -> sa.Select[Any]:
    """The internal ids of these records (record type, external id) the ledger knows were written."""
    return sa.select(records.c.record_type, records.c.external_id, records.c.internal_id).where(
        (records.c.account == account)
        & sa.tuple_(records.c.record_type, records.c.external_id).in_(list(keys))
    )


def payloads_of(account: str, keys: Sequence[tuple[str, str]]) -> sa.Select[Any]:
    """Every version's payload of these documents (kind, TMS id), newest version last."""
    return (
        sa.select(documents.c.kind, documents.c.tms_id, documents.c.payload)
        .where(
            (documents.c.account == account) & sa.tuple_(documents.c.kind, documents.c.tms_id).in_(list(keys))
        )
        .order_by(documents.c.kind, documents.c.tms_id, documents.c.version)
    )


def payloads_under(account: str, kind: str, prefixes: Sequence[str]) -> sa.Select[Any]:
    """Every version's payload of the documents of a kind whose TMS id starts with one of ``prefixes``, newest
    version last. LIKE with its wildcards escaped (SQLite's LIKE ignores ASCII case: callers compare again)."""

    def escaped(prefix: str) -> str:
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    return (
        sa.select(documents.c.tms_id, documents.c.payload)
        .where(
            (documents.c.account == account)
            & (documents.c.kind == kind)
            & sa.or_(*(documents.c.tms_id.like(escaped(p), escape="\\") for p in prefixes))
        )
        .order_by(documents.c.tms_id, documents.c.version)
    )


def payloads_with(account: str, kind: str, field: str, values: Sequence[str]) -> sa.Select[Any]:
    """Every version's payload of the documents of a kind whose top-level ``field`` is one of ``values``,
    newest version last."""
    return (
        sa.select(documents.c.kind, documents.c.tms_id, documents.c.payload)
        .where(
            (documents.c.account == account)
            & (documents.c.kind == kind)
            & documents.c.payload[field].as_string().in_(list(values))
        )
        .order_by(documents.c.tms_id, documents.c.version)
    )


def rows_page(account: str, after: int, state: State | None, limit: int) -> sa.Select[Any]:
    """Up to ``limit`` whole rows with ids above ``after`` (in one state, or any), by id."""
    condition = (documents.c.account == account) & (documents.c.id > after)
    if state is not None:
        condition &= documents.c.state == state
    return sa.select(documents).where(condition).order_by(documents.c.id).limit(limit)


def records_of(row_ids: Sequence[int]) -> sa.Select[Any]:
    """The records these rows wrote, oldest first."""
    return sa.select(records).where(records.c.document_id.in_(list(row_ids))).order_by(records.c.written_at)


# Doctor runs


def save_doctor_run(account: str, ran_at: datetime, results: dict[str, Any], *, passed: bool) -> sa.Insert:
    """Keep one doctor run's results."""
    return doctor_runs.insert().values(account=account, ran_at=ran_at, passed=passed, results=results)


def last_passing_doctor_run(account: str) -> sa.Select[Any]:
    """The results of the latest doctor run without failures."""
    return (
        sa.select(doctor_runs.c.results)
        .where((doctor_runs.c.account == account) & doctor_runs.c.passed)
        .order_by(doctor_runs.c.id.desc())
        .limit(1)
    )


# The service's reads


def counts_by_kind(account: str) -> sa.Select[Any]:
    """How many rows of each kind are in each state."""
    return (
        sa.select(documents.c.kind, documents.c.state, sa.func.count())
        .where(documents.c.account == account)
        .group_by(documents.c.kind, documents.c.state)
    )


def oldest_waiting(account: str) -> sa.Select[Any]:
    """When the oldest row still to export (pending or exporting) was received."""
    return sa.select(sa.func.min(documents.c.created_at)).where(
        (documents.c.account == account) & documents.c.state.in_([State.PENDING, State.EXPORTING])
    )


def browse_page(
    account: str,
    *,
    after: int,
    limit: int,
    state: str | None,
    kind: str | None,
    search: str | None,
    dated_from: str | None = None,
    dated_to: str | None = None,
) -> sa.Select[Any]:
    """Up to ``limit`` rows above id ``after``, filtered by state, kind, the document's date (ISO text, both ends
    included) and ``search``: a part of the TMS id, a load number, a document number (NetSuite's tranId) or the
    internal id of a record written."""
    condition = (documents.c.account == account) & (documents.c.id > after)
    if state is not None:
        condition &= documents.c.state == state
    if kind is not None:
        condition &= documents.c.kind == kind
    dated = documents.c.payload["date"].as_string()
    if dated_from:
        condition &= dated >= dated_from
    if dated_to:
        condition &= dated <= dated_to
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        written = sa.select(records.c.document_id).where(
            (records.c.account == account) & (records.c.internal_id == search)
        )
        condition &= sa.or_(
            documents.c.tms_id.ilike(f"%{escaped}%", escape="\\"),
            documents.c.payload[("references", "load_number")].as_string() == search,  # an invoice's
            documents.c.payload["load_number"].as_string() == search,  # a carrier bill's
            documents.c.payload["number"].as_string() == search,  # the TMS number, NetSuite's tranId
            documents.c.id.in_(written),
        )
    return sa.select(documents).where(condition).order_by(documents.c.id).limit(limit)


def doctor_runs_of(account: str, limit: int) -> sa.Select[Any]:
    """The latest doctor runs, newest first."""
    return (
        sa.select(doctor_runs.c.ran_at, doctor_runs.c.passed, doctor_runs.c.results)
        .where(doctor_runs.c.account == account)
        .order_by(doctor_runs.c.id.desc())
        .limit(limit)
    )


def versions_of(account: str, kind: str, tms_id: str) -> sa.Select[Any]:
    """Every version held of one document, oldest first."""
    return (
        sa.select(documents)
        .where((documents.c.account == account) & (documents.c.kind == kind) & (documents.c.tms_id == tms_id))
        .order_by(documents.c.version, documents.c.id)
    )


# History: attempts and activity per hour


def save_attempts() -> sa.Insert:
    """Attempts at document versions, one row per bound parameter set."""
    return attempts.insert()


def attempt_values(account: str, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The row of :func:`save_attempts` for one outcome."""
    error = outcome.error
    return {
        "account": account,
        "document_id": outcome.row_id,
        "attempt": outcome.attempt,
        "finished_at": now,
        "state": outcome.state,
        "outcome_unknown": outcome.outcome_unknown,
        "error_category": error.category if error else None,
        "error_code": error.code if error else None,
        "error_detail": error.detail if error else None,
        "error_cause": error.cause if error else None,
        "error_fix": error.fix if error else None,
        "requests": [request.as_json() for request in outcome.requests],
    }


def prune_attempts() -> sa.Delete:
    """A version's attempts older than the last ``keep`` (bound per row: ``document_id``, ``oldest_kept``).
    Attempt numbers only grow (each claim adds one), so the last N are those numbered above the newest - N."""
    return attempts.delete().where(
        (attempts.c.document_id == sa.bindparam("document_id"))
        & (attempts.c.attempt < sa.bindparam("oldest_kept"))
    )


def attempts_of(account: str, row_ids: Sequence[int]) -> sa.Select[Any]:
    """The attempts kept of these rows, oldest first."""
    return (
        sa.select(attempts)
        .where((attempts.c.account == account) & attempts.c.document_id.in_(list(row_ids)))
        .order_by(attempts.c.document_id, attempts.c.attempt, attempts.c.id)
    )


def add_activity(
    dialect: str, account: str, hour: datetime, *, requests: int, throttled: int, failed: int
) -> Any:
    """Add to an hour's counters (the row is made on its first use)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(activity).values(
        account=account, hour=hour, requests=requests, throttled=throttled, failed=failed
    )
    return statement.on_conflict_do_update(
        index_elements=[activity.c.account, activity.c.hour],
        set_={
            "requests": activity.c.requests + statement.excluded.requests,
            "throttled": activity.c.throttled + statement.excluded.throttled,
            "failed": activity.c.failed + statement.excluded.failed,
        },
    )


def activity_since(account: str, since: datetime) -> sa.Select[Any]:
    """The hours' counters from ``since`` on."""
    return (
        sa.select(activity.c.hour, activity.c.requests, activity.c.throttled, activity.c.failed)
        .where((activity.c.account == account) & (activity.c.hour >= since))
        .order_by(activity.c.hour)
    )


def written_per_hour(account: str, since: datetime, dialect: str) -> sa.Select[Any]:
    """How many records were (last) written in each hour from ``since`` on, the hour as text
    ``YYYY-MM-DD HH`` in UTC (SQLite keeps UTC without a zone; PostgreSQL's is converted)."""
    if dialect == "postgresql":
        hour = sa.func.to_char(sa.func.timezone("UTC", records.c.written_at), "YYYY-MM-DD HH24")
    else:
        hour = sa.func.strftime("%Y-%m-%d %H", records.c.written_at)
    return (
        sa.select(hour.label("hour"), sa.func.count())
        .where((records.c.account == account) & (records.c.written_at >= since))
        .group_by(hour)
    )


def attachments_of(account: str, kind: str, tms_id: str) -> sa.Select[Any]:
    """The attachment rows of one document (their TMS id is ``kind:id:slot``), oldest first."""
    prefix = f"{kind}:{tms_id}:".replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (
        sa.select(documents)
        .where(
            (documents.c.account == account)
            & (documents.c.kind == "attachment")
            & documents.c.tms_id.like(f"{prefix}%", escape="\\")
        )
        .order_by(documents.c.tms_id, documents.c.version, documents.c.id)
    )


def events_of(account: str, kind: str, tms_id: str) -> sa.Select[Any]:
    """The read-back events naming one document, oldest first."""
    return (
        sa.select(events)
        .where(
            (events.c.account == account)
            & (events.c.payload[("document", "kind")].as_string() == kind)
            & (events.c.payload[("document", "id")].as_string() == tms_id)
        )
        .order_by(events.c.seq)
    )
