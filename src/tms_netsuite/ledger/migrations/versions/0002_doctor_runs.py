"""The doctor's runs, so a later run can say what changed (permissions removed after the token was issued).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tms_netsuite.ledger._schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "doctor_runs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("ran_at", UTCDateTime(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
    )
    op.create_index("ix_doctor_runs_account", "doctor_runs", ["account", "passed", "id"])


def downgrade() -> None:
    op.drop_table("doctor_runs")
