"""Done when, over real sockets: `tms-netsuite serve` exports into a served emulator; a person pays an invoice
and a bill there (`netsuite-emulator act`); the service's own scheduled read-back finds them and its webhooks bring
exactly one `invoice.paid` and one `bill.paid` to a receiver on a socket that verifies them with the
`standardwebhooks` package, within one sync interval; reconcile over the API finds an edited total, a deleted
invoice and a copied invoice."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from netsuite_emulator.testing import person_at, start_emulator
from tests.service.conftest import cli, cli_environ, documents, start_serve
from tms_netsuite.mapping import demo_mapping_path

EMULATOR = [sys.executable, "-c", "from netsuite_emulator.cli import main; main()"]
INTERVAL_MINUTES = 0.04  # --sync-back-every: 2.4 s
INTERVAL = INTERVAL_MINUTES * 60
# NetSuite's clock counts whole seconds and a pass leaves the second it began to the next; a loaded machine (the
# suite runs on 2 shared cores) may be slow to start the pass or to deliver: allowed on top of the interval.
SLACK = 4.0


@contextmanager
def receiver(accepted: list[dict[str, Any]], secret: list[str]) -> Iterator[str]:
    """A TMS's endpoint on a socket: 204 for a request `standardwebhooks` verifies, 400 otherwise."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            try:
                payload = Webhook(secret[0]).verify(body, dict(self.headers.items()))
            except (WebhookVerificationError, IndexError):
                self.send_response(400)
            else:
                assert payload["id"] == self.headers["webhook-id"]
                accepted.append({**payload, "received_at": time.monotonic()})
                self.send_response(204)
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


def until(check: Callable[[], Any], within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what}: not within {within} s"
        time.sleep(0.05)
    return found


def act(*args: str) -> None:
    acted = subprocess.run(  # noqa: S603 - our own interpreter and package
        [*EMULATOR, "act", *args], capture_output=True, text=True, timeout=60, env=cli_environ(), check=False
    )
    assert acted.returncode == 0, acted.stderr


def test_paid_in_netsuite_arrives_once_as_verified_webhooks_within_one_interval(tmp_path: Path) -> None:
    account_db = tmp_path / "account.db"
    emulator = start_emulator(tmp_path, "--db", str(account_db), environ=cli_environ())
    ledger = str(tmp_path / "service.db")
    accepted: list[dict[str, Any]] = []
    secret: list[str] = []
    process = None
    try:
        added = cli("accounts", "add", "acme", "--env-file", str(emulator.env_file), "--mapping",
                    str(demo_mapping_path()), "--ledger", ledger)  # fmt: skip
        assert added.returncode == 0, added.stderr
        key = (
            cli("api-keys", "create", "--account", "acme", "--ledger", ledger).stdout.strip().splitlines()[-1]
        )
        process, served, log = start_serve(
            ledger, tmp_path, "--sync-back-every", str(INTERVAL_MINUTES), "--grace", "5"
        )
        with (
            receiver(accepted, secret) as url,
            httpx.Client(base_url=served, headers={"Authorization": f"Bearer {key}"}, timeout=60) as api,
        ):
            sent = documents(8)
            assert api.post("/v1/accounts/acme/documents", json=sent).status_code == 202

            def synced() -> bool:
                summary = api.get("/v1/accounts/acme/summary").json()
                waiting = any(summary["totals"].get(s) for s in ("pending", "exporting", "blocked"))
                return bool(summary["last_run"]) and not waiting

            until(synced, 120, "the documents are exported")
            made = api.post("/v1/accounts/acme/webhooks", json={"url": url, "from_start": True})
            assert made.status_code == 201, made.text + log.read_text()[-3000:]
            secret.append(made.json()["secret"])
            # The exports' own events (document.synced, the TMS's payments) arrive first.
            until(lambda: any(e["type"] == "document.synced" for e in accepted), 30, "the first events")
            with sqlite3.connect(account_db) as db:
                invoice, bill = (
                    db.execute(
                        'SELECT id FROM "transaction" WHERE type = ? AND externalid IS NOT NULL '
                        "AND foreignamountunpaid > 0 ORDER BY id LIMIT 1",
                        (code,),
                    ).fetchone()[0]
                    for code in ("CustInvc", "VendBill")
                )
            act("pay-invoice", "--db", str(account_db), str(invoice))
            act("pay-bill", "--db", str(account_db), str(bill))
            paid_at = time.monotonic()

            def paid() -> list[dict[str, Any]]:
                return [
                    e
                    for e in accepted
                    if (e["type"], e["netsuite"]["internal_id"])
                    in {("invoice.paid", str(invoice)), ("bill.paid", str(bill))}
                ]

            until(
                lambda: len(paid()) == 2, INTERVAL + SLACK, "invoice.paid and bill.paid within one interval"
            )
            assert max(e["received_at"] for e in paid()) - paid_at <= INTERVAL + SLACK
            time.sleep(INTERVAL + 1)  # another pass and delivery round: nothing comes twice
            assert sorted(e["type"] for e in paid()) == ["bill.paid", "invoice.paid"]
            ids = [e["id"] for e in accepted]
            assert len(ids) == len(set(ids))
            feed = api.get("/v1/accounts/acme/events", params={"limit": 1000}).json()["events"]
            assert {e["id"] for e in feed} == set(ids), "every event kept was delivered, once"
            [invoice_paid] = [e for e in paid() if e["type"] == "invoice.paid"]
            assert invoice_paid["document"]["kind"] == "invoice"
            assert invoice_paid["netsuite"]["external_id"].startswith("tms-invoice-")
            # Reconcile: an edited total, a deleted bill and a copied invoice.
            with sqlite3.connect(account_db) as db:
                (edited, total), (deleted, _) = db.execute(
                    "SELECT id, foreigntotal FROM \"transaction\" WHERE type = 'CustInvc' AND externalid IS "
                    "NOT NULL AND foreignamountunpaid > 0 ORDER BY id DESC LIMIT 2"
                ).fetchall()
            with person_at(account_db) as clerk:  # `act` as above, in this process (three starts fewer)
                clerk.edit_total("invoice", edited, total + 40)
                clerk.delete("invoice", deleted)
                clerk.copy("invoice", invoice)
            report = api.get("/v1/accounts/acme/reconcile", params={"period": "2026-10"})
            assert report.status_code == 200, report.text
            kinds = report.json()["differences_by_kind"]
            assert {"total_differs", "missing_in_netsuite", "duplicate"} <= set(kinds), kinds
            assert report.json()["agrees"] is False
            page = api.get("/v1/accounts/acme/reconcile", params={"period": "2026-10", "format": "html"})
            assert page.headers["content-type"].startswith("text/html")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM, log.read_text()  # as `serve` always ends on it
        assert secret[0] not in log.read_text()
        assert secret[0] not in Path(ledger).read_bytes().decode("latin-1"), "kept encrypted"
        assert json.dumps(secret[0])[1:-1] not in Path(ledger).read_bytes().decode("latin-1")
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        emulator.stop()
