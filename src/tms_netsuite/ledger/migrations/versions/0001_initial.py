"""The first ledger: document versions and the NetSuite records they became.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tms_netsuite.ledger._schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
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
        sa.Column("error_category", sa.String(32), nullable=True),
        sa.Column("error_code", sa.String(100), nullable=True),
        sa.Column("error_detail", sa.Text(), nullable=True),
        sa.Column("error_cause", sa.Text(), nullable=True),
        sa.Column("error_fix", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("account", "kind", "tms_id", "version", name="uq_documents_version"),
    )
    op.create_index("ix_documents_claim", "documents", ["account", "state", "priority", "id"])
    op.create_index("ix_documents_identity", "documents", ["account", "kind", "tms_id"])
    op.create_table(
        "records",
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
    op.create_index("ix_records_document", "records", ["document_id"])


def downgrade() -> None:
    op.drop_table("records")
    op.drop_table("documents")
