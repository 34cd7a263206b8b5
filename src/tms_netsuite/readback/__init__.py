"""Back from NetSuite: what changed in the records the connector wrote (paid, partly paid, edited, voided,
deleted) and in those applied to them, read incrementally by SuiteQL and kept as events in the ledger's outbox."""

from __future__ import annotations

from tms_netsuite.readback._sync import DEFAULT_OVERLAP, SyncReport, sync_back

__all__ = ["DEFAULT_OVERLAP", "SyncReport", "sync_back"]
