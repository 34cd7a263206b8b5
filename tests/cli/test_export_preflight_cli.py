"""`export` when NetSuite fails transiently during the preflight (issue 16 §7): "nothing was exported" names a
check that failed only when one did; a check that could not be read after retries is said to be unchecked,
the run stops with exit 2 before writing anything, and the message says to re-run. In-process emulator."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.cli._export import ExportOptions, export_with
from tms_netsuite.documents import write_documents
from tms_netsuite.generate import generate
from tms_netsuite.mapping import demo_mapping_path
from tms_netsuite.netsuite import NetSuiteSettings

BASE_URL = "http://emulator.test"


async def export(emulator: Emulator, tmp_path: Path, *, as_json: bool) -> int:
    source = tmp_path / "documents.jsonl"
    with source.open("w") as stream:
        write_documents(generate(2, 4), stream)
    options = ExportOptions(
        input=source,
        mapping=demo_mapping_path(),
        env_file=None,
        ledger=tmp_path / "l.db",
        concurrency=None,
        skip_doctor=False,
        as_json=as_json,
    )
    environ = emulator.env(base_url=BASE_URL)
    transport = httpx.ASGITransport(app=emulator.app)
    return await export_with(options, NetSuiteSettings.from_environ(environ), environ, transport=transport)


@pytest.mark.anyio
@pytest.mark.parametrize("fault", ["401", "5xx"])
async def test_reads_that_fail_transiently_are_unchecked_not_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    """Every SuiteQL read answers a spurious 401 INVALID_LOGIN (as an overloaded account does) or a 500, while
    serverTime works: the lists and periods could not be checked; no check failed; exit 2, nothing written."""
    with Emulator.from_scenario("healthy", faults={fault: 1.0}, seed=1) as emulator:
        code = await export(emulator, tmp_path, as_json=True)
        served = emulator.stats().served
        body = json.loads(capsys.readouterr().out)
    assert code == 2
    statuses = {check["id"]: check["status"] for check in body["checks"]}
    assert "fail" not in statuses.values(), statuses
    assert body["transient"] is True
    assert body["error"].startswith("nothing was exported: could not be checked (")
    assert "re-run the export" in body["error"]
    assert "prerequisite check failed" not in body["error"]
    unchecked = {check["id"] for check in body["checks"] if check["transient"]}
    assert unchecked == {"subsidiaries", "accounts", "lists", "periods"}
    assert all("could not be checked" in check["detail"] for check in body["checks"] if check["transient"])
    assert served > 0  # the reads were tried, and retried


@pytest.mark.anyio
async def test_the_text_report_says_unchecked_and_to_re_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator.from_scenario("healthy", faults={"401": 1.0}, seed=1) as emulator:
        code = await export(emulator, tmp_path, as_json=False)
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "Nothing was exported: could not be checked (" in err
    assert "NetSuite failed transiently even after retries: re-run the export" in err
    assert "prerequisite check failed" not in err
    assert "--skip-doctor" not in err


@pytest.mark.anyio
async def test_a_failed_check_is_named_with_its_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator.from_scenario("missing-accounts") as emulator:
        code = await export(emulator, tmp_path, as_json=False)
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "Nothing was exported: a prerequisite check failed (accounts, lists)" in err
    assert "fix: Create or correct the accounts" in err
