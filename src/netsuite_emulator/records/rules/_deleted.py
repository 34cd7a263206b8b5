"""Deletions, as NetSuite lists them in the DeletedRecord table (see ``store/_schema.py`` for its sources)."""

from __future__ import annotations

from netsuite_emulator.records._io import Ctx


def record_deletion(ctx: Ctx, record_type: str, record_id: int, name: str | None) -> None:
    """Note in ``deletedrecord`` that ``record_id`` of ``record_type`` was deleted now, by the request's user."""
    ctx.conn.execute(
        "INSERT INTO deletedrecord (recordid, type, name, deleteddate, deletedby, context) VALUES (?, ?, ?, ?, ?, ?)",
        (record_id, record_type, name, ctx.stamp(), ctx.user, ctx.context),
    )
