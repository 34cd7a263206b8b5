"""Why a row was skipped gets a column of its own; until now it rode in ``blocked_on``, which names a dependency.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("skip_reason", sa.Text(), nullable=True))
    op.execute(
        "UPDATE documents SET skip_reason = blocked_on, blocked_on = NULL"
        " WHERE state = 'skipped' AND blocked_on IS NOT NULL"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE documents SET blocked_on = substr(skip_reason, 1, 300)"
        " WHERE state = 'skipped' AND skip_reason IS NOT NULL"
    )
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("skip_reason")
