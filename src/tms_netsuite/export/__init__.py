"""The export engine: ledger rows → NetSuite records, exactly once, governed to the account's limit."""

from __future__ import annotations

from tms_netsuite.export._backfill import BackfillSettings
from tms_netsuite.export._engine import Exporter, RunStopped
from tms_netsuite.export._ingest import (
    KIND_PRIORITY,
    IngestResult,
    ingest_documents,
    ingest_lines,
)
from tms_netsuite.export._report import ExportReport

__all__ = [
    "KIND_PRIORITY",
    "BackfillSettings",
    "ExportReport",
    "Exporter",
    "IngestResult",
    "RunStopped",
    "ingest_documents",
    "ingest_lines",
]
