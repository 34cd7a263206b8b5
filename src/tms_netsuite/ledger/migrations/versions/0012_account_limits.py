"""The concurrency limit 429s taught an account's exports, kept so the next run starts there (issue 22).

Revision ID: 0012
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tms_netsuite.ledger._schema import UTCDateTime

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_limits",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("learned_limit", sa.Integer(), nullable=False),
        sa.Column("learned_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_limits")
