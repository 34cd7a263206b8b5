"""Checking a mapping's names against a NetSuite account's lists."""

from __future__ import annotations

import dataclasses

from tms_netsuite.mapping import (
    Account,
    AccountType,
    ListKind,
    ListRecord,
    MappingConfig,
    ReferenceData,
    check_mapping,
)
from tms_netsuite.mapping._resolve import resolve_name


def test_the_demo_mapping_fits_the_demo_account(mapping: MappingConfig, reference: ReferenceData) -> None:
    """Every name in examples/demo-mapping.toml resolves against the healthy scenario's lists."""
    assert check_mapping(mapping, reference) == ()


def _without(reference: ReferenceData, field: str, name: str) -> ReferenceData:
    records = tuple(r for r in getattr(reference, field) if r.name != name)
    return dataclasses.replace(reference, **{field: records})


def test_a_missing_item_is_reported_at_its_key(mapping: MappingConfig, reference: ReferenceData) -> None:
    """An item NetSuite lacks is named with the mapping key and line that mention it."""
    (problem,) = check_mapping(mapping, _without(reference, "items", "Lumper"))
    assert problem.key == "charge_codes.receivable.codes.LUMPER"
    assert problem.line == mapping.line_of(("charge_codes", "receivable", "codes", "LUMPER"))
    assert problem.line is not None
    assert problem.message == "NetSuite has no item named 'Lumper'"


def test_a_wrong_account_type_is_reported(mapping: MappingConfig, reference: ReferenceData) -> None:
    """An A/R role pointing at an income account is refused, naming the type expected."""
    accounts = tuple(
        dataclasses.replace(a, type=AccountType.INCOME) if a.number == "1200" else a
        for a in reference.accounts
    )
    found = check_mapping(mapping, dataclasses.replace(reference, accounts=accounts))
    assert {p.key for p in found} == {
        'accounts."Freight Co US".receivable',
        'accounts."Freight Co Canada".receivable',
    }
    assert all("has type Income; expected one of AcctRec" in p.message for p in found)


def test_a_bank_account_of_another_subsidiary_is_reported(
    mapping: MappingConfig, reference: ReferenceData
) -> None:
    """The Canadian bank account cannot be the US subsidiary's bank."""
    config = mapping.model_copy(
        update={
            "accounts": {
                **mapping.accounts,
                "Freight Co US": mapping.accounts["Freight Co US"].model_copy(update={"bank": "1020"}),
            }
        }
    ).located(mapping.source, {})
    (problem,) = check_mapping(config, reference)
    assert problem.key == 'accounts."Freight Co US".bank'
    assert "not available to subsidiary 'Freight Co US'" in problem.message


def test_ambiguous_and_inactive_names_are_problems_not_guesses() -> None:
    """Two records with one name, or an inactive one, are reported; an id: reference picks exactly."""
    reference = ReferenceData(
        classes=(ListRecord(id="1", name="Brokerage"), ListRecord(id="2", name="Brokerage")),
        terms=(ListRecord(id="7", name="Net 30", is_inactive=True),),
        accounts=(
            Account(
                id="9", number="5000", name="Purchased Transportation", type=AccountType.COST_OF_GOODS_SOLD
            ),
        ),
    )
    ambiguous = resolve_name(reference, ListKind.CLASS, "Brokerage")
    assert ambiguous == "'Brokerage' names 2 NetSuite class records: 'Brokerage' (id 1), 'Brokerage' (id 2)"
    assert resolve_name(reference, ListKind.TERM, "Net 30") == "term 'Net 30' (id 7) is inactive in NetSuite"
    assert resolve_name(reference, ListKind.CLASS, "id:2") == reference.classes[1]
    assert resolve_name(reference, ListKind.CLASS, "id:3") == "NetSuite has no class with internal id 3"
    by_number = resolve_name(reference, ListKind.ACCOUNT, "5000")
    by_both = resolve_name(reference, ListKind.ACCOUNT, "5000 Purchased Transportation")
    assert by_number == by_both == reference.accounts[0]
