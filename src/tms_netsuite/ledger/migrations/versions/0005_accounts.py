"""The service's accounts (credentials as ciphertext, the mapping, limits, pause, the last doctor report) and its
API keys (hashes only).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tms_netsuite.ledger._schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("slug", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
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
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("account_slug", sa.String(64), nullable=True),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("accounts")
