"""A record type's fields as this account has them: NetSuite's record structure follows the account's features
and preferences ("the record structure can vary based on your specific NetSuite setup", ORA/chapter_1540810168.html),
and so does the metadata catalog that describes it.

- Payment Instruments (feature id ``PAYMENTINSTRUMENTS``, a guess of its runtime.isFeatureInEffect name): customer
  payments and deposits carry ``paymentOption`` and no ``paymentMethod`` (the 2026.1 record schemas of an account
  with the feature, wsjmnh/netsuite-record-rest-docs ``docs/schemas/customerPayment.md``, ``customerDeposit.md``;
  ORA/article_0303073218.html). Without the feature the emulator offers ``paymentMethod`` only.
- Vendor bill approval routing (Accounting Preferences > Approval Routing): vendor bills carry ``approvalStatus``
  (ids 1 Pending Approval, 2 Approved, 3 Rejected; 11 is in the 2026.1 enum, meaning not found). That the field is
  absent from the schema without routing is the emulator's guess (the form shows it only then).
"""

from __future__ import annotations

import dataclasses
import functools

from ._fields import Field, RecordType, rw

PAYMENT_INSTRUMENTS = "PAYMENTINSTRUMENTS"
PAYMENT_OPTION = rw("paymentOption", "paymentmethod", "ref", "paymentmethod", label="Payment Option")
APPROVAL_STATUS = rw("approvalStatus", "approvalstatus", "enum", label="Approval Status")
APPROVAL_NAMES = {"1": "Pending Approval", "2": "Approved", "3": "Rejected"}
PENDING_APPROVAL, APPROVED, REJECTED = 1, 2, 3

_PAYMENT_TYPES = frozenset({"customerpayment", "customerdeposit"})
_SHAPED = _PAYMENT_TYPES | {"vendorbill"}


def account_view(rt: RecordType, *, payment_instruments: bool, bill_approval: bool) -> RecordType:
    """``rt`` with the fields this account's features and preferences give it."""
    if rt.key not in _SHAPED:
        return rt
    return _shaped(rt, payment_instruments, bill_approval)


@functools.cache
def _shaped(rt: RecordType, payment_instruments: bool, bill_approval: bool) -> RecordType:
    fields: tuple[Field, ...] = rt.fields
    if payment_instruments and rt.key in _PAYMENT_TYPES:
        fields = tuple(PAYMENT_OPTION if f.name == "paymentMethod" else f for f in fields)
    if bill_approval and rt.key == "vendorbill":
        fields = (*fields, APPROVAL_STATUS)
    return rt if fields is rt.fields else dataclasses.replace(rt, fields=fields)
