"""`export` with the demo mapping as shipped into accounts set up as real OneWorld accounts are (issue 14): vendor
bill approval routing, Payment Instruments, and the closed-period policies. In-process emulator, the CLI's own
code path (`export_with`)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from netsuite_emulator import Emulator
from tms_netsuite.cli import main
from tms_netsuite.cli._export import ExportOptions, export_with
from tms_netsuite.documents import write_documents
from tms_netsuite.generate import generate
from tms_netsuite.mapping import demo_mapping_path
from tms_netsuite.netsuite import NetSuiteSettings

BASE_URL = "http://emulator.test"
AWAITS_APPROVAL = "bill awaits approval in NetSuite"


async def export(emulator: Emulator, tmp_path: Path, *, mapping: Path | None = None, loads: int = 24) -> int:
    """`export --json` of a generated month (the same file on every call) into the emulator."""
    source = tmp_path / "documents.jsonl"
    if not source.exists():
        with source.open("w") as stream:
            write_documents(generate(loads, 5), stream)
    options = ExportOptions(
        input=source,
        mapping=mapping or demo_mapping_path(),
        env_file=None,
        ledger=tmp_path / "l.db",
        concurrency=None,
        skip_doctor=False,
        as_json=True,
        max_wait=0.0,
    )
    environ = emulator.env(base_url=BASE_URL)
    transport = httpx.ASGITransport(app=emulator.app)
    return await export_with(options, NetSuiteSettings.from_environ(environ), environ, transport=transport)


def _ledger(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "l.db") as conn:
        return conn.execute(sql).fetchall()


def _states(tmp_path: Path) -> dict[tuple[str, str], int]:
    rows = _ledger(tmp_path, "SELECT kind, state, COUNT(*) FROM documents GROUP BY kind, state")
    return {(str(kind), str(state)): int(str(n)) for kind, state, n in rows}


async def _summary(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], mapping: Path | None = None
) -> tuple[int, dict[str, Any]]:
    """The exit code and the `--json` summary of one export."""
    code = await export(emulator, tmp_path, mapping=mapping)
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.anyio
@pytest.mark.parametrize("scenario", ["healthy", "bill-approval", "payment-instruments"])
async def test_demo_mapping_exports_into_each_account_with_nothing_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    """The issue's done-when: nothing failed in any of the three; under approval routing the only documents left
    are blocked, each on a bill awaiting approval in NetSuite."""
    with Emulator.from_scenario(scenario) as emulator:
        code, summary = await _summary(emulator, tmp_path, capsys)
        pending_bills = emulator.store.query(
            "SELECT COUNT(*) FROM \"transaction\" WHERE type = 'VendBill' AND approvalstatus = 1"
        )[0][0]
        option = emulator.store.query(
            "SELECT COUNT(*) FROM \"transaction\" WHERE type IN ('CustPymt', 'CustDep') AND paymentmethod IS NOT NULL"
        )[0][0]
    assert summary["failed"] == summary["rejected"] == summary["pending"] == 0, summary
    states = _states(tmp_path)
    assert (
        sum(n for (kind, state), n in states.items() if kind == "customer_payment" and state == "synced") > 0
    )
    assert option > 0  # paymentMethod or paymentOption, whichever the account has, was written
    reasons = {
        row[0] for row in _ledger(tmp_path, "SELECT blocked_on FROM documents WHERE state = 'blocked'")
    }
    if scenario == "bill-approval":
        assert pending_bills > 0
        assert summary["blocked"] > 0
        assert all(str(reason).startswith(AWAITS_APPROVAL) for reason in reasons), reasons
        blocked_kinds = {kind for (kind, state) in states if state == "blocked"}
        assert blocked_kinds <= {"bill_payment", "vendor_credit", "driver_settlement", "carrier_bill"}
        assert "bill_payment" in blocked_kinds
        assert code == 0  # waiting for people in NetSuite is not a failure of the run
    else:
        assert summary["blocked"] == 0
        assert pending_bills == 0
        assert code == 0


@pytest.mark.anyio
async def test_payments_awaiting_approval_are_rechecked_on_the_next_run_not_polled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run leaves them blocked and ends; once people approve the bills, the next run pays them."""
    with Emulator.from_scenario("bill-approval") as emulator:
        _, first = await _summary(emulator, tmp_path, capsys)
        env_file = tmp_path / "netsuite.env"
        env_file.write_text(f"NETSUITE_ACCOUNT_ID={emulator.account_id}\n")
        where = ["--env-file", str(env_file), "--ledger", str(tmp_path / "l.db")]
        errors = await asyncio.to_thread(CliRunner().invoke, main, ["errors", *where])  # it runs its own loop
        _, again = await _summary(emulator, tmp_path, capsys)  # still pending: blocked again, nothing failed
        emulator.store.execute(
            "UPDATE \"transaction\" SET approvalstatus = 2, posting = 'T' WHERE type = 'VendBill'"
        )
        code, last = await _summary(emulator, tmp_path, capsys)
    assert first["blocked"] == first["awaiting_approval"] == again["blocked"] > 0
    assert f"{first['blocked']} blocked until people approve bills in NetSuite" in errors.output, (
        errors.output
    )
    assert "bill_payment" in errors.output
    assert "waiting for a record another document should write" not in errors.output
    assert again["failed"] == 0
    assert (code, last["blocked"], last["failed"]) == (0, 0, 0)


@pytest.mark.anyio
async def test_bill_approval_approve_sets_approved_when_the_role_may(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        demo_mapping_path().read_text().replace('bill_approval = "leave"', 'bill_approval = "approve"')
    )
    assert 'bill_approval = "approve"' in mapping.read_text()
    with Emulator.from_scenario("bill-approval") as emulator:
        emulator.store.execute(
            "INSERT INTO rolepermissions (role, permkey, permlevel, name) VALUES (1001, 'TRAN_VENDBILLAPPRV', 4, "
            "'Vendor Bill Approval')"
        )
        code, summary = await _summary(emulator, tmp_path, capsys, mapping=mapping)
        approved = emulator.store.query(
            "SELECT DISTINCT approvalstatus FROM \"transaction\" WHERE type = 'VendBill'"
        )
    assert (code, summary["failed"], summary["blocked"]) == (0, 0, 0)
    assert [row[0] for row in approved] == [2]


def _with_options(tmp_path: Path, **options: str) -> Path:
    text = demo_mapping_path().read_text()
    for key, value in options.items():
        text = text.replace(
            f'{key} = "{"fail" if key == "closed_period" else "leave"}"', f'{key} = "{value}"'
        )
    path = tmp_path / "mapping.toml"
    path.write_text(text)
    return path


@pytest.mark.anyio
async def test_closed_period_fail_fails_those_documents_alone_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """October (the generator's month) is closed: its transactions fail one by one with the reason and the fix;
    customers and vendors are still exported; the preflight warns instead of stopping the run."""
    with Emulator.from_scenario("closed-period") as emulator:
        code, summary = await _summary(emulator, tmp_path, capsys)
    checks = {check["id"]: check for check in summary["checks"]}
    assert checks["periods"]["status"] == "warn"
    assert 'closed_period = "fail"' in checks["periods"]["detail"]
    assert "Oct 2026 (closed)" in checks["periods"]["detail"]
    assert code == 1
    states = _states(tmp_path)
    assert states[("customer", "synced")] > 0
    assert states[("invoice", "failed")] > 0
    assert not any(state == "synced" for (kind, state) in states if kind in ("invoice", "carrier_bill"))
    details = {
        row[0] for row in _ledger(tmp_path, "SELECT error_detail FROM documents WHERE state = 'failed'")
    }
    assert all("falls in Oct 2026, which is closed" in str(detail) for detail in details), details


@pytest.mark.anyio
@pytest.mark.parametrize("scenario", ["closed-period-allow", "closed-period"])
async def test_closed_period_next_open_period_posts_in_november_with_the_date_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    """With Allow, every document posts in November, dated in October; with Disallow NetSuite refuses a period
    that does not hold the date, and the documents fail alone with its message."""
    mapping = _with_options(tmp_path, closed_period="next_open_period")
    assert 'closed_period = "next_open_period"' in mapping.read_text()
    with Emulator.from_scenario(scenario) as emulator:
        code, summary = await _summary(emulator, tmp_path, capsys, mapping=mapping)
        posted = emulator.store.query(
            'SELECT DISTINCT p.periodname, substr(t.trandate, 1, 7) FROM "transaction" t '
            "JOIN accountingperiod p ON p.id = t.postingperiod"
        )
    checks = {check["id"]: check for check in summary["checks"]}
    assert checks["periods"]["status"] == "warn"
    assert "Warn or Allow" in checks["periods"]["fix"]
    if scenario == "closed-period-allow":
        assert (code, summary["failed"]) == (0, 0)
        assert {tuple(row) for row in posted} == {("Nov 2026", "2026-10")}
    else:
        assert summary["failed"] > 0
        details = {
            row[0] for row in _ledger(tmp_path, "SELECT error_detail FROM documents WHERE state = 'failed'")
        }
        assert any("not within the date range" in str(detail) for detail in details), details
