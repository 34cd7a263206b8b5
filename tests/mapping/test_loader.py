"""Loading mapping TOML: every problem is reported, each with its key and line."""

from __future__ import annotations

import textwrap

import pytest

from tms_netsuite.documents import ChargeCategory, TripType
from tms_netsuite.mapping import (
    CompanyDriverSettlements,
    MappingConfig,
    MappingError,
    demo_mapping_path,
    load_mapping,
    parse_mapping,
)
from tms_netsuite.mapping._loader import key_lines

ROLES = """\
receivable = "1200"
payable = "2000"
undeposited_funds = "1150"
bank = "1010"
deduction_recovery = "4950"
escrow = "2300"
advances = "1300"
quick_pay_fee = "4810"
factoring_fees = "6810"
"""

MINIMAL = f"""\
[companies.FCUS]
subsidiary = "Freight Co US"
trip_type = "brokerage"

[accounts."Freight Co US"]
{ROLES}"""


def problems(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, source="test.toml")
    return [(p.key, p.line, p.message) for p in caught.value.problems]


def test_the_demo_mapping_loads(mapping: MappingConfig) -> None:
    """The shipped demo mapping is valid and says what the demo needs."""
    assert mapping.source == str(demo_mapping_path())
    assert mapping.companies["FCUS"].trip_type is TripType.BROKERAGE
    assert mapping.companies["FCCA"].subsidiary == "Freight Co Canada"
    assert mapping.charge_codes.receivable.categories[ChargeCategory.LINEHAUL] == "Linehaul"
    assert mapping.charge_codes.carrier_payable.codes["LUMPER"].expense_category == "Lumper Fees"
    assert mapping.body_fields.load_number == "custbody_load_number"
    assert mapping.options.company_driver_settlements is CompanyDriverSettlements.SKIP


def test_a_minimal_mapping_takes_defaults() -> None:
    """Only companies and their accounts are required; load references default to the memo."""
    config = parse_mapping(MINIMAL)
    assert config.body_fields.bol == "memo"
    assert not config.options.auto_create_customers


def test_each_problem_has_its_key_and_line() -> None:
    """Unknown keys, bad values and missing keys are all reported, each at its own line."""
    text = MINIMAL.replace('trip_type = "brokerage"', 'trip_type = "intermodal"\ncolour = "red"')
    text += textwrap.dedent(
        """
        [options]
        auto_create_customers = "yes please"

        [charge_codes.receivable.categories]
        linehaul = "Linehaul"
        tolls = "Tolls"
        """
    )
    found = problems(text)
    assert ("companies.FCUS.trip_type", 3, "Input should be 'brokerage' or 'carrier'") in found
    assert ("companies.FCUS.colour", 4, "unknown key") in found
    assert any(key == "options.auto_create_customers" and line == 18 for key, line, _ in found)
    assert any(key == "charge_codes.receivable.categories.tolls" and line == 22 for key, line, _ in found)
    assert len(found) == 4


def test_a_missing_key_points_at_its_table() -> None:
    """A required key that is absent is reported at the table that should hold it."""
    text = MINIMAL.replace('bank = "1010"\n', "")
    assert problems(text) == [('accounts."Freight Co US".bank', 5, "required key is missing")]


def test_a_company_without_accounts_is_reported() -> None:
    """Every company's subsidiary needs an accounts table; the company's line is named."""
    text = MINIMAL + '\n[companies.FCCA]\nsubsidiary = "Freight Co Canada"\ntrip_type = "carrier"\n'
    ((key, line, message),) = problems(text)
    assert (key, line) == ("companies.FCCA.subsidiary", 17)
    assert 'no [accounts."Freight Co Canada"] table' in message


def test_accrued_wages_needs_its_accounts() -> None:
    """Posting company-driver wages requires the two wage accounts for every subsidiary."""
    text = MINIMAL + '\n[options]\ncompany_driver_settlements = "accrue_wages"\n'
    found = problems(text)
    assert {key for key, _, _ in found} == {
        'accounts."Freight Co US".accrued_wages',
        'accounts."Freight Co US".wages_expense',
    }
    assert all(line == 5 for _, line, _ in found)


def test_dimension_rules_name_known_companies() -> None:
    """A rule for a company the mapping does not have is an error at the rule's key."""
    text = MINIMAL + '\n[[dimensions]]\ndimension = "class"\ncompany = "NOPE"\nvalue = "Brokerage"\n'
    assert problems(text) == [("dimensions[0].company", 18, "company 'NOPE' is not under [companies]")]


def test_a_payable_target_is_an_account_or_an_expense_category() -> None:
    """Giving both an account and an expense category for one code is refused at that code."""
    text = (
        MINIMAL
        + '\n[charge_codes.carrier_payable.codes]\nTOLLS = { account = "5300", expense_category = "Tolls" }\n'
    )
    assert problems(text) == [
        ("charge_codes.carrier_payable.codes.TOLLS", 17, "give exactly one of account or expense_category")
    ]


def test_toml_syntax_errors_carry_their_line() -> None:
    """A file that is not TOML is one problem with tomllib's line."""
    ((key, line, message),) = problems(MINIMAL + "\nthis is = = wrong\n")
    assert (key, line) == ("", 16)
    assert message.startswith("not valid TOML")


def test_the_error_message_lists_every_problem() -> None:
    """str(MappingError) shows file, line, key and message for each problem."""
    with pytest.raises(MappingError) as caught:
        parse_mapping(
            MINIMAL.replace('payable = "2000"\n', "").replace('bank = "1010"\n', ""), source="m.toml"
        )
    text = str(caught.value)
    assert text.startswith("2 problems in the mapping:")
    assert 'm.toml:5: accounts."Freight Co US".payable: required key is missing' in text


def test_key_lines_follow_tables_dotted_quoted_and_inline_keys() -> None:
    """The line scanner finds keys in headers, dotted and quoted keys, arrays of tables; not in strings."""
    text = textwrap.dedent(
        """\
        top = 1
        [a."b.c"]
        d.e = 2
        'lit key' = { x = 1 }
        note = \"\"\"
        fake = 3
        \"\"\"
        [[rules]]
        v = 1
        [[rules]]
        v = 2
        """
    )
    lines = key_lines(text)
    assert lines[("top",)] == 1
    assert lines[("a", "b.c")] == 2
    assert lines[("a", "b.c", "d", "e")] == 3
    assert lines[("a", "b.c", "lit key")] == 4
    assert ("a", "b.c", "fake") not in lines
    assert lines[("rules", 0, "v")] == 9
    assert lines[("rules", 1, "v")] == 11


def test_load_mapping_reads_a_file(tmp_path: object) -> None:
    """load_mapping names the file in its problems."""
    from pathlib import Path

    path = Path(str(tmp_path)) / "bad.toml"
    path.write_text("[companies]\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert all(problem.source == str(path) for problem in caught.value.problems)
    assert {problem.key for problem in caught.value.problems} >= {"companies", "accounts"}
