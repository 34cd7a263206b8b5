"""What a run did, counted as it goes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class ExportReport:
    """What a run did. Counts are of document versions unless they say records or queries.

    ``synced`` … ``rescheduled`` count this run's outcomes by the state each document was left in
    (``rescheduled``: pending again, for a later attempt); the command line shows the ledger's totals of the
    states instead, which include earlier runs. Requests repeated in place (after a 429) are not rescheduling.
    """

    documents: int = 0
    synced: int = 0
    skipped: int = 0
    voided: int = 0
    failed: int = 0
    blocked: int = 0
    rescheduled: int = 0
    records_written: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    http_429: int = 0
    existence_queries: int = 0
    files_uploaded: int = 0  # File Cabinet files created
    files_attached: int = 0  # files attached to transactions (repeats after an unknown outcome included)
    files_detached: int = 0  # older files taken off a transaction that a newer version's file replaced
    batch_jobs: int = 0  # asynchronous batch requests submitted (a backfill)
    batched: int = 0  # records created through them
    in_other_runs: int = 0  # at the run's end, documents other live runs were exporting (theirs to finish)
