"""Read-back: the cursor, what NetSuite held of our records when last read, the events (an outbox) and the
webhook endpoints and deliveries that carry them to the TMS.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tms_netsuite.ledger._schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "readback_cursors",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("cursor_at", UTCDateTime(), nullable=False),
        sa.Column("offset_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "readback_records",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("internal_id", sa.String(32), primary_key=True),
        sa.Column("record_type", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(300), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("tms_kind", sa.String(40), nullable=True),
        sa.Column("tms_id", sa.String(200), nullable=True),
        sa.Column("tms_version", sa.Integer(), nullable=True),
        sa.Column("last_modified", sa.String(19), nullable=False),
        sa.Column("total", sa.String(40), nullable=False),
        sa.Column("amount_remaining", sa.String(40), nullable=True),
        sa.Column("status", sa.String(8), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", _ID, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        sa.UniqueConstraint("account", "dedupe_key", name="uq_events_dedupe"),
    )
    op.create_index("ix_events_account_seq", "events", ["account", "seq"])
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("enqueued_through", _ID, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_webhook_endpoints_account", "webhook_endpoints", ["account"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("endpoint_id", _ID, sa.ForeignKey("webhook_endpoints.id"), primary_key=True),
        sa.Column("event_seq", _ID, sa.ForeignKey("events.seq"), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("first_failed_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_table("events")
    op.drop_table("readback_records")
    op.drop_table("readback_cursors")
