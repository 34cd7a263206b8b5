"""The export engine: ledger rows → NetSuite records, exactly once, governed to the account's limit."""

from __future__ import annotations

from tms_netsuite.export._engine import Exporter, RunStopped
from tms_netsuite.export._governor import Backoff, ConcurrencyGovernor, GovernorStats
from tms_netsuite.export._ingest import (
    KIND_PRIORITY,
    IngestResult,
    ingest_documents,
    ingest_lines,
    ledger_item,
)
from tms_netsuite.export._reference import load_reference_data
from tms_netsuite.export._report import ExportReport

__all__ = [
    "KIND_PRIORITY",
    "Backoff",
    "ConcurrencyGovernor",
    "ExportReport",
    "Exporter",
    "GovernorStats",
    "IngestResult",
    "RunStopped",
    "ingest_documents",
    "ingest_lines",
    "ledger_item",
    "load_reference_data",
]
