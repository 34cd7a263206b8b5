"""`tms-netsuite serve`: TMS documents in over HTTP for many NetSuite accounts, exported continuously.

`Service` holds the accounts and runs each one's exports (through an `ExportScheduler`: tasks in this process
by default, in `_scheduler`); `create_app` is the HTTP API over it (FastAPI); `configure_logging` sets text or JSON logs.
"""

from __future__ import annotations

from tms_netsuite.service._app import MAX_BYTES, MAX_DOCUMENTS, create_app, openapi_document
from tms_netsuite.service._observe import configure_logging
from tms_netsuite.service._service import Service

__all__ = [
    "MAX_BYTES",
    "MAX_DOCUMENTS",
    "Service",
    "configure_logging",
    "create_app",
    "openapi_document",
]
