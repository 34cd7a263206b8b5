"""Rejected input lines are kept (line, fields, reasons, the raw line), and the hash of the mapping the last
export used, so documents that failed on the mapping are queued again when it changes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tms_netsuite.ledger._schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rejected_lines",
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
    op.create_index("ix_rejected_lines_account", "rejected_lines", ["account", "source", "line"])
    op.create_table(
        "mapping_hashes",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("mapping_hash", sa.String(64), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mapping_hashes")
    op.drop_table("rejected_lines")
