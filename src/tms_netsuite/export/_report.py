"""What a run did, counted as it goes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class ExportReport:
    """What a run did. Counts are of document versions unless they say records or queries.

    ``synced`` … ``retried`` count this run's outcomes by the state each document was left in (``retried``: left
    pending for a later attempt); the command line shows the ledger's totals instead, which include earlier runs.
    """

    documents: int = 0
    synced: int = 0
    skipped: int = 0
    voided: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    records_written: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    http_429: int = 0
    existence_queries: int = 0
