"""The way back, end to end through the commands: export, a person pays an invoice and a bill in NetSuite
(`netsuite-emulator act`), `sync-back` writes exactly one `invoice.paid` and one `bill.paid`, and `webhooks
deliver` hands them to a receiver that verifies them with the `standardwebhooks` package; `reconcile` disagrees."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.cli.test_export_cli import documents_file
from tests.integration.conftest import served_emulator
from tms_netsuite.mapping import demo_mapping_path

CLI = [sys.executable, "-c", "from tms_netsuite.cli import main; main()"]
EMULATOR = [sys.executable, "-c", "from netsuite_emulator.cli import main; main()"]


def run(command: list[str], *args: str, folder: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}
    environ["TMS_NETSUITE_SECRET_KEY_FILE"] = str(folder / "secret.key")
    return subprocess.run(  # noqa: S603 - our own interpreter and packages
        [*command, *args], capture_output=True, text=True, timeout=180, env=environ, cwd=folder, check=False
    )


@contextmanager
def receiver(accepted: list[dict[str, object]], secret: list[str]) -> Iterator[str]:
    """A TMS's endpoint on a socket: 204 for a request `standardwebhooks` verifies, 400 otherwise."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            try:
                accepted.append(Webhook(secret[0]).verify(body, dict(self.headers.items())))
                self.send_response(204)
            except WebhookVerificationError:
                self.send_response(400)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/netsuite"
    finally:
        server.shutdown()
        server.server_close()


def test_a_payment_and_a_bill_paid_in_netsuite_arrive_once_as_verified_webhooks(tmp_path: Path) -> None:
    source = documents_file(tmp_path, 4, seed=5)
    account_db = tmp_path / "account.db"
    ledger = ["--ledger", str(tmp_path / "l.db"), "--env-file", str(tmp_path / "netsuite.env")]
    accepted: list[dict[str, object]] = []
    secret: list[str] = []
    with served_emulator(tmp_path, "--db", str(account_db)), receiver(accepted, secret) as url:
        exported = run(
            CLI,
            "export",
            "--input",
            str(source),
            "--mapping",
            str(demo_mapping_path()),
            *ledger,
            folder=tmp_path,
        )
        assert exported.returncode == 0, exported.stdout + exported.stderr
        baseline = run(CLI, "sync-back", *ledger, "--out", "events.jsonl", folder=tmp_path)
        assert baseline.returncode == 0, baseline.stderr
        added = run(CLI, "webhooks", "add", url, *ledger, folder=tmp_path)
        assert added.returncode == 0, added.stderr
        secret.append(added.stdout.split("Signing secret (shown once, kept encrypted): ")[1].strip())
        with sqlite3.connect(account_db) as db:
            invoice, bill = (
                db.execute(
                    'SELECT externalid FROM "transaction" WHERE type = ? AND externalid IS NOT NULL '
                    "AND foreignamountunpaid > 0 ORDER BY id LIMIT 1",
                    (code,),
                ).fetchone()[0]
                for code in ("CustInvc", "VendBill")
            )
        for action in (["pay-invoice", invoice], ["pay-bill", bill]):
            acted = run(EMULATOR, "act", action[0], "--db", str(account_db), action[1], folder=tmp_path)
            assert acted.returncode == 0, acted.stderr
        before = (tmp_path / "events.jsonl").read_text().splitlines()
        synced = run(CLI, "sync-back", *ledger, "--out", "events.jsonl", "--json", folder=tmp_path)
        assert synced.returncode == 0, synced.stderr
        new = [
            json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()[len(before) :]
        ]
        assert sorted(e["type"] for e in new if e["type"].endswith(".paid")) == ["bill.paid", "invoice.paid"]
        again = run(CLI, "sync-back", *ledger, "--out", "events.jsonl", "--json", folder=tmp_path)
        assert json.loads(again.stdout)["written"] == 0, "nothing is written twice"
        delivered = run(CLI, "webhooks", "deliver", *ledger, "--json", folder=tmp_path)
        assert delivered.returncode == 0, delivered.stderr
        assert json.loads(delivered.stdout)["delivered"] == len(new)
        assert (
            run(CLI, "webhooks", "deliver", *ledger, "--json", folder=tmp_path).stdout.count('"attempted": 0')
            == 1
        )
        reconciled = run(
            CLI, "reconcile", "--period", "2026-10", "--format", "json", *ledger, folder=tmp_path
        )
    paid = [e for e in accepted if str(e["type"]).endswith(".paid")]
    assert sorted(str(e["type"]) for e in paid) == ["bill.paid", "invoice.paid"]
    assert {str(e["id"]) for e in accepted} == {e["id"] for e in new}
    [invoice_paid] = [e for e in paid if e["type"] == "invoice.paid"]
    assert invoice_paid["netsuite"]["external_id"] == invoice  # type: ignore[index]
    assert secret[0] not in (tmp_path / "l.db").read_bytes().decode("latin-1")
    assert reconciled.returncode == 1, "people's payments leave NetSuite's open A/R below the TMS's"
    assert json.loads(reconciled.stdout)["differences_by_kind"]["open_balance_differs"] >= 1
