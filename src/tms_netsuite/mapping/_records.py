"""What translation produces: NetSuite records to write, or why a document has none."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tms_netsuite.documents import Kind


class RecordType(StrEnum):
    """NetSuite REST record types the connector writes (camelCase, as the REST API Browser names them)."""

    CUSTOMER = "customer"
    VENDOR = "vendor"
    CUSTOMER_SUBSIDIARY_RELATIONSHIP = "customerSubsidiaryRelationship"
    VENDOR_SUBSIDIARY_RELATIONSHIP = "vendorSubsidiaryRelationship"
    INVOICE = "invoice"
    VENDOR_BILL = "vendorBill"
    VENDOR_CREDIT = "vendorCredit"
    VENDOR_PAYMENT = "vendorPayment"
    CUSTOMER_PAYMENT = "customerPayment"
    CREDIT_MEMO = "creditMemo"
    CUSTOMER_DEPOSIT = "customerDeposit"
    DEPOSIT_APPLICATION = "depositApplication"
    JOURNAL_ENTRY = "journalEntry"

    @property
    def table(self) -> str:
        """The SuiteQL table that holds records of this type."""
        return _SUITEQL[self][0]

    @property
    def transaction_type(self) -> str | None:
        """The code in the ``type`` column of SuiteQL's ``transaction`` table (``CustInvc``); None for entities."""
        return _SUITEQL[self][1]

    @property
    def ui_page(self) -> str | None:
        """The NetSuite UI page of a record of this type (``accounting/transactions/custinvc.nl``), for deep
        links; None when it has none of its own."""
        return _UI_PAGES.get(self)


# Where each record type is found by SuiteQL, and its transaction type code.
_SUITEQL: dict[RecordType, tuple[str, str | None]] = {
    RecordType.CUSTOMER: ("customer", None),
    RecordType.VENDOR: ("vendor", None),
    RecordType.CUSTOMER_SUBSIDIARY_RELATIONSHIP: ("customersubsidiaryrelationship", None),
    RecordType.VENDOR_SUBSIDIARY_RELATIONSHIP: ("vendorsubsidiaryrelationship", None),
    RecordType.INVOICE: ("transaction", "CustInvc"),
    RecordType.VENDOR_BILL: ("transaction", "VendBill"),
    RecordType.VENDOR_CREDIT: ("transaction", "VendCred"),
    RecordType.VENDOR_PAYMENT: ("transaction", "VendPymt"),
    RecordType.CUSTOMER_PAYMENT: ("transaction", "CustPymt"),
    RecordType.CREDIT_MEMO: ("transaction", "CustCred"),
    RecordType.CUSTOMER_DEPOSIT: ("transaction", "CustDep"),
    RecordType.DEPOSIT_APPLICATION: ("transaction", "DepAppl"),
    RecordType.JOURNAL_ENTRY: ("transaction", "Journal"),
}
_UI_PAGES = {
    RecordType.CUSTOMER: "common/entity/custjob.nl",
    RecordType.VENDOR: "common/entity/vendor.nl",
    RecordType.INVOICE: "accounting/transactions/custinvc.nl",
    RecordType.VENDOR_BILL: "accounting/transactions/vendbill.nl",
    RecordType.VENDOR_CREDIT: "accounting/transactions/vendcred.nl",
    RecordType.VENDOR_PAYMENT: "accounting/transactions/vendpymt.nl",
    RecordType.CUSTOMER_PAYMENT: "accounting/transactions/custpymt.nl",
    RecordType.CREDIT_MEMO: "accounting/transactions/custcred.nl",
    RecordType.CUSTOMER_DEPOSIT: "accounting/transactions/custdep.nl",
    RecordType.DEPOSIT_APPLICATION: "accounting/transactions/depappl.nl",
    RecordType.JOURNAL_ENTRY: "accounting/transactions/journal.nl",
}


class Operation(StrEnum):
    """How a record is written.

    - ``upsert``: ``PUT /record/v1/{type}/eid:{externalId}`` with the payload.
    - ``transform``: ``POST /record/v1/{source type}/{source id}/!transform/{type}`` with the payload, once;
      the source is another record of ours, named by `NetSuiteWrite.transform_from`.
    - ``delete``: ``DELETE /record/v1/{type}/eid:{externalId}``; a record that is not there is already gone.
    """

    UPSERT = "upsert"
    TRANSFORM = "transform"
    DELETE = "delete"


@dataclass(frozen=True, slots=True, order=True)
class RecordKey:
    """One of our NetSuite records: its type and external id."""

    record_type: RecordType
    external_id: str

    def __str__(self) -> str:
        return f"{self.record_type.value}/eid:{self.external_id}"


@dataclass(frozen=True, slots=True)
class NetSuiteWrite:
    """A record to write.

    In the payload a reference to a record NetSuite already has is ``{"id": "<internal id>"}``; a reference
    to one of our records that may not exist yet is ``{"externalId": "<its external id>"}`` and that record
    is listed in `depends_on`, so the engine writes it first and may swap in its internal id.
    `replace` names the sublists an update must replace rather than append to (``?replace=``).
    """

    record_type: RecordType
    external_id: str
    operation: Operation
    payload_json: str
    depends_on: tuple[RecordKey, ...] = ()
    transform_from: RecordKey | None = None
    replace: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        record_type: RecordType,
        external_id: str,
        payload: dict[str, Any],
        *,
        operation: Operation = Operation.UPSERT,
        depends_on: tuple[RecordKey, ...] = (),
        transform_from: RecordKey | None = None,
    ) -> NetSuiteWrite:
        """A write whose payload carries its external id and whose sublists are replaced on update."""
        body = {"externalId": external_id, **payload} if operation is not Operation.DELETE else {}
        sublists = tuple(name for name, value in body.items() if isinstance(value, dict) and "items" in value)
        return cls(
            record_type,
            external_id,
            operation,
            json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            tuple(dict.fromkeys(depends_on)),
            transform_from,
            sublists,
        )

    @property
    def key(self) -> RecordKey:
        """The record's type and external id."""
        return RecordKey(self.record_type, self.external_id)

    @property
    def payload(self) -> dict[str, Any]:
        """A fresh copy of the REST body (amounts are JSON numbers)."""
        result: dict[str, Any] = json.loads(self.payload_json)
        return result


@dataclass(frozen=True, slots=True)
class DocumentKey:
    """Which document version a translation is about."""

    kind: Kind
    id: str
    version: int

    def __str__(self) -> str:
        return f"{self.kind.value} {self.id} v{self.version}"


@dataclass(frozen=True, slots=True)
class TranslationProblem:
    """One reason a document cannot be translated: the field, the cause and the fix. A value, not an exception:
    translation collects every problem of a document into `Failed`."""

    document: DocumentKey
    field: str
    cause: str
    fix: str

    def __str__(self) -> str:
        return f"{self.document}, {self.field}: {self.cause}; {self.fix}"


@dataclass(frozen=True, slots=True)
class Translated:
    """The records a document becomes, in the order they must be written."""

    document: DocumentKey
    records: tuple[NetSuiteWrite, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A document that deliberately becomes nothing in NetSuite (not a failure)."""

    document: DocumentKey
    reason: str


@dataclass(frozen=True, slots=True)
class Failed:
    """A document that cannot be translated until the data or the mapping is fixed."""

    document: DocumentKey
    errors: tuple[TranslationProblem, ...]


Translation = Translated | Skipped | Failed
