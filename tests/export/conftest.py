"""The engine runs against both ledger backends: the fixtures of the ledger's contract suite."""

from __future__ import annotations

from tests.ledger.conftest import clock, database_url

__all__ = ["clock", "database_url"]
