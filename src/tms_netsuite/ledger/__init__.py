"""The durable ledger of document versions and the NetSuite records they became."""

from __future__ import annotations

from tms_netsuite.ledger._failures import FailureGroup, group_failures
from tms_netsuite.ledger._ledger import Ledger
from tms_netsuite.ledger._model import (
    AWAITS_APPROVAL,
    MAPPING_ERROR_CODE,
    Attempt,
    Claimed,
    Conflict,
    ErrorInfo,
    IngestItem,
    IngestSummary,
    LedgerRow,
    Outcome,
    RejectedLine,
    SentRequest,
    State,
    Timeline,
    WrittenRecord,
    content_hash,
)
from tms_netsuite.ledger._open import LedgerUnavailable
from tms_netsuite.ledger._readback import (
    Cursor,
    Delivery,
    NewEvent,
    OurRecord,
    ReadbackLedger,
    Snapshot,
    StoredEvent,
)
from tms_netsuite.ledger._registry import AccountExists, AccountRecord, ApiKeyRecord, Registry, UnknownAccount
from tms_netsuite.ledger._url import DEFAULT_LEDGER_PATH, ledger_url

__all__ = [
    "AWAITS_APPROVAL",
    "DEFAULT_LEDGER_PATH",
    "MAPPING_ERROR_CODE",
    "AccountExists",
    "AccountRecord",
    "ApiKeyRecord",
    "Attempt",
    "Claimed",
    "Conflict",
    "Cursor",
    "Delivery",
    "ErrorInfo",
    "FailureGroup",
    "IngestItem",
    "IngestSummary",
    "Ledger",
    "LedgerRow",
    "LedgerUnavailable",
    "NewEvent",
    "OurRecord",
    "Outcome",
    "ReadbackLedger",
    "Registry",
    "RejectedLine",
    "SentRequest",
    "Snapshot",
    "State",
    "StoredEvent",
    "Timeline",
    "UnknownAccount",
    "WrittenRecord",
    "content_hash",
    "group_failures",
    "ledger_url",
]
