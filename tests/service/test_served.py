"""`tms-netsuite serve` as operators run it, over a real socket: set up with the CLI, documents posted over
HTTP and synced into a served emulator, schemathesis against the live API, JSON logs, and SIGTERM."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from netsuite_emulator.testing import ServedEmulator, start_emulator
from tests.service.conftest import cli, cli_environ, documents, multipart, start_serve, with_parts
from tms_netsuite.mapping import demo_mapping_path


@dataclass
class Served:
    url: str
    admin: str
    key: str
    process: subprocess.Popen[bytes]
    log: Path
    emulator: ServedEmulator
    ledger: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    emulator = start_emulator(folder, environ=cli_environ())
    ledger = str(folder / "service.db")
    process = None
    try:
        added = cli(
            "accounts",
            "add",
            "acme",
            "--env-file",
            str(emulator.env_file),
            "--mapping",
            str(demo_mapping_path()),
            "--ledger",
            ledger,
        )
        assert added.returncode == 0, added.stderr
        admin = json.loads(cli("api-keys", "create", "--admin", "--json", "--ledger", ledger).stdout)["key"]
        key = (
            cli("api-keys", "create", "--account", "acme", "--ledger", ledger).stdout.strip().splitlines()[-1]
        )
        process, url, log = start_serve(ledger, folder, "--log-format", "json", "--grace", "10")
        yield Served(url, admin, key, process, log, emulator, Path(ledger))
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        emulator.stop()


def test_no_server_error_and_no_answer_outside_the_schema(served: Served) -> None:
    """Generated requests for every operation (bounded) with an administrator's key: never a 5xx, never an
    answer the published schema does not allow. (Driven by hand: schemathesis's pytest plugin does not run
    under this pytest.)"""
    api = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 29
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {served.admin}"}, checks=checks)

        check()


def test_documents_with_their_files_over_a_real_socket(served: Served) -> None:
    """A multipart request over HTTP, as `curl -F` sends it: the files are kept beside the ledger by SHA-256,
    exported into the served emulator and attached; the document's timeline links to them in NetSuite."""
    values, parts = with_parts(loads=2, seed=3, month="2026-09")  # other loads than the next test's month
    headers = {"Authorization": f"Bearer {served.key}"}
    with httpx.Client(base_url=served.url, timeout=60) as client:
        answer = client.post("/v1/accounts/acme/documents", files=multipart(values, parts), headers=headers)
        assert answer.status_code == 202, answer.text
        once = [v for v in values if v["kind"] == "invoice" and [w["id"] for w in values].count(v["id"]) == 1]
        invoice = next(v for v in once if v["status"] == "active")
        deadline = time.monotonic() + 90
        while True:
            detail = client.get(
                f"/v1/accounts/acme/documents/invoice/{invoice['id']}/timeline", headers=headers
            ).json()
            if detail["attachments"] and all(f["state"] == "synced" for f in detail["attachments"]):
                break
            assert time.monotonic() < deadline, detail
            time.sleep(0.2)
    links = [r["url"] for f in detail["attachments"] for r in f["records"] if r["type"] == "file"]
    assert len(links) == len(invoice["attachments"])
    assert all("/app/common/media/mediaitem.nl?id=" in link for link in links)
    stored = served.ledger.with_name(served.ledger.name + ".files") / "acme"
    assert {p.name for p in stored.iterdir()} == {
        hashlib.sha256(data).hexdigest() for _, data in parts.values()
    }


def test_served_documents_sync_and_sigterm_stops_cleanly(served: Served) -> None:
    docs = documents()
    headers = {"Authorization": f"Bearer {served.key}", "X-Request-ID": "trace-me-1"}
    with httpx.Client(base_url=served.url, timeout=30) as client:
        answer = client.post("/v1/accounts/acme/documents", json=docs, headers=headers)
        assert answer.status_code == 202, answer.text
        assert answer.headers["X-Request-ID"] == "trace-me-1"
        deadline = time.monotonic() + 90
        while True:
            summary = client.get("/v1/accounts/acme/summary", headers=headers).json()
            totals = summary["totals"]
            if not any(totals.get(s) for s in ("pending", "exporting", "blocked")) and summary["last_run"]:
                break
            assert time.monotonic() < deadline, summary
            time.sleep(0.2)
        assert totals.get("synced", 0) > 0
        assert not totals.get("failed")
        assert client.get("/readyz").json() == {"status": "ready"}
    served.process.send_signal(signal.SIGTERM)
    # uvicorn shuts down, then ends by the signal it caught (the shells' 143), as `export` does.
    assert served.process.wait(timeout=30) == -signal.SIGTERM
    lines = [json.loads(line) for line in served.log.read_text().splitlines() if line.startswith("{")]
    ingest = [line for line in lines if line.get("request_id") == "trace-me-1"]
    assert ingest
    assert ingest[0]["account"] == "acme"
    assert ingest[0]["status"] == 202
    assert any(line.get("account") == "acme" and "exported" in line["message"] for line in lines)
    assert any(line["message"].startswith("stopped: ") for line in lines)
    text = served.log.read_text()
    secrets = [
        v
        for k, v in served.emulator.env.items()
        if k
        in ("NETSUITE_CONSUMER_SECRET", "NETSUITE_TOKEN_SECRET", "NETSUITE_TOKEN_ID", "NETSUITE_CONSUMER_KEY")
    ]
    for secret in [*secrets, served.key, served.admin]:
        assert secret not in text


def test_set_mapping_is_refused_when_the_doctor_fails(served: Served, tmp_path: Path) -> None:
    ledger = str(tmp_path / "other.db")
    assert (
        cli(
            "accounts",
            "add",
            "acme",
            "--env-file",
            str(served.emulator.env_file),
            "--mapping",
            str(demo_mapping_path()),
            "--ledger",
            ledger,
        ).returncode
        == 0
    )
    broken = tmp_path / "broken.toml"
    broken.write_text(
        demo_mapping_path().read_text().replace('receivable = "1200"', 'receivable = "9999"', 1)
    )
    refused = cli("accounts", "set-mapping", "acme", str(broken), "--ledger", ledger)
    assert refused.returncode == 1, refused.stderr
    assert "fail accounts" in refused.stderr
    assert "--force" in refused.stderr
    listed = json.loads(cli("accounts", "list", "--json", "--ledger", ledger).stdout)
    assert listed[0]["mapping_version"] == 1
    forced = cli("accounts", "set-mapping", "acme", str(broken), "--force", "--ledger", ledger)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(cli("accounts", "list", "--json", "--ledger", ledger).stdout)[0]["mapping_version"] == 2
