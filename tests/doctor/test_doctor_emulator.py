"""The doctor against the emulator: each scenario's expected diagnosis (issue 8's table), read-only."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.doctor import DoctorReport, Status, results_for_ledger, run_doctor, run_fast_checks
from tms_netsuite.mapping import demo_mapping_path, load_mapping
from tms_netsuite.netsuite import NetSuiteSettings, connect

pytestmark = pytest.mark.anyio
BASE_URL = "http://emulator.test"


async def _no_sleep(seconds: float) -> None:
    return None


async def diagnose(
    scenario: str,
    tmp_path: Path,
    *,
    admin: bool = False,
    auth: str = "tba",
    previous: dict[str, object] | None = None,
) -> tuple[DoctorReport, Emulator]:
    emulator = Emulator.from_scenario(scenario)
    before = emulator.store.fingerprint()
    report = await run_doctor(
        emulator.env(who="integration", auth=auth, base_url=BASE_URL, key_dir=tmp_path),
        mapping=load_mapping(demo_mapping_path()),
        admin_environ=emulator.env(who="admin", base_url=BASE_URL) if admin else None,
        previous=previous,
        has_ledger=previous is not None,
        transport=httpx.ASGITransport(app=emulator.app),
        sleep=_no_sleep,
    )
    assert emulator.store.fingerprint() == before, "the doctor wrote to NetSuite"
    emulator.close()
    return report, emulator


def failing(report: DoctorReport) -> set[str]:
    return {c.id for c in report.checks if c.status is Status.FAIL}


@pytest.mark.parametrize("scenario", ["healthy", "sandbox-account", "low-concurrency"])
@pytest.mark.parametrize("admin", [False, True])
async def test_healthy_accounts_fail_nothing(scenario: str, admin: bool, tmp_path: Path) -> None:
    report, _ = await diagnose(scenario, tmp_path, admin=admin)
    assert not report.failed, [c for c in report.checks if c.status is Status.FAIL]
    assert report.get("drift").status is Status.SKIP
    assert report.get("token-identity").status is Status.PASS
    assert report.get("permissions").status is (Status.PASS if admin else Status.CONFIRM)
    assert report.get("governance").status is (Status.PASS if admin else Status.CONFIRM)


async def test_sandbox_is_named(tmp_path: Path) -> None:
    report, _ = await diagnose("sandbox-account", tmp_path)
    detail = report.get("credentials").detail
    assert "1234567_SB1 (sandbox)" in detail
    assert "host part is not checked" in detail


@pytest.mark.parametrize("scenario", ["rest-disabled", "tba-disabled", "revoked-token"])
async def test_refused_logins_fail_connection(scenario: str, tmp_path: Path) -> None:
    report, _ = await diagnose(scenario, tmp_path)
    connection = report.get("connection")
    assert connection.status is Status.FAIL
    assert "Login Audit Trail" in (connection.fix or "")
    assert "realm" in connection.detail
    assert report.get("clock").status is Status.PASS  # read from the refusal's Date header


async def test_clock_skew_fails_clock(tmp_path: Path) -> None:
    report, _ = await diagnose("clock-skew", tmp_path)
    clock = report.get("clock")
    assert clock.status is Status.FAIL
    assert "Date header" in clock.detail
    assert "clock" in report.get("connection").detail.split("Likely causes")[1].split(";")[0]


async def test_wrong_role_token(tmp_path: Path) -> None:
    report, _ = await diagnose("wrong-role-token", tmp_path)
    assert report.get("permissions").status is Status.FAIL
    assert "TRAN_CUSTINVC" in report.get("permissions").detail
    assert "Sales Representative (API)" in report.get("token-identity").detail


async def test_admin_user_warns(tmp_path: Path) -> None:
    report, _ = await diagnose("admin-user", tmp_path)
    assert report.get("token-identity").status is Status.WARN
    assert not report.failed


@pytest.mark.parametrize(
    ("scenario", "missing"),
    [
        ("missing-permissions", ["TRAN_VENDBILL", "LIST_VENDOR"]),
        ("no-suiteql-permission", ["REPO_ANALYTICS"]),
        ("permissions-changed", ["TRAN_CUSTINVC", "LIST_CUSTJOB"]),
    ],
)
@pytest.mark.parametrize("admin", [False, True])
async def test_missing_permissions_are_named(
    scenario: str, missing: list[str], admin: bool, tmp_path: Path
) -> None:
    report, _ = await diagnose(scenario, tmp_path, admin=admin)
    permissions = report.get("permissions")
    assert permissions.status is Status.FAIL
    for permkey in missing:
        assert permkey in permissions.detail
    if admin:
        assert "at Full, has None" in permissions.detail or "at Edit, has None" in permissions.detail


async def test_drift_names_removed_permissions(tmp_path: Path) -> None:
    earlier, _ = await diagnose("healthy", tmp_path)
    report, _ = await diagnose("permissions-changed", tmp_path, previous=results_for_ledger(earlier))
    drift = report.get("drift")
    assert drift.status is Status.WARN
    assert "Invoice (TRAN_CUSTINVC)" in drift.detail
    assert "Customers (LIST_CUSTJOB)" in drift.detail


async def test_subsidiary_not_assigned(tmp_path: Path) -> None:
    report, _ = await diagnose("subsidiary-not-assigned", tmp_path)
    subsidiaries = report.get("subsidiaries")
    assert subsidiaries.status is Status.FAIL
    assert "Freight Co Canada" in subsidiaries.detail


async def test_missing_accounts_named(tmp_path: Path) -> None:
    report, _ = await diagnose("missing-accounts", tmp_path)
    accounts = report.get("accounts")
    assert accounts.status is Status.FAIL
    # The demo mapping names 5000 (deleted) and 2300 (now typed Expense); 4000 and 4010 only sit behind items.
    for text in ("no account named '5000'", "2300 Driver Escrow Liability", "Expense"):
        assert text in accounts.detail, text


async def test_an_items_inactive_income_account_fails_the_lists_check(tmp_path: Path) -> None:
    """Issue 15 §3 edge 3: in `missing-accounts` the doctor passed the lists, then every invoice failed with
    "The income account of item Fuel Surcharge does not exist or is inactive": the lists check reads the
    accounts of the items the mapping uses, and names the item, the account and where to fix it."""
    report, _ = await diagnose("missing-accounts", tmp_path)
    lists = report.get("lists")
    assert lists.status is Status.FAIL, lists
    assert "charge_codes.receivable.categories.fuel_surcharge" in lists.detail
    assert (
        "the income account '4010 Fuel Surcharge Revenue' (id 12, Income) of item 'Fuel Surcharge'"
        in lists.detail
    )
    assert "is inactive" in lists.detail
    assert "Linehaul" not in lists.detail  # its income account was moved to one that exists


async def test_closed_period(tmp_path: Path) -> None:
    report, _ = await diagnose("closed-period", tmp_path)
    periods = report.get("periods")
    # A warning, not a failure: the mapping's closed_period policy ("fail" in the demo mapping) decides.
    assert periods.status is Status.WARN
    assert "(closed)" in periods.detail
    assert 'closed_period = "fail"' in periods.detail
    assert "Manage Accounting Periods" in (periods.fix or "")


@pytest.mark.parametrize(
    ("scenario", "shown"),
    [
        ("healthy", ("Payment Instruments: off", "vendor bill approval routing: off")),
        (
            "payment-instruments",
            ("Payment Instruments: on (customer payments and deposits are written with paymentOption)",),
        ),
        (
            "bill-approval",
            ('vendor bill approval routing: on, bill_approval = "leave": bills wait Pending Approval',),
        ),
    ],
)
async def test_features_show_payment_instruments_and_bill_approval(
    tmp_path: Path, scenario: str, shown: tuple[str, ...]
) -> None:
    """Read from the record schemas (the metadata catalog): what the account has, and what the mapping does."""
    report, _ = await diagnose(scenario, tmp_path)
    features = report.get("features")
    for text in shown:
        assert text in features.detail, features.detail
    assert not report.failed


async def test_oauth2_identity_is_confirmed(tmp_path: Path) -> None:
    report, _ = await diagnose("healthy", tmp_path, auth="oauth2")
    assert report.get("token-identity").status is Status.CONFIRM
    assert not report.failed


async def test_fast_subset_returns_the_lists(tmp_path: Path) -> None:
    emulator = Emulator.from_scenario("healthy")
    environ = emulator.env(base_url=BASE_URL)
    async with connect(
        NetSuiteSettings.from_environ(environ), transport=httpx.ASGITransport(app=emulator.app)
    ) as c:
        results, reference, limit = await run_fast_checks(
            c, environ, load_mapping(demo_mapping_path()), sleep=_no_sleep
        )
    assert [r.id for r in results] == [
        "credentials",
        "clock",
        "connection",
        "subsidiaries",  # causes first: a subsidiary the role cannot see makes its accounts look missing
        "accounts",
        "lists",
        "periods",
    ]
    assert all(r.status is not Status.FAIL for r in results)
    assert reference is not None
    assert reference.subsidiaries
    assert limit is None  # only administrators may read governanceLimits, and nothing was configured
    emulator.close()


async def test_causes_come_first_and_their_consequences_are_skipped(tmp_path: Path) -> None:
    """A subsidiary not assigned to the role makes its accounts look missing: the report names the
    subsidiary check first and reports the accounts as a consequence, not as "create the accounts"."""
    report, _ = await diagnose("subsidiary-not-assigned", tmp_path, admin=True)
    ids = [c.id for c in report.checks]
    assert ids.index("subsidiaries") < ids.index("accounts")
    assert ids.index("credentials") < ids.index("permissions") < ids.index("subsidiaries")
    assert report.get("subsidiaries").status is Status.FAIL
    accounts = report.get("accounts")
    assert accounts.status is Status.SKIP, accounts
    assert accounts.detail.startswith("skipped: depends on subsidiaries"), accounts.detail
    assert report.failed


async def test_a_token_under_the_wrong_role_is_told_to_make_a_new_token(tmp_path: Path) -> None:
    """Granting 25 permissions to a sales role is the wrong way: the fix names a new token under the
    integration role first."""
    report, _ = await diagnose("wrong-role-token", tmp_path, admin=True)
    permissions = report.get("permissions")
    assert permissions.status is Status.FAIL
    assert permissions.fix is not None
    assert "create a new token under the integration role" in permissions.fix
    assert "docs/netsuite-setup.md#tba" in permissions.fix


async def test_periods_are_read_whatever_the_users_date_format(tmp_path: Path) -> None:
    report, _ = await diagnose("date-format-dmy", tmp_path)  # SuiteQL answers 31/10/2026
    periods = report.get("periods")
    assert periods.status is Status.PASS, periods
    assert "open for posting" in periods.detail


@pytest.mark.parametrize(
    ("allocations", "pool"),
    [
        ({}, "draws from the account limit of 5 (no integration has an allocation), so it may have 5 requests"),
        ({2: 3}, "draws from the unallocated pool of 2 of the account's 5, shared with every integration without "
                 "an allocation, so it may have 2 requests"),
        ({1: 4}, "draws from its own allocation of 4, so it may have 4 requests"),
    ],
)  # fmt: skip
async def test_governance_says_which_pool_the_integration_draws_from(
    allocations: dict[int, int], pool: str, tmp_path: Path
) -> None:
    with Emulator.from_scenario("healthy") as emulator:
        for integration, allocation in allocations.items():
            emulator.store.execute(
                "UPDATE integration SET concurrencylimit = ? WHERE id = ?", [allocation, integration]
            )
        report = await run_doctor(
            emulator.env(who="integration", base_url=BASE_URL, key_dir=tmp_path),
            mapping=load_mapping(demo_mapping_path()),
            admin_environ=emulator.env(who="admin", base_url=BASE_URL),
            transport=httpx.ASGITransport(app=emulator.app),
            sleep=_no_sleep,
        )
    governance = report.get("governance")
    assert governance.status is Status.PASS
    assert pool in governance.detail
