"""Mapping configuration and translation: TMS documents → the NetSuite records to write.

Load a TOML mapping with `load_mapping` (every problem reported with its key and line), check it against
an account's lists with `check_mapping`, then `translate` each document; translation is pure.
"""

from __future__ import annotations

from tms_netsuite.mapping._check import SubsidiaryFit, check_mapping, subsidiary_fit
from tms_netsuite.mapping._config import (
    AccountRole,
    BillApproval,
    ClosedPeriod,
    CompanyDriverSettlements,
    MappingConfig,
)
from tms_netsuite.mapping._external_ids import Suffix, decode_id, document_of, encode_id, external_id
from tms_netsuite.mapping._loader import (
    MappingError,
    demo_mapping_path,
    load_mapping,
    parse_mapping,
)
from tms_netsuite.mapping._propose import Candidate, Proposal, ProposedEntry, propose_mapping, render_mapping
from tms_netsuite.mapping._records import (
    Failed,
    NetSuiteWrite,
    Operation,
    RecordKey,
    RecordType,
    Skipped,
    Translated,
    Translation,
)
from tms_netsuite.mapping._reference import (
    Account,
    AccountType,
    Currency,
    Entity,
    Item,
    ListKind,
    ListRecord,
    Period,
    ReferenceData,
    Subsidiary,
)
from tms_netsuite.mapping._related import Related, lookups
from tms_netsuite.mapping._resolve import ROLE_TYPES, book_entries, target_of
from tms_netsuite.mapping._translate import translate

__all__ = [
    "ROLE_TYPES",
    "Account",
    "AccountRole",
    "AccountType",
    "BillApproval",
    "Candidate",
    "ClosedPeriod",
    "CompanyDriverSettlements",
    "Currency",
    "Entity",
    "Failed",
    "Item",
    "ListKind",
    "ListRecord",
    "MappingConfig",
    "MappingError",
    "NetSuiteWrite",
    "Operation",
    "Period",
    "Proposal",
    "ProposedEntry",
    "RecordKey",
    "RecordType",
    "ReferenceData",
    "Related",
    "Skipped",
    "Subsidiary",
    "SubsidiaryFit",
    "Suffix",
    "Translated",
    "Translation",
    "book_entries",
    "check_mapping",
    "decode_id",
    "demo_mapping_path",
    "document_of",
    "encode_id",
    "external_id",
    "load_mapping",
    "lookups",
    "parse_mapping",
    "propose_mapping",
    "render_mapping",
    "subsidiary_fit",
    "target_of",
    "translate",
]
