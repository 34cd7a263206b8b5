"""Scenarios are data: the healthy account as the prerequisites describe it, and each variant's delta."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import netsuite_emulator
from netsuite_emulator import SCENARIOS, Emulator, ScenarioError, list_scenarios
from netsuite_emulator.scenarios import _loader as scenarios_module

MakeEmulator = Callable[..., Emulator]
EXPECTED = {
    "healthy", "rest-disabled", "tba-disabled", "revoked-token", "wrong-role-token", "admin-user",
    "missing-permissions", "no-suiteql-permission", "permissions-changed", "subsidiary-not-assigned",
    "missing-accounts", "closed-period", "clock-skew", "sandbox-account", "low-concurrency",
    "bill-approval", "payment-instruments", "closed-period-allow", "journal-approval",
    "date-format-dmy",
}  # fmt: skip

ARTICLE_PERMISSIONS = {
    "ADMI_RESTWEBSERVICES": 4, "ADMI_WEBSERVICES": 4, "ADMI_LOGIN_OAUTH": 4, "ADMI_CUSTOMSCRIPT": 4,
    "ADMI_ACCOUNTINGLIST": 4, "ADMI_CUSTFIELD": 4, "ADMI_CUSTITEMFIELD": 4, "ADMI_CUSTBODYFIELD": 4,
    "ADMI_CUSTCOLUMNFIELD": 4, "ADMI_CUSTTRANFIELD": 4, "ADMI_CUSTENTITYFIELD": 4, "ADMI_CUSTRECORD": 4,
    "ADMI_MANAGECUSTOMSEGMENTS": 4, "ADMI_CUSTLIST": 4, "ADMI_EMPLOYEELIST": 4, "ADMI_DELETEDRECORD": 4,
    "ADMI_ACCTPERIODS": 1, "ADMI_FINANCIALINSTITUTION": 4,
    "TRAN_CUSTINVC": 4, "TRAN_VENDBILL": 4, "TRAN_CUSTPYMT": 4, "TRAN_VENDPYMT": 4, "TRAN_VENDCRED": 4,
    "TRAN_CUSTCRED": 4, "TRAN_CUSTDEP": 4, "TRAN_JOURNAL": 4,
    "LIST_ACCOUNT": 4, "LIST_ADDRESS": 4, "LIST_CONTACT": 4, "LIST_CUSTJOB": 4, "LIST_VENDOR": 4,
    "LIST_EMPLOYEE": 1, "LIST_EMPLOYEE_RECORD": 1, "LIST_CATEGORY": 4, "LIST_PAYMETH": 4, "LIST_CURRENCY": 4,
    "LIST_ITEM": 4, "LIST_FIND": 4, "LIST_CUSTRECORDENTRY": 4, "LIST_CLASS": 4, "LIST_DEPARTMENT": 4,
    "LIST_LOCATION": 4, "LIST_SUBSIDIARY": 1, "LIST_CONTACTSUBSIDIARYRELATION": 1, "LIST_COMPANY": 4,
    "LIST_TAXITEM": 1, "LIST_FILECABINET": 4,
}  # fmt: skip
EXPORTER_EXTRAS = {"REPO_ANALYTICS": 3, "TRAN_FIND": 1, "TRAN_DEPAPPL": 4, "ADMI_LOGIN_OAUTH2": 4}


def _permissions(emulator: Emulator, role: int = 1001) -> dict[str, int]:
    rows = emulator.store.query("SELECT permkey, permlevel FROM rolepermissions WHERE role = ?", (role,))
    return {r["permkey"]: r["permlevel"] for r in rows}


def test_every_scenario_is_listed_and_loads(make_emulator: MakeEmulator) -> None:
    assert set(SCENARIOS) == EXPECTED
    assert {info.name for info in list_scenarios()} == EXPECTED
    assert all(info.summary for info in list_scenarios())
    for name in SCENARIOS:
        emulator = make_emulator(name)
        assert emulator.account_id == ("1234567_SB1" if name == "sandbox-account" else "1234567")
        assert emulator.scenario == name


def test_healthy_account(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator()
    store = emulator.store
    subsidiaries = store.query(
        "SELECT s.name, s.parent, c.symbol FROM subsidiary s JOIN currency c ON c.id = s.currency ORDER BY s.id"
    )
    assert [tuple(r) for r in subsidiaries] == [
        ("Freight Co US", None, "USD"),
        ("Freight Co Canada", 1, "CAD"),
    ]
    assert store.company().oneworld
    assert _permissions(emulator) == ARTICLE_PERMISSIONS | EXPORTER_EXTRAS
    role = store.role(1001)
    assert role is not None
    assert role.web_services_only
    assert role.subsidiary_option == "ALL"
    assert "ADMI_MANAGEROLES" not in _permissions(emulator)
    # The integration user is not an administrator; the administrator has a token of their own.
    assert [r["role"] for r in store.query("SELECT role FROM employeerolesforsearch WHERE entity = 11")] == [
        1001
    ]
    admin = store.access_token_by_handle("admin")
    assert admin is not None
    assert (admin.entity, admin.role) == (10, 3)
    enabled = {r["id"] for r in store.query("SELECT id FROM feature WHERE isenabled = 'T'")}
    assert {"RESTWEBSERVICES", "WEBSERVICESEXTERNAL", "TBA", "OAUTH2", "SERVERSIDESCRIPTING"} <= enabled


def test_healthy_reference_data(make_emulator: MakeEmulator) -> None:
    store = make_emulator().store
    accounts = {r["acctname"]: r["accttype"] for r in store.query("SELECT acctname, accttype FROM account")}
    assert accounts["Accounts Receivable"] == "AcctRec"
    assert accounts["Accounts Payable"] == "AcctPay"
    assert accounts["Freight Revenue"] == "Income"
    assert accounts["Purchased Transportation"] == "COGS"
    assert {r["name"] for r in store.query("SELECT name FROM classification")} == {"Brokerage", "Carrier"}
    fields = {r["scriptid"] for r in store.query("SELECT scriptid FROM customfield WHERE fieldtype = 'BODY'")}
    assert fields == {"custbody_load_number", "custbody_bol", "custbody_pro"}
    assert len(store.query("SELECT id FROM item WHERE itemtype = 'Service'")) >= 8


def test_periods_are_open_from_january_2025_through_next_month(make_emulator: MakeEmulator) -> None:
    store = make_emulator().store
    months = store.query(
        "SELECT periodname, closed FROM accountingperiod WHERE isyear = 'F' AND isquarter = 'F' ORDER BY startdate"
    )
    assert months[0]["periodname"] == "Jan 2025"
    assert months[-1]["periodname"] == "Dec 2026"  # the test clock is in November 2026
    assert len(months) == 24
    assert {m["closed"] for m in months} == {"F"}
    quarters = store.query("SELECT parent FROM accountingperiod WHERE isquarter = 'T'")
    assert len(quarters) == 8


def test_closed_period_scenario(make_emulator: MakeEmulator) -> None:
    store = make_emulator("closed-period").store
    closed = store.query("SELECT periodname FROM accountingperiod WHERE closed = 'T' ORDER BY startdate")
    assert [r["periodname"] for r in closed] == ["Oct 2026", "Nov 2026"]


def test_permission_variants(make_emulator: MakeEmulator) -> None:
    healthy = _permissions(make_emulator())
    assert set(healthy) - set(_permissions(make_emulator("missing-permissions"))) == {
        "TRAN_VENDBILL",
        "LIST_VENDOR",
    }
    assert set(healthy) - set(_permissions(make_emulator("no-suiteql-permission"))) == {"REPO_ANALYTICS"}
    assert set(healthy) - set(_permissions(make_emulator("permissions-changed"))) == {
        "TRAN_CUSTINVC",
        "LIST_CUSTJOB",
    }


def test_wrong_role_token_scenario(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator("wrong-role-token")
    token = emulator.store.access_token_by_handle("integration")
    assert token is not None
    assert token.role == 1002
    sales = _permissions(emulator, 1002)
    assert {"ADMI_LOGIN_OAUTH", "ADMI_RESTWEBSERVICES", "REPO_ANALYTICS"} <= set(sales)
    assert not set(sales) & (set(ARTICLE_PERMISSIONS) - {"ADMI_LOGIN_OAUTH", "ADMI_RESTWEBSERVICES"})


def test_missing_accounts_scenario(make_emulator: MakeEmulator) -> None:
    store = make_emulator("missing-accounts").store
    accounts = {r["acctname"]: r for r in store.query("SELECT * FROM account")}
    assert "Freight Revenue" not in accounts
    assert "Purchased Transportation" not in accounts
    assert accounts["Fuel Surcharge Revenue"]["isinactive"] == "T"
    assert accounts["Driver Escrow Liability"]["accttype"] == "Expense"


def test_subsidiary_not_assigned_scenario(make_emulator: MakeEmulator) -> None:
    store = make_emulator("subsidiary-not-assigned").store
    role = store.role(1001)
    assert role is not None
    assert (role.subsidiary_option, role.cross_subsidiary_viewing) == ("SELECTED", False)
    assert store.role_subsidiaries(1001) == {1}


def _with_scenario_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / f"{name}.toml").write_text(text)
    monkeypatch.setattr(
        scenarios_module, "_scenario_files", lambda: {p.stem: p for p in tmp_path.glob("*.toml")}
    )


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        (
            'extends = "healthy"\n[[delete]]\ntable = "rolepermissions"\nwhere = { permkey = "NOPE" }',
            "matches no row",
        ),
        ('extends = "healthy"\n[[update]]\ntable = "secrets"\nwhere = { id = 1 }', "unknown table"),
        ('extends = "healthy"\n[tables]\nrole = []', "deltas only"),
        ('extends = "loop"', "cycle"),
        (
            'extends = "healthy"\n[[insert]]\ntable = "rolepermissions"\nrows = [{ role = 1001, permkey = "ADMI_RESTWEBSERVICES", permlevel = 1 }]',
            "accepts None, Full",
        ),
        ("not toml [", "scenario variant"),
    ],
)
def test_broken_scenarios_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variant: str, message: str
) -> None:
    healthy = (Path(netsuite_emulator.__file__).parent / "scenarios" / "healthy.toml").read_text()
    _with_scenario_files(
        monkeypatch, tmp_path, {"healthy": healthy, "variant": variant, "loop": 'extends = "variant"'}
    )
    with pytest.raises(ScenarioError, match=message):
        Emulator.from_scenario("variant")


def test_unknown_scenario() -> None:
    with pytest.raises(ScenarioError, match="unknown scenario 'nope'"):
        Emulator.from_scenario("nope")


def test_a_database_file_keeps_its_account(tmp_path: Path) -> None:
    db = tmp_path / "account.db"
    with Emulator.from_scenario("healthy", db_path=db) as first:
        first.store.execute("UPDATE company SET companyname = 'Renamed'")
    with Emulator.from_scenario("healthy", db_path=db) as again:
        assert again.store.company().name == "Renamed"
    with pytest.raises(ScenarioError, match="holds scenario 'healthy'"):
        Emulator.from_scenario("rest-disabled", db_path=db)
