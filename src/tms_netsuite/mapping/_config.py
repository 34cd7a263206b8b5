"""The mapping configuration's shape: what a TOML mapping file may say, validated by pydantic.

NetSuite records are written the way people know them (subsidiary name, account number or name, item
name, class name) or as ``id:123``; they are resolved against `ReferenceData` later, not here.
"""

from __future__ import annotations

import string
from enum import StrEnum
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tms_netsuite.documents import ChargeCategory, DeductionCategory, Kind, TripType

NameRef = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]
"""A NetSuite record as a person names it, or ``id:<internal id>``."""

KeyPath = tuple[str | int, ...]
"""A key's place in the TOML document: table names, keys and array-of-tables indexes."""

BodyField = Annotated[str, StringConstraints(pattern=r"^(memo|custbody[a-z0-9_]+)$")]


class AccountRole(StrEnum):
    """The default accounts every subsidiary needs, by what they are for."""

    RECEIVABLE = "receivable"
    PAYABLE = "payable"
    UNDEPOSITED_FUNDS = "undeposited_funds"
    BANK = "bank"
    DEDUCTION_RECOVERY = "deduction_recovery"
    ESCROW = "escrow"
    ADVANCES = "advances"
    QUICK_PAY_FEE = "quick_pay_fee"
    FACTORING_FEES = "factoring_fees"
    ACCRUED_WAGES = "accrued_wages"
    WAGES_EXPENSE = "wages_expense"


class CompanyDriverSettlements(StrEnum):
    """What happens to a company (W2) driver's settlement, which payroll pays."""

    SKIP = "skip"
    ACCRUE_WAGES = "accrue_wages"


class BillApproval(StrEnum):
    """Under vendor bill approval routing: approve the bills the integration creates (its role needs the Vendor
    Bill Approval permission), or leave them Pending Approval for people to approve in NetSuite."""

    LEAVE = "leave"
    APPROVE = "approve"


class ClosedPeriod(StrEnum):
    """A transaction dated in a closed (or locked) period: it fails alone, or posts in the next open period with
    its date kept (NetSuite's "Allow Transaction Date Outside of the Posting Period" must be Warn or Allow)."""

    FAIL = "fail"
    NEXT_OPEN_PERIOD = "next_open_period"


class BillNumber(StrEnum):
    """A carrier bill's NetSuite document number (tranId) when the carrier has used its invoice number before:
    NetSuite refuses a vendor's number twice on one transaction type."""

    SUFFIX_ON_REUSE = "suffix_on_reuse"  # a later bill under the carrier's number gets "-<load number>"
    AS_IS = "as_is"  # the carrier's number unchanged: NetSuite refuses the later bill


class Dimension(StrEnum):
    """NetSuite's classification segments."""

    CLASS = "class"
    DEPARTMENT = "department"
    LOCATION = "location"


class Book(StrEnum):
    """The charge-code tables: receivables map to items, the others to accounts or expense categories."""

    RECEIVABLE = "receivable"
    CARRIER_PAYABLE = "carrier_payable"
    DRIVER_PAYABLE = "driver_payable"
    DEDUCTIONS = "deductions"


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Options(_Config):
    """Behaviour switches."""

    auto_create_customers: bool = False
    auto_create_vendors: bool = False
    company_driver_settlements: CompanyDriverSettlements = CompanyDriverSettlements.SKIP
    bill_approval: BillApproval = BillApproval.LEAVE
    closed_period: ClosedPeriod = ClosedPeriod.FAIL
    bill_number: BillNumber = BillNumber.SUFFIX_ON_REUSE


class BodyFields(_Config):
    """Which NetSuite body field receives each load reference; ``memo`` appends it to the memo."""

    load_number: BodyField = "memo"
    bol: BodyField = "memo"
    pro: BodyField = "memo"


FolderTemplate = Annotated[
    str,
    StringConstraints(min_length=2, max_length=400, pattern=r"^(/[^/\\:*?\"<>|\x00-\x1f]+)+$"),
]
"""A File Cabinet folder path such as ``/TMS Documents/{year}/{month}``; ``{company}`` may be used too."""
_PLACEHOLDERS = {"year", "month", "company"}


class Attachments(_Config):
    """Where the files documents carry go in NetSuite's File Cabinet: a folder path per document (from its date
    and company), made when missing; ``folders`` gives a company its own path."""

    folder: FolderTemplate = "/TMS Documents/{year}/{month}"
    folders: dict[str, FolderTemplate] = Field(default_factory=dict)

    @field_validator("folder")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        return _check_placeholders(value)

    @field_validator("folders")
    @classmethod
    def _known_placeholders_each(cls, value: dict[str, str]) -> dict[str, str]:
        for path in value.values():
            _check_placeholders(path)
        return value

    def folder_for(self, company: str, year: int, month: int) -> tuple[str, ...]:
        """The folder's names from the File Cabinet's root, e.g. ``("TMS Documents", "2026", "10")``."""
        template = self.folders.get(company, self.folder)
        path = template.format(year=f"{year:04d}", month=f"{month:02d}", company=company)
        return tuple(part for part in path.split("/") if part)


def _check_placeholders(path: str) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(path) if name is not None}
    unknown = names - _PLACEHOLDERS
    if unknown:
        raise PydanticCustomError(
            "folder_placeholder",
            "unknown placeholder {names} in {path!r}; use {{year}}, {{month}} or {{company}}",
            {"names": ", ".join(sorted(unknown)), "path": path},
        )
    return path


class Company(_Config):
    """A TMS company: its NetSuite subsidiary and the trip type its tenders get."""

    subsidiary: NameRef
    trip_type: TripType


class SubsidiaryAccounts(_Config):
    """Default accounts of one subsidiary, by role."""

    receivable: NameRef
    payable: NameRef
    undeposited_funds: NameRef
    bank: NameRef
    deduction_recovery: NameRef
    escrow: NameRef
    advances: NameRef
    quick_pay_fee: NameRef
    factoring_fees: NameRef
    accrued_wages: NameRef | None = None
    wages_expense: NameRef | None = None

    def get(self, role: AccountRole) -> str | None:
        """The account named for a role, if any."""
        value: str | None = getattr(self, role.value)
        return value


class ExpenseTarget(_Config):
    """Where a payable or deduction line posts: exactly one of an account or an expense category."""

    account: NameRef | None = None
    expense_category: NameRef | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ExpenseTarget:
        if (self.account is None) == (self.expense_category is None):
            raise PydanticCustomError("target", "give exactly one of account or expense_category")
        return self


def _as_target(value: object) -> object:
    # A bare string names an account; a table chooses between account and expense_category.
    return {"account": value} if isinstance(value, str) else value


class ReceivableBook(_Config):
    """Charge code → item: the specific code, then its category, then the default."""

    default: NameRef | None = None
    categories: dict[ChargeCategory, NameRef] = Field(default_factory=dict)
    codes: dict[str, NameRef] = Field(default_factory=dict)


CategoryT = TypeVar("CategoryT", ChargeCategory, DeductionCategory)


class PayableBook(_Config, Generic[CategoryT]):
    """Charge code → account or expense category: the specific code, then its category, then the default.

    For deductions (`PayableBook[DeductionCategory]`) the last fallback is the subsidiary's
    deduction_recovery account.
    """

    default: ExpenseTarget | None = None
    categories: dict[CategoryT, ExpenseTarget] = Field(default_factory=dict)
    codes: dict[str, ExpenseTarget] = Field(default_factory=dict)

    @field_validator("default", mode="before")
    @classmethod
    def _default(cls, value: object) -> object:
        return _as_target(value)

    @field_validator("categories", "codes", mode="before")
    @classmethod
    def _targets(cls, value: object) -> object:
        return {key: _as_target(item) for key, item in value.items()} if isinstance(value, dict) else value


class ChargeCodes(_Config):
    """The four charge-code tables."""

    receivable: ReceivableBook = ReceivableBook()
    carrier_payable: PayableBook[ChargeCategory] = PayableBook[ChargeCategory]()
    driver_payable: PayableBook[ChargeCategory] = PayableBook[ChargeCategory]()
    deductions: PayableBook[DeductionCategory] = PayableBook[DeductionCategory]()


class DimensionRule(_Config):
    """Sets a class, department or location when every condition given matches; first match wins."""

    dimension: Dimension
    value: NameRef
    trip_type: TripType | None = None
    company: str | None = None
    kind: Kind | None = None

    def matches(self, *, trip_type: TripType | None, company: str, kind: Kind) -> bool:
        """Whether the rule applies to a document with these traits."""
        return (
            (self.trip_type is None or self.trip_type == trip_type)
            and (self.company is None or self.company == company)
            and (self.kind is None or self.kind == kind)
        )


CurrencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class MappingConfig(_Config):
    """A whole mapping file. Build it with `load_mapping` or `parse_mapping`, which also keep line numbers."""

    version: Literal[1] = 1
    options: Options = Options()
    body_fields: BodyFields = BodyFields()
    companies: dict[str, Company] = Field(min_length=1)
    accounts: dict[str, SubsidiaryAccounts] = Field(min_length=1)
    charge_codes: ChargeCodes = ChargeCodes()
    dimensions: tuple[DimensionRule, ...] = ()
    currencies: dict[CurrencyKey, NameRef] = Field(default_factory=dict)
    terms: dict[str, NameRef] = Field(default_factory=dict)
    payment_methods: dict[str, NameRef] = Field(default_factory=dict)
    bank_accounts: dict[str, NameRef] = Field(default_factory=dict)
    journal_accounts: dict[str, NameRef] = Field(default_factory=dict)
    attachments: Attachments = Attachments()
    _source: str = PrivateAttr(default="<mapping>")
    _lines: dict[KeyPath, int] = PrivateAttr(default_factory=dict)

    def located(self, source: str, lines: dict[KeyPath, int]) -> MappingConfig:
        """A copy that knows the file it came from and the line of each key."""
        copy = self.model_copy()
        copy._source, copy._lines = source, dict(lines)
        return copy

    @property
    def source(self) -> str:
        """The file the mapping was read from."""
        return self._source

    def line_of(self, path: KeyPath) -> int | None:
        """The line that defines a key, or its nearest enclosing table."""
        return nearest_line(self._lines, path)


def nearest_line(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of a key path, or of the closest enclosing key that has one."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None
