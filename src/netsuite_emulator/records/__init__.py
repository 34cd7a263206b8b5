"""REST record service: the record types the emulator models, their reading and writing, and NetSuite's
business rules for each family (lists, entities, transactions, their lines and balances)."""

from __future__ import annotations

from ._filter import parse_query
from ._io import RecordError
from ._service import RecordService

__all__ = ["RecordError", "RecordService", "parse_query"]
