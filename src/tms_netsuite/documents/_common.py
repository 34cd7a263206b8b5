"""Building blocks shared by every document kind: enums, constrained text, money, parties."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from tms_netsuite.documents._currencies import ISO_4217_CODES, minor_units

SCHEMA_VERSION = 1

# A document location: field names and list indexes, as pydantic reports them.
Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


class Kind(StrEnum):
    """The kinds of TMS accounting documents."""

    CUSTOMER = "customer"
    CARRIER = "carrier"
    DRIVER = "driver"
    INVOICE = "invoice"
    CARRIER_BILL = "carrier_bill"
    DRIVER_SETTLEMENT = "driver_settlement"
    CUSTOMER_PAYMENT = "customer_payment"
    BILL_PAYMENT = "bill_payment"
    CREDIT_MEMO = "credit_memo"
    VENDOR_CREDIT = "vendor_credit"
    CUSTOMER_DEPOSIT = "customer_deposit"
    DEPOSIT_APPLICATION = "deposit_application"
    JOURNAL_ENTRY = "journal_entry"


class Status(StrEnum):
    """Whether a document version is in force or voided in the TMS."""

    ACTIVE = "active"
    VOID = "void"


class TripType(StrEnum):
    """How a load moved: brokered out to a carrier, or on the company's own trucks."""

    BROKERAGE = "brokerage"
    CARRIER = "carrier"


class DriverType(StrEnum):
    """Owner-operators are paid as vendors; company (W2) drivers through payroll."""

    OWNER_OPERATOR = "owner_operator"
    COMPANY = "company"


class ChargeCategory(StrEnum):
    """What a charge line is, for the category level of the mapping's charge-code fallback."""

    LINEHAUL = "linehaul"
    FUEL_SURCHARGE = "fuel_surcharge"
    ACCESSORIAL = "accessorial"
    ADJUSTMENT = "adjustment"
    CLAIM = "claim"


class Unit(StrEnum):
    """What a charge line's quantity counts; for ``percent`` it is the base amount and the rate the fraction."""

    FLAT = "flat"
    MILE = "mile"
    HOUR = "hour"
    STOP = "stop"
    EACH = "each"
    PERCENT = "percent"


class DeductionCategory(StrEnum):
    """What an owner-operator deduction recovers."""

    FUEL = "fuel"
    INSURANCE = "insurance"
    EQUIPMENT = "equipment"
    LOAN = "loan"
    OTHER = "other"


class VendorKind(StrEnum):
    """Which TMS party a NetSuite vendor stands for."""

    CARRIER = "carrier"
    DRIVER = "driver"


class BillKind(StrEnum):
    """Documents that become vendor bills and can be paid or credited."""

    CARRIER_BILL = "carrier_bill"
    DRIVER_SETTLEMENT = "driver_settlement"


class CreditReason(StrEnum):
    """Why a customer is credited."""

    REBILL = "rebill"
    SHORT_PAY = "short_pay"
    DISPUTE = "dispute"
    WRITE_OFF = "write_off"


class VendorCreditReason(StrEnum):
    """Why a carrier or owner-operator owes money back."""

    CARGO_CLAIM = "cargo_claim"
    CHARGEBACK = "chargeback"
    OVERPAYMENT = "overpayment"
    OTHER = "other"


class JournalPurpose(StrEnum):
    """The within-subsidiary entries the TMS posts as journals."""

    ACCRUAL = "accrual"
    FACTORING = "factoring"
    ESCROW = "escrow"
    ADVANCE = "advance"
    OTHER = "other"


class EntityKind(StrEnum):
    """TMS parties a journal line can name."""

    CUSTOMER = "customer"
    CARRIER = "carrier"
    DRIVER = "driver"


# Unicode's categories Cc (control characters) and Cs (surrogates), every code point of both: one regular
# expression search per string instead of a category lookup per character (a quarter of validating a document).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _reject_control(value: str) -> str:
    found = _CONTROL.search(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "contains control character or lone surrogate U+{code} at position {position}",
            {"code": f"{ord(found.group()):04X}", "position": found.start()},
        )
    return value


# The JSON Schema twin of _reject_control, so that other implementations enforce the same rule.
_NO_CONTROL_PATTERN = "^[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]*$"


_NO_CONTROL = AfterValidator(_reject_control)
_NO_CONTROL_SCHEMA = Field(json_schema_extra={"pattern": _NO_CONTROL_PATTERN})
_SHORT = StringConstraints(min_length=1, max_length=64)

Name = Annotated[str, StringConstraints(min_length=1, max_length=83), _NO_CONTROL, _NO_CONTROL_SCHEMA]
"""A party's name; NetSuite's companyName holds 83 characters."""
LongText = Annotated[str, StringConstraints(min_length=1, max_length=999), _NO_CONTROL, _NO_CONTROL_SCHEMA]
"""Free text such as a memo (NetSuite's memo limit)."""
ShortText = Annotated[str, _SHORT, _NO_CONTROL, _NO_CONTROL_SCHEMA]
TmsId = Annotated[str, _SHORT, _NO_CONTROL, _NO_CONTROL_SCHEMA]
Code = Annotated[str, _SHORT, _NO_CONTROL, _NO_CONTROL_SCHEMA]
CompanyKey = Annotated[str, _SHORT, _NO_CONTROL, _NO_CONTROL_SCHEMA]
NetSuiteId = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,17}$")]
Version = Annotated[int, Field(ge=1, le=2_147_483_647, strict=True)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
# 15 significant digits: exact in the JSON numbers NetSuite reads, and far above any freight amount.
Amount = Annotated[Decimal, Field(max_digits=15, decimal_places=4, allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(max_digits=12, decimal_places=4, allow_inf_nan=False)]
Rate = Annotated[Decimal, Field(max_digits=15, decimal_places=5, allow_inf_nan=False)]


def _check_currency(value: str) -> str:
    if value not in ISO_4217_CODES:
        raise PydanticCustomError("currency", "{value!r} is not an ISO 4217 currency code", {"value": value})
    return value


CurrencyCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_check_currency),
]


class Frozen(BaseModel):
    """Base of every document value: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(Frozen):
    """An amount in a currency; its decimal places follow the currency's minor units."""

    amount: Amount
    currency: CurrencyCode

    @model_validator(mode="after")
    def _minor_units(self) -> Money:
        places = minor_units(self.currency)
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-places)):
            raise PydanticCustomError(
                "currency_precision",
                "{currency} amounts have at most {places} decimal places",
                {"currency": self.currency, "places": places},
            )
        return self


class Address(Frozen):
    """A postal address."""

    line1: ShortText
    line2: ShortText | None = None
    city: ShortText
    state: ShortText | None = None
    postal_code: ShortText | None = None
    country: CountryCode


class PartyRef(Frozen):
    """A TMS party as a transaction names it: TMS id, name, and the NetSuite id if the TMS stores one."""

    id: TmsId
    name: Name
    netsuite_id: NetSuiteId | None = None


class VendorRef(PartyRef):
    """A party paid as a NetSuite vendor: a carrier or an owner-operator."""

    kind: VendorKind = VendorKind.CARRIER


class EntityRef(PartyRef):
    """A party named on a journal line."""

    kind: EntityKind


class BillRef(Frozen):
    """A bill another document applies to, by kind and TMS id."""

    kind: BillKind = BillKind.CARRIER_BILL
    id: TmsId


class Consistent(Frozen):
    """A value whose fields must agree; subclasses list the disagreements in `_problems`.

    The validator raises one error whose context carries every problem with its location, so a reader
    can report each one against its field.
    """

    CONSISTENCY_ERROR: ClassVar[str] = "inconsistent_document"

    def _problems(self) -> Iterator[Problem]:
        return iter(())

    @model_validator(mode="after")
    def _consistent(self) -> Consistent:
        problems = tuple(self._problems())
        if problems:
            (loc, reason), *_ = problems
            raise PydanticCustomError(
                self.CONSISTENCY_ERROR, "{reason}", {"reason": reason, "problems": problems, "loc": loc}
            )
        return self


def walk_money(value: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, Money]]:
    """Every Money inside a model, with its location (in field order, depth first)."""
    found: list[tuple[Loc, Money]] = []
    _collect(value, loc, found)
    return iter(found)


def field_names(model: type[BaseModel]) -> tuple[str, ...]:
    """A model's field names, looked up once per class: ``model_fields`` goes through a descriptor that cost
    about a third of validating a document (every document is validated at ingest and again when claimed)."""
    names = _FIELD_NAMES.get(model)
    if names is None:
        names = _FIELD_NAMES[model] = tuple(model.model_fields)
    return names


_FIELD_NAMES: dict[type[BaseModel], tuple[str, ...]] = {}
_MODEL_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def _model_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model that may hold another model (a Money, a line, a tuple of them), once per class:
    text, dates, numbers and enums are not walked (most of a document's fields)."""
    names = _MODEL_FIELDS.get(model)
    if names is None:
        fields = model.model_fields
        names = _MODEL_FIELDS[model] = tuple(
            name for name in field_names(model) if _may_hold_model(fields[name].annotation)
        )
    return names


def _may_hold_model(annotation: object) -> bool:
    origin = get_origin(annotation)
    if origin is Literal:
        return False
    args = get_args(annotation)
    if origin is Annotated:  # the type, without its constraints
        return _may_hold_model(args[0])
    if isinstance(annotation, type) and not args:
        return issubclass(annotation, BaseModel) or annotation in (object, list, tuple)
    if not args:
        return True  # Any, or a form not foreseen here: walked
    return any(_may_hold_model(arg) for arg in args if arg is not Ellipsis)


def _collect(model: BaseModel, loc: Loc, found: list[tuple[Loc, Money]]) -> None:
    for name in _model_fields(type(model)):
        _collect_value(getattr(model, name), (*loc, name), found)


def _collect_value(value: object, loc: Loc, found: list[tuple[Loc, Money]]) -> None:
    if isinstance(value, Money):
        found.append((loc, value))
    elif isinstance(value, BaseModel):
        _collect(value, loc, found)
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            _collect_value(item, (*loc, index), found)
