"""Worker processes on a PostgreSQL ledger: `tms-netsuite worker`, as many as wanted on as many machines as share
the database, coordinated by procrastinate's job queue (its tables come with the ledger's migration 0013).

`Workers` holds the queue (its tasks: drain, doctor, read-back, delivery, the sweep, the cleanup) and runs a
worker process's share of the jobs; its :meth:`Workers.scheduler` is the service's scheduler of each kind on such a
ledger.
"""

from __future__ import annotations

from tms_netsuite.workers._queue import Workers, WorkerSettings

__all__ = ["WorkerSettings", "Workers"]
