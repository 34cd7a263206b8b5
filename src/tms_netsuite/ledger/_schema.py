"""The ledger's tables (SQLAlchemy Core). Migrations in ``migrations/`` create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone, so UTC is implied there)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the ledger stores timezone-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()


def _error_columns() -> list[sa.Column[Any]]:
    """A failure as the ledger keeps it (`ErrorInfo`): on a document's row and on each of its attempts."""
    return [
        sa.Column("error_category", sa.String(32), nullable=True),
        sa.Column("error_code", sa.String(100), nullable=True),
        sa.Column("error_detail", sa.Text(), nullable=True),
        sa.Column("error_cause", sa.Text(), nullable=True),
        sa.Column("error_fix", sa.Text(), nullable=True),
    ]


documents = sa.Table(
    "documents",
    metadata,
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("environment", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("tms_id", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("voided", sa.Boolean(), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.Column("outcome_unknown", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("blocked_on", sa.String(300), nullable=True),
    sa.Column("skip_reason", sa.Text(), nullable=True),
    *_error_columns(),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("account", "kind", "tms_id", "version", name="uq_documents_version"),
)
sa.Index("ix_documents_claim", documents.c.account, documents.c.state, documents.c.priority, documents.c.id)
sa.Index("ix_documents_identity", documents.c.account, documents.c.kind, documents.c.tms_id)

records = sa.Table(
    "records",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("record_type", sa.String(64), primary_key=True),
    sa.Column("external_id", sa.String(300), primary_key=True),
    sa.Column("internal_id", sa.String(32), nullable=False),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column(
        "document_id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        sa.ForeignKey("documents.id"),
        nullable=False,
    ),
    sa.Column("written_at", UTCDateTime(), nullable=False),
)
sa.Index("ix_records_document", records.c.document_id)

doctor_runs = sa.Table(
    "doctor_runs",
    metadata,
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("ran_at", UTCDateTime(), nullable=False),
    sa.Column("passed", sa.Boolean(), nullable=False),
    sa.Column("results", sa.JSON(), nullable=False),
)
sa.Index("ix_doctor_runs_account", doctor_runs.c.account, doctor_runs.c.passed, doctor_runs.c.id)

# Input lines that were not valid documents, kept until the same source is ingested again or a valid version
# of the same document arrives: `errors`, `status --state rejected` and `--json` show them.
rejected_lines = sa.Table(
    "rejected_lines",
    metadata,
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("source", sa.String(1000), nullable=False),
    sa.Column("line", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(40), nullable=True),
    sa.Column("tms_id", sa.String(200), nullable=True),
    sa.Column("issues", sa.JSON(), nullable=False),
    sa.Column("raw", sa.Text(), nullable=False),
    sa.Column("rejected_at", UTCDateTime(), nullable=False),
)
sa.Index(
    "ix_rejected_lines_account", rejected_lines.c.account, rejected_lines.c.source, rejected_lines.c.line
)

# The mapping the last export of an account translated with (a hash of its content): when it changes, documents
# that failed on the mapping are queued again.
mapping_hashes = sa.Table(
    "mapping_hashes",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("mapping_hash", sa.String(64), nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
)

# The concurrency limit 429s taught the account's exports (migration 0012): the next run starts there instead of
# finding it again from 5 with fresh 429s.
account_limits = sa.Table(
    "account_limits",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("learned_limit", sa.Integer(), nullable=False),
    sa.Column("learned_at", UTCDateTime(), nullable=False),
)

# The accounts a service exports for, and the API keys that reach them (migration 0005). Credentials are stored
# only as the ciphertext their owner made (Fernet); keys only as SHA-256 hashes.
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("slug", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(64), nullable=False),  # NetSuite's realm, e.g. 123456_SB1
    sa.Column("environment", sa.String(32), nullable=False),
    sa.Column("auth_method", sa.String(16), nullable=False),
    sa.Column("credentials", sa.Text(), nullable=False),
    sa.Column("mapping_toml", sa.Text(), nullable=False),
    sa.Column("mapping_version", sa.Integer(), nullable=False),
    sa.Column("mapping_hash", sa.String(64), nullable=False),
    sa.Column("concurrency_override", sa.Integer(), nullable=True),
    sa.Column("learned_limit", sa.Integer(), nullable=True),
    sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("pause_reason", sa.Text(), nullable=True),
    sa.Column("doctor_due", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column("doctor_report", sa.JSON(), nullable=True),
    sa.Column("doctor_ran_at", UTCDateTime(), nullable=True),
    sa.Column("last_run", sa.JSON(), nullable=True),
    sa.Column("last_run_at", UTCDateTime(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("account_id", name="uq_accounts_account_id"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("account_slug", sa.String(64), nullable=True),  # None: an administrator's key
    sa.Column("read_only", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)
# Read-back (migration 0006): what NetSuite holds of the records we wrote and of those applied to them, the events
# their changes became (the outbox, written in the same transaction as the snapshot that saw the change), and the
# webhook endpoints and deliveries that carry the events to the TMS.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

readback_cursors = sa.Table(
    "readback_cursors",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column(
        "cursor_at", UTCDateTime(), nullable=False
    ),  # NetSuite's serverTime as the last full pass began
    sa.Column("offset_seconds", sa.Integer(), nullable=False),  # the users' time zone's offset from UTC then
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

readback_records = sa.Table(
    "readback_records",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("internal_id", sa.String(32), primary_key=True),
    sa.Column("record_type", sa.String(64), nullable=False),
    sa.Column("external_id", sa.String(300), nullable=True),
    sa.Column("url", sa.String(500), nullable=True),
    sa.Column("tms_kind", sa.String(40), nullable=True),
    sa.Column("tms_id", sa.String(200), nullable=True),
    sa.Column("tms_version", sa.Integer(), nullable=True),
    sa.Column("last_modified", sa.String(19), nullable=False),  # users' local time, 'YYYY-MM-DD HH:MM:SS'
    sa.Column("total", sa.String(40), nullable=False),
    sa.Column("amount_remaining", sa.String(40), nullable=True),
    sa.Column("status", sa.String(8), nullable=True),
    sa.Column("line_count", sa.Integer(), nullable=True),
    sa.Column("voided", sa.Boolean(), nullable=False),
    sa.Column("deleted", sa.Boolean(), nullable=False),
    sa.Column("seen_at", UTCDateTime(), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("dedupe_key", sa.String(300), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("written_at", UTCDateTime(), nullable=True),  # by `sync-back --out`
    sa.UniqueConstraint("event_id", name="uq_events_event_id"),
    sa.UniqueConstraint("account", "dedupe_key", name="uq_events_dedupe"),
)
sa.Index("ix_events_account_seq", events.c.account, events.c.seq)

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.Text(), nullable=False),  # encrypted (accounts.SecretBox, the credentials' key)
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("disabled_reason", sa.Text(), nullable=True),
    sa.Column("enqueued_through", _ID, nullable=False),  # the last event seq given a delivery to it
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
sa.Index("ix_webhook_endpoints_account", webhook_endpoints.c.account)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("endpoint_id", _ID, sa.ForeignKey("webhook_endpoints.id"), primary_key=True),
    sa.Column("event_seq", _ID, sa.ForeignKey("events.seq"), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),  # pending, delivered, failed
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("first_failed_at", UTCDateTime(), nullable=True),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("delivered_at", UTCDateTime(), nullable=True),
)
sa.Index("ix_webhook_deliveries_due", webhook_deliveries.c.state, webhook_deliveries.c.next_attempt_at)

# History (migration 0008): each attempt at a document version, written in the transaction that settles it (the
# last few per version are kept), and an account's activity per hour (requests and 429s flushed per run,
# documents failed counted as they settle; records written are counted from `records.written_at`).
attempts = sa.Table(
    "attempts",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("document_id", _ID, sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("attempt", sa.Integer(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("outcome_unknown", sa.Boolean(), nullable=False),
    *_error_columns(),
    sa.Column("requests", sa.JSON(), nullable=False),
)
sa.Index("ix_attempts_document", attempts.c.document_id, attempts.c.attempt)

activity = sa.Table(
    "activity",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("hour", UTCDateTime(), primary_key=True),
    sa.Column("requests", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("throttled", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer(), nullable=False, server_default="0"),
)
