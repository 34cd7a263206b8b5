"""Facts about the record types the connector writes, read by the engine and the benchmark."""

from __future__ import annotations

from tms_netsuite.mapping import RecordType


def test_every_record_type_is_found_by_suiteql() -> None:
    """Entities and relationships have a table of their own; transactions share one, told apart by type."""
    for record_type in RecordType:
        assert record_type.table
        assert (record_type.table == "transaction") == (record_type.transaction_type is not None)
    assert (RecordType.INVOICE.table, RecordType.INVOICE.transaction_type) == ("transaction", "CustInvc")
    assert RecordType.CUSTOMER_SUBSIDIARY_RELATIONSHIP.table == "customersubsidiaryrelationship"


def test_record_types_without_a_page_of_their_own() -> None:
    """Deep links fall back to a search for the relationships, which have no page."""
    assert RecordType.INVOICE.ui_page == "accounting/transactions/custinvc.nl"
    assert {t for t in RecordType if t.ui_page is None} == {
        RecordType.CUSTOMER_SUBSIDIARY_RELATIONSHIP,
        RecordType.VENDOR_SUBSIDIARY_RELATIONSHIP,
    }
