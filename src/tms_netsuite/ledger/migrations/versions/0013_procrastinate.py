"""The job queue's tables (procrastinate 3.10's schema, kept beside this file), so that one `tms-netsuite migrate`
prepares a PostgreSQL ledger for worker processes. SQLite has no workers: nothing to do there.

The schema is a copy frozen with this migration, not read from the installed package: a later procrastinate
brings its own migration scripts, which a later migration of ours applies in turn.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from pathlib import Path

from alembic import op
from sqlalchemy.util import await_only

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SCHEMA = Path(__file__).with_name("procrastinate-3.10.0-schema.sql")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The script is many statements with PL/pgSQL bodies: asyncpg's simple-query execute runs it whole, in the
    # migration's transaction (same connection), where a prepared statement takes one statement only.
    driver = bind.connection.driver_connection
    assert driver is not None
    await_only(driver.execute(SCHEMA.read_text(encoding="utf-8")))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    driver = bind.connection.driver_connection
    assert driver is not None
    # Every object the schema made is named procrastinate_*: tables (with their triggers and indexes), then
    # functions, then types.
    await_only(
        driver.execute(
            """
            DO $$
            DECLARE item record;
            BEGIN
                FOR item IN SELECT tablename FROM pg_tables
                        WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
                    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
                END LOOP;
                FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                        JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
                    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
                END LOOP;
                FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                        WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                        AND t.typtype IN ('e', 'c') LOOP
                    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
                END LOOP;
            END $$;
            """
        )
    )
