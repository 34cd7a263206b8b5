"""Alembic environment: migrations run on the connection the ledger hands over (async engines run them sync)."""

from __future__ import annotations

from alembic import context

from tms_netsuite.ledger._schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
