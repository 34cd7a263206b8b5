"""The NetSuite lists the demo mapping expects: the emulator's `healthy` scenario, as ReferenceData."""

from __future__ import annotations

from tms_netsuite.mapping import (
    Account,
    AccountType,
    Currency,
    ListRecord,
    MappingConfig,
    ReferenceData,
    Subsidiary,
    demo_mapping_path,
    load_mapping,
)

US, CA = "1", "2"
T = AccountType

SUBSIDIARIES = (
    Subsidiary(id=US, name="Freight Co US", currency="USD"),
    Subsidiary(
        id=CA, name="Freight Co Canada", currency="CAD", full_name="Freight Co US : Freight Co Canada"
    ),
)

# (number, name, type, only-for-subsidiary)
CHART = (
    ("1010", "Operating Bank US", T.BANK, US),
    ("1020", "Operating Bank CA", T.BANK, CA),
    ("1150", "Undeposited Funds", T.OTHER_CURRENT_ASSET, None),
    ("1200", "Accounts Receivable", T.ACCOUNTS_RECEIVABLE, None),
    ("1250", "Due from Factor", T.OTHER_CURRENT_ASSET, None),
    ("1300", "Driver Advances Receivable", T.OTHER_CURRENT_ASSET, None),
    ("2000", "Accounts Payable", T.ACCOUNTS_PAYABLE, None),
    ("2100", "Accrued Purchased Transportation", T.OTHER_CURRENT_LIABILITY, None),
    ("2150", "Accrued Wages", T.OTHER_CURRENT_LIABILITY, None),
    ("2300", "Driver Escrow Liability", T.OTHER_CURRENT_LIABILITY, None),
    ("4000", "Freight Revenue", T.INCOME, None),
    ("4010", "Fuel Surcharge Revenue", T.INCOME, None),
    ("4020", "Accessorial Revenue", T.INCOME, None),
    ("4810", "Quick Pay Fee Income", T.OTHER_INCOME, None),
    ("4950", "Deduction Recovery", T.OTHER_INCOME, None),
    ("5000", "Purchased Transportation", T.COST_OF_GOODS_SOLD, None),
    ("5010", "Carrier Accessorials", T.COST_OF_GOODS_SOLD, None),
    ("5100", "Owner-Operator Pay", T.COST_OF_GOODS_SOLD, None),
    ("5110", "Company Driver Wages", T.EXPENSE, None),
    ("5200", "Fuel", T.EXPENSE, None),
    ("5300", "Tolls", T.EXPENSE, None),
    ("5400", "Cargo Claims", T.EXPENSE, None),
    ("6100", "Insurance", T.EXPENSE, None),
    ("6810", "Factoring Fees", T.EXPENSE, None),
    ("6900", "Bad Debt", T.EXPENSE, None),
)

ITEMS = (
    "Linehaul",
    "Fuel Surcharge",
    "Detention",
    "Lumper",
    "Layover",
    "TONU",
    "Stop-off",
    "Accessorial",
    "Rate Adjustment",
    "Bad Debt Write-off",
)


def _records(
    names: tuple[str, ...], first_id: int, subsidiaries: tuple[str | None, ...] = ()
) -> tuple[ListRecord, ...]:
    only = subsidiaries or (None,) * len(names)
    return tuple(
        ListRecord(id=str(first_id + index), name=name, subsidiaries=frozenset({sub}) if sub else None)
        for index, (name, sub) in enumerate(zip(names, only, strict=True))
    )


def demo_reference() -> ReferenceData:
    """Every record the demo mapping names, with plausible internal ids."""
    accounts = tuple(
        Account(
            id=str(100 + index),
            number=number,
            name=name,
            type=kind,
            subsidiaries=frozenset({sub}) if sub else None,
            currency={"1010": "USD", "1020": "CAD"}.get(number),
        )
        for index, (number, name, kind, sub) in enumerate(CHART)
    )
    return ReferenceData(
        subsidiaries=SUBSIDIARIES,
        accounts=accounts,
        items=_records(ITEMS, 200),
        expense_categories=_records(("Lumper Fees", "Tolls"), 300),
        classes=_records(("Brokerage", "Carrier"), 400),
        locations=_records(("Dallas Terminal", "Toronto Terminal"), 500, (US, CA)),
        currencies=(
            Currency(id="1", name="US Dollar", symbol="USD"),
            Currency(id="3", name="Canadian Dollar", symbol="CAD"),
        ),
        terms=_records(("Net 15", "Net 30", "Net 45", "Due on receipt"), 600),
        payment_methods=_records(("ACH", "Check", "Wire"), 700),
    )


def demo_mapping() -> MappingConfig:
    """The shipped demo mapping."""
    return load_mapping(demo_mapping_path())
