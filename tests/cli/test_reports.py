"""`status`, `errors` and `retry` on a ledger made here (issue 15 §3, edges 5, 9, 10 and 11): read-only, no secrets,
never a new ledger; rejected lines kept; failures grouped by NetSuite's detail; reasons when nothing is queued."""

from __future__ import annotations

import asyncio
import io
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tms_netsuite.cli import main
from tms_netsuite.documents import Kind, write_documents
from tms_netsuite.export import ingest_lines
from tms_netsuite.generate import generate
from tms_netsuite.ledger import ErrorInfo, Ledger, Outcome, State, ledger_url
from tms_netsuite.mapping import external_id

ACCOUNT = "1234567"
INACTIVE = "The income account of item Fuel Surcharge does not exist or is inactive."
CLOSED = "The accounting period Oct 2026 is closed."


def run(*args: str, cwd: Path | None = None) -> Result:
    """The command with no NETSUITE_* or TMS_NETSUITE_* settings at all: no env file, no secrets."""
    cleared: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("NETSUITE_", "TMS_NETSUITE_"))
    }
    before = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), env=cleared)
    finally:
        os.chdir(before)


def input_lines(*, bad: bool) -> list[bytes]:
    stream = io.StringIO()
    write_documents(generate(3, 5), stream)
    lines = [line.encode() + b"\n" for line in stream.getvalue().splitlines()]
    if bad:
        lines.insert(1, b'{"kind": "invoice", "id": "INV-BAD", "version": 1}\n')
        lines.append(b"not json \xff at all\n")
    return lines


@dataclass(frozen=True)
class Made:
    synced: int  # a customer
    inactive: int  # an invoice NetSuite refused for an inactive income account
    closed: int  # an invoice refused for a closed period (the same code, another detail)
    blocked: int  # an invoice waiting for its customer
    customer: str  # the TMS id that invoice waits for


async def make_ledger(path: Path, *, bad: bool = True) -> Made:
    """A ledger of three loads' documents, settled as `Made` says, the rest pending; with ``bad``, two input
    lines of october.jsonl rejected."""
    ledger = await Ledger.open(ledger_url(path, {}), ACCOUNT, "production")
    try:
        await ingest_lines(ledger, input_lines(bad=bad), source="october.jsonl")
        claimed = await ledger.claim("run-1", limit=1000, lease=timedelta(minutes=5))
        customers = [c for c in claimed if c.kind == "customer"]
        invoices = [c for c in claimed if c.kind == "invoice"]
        outcomes = [Outcome(c.row_id, State.SYNCED) for c in customers]
        refused = ErrorInfo("data", "INVALID_FLD_VALUE", INACTIVE, "NetSuite refused a value.", "Correct it.")
        outcomes.append(Outcome.failed(invoices[0].row_id, refused))
        outcomes.append(Outcome.failed(invoices[1].row_id, ErrorInfo("data", "INVALID_FLD_VALUE", CLOSED)))
        waits = f"customer/eid:{external_id(Kind.CUSTOMER, customers[0].tms_id)}"
        outcomes.append(Outcome(invoices[2].row_id, State.BLOCKED, blocked_on=waits))
        settled = {outcome.row_id for outcome in outcomes}
        later = datetime.now(UTC) + timedelta(hours=1)
        outcomes += [
            Outcome.retry(c.row_id, ErrorInfo("retry_later", None, "later"), at=later, outcome_unknown=False)
            for c in claimed
            if c.row_id not in settled
        ]
        await ledger.settle(outcomes, run_id="run-1")
        return Made(
            customers[0].row_id,
            invoices[0].row_id,
            invoices[1].row_id,
            invoices[2].row_id,
            customers[0].tms_id,
        )
    finally:
        await ledger.close()


@pytest.fixture
def made(tmp_path: Path) -> Made:
    return asyncio.run(make_ledger(tmp_path / "l.db"))


def test_read_only_commands_never_create_a_ledger(tmp_path: Path) -> None:
    """Edge 10: run from the wrong folder, `status`, `errors` and `retry` once made an empty ./tms-netsuite.db
    and reported nothing; now they say where they looked, exit 2, and leave the folder as it was."""
    for args in (["status"], ["errors"], ["retry", "--all"], ["status", "--ledger", "elsewhere.db"]):
        result = run(*args, cwd=tmp_path)
        assert result.exit_code == 2, (args, result.output)
        assert "no ledger at" in result.output, result.output
        assert "`tms-netsuite export` makes it" in result.output
    assert list(tmp_path.iterdir()) == []


def test_read_only_commands_need_no_secrets(tmp_path: Path, made: Made) -> None:
    """Edge 10: no env file and no NETSUITE_* values: the account is the ledger's only one, or --account."""
    ledger = str(tmp_path / "l.db")
    alone = run("status", "--json", "--ledger", ledger)
    named = run("status", "--json", "--ledger", ledger, "--account", "1234567")
    assert alone.exit_code == named.exit_code == 0, alone.output
    assert json.loads(alone.output)["account"] == json.loads(named.output)["account"] == ACCOUNT
    assert run("errors", "--ledger", ledger).exit_code == 0
    other = run("status", "--ledger", ledger, "--account", "999999")
    assert other.exit_code == 0
    assert "The ledger holds no documents of account 999999." in other.output


def test_status_json_is_an_object_and_says_whether_a_run_is_active(tmp_path: Path, made: Made) -> None:
    """Edge 11 and 8: `status --json` is one object, as its help promises, with counts, rows, rejected lines
    and the runs active; the text says no run is active."""
    ledger = str(tmp_path / "l.db")
    report = json.loads(run("status", "--json", "--ledger", ledger).output)
    assert isinstance(report, dict)
    assert set(report) >= {"account", "active_runs", "counts", "rows", "rejected"}
    assert report["active_runs"] == 0
    assert report["counts"]["failed"] == 2
    assert report["counts"]["rejected"] == 2
    assert {row["id"] for row in report["rows"] if row["state"] == "failed"} == {made.inactive, made.closed}
    assert "No export run is active." in run("status", "--ledger", ledger).output


def test_rejected_lines_are_kept_and_shown(tmp_path: Path, made: Made) -> None:
    """Edge 5: rejected lines were reported once on stderr and then gone; the ledger keeps them (line, field,
    reason, raw line), and `errors`, `status --state rejected` and both `--json`s show them."""
    ledger = str(tmp_path / "l.db")
    errors = run("errors", "--ledger", ledger)
    listed = run("status", "--state", "rejected", "--ledger", ledger)
    as_json = json.loads(run("errors", "--json", "--ledger", ledger).output)["rejected"]
    status_json = json.loads(run("status", "--json", "--state", "rejected", "--ledger", ledger).output)
    assert listed.exit_code == 0, listed.output
    for output in (errors.output, listed.output):
        assert "2 input lines rejected" in output
        assert "october.jsonl:line 2 (invoice INV-BAD)" in output
        assert "$.company: required field is missing" in output
        assert 'raw: {"kind": "invoice", "id": "INV-BAD", "version": 1}' in output
        assert "not UTF-8" in output
    assert [(line["source"], line["line"]) for line in as_json] == [
        ("october.jsonl", 2),
        ("october.jsonl", len(input_lines(bad=True))),
    ]
    assert {"field": "$.company", "reason": "required field is missing"} in as_json[0]["issues"]
    assert as_json[1]["raw"] == "not json \\xff at all"
    assert status_json["rejected"] == as_json
    assert status_json["rows"] == []


def test_a_source_ingested_again_replaces_its_rejected_lines(tmp_path: Path) -> None:
    """Edge 5: the same file fixed and ingested again leaves nothing rejected."""
    path = tmp_path / "l.db"
    asyncio.run(make_ledger(path))

    async def again() -> int:
        ledger = await Ledger.open(ledger_url(path, {}), ACCOUNT, "production")
        try:
            await ingest_lines(ledger, input_lines(bad=False), source="october.jsonl")
            return len(await ledger.rejected())
        finally:
            await ledger.close()

    assert asyncio.run(again()) == 0
    assert "No rejected input lines." in run("status", "--state", "rejected", "--ledger", str(path)).output


def test_errors_groups_by_netsuites_detail_and_names_each_document_once(tmp_path: Path, made: Made) -> None:
    """Edge 3 and 11: one code (INVALID_FLD_VALUE) with two details is two causes, each said once with its fix
    and the retry command, each document listed under it without repeating the cause; the blocked invoice
    names the TMS customer it waits for, not our external id; --json has the same groups."""
    ledger = str(tmp_path / "l.db")
    output = run("errors", "--ledger", ledger).output
    assert f"1 failed — INVALID_FLD_VALUE: {INACTIVE}" in output
    assert f"1 failed — INVALID_FLD_VALUE: {CLOSED}" in output
    assert output.count(INACTIVE) == 1
    assert f"then: `tms-netsuite retry {made.inactive}`" in output
    assert f"(#{made.blocked}) waits for customer {made.customer}" in output
    assert "eid:" not in output
    assert "tms-customer-" not in output
    report = json.loads(run("errors", "--json", "--ledger", ledger).output)
    assert sorted(group["detail"] for group in report["failed"]) == sorted([INACTIVE, CLOSED])
    assert [row["waits_for"] for row in report["blocked"]] == [{"kind": "customer", "tms_id": made.customer}]


def test_retry_says_why_nothing_was_queued(tmp_path: Path, made: Made) -> None:
    """Edge 11: `retry 99999` and retrying a synced row said "0 queued" with no reason; now each named row
    that was not queued says why, in words and in --json."""
    ledger = str(tmp_path / "l.db")
    words = run("retry", "99999", str(made.synced), "--ledger", ledger)
    assert words.exit_code == 0, words.output
    assert "#99999 not queued: no document version #99999 in this account's ledger" in words.output
    assert (
        f"#{made.synced} not queued: it is synced, not failed or blocked: NetSuite holds it" in words.output
    )
    assert "Nothing was queued." in words.output
    as_json = json.loads(run("retry", str(made.inactive), "99999", "--json", "--ledger", ledger).output)
    assert as_json["queued"] == 1
    assert [entry["id"] for entry in as_json["not_queued"]] == [99999]


def test_a_rebill_leaves_its_first_version_superseded(tmp_path: Path) -> None:
    """Edge 9: an invoice synced as version 1 and again as version 2 (a rebill) once counted twice as synced;
    version 1 is superseded once version 2 is written."""

    async def rebill() -> dict[int, State]:
        ledger = await Ledger.open(ledger_url(tmp_path / "l.db", {}), ACCOUNT, "production")
        try:
            invoice = next(d for d in generate(2, 3) if d.kind is Kind.INVOICE)
            for version in (1, 2):
                changed = invoice.model_copy(update={"version": version, "memo": f"v{version}"})
                stream = io.StringIO()
                write_documents([changed], stream)
                await ingest_lines(ledger, [stream.getvalue()])
                claimed = await ledger.claim(f"run-{version}", limit=10, lease=timedelta(minutes=5))
                await ledger.settle(
                    [Outcome(c.row_id, State.SYNCED) for c in claimed], run_id=f"run-{version}"
                )
            return {row.version: row.state async for row in ledger.rows()}
        finally:
            await ledger.close()

    assert asyncio.run(rebill()) == {1: State.SUPERSEDED, 2: State.SYNCED}


def test_failures_on_one_mapping_gap_are_one_cause() -> None:
    """Edge 11: translation names the document and the line in its detail; documents failing on the same gap
    are still one cause, said once."""
    from tms_netsuite.ledger import LedgerRow, group_failures

    def failed(row_id: int, tms_id: str, line: int) -> LedgerRow:
        detail = (
            f"carrier_bill {tms_id} v1, $.lines[{line}].charge_code: charge code LINEHAUL: NetSuite has no "
            "account named '5000'"
        )
        error = ErrorInfo("data", "MAPPING", detail, None, "change the mapping")
        return LedgerRow(
            row_id, "carrier_bill", tms_id, 1, State.FAILED, 1, None, None, None, error, datetime.now(UTC)
        )

    [cause] = group_failures([failed(1, "CB-1", 0), failed(2, "CB-2", 3)])
    assert [row.row_id for row in cause.rows] == [1, 2]
    assert (
        cause.detail == "$.lines[n].charge_code: charge code LINEHAUL: NetSuite has no account named '5000'"
    )
    assert cause.fixed_by_mapping
