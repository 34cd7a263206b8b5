"""Translation under the account's setup (issue 14): Payment Instruments, vendor bill approval routing and the
closed-period policy, against the demo mapping and reference data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.documents import factories as f
from tms_netsuite.documents import validate_document
from tms_netsuite.mapping import (
    BillApproval,
    ClosedPeriod,
    Failed,
    MappingConfig,
    Period,
    ReferenceData,
    Translated,
    translate,
)


def _period(pid: str, name: str, month: int, **state: bool) -> Period:
    start = dt.date(2026, month, 1)
    end = dt.date(2026 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(id=pid, name=name, start=start, end=end, **state)


PERIODS = (
    _period("10", "Oct 2026", 10, closed=True),
    _period("11", "Nov 2026", 11, ap_locked=True),
    _period("12", "Dec 2026", 12),
)


def _with(mapping: MappingConfig, **options: object) -> MappingConfig:
    return mapping.model_copy(update={"options": mapping.options.model_copy(update=options)})


def test_payment_option_where_payment_instruments_is_on(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    document = validate_document(f.customer_payment())
    on = translate(document, mapping, dataclasses.replace(reference, payment_instruments=True))
    off = translate(document, mapping, dataclasses.replace(reference, payment_instruments=False))
    assert isinstance(on, Translated)
    assert isinstance(off, Translated)
    assert "paymentOption" in on.records[0].payload
    assert "paymentMethod" not in on.records[0].payload
    assert off.records[0].payload["paymentMethod"] == on.records[0].payload["paymentOption"]


@pytest.mark.parametrize(
    ("routing", "policy", "approved"),
    [
        (True, BillApproval.APPROVE, True),
        (True, BillApproval.LEAVE, False),
        (False, BillApproval.APPROVE, False),
    ],
)
def test_bills_are_approved_only_when_routed_and_asked(
    mapping: MappingConfig, reference: ReferenceData, routing: bool, policy: BillApproval, approved: bool
) -> None:
    result = translate(
        validate_document(f.carrier_bill()),
        _with(mapping, bill_approval=policy),
        dataclasses.replace(reference, bill_approval_routing=routing),
    )
    assert isinstance(result, Translated)
    assert ("approvalStatus" in result.records[0].payload) is approved
    if approved:
        assert result.records[0].payload["approvalStatus"] == {"id": "2"}


def test_closed_period_fail_names_the_period_and_the_fix(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    document = validate_document({**f.invoice(), "date": "2026-10-05"})
    result = translate(document, mapping, dataclasses.replace(reference, periods=PERIODS))
    assert isinstance(result, Failed)
    (problem,) = result.errors
    assert "2026-10-05 falls in Oct 2026, which is closed" in problem.cause
    assert "next_open_period" in problem.fix


def test_next_open_period_skips_a_period_locked_for_the_side(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """October is closed; November is locked for A/P only: an invoice posts in November, a bill in December."""
    moved = _with(mapping, closed_period=ClosedPeriod.NEXT_OPEN_PERIOD)
    known = dataclasses.replace(reference, periods=PERIODS)
    invoice = translate(validate_document({**f.invoice(), "date": "2026-10-05"}), moved, known)
    bill = translate(validate_document({**f.carrier_bill(), "date": "2026-10-05"}), moved, known)
    assert isinstance(invoice, Translated)
    assert isinstance(bill, Translated)
    assert (invoice.records[0].payload["postingPeriod"], invoice.records[0].payload["tranDate"]) == (
        {"id": "11"},
        "2026-10-05",
    )
    assert bill.records[0].payload["postingPeriod"] == {"id": "12"}
    assert bill.records[0].payload["externalId"] == bill.records[0].external_id


def test_open_periods_and_unknown_periods_leave_the_record_as_it_is(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    document = validate_document({**f.invoice(), "date": "2026-12-05", "due_date": "2026-12-31"})
    with_periods = translate(document, mapping, dataclasses.replace(reference, periods=PERIODS))
    without = translate(document, mapping, reference)
    assert isinstance(with_periods, Translated)
    assert isinstance(without, Translated)
    assert with_periods.records == without.records
    assert "postingPeriod" not in with_periods.records[0].payload
