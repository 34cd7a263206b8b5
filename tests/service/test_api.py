"""The API end to end in-process: accounts, keys, ingest, reads, retry, doctor, tenant isolation."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from netsuite_emulator import Emulator
from tests.service.conftest import MAPPING, Harness, all_synced, documents
from tms_netsuite.accounts import Accounts, SecretBox
from tms_netsuite.export import ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Registry, State
from tms_netsuite.service import MAX_BYTES, MAX_DOCUMENTS, Service

pytestmark = pytest.mark.anyio


async def test_documents_posted_are_synced_once_and_readable(harness: Harness, healthy: Emulator) -> None:
    account = await harness.add_account("freightco-prod", healthy)
    assert account["account_id"] == healthy.account_id
    key = await harness.key("freightco-prod")
    docs = documents()
    answer = await harness.call("POST", "/v1/accounts/freightco-prod/documents", key, json=docs)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["accepted"] == len(docs)
    assert body["rejected"] == []
    assert body["conflicts"] == []
    again = await harness.call("POST", "/v1/accounts/freightco-prod/documents", key, json=docs)
    assert again.json()["duplicates"] == len(docs)
    assert again.json()["accepted"] == 0

    summary = await harness.wait_until("freightco-prod", key, all_synced(len(docs)))
    assert summary["totals"].get("synced", 0) > 0
    assert summary["totals"].get("failed", 0) == 0
    assert summary["last_run"]["records_written"] > 0
    assert summary["doctor_ran_at"] is not None
    assert summary["doctor_failed_checks"] == []
    # Exactly once: each record written once in NetSuite, keyed by its external id.
    invoice = next(d for d in docs if d["kind"] == "invoice")
    detail = (
        await harness.call("GET", f"/v1/accounts/freightco-prod/documents/invoice/{invoice['id']}", key)
    ).json()
    [version] = detail["versions"]
    assert version["state"] == "synced"
    [record] = version["records"]
    assert record["type"] == "invoice"
    assert record["internal_id"]
    assert "/app/accounting/transactions/" in record["url"] or record["url"].startswith("http")

    first = (await harness.call("GET", "/v1/accounts/freightco-prod/documents?limit=5", key)).json()
    assert len(first["documents"]) == 5
    assert first["next_cursor"]
    second = (
        await harness.call(
            "GET", f"/v1/accounts/freightco-prod/documents?limit=5&cursor={first['next_cursor']}", key
        )
    ).json()
    assert {d["row_id"] for d in first["documents"]}.isdisjoint(d["row_id"] for d in second["documents"])
    invoices = (
        await harness.call(
            "GET", "/v1/accounts/freightco-prod/documents?kind=invoice&state=synced&limit=1000", key
        )
    ).json()
    assert invoices["documents"]
    assert all(d["kind"] == "invoice" for d in invoices["documents"])
    found = (
        await harness.call("GET", f"/v1/accounts/freightco-prod/documents?q={invoice['id']}", key)
    ).json()
    assert [d["id"] for d in found["documents"]] == [invoice["id"]]


async def test_validation_limits_and_bad_json(harness: Harness, healthy: Emulator) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    path = "/v1/accounts/acme/documents"
    docs = documents(1)
    broken = [dict(docs[0], kind="invoice", id="INV-X", lines=[]), {"kind": "nonsense"}]
    body = (await harness.call("POST", path, key, json=broken)).json()
    assert body["accepted"] == 0
    assert {r["index"] for r in body["rejected"]} == {0, 1}
    assert all(r["field"].startswith("$") and r["reason"] for r in body["rejected"])

    ndjson = "\n".join(json.dumps(d) for d in docs[:3]) + "\n\n"
    answer = await harness.call(
        "POST", path, key, content=ndjson, headers={"Content-Type": "application/x-ndjson"}
    )
    assert answer.status_code == 202
    assert answer.json()["accepted"] == 3

    bad = '{"kind": "invoice"}\n{"kind": \n'
    answer = await harness.call(
        "POST", path, key, content=bad, headers={"Content-Type": "application/x-ndjson"}
    )
    assert answer.status_code == 400
    assert "line 2" in answer.json()["detail"]
    answer = await harness.call(
        "POST", path, key, content='[\n{"a": 1},\n{oops}\n]', headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert "line 3" in answer.json()["detail"]

    too_many = [docs[0]] * (MAX_DOCUMENTS + 1)
    answer = await harness.call("POST", path, key, json=too_many)
    assert answer.status_code == 413
    assert str(MAX_DOCUMENTS) in answer.json()["detail"]
    answer = await harness.call("POST", path, key, json=[docs[0]] * MAX_DOCUMENTS)
    assert answer.status_code == 202
    huge = b"[" + b" " * (MAX_BYTES + 1) + b"]"
    answer = await harness.call("POST", path, key, content=huge, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert "10 MB" in answer.json()["detail"]

    conflict = dict(docs[0], memo="changed") if "memo" in docs[0] else dict(docs[0], name="Other name")
    answer = (await harness.call("POST", path, key, json=[conflict])).json()
    assert [c["index"] for c in answer["conflicts"]] == [0]


async def test_keys_are_checked_and_accounts_kept_apart(
    harness: Harness, healthy: Emulator, sandbox: Emulator
) -> None:
    await harness.add_account("alpha", healthy)
    await harness.add_account("beta", sandbox)
    alpha, beta = await harness.key("alpha"), await harness.key("beta")
    reader = await harness.key("alpha", read_only=True)
    routes = [
        ("POST", "/v1/accounts/{}/documents", {"json": []}),
        ("GET", "/v1/accounts/{}/summary", {}),
        ("GET", "/v1/accounts/{}/documents", {}),
        ("GET", "/v1/accounts/{}/documents/invoice/INV-1", {}),
        ("GET", "/v1/accounts/{}/errors", {}),
        ("POST", "/v1/accounts/{}/retry", {"json": {"all": True}}),
        ("POST", "/v1/accounts/{}/doctor", {}),
        ("GET", "/v1/accounts/{}/doctor", {}),
        ("PUT", "/v1/accounts/{}/credentials", {"json": {"credentials": {}}}),
        ("PUT", "/v1/accounts/{}/mapping", {"json": {"mapping": ""}}),
        ("POST", "/v1/accounts/{}/pause", {}),
        ("POST", "/v1/accounts/{}/resume", {}),
    ]
    for method, template, kwargs in routes:
        path = template.format("alpha")
        for key in (None, "tmsn_0000000000000000_nope", "not a key"):
            answer = await harness.call(method, path, key, **kwargs)
            assert answer.status_code == 401, (method, path)
            assert answer.headers["WWW-Authenticate"] == "Bearer"
        # Another account's key finds nothing: the same 404 as an account that does not exist.
        other = await harness.call(method, path, beta, **kwargs)
        missing = await harness.call(method, template.format("nobody"), alpha, **kwargs)
        assert other.status_code == missing.status_code == 404, (method, path)
        assert "alpha" not in other.text or "no account 'alpha'" in other.text
        writes = method != "GET"
        answer = await harness.call(method, path, reader, **kwargs)
        if writes:
            assert answer.status_code == 403, (method, path)
        else:
            assert answer.status_code in (200, 404), (method, path)  # the one document does not exist
    # Admin routes refuse an account's own key.
    for method, template, kwargs in routes[8:]:
        answer = await harness.call(method, template.format("alpha"), alpha, **kwargs)
        assert answer.status_code == 403, (method, template)
    answer = await harness.call(
        "POST", "/v1/accounts", alpha, json={"slug": "x", "credentials": {}, "mapping": ""}
    )
    assert answer.status_code == 403


async def test_retry_errors_and_doctor_pause(harness: Harness, healthy: Emulator, sandbox: Emulator) -> None:
    """A failing account is paused with the reason while the other exports unaffected; fixing the credentials
    and resuming exports it."""
    await harness.add_account("good", healthy)
    await harness.add_account("bad", sandbox, NETSUITE_TOKEN_SECRET="0" * 64)
    good, bad = await harness.key("good"), await harness.key("bad")
    docs = documents()
    for slug, key in (("good", good), ("bad", bad)):
        assert (
            await harness.call("POST", f"/v1/accounts/{slug}/documents", key, json=docs)
        ).status_code == 202
    await harness.wait_until("good", good, all_synced(len(docs)))
    summary = await harness.wait_until("bad", bad, lambda s: s["account"]["paused"])
    assert summary["account"]["pause_reason"].startswith("doctor: failed")
    assert "credentials" in summary["doctor_failed_checks"] or "connection" in summary["doctor_failed_checks"]
    assert set(summary["totals"]) <= {"pending", "superseded"}  # nothing was sent
    doctor = (await harness.call("GET", "/v1/accounts/bad/doctor", bad)).json()
    assert any(check["status"] == "fail" for check in doctor["checks"])

    fixed = await harness.call(
        "PUT",
        "/v1/accounts/bad/credentials",
        harness.admin_key,
        json={"credentials": sandbox.env(base_url="http://emulator.test")},
    )
    assert fixed.status_code == 200, fixed.text
    answer = await harness.call("POST", "/v1/accounts/bad/doctor", bad)
    assert answer.status_code == 200
    assert not any(check["status"] == "fail" for check in answer.json()["checks"])
    await harness.wait_until("bad", bad, all_synced(len(docs)))

    errors = (await harness.call("GET", "/v1/accounts/good/errors", good)).json()
    assert errors == {"failed": [], "blocked": [], "rejected": []}
    assert (await harness.call("POST", "/v1/accounts/good/retry", good, json={"all": True})).json() == {
        "queued": 0
    }
    assert (
        await harness.call("POST", "/v1/accounts/good/retry", good, json={"all": True, "group": "x"})
    ).status_code == 422


async def test_operations_need_no_key_and_secrets_never_show(
    harness: Harness, healthy: Emulator, sandbox: Emulator, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """No credential (TBA secrets, an OAuth 2.0 private key) nor API key shows in any response, header, log
    line or metric, and the database holds the credentials only encrypted."""
    caplog.set_level("DEBUG")
    await harness.add_account("ops", healthy)
    oauth2 = sandbox.env(auth="oauth2", base_url="http://emulator.test", key_dir=tmp_path)
    pem = Path(oauth2.pop("NETSUITE_PRIVATE_KEY_FILE")).read_text()  # noqa: ASYNC240 - a small local file
    harness.emulators[sandbox.account_id] = sandbox
    answer = await harness.call(
        "POST",
        "/v1/accounts",
        harness.admin_key,
        json={"slug": "ops-m2m", "credentials": {**oauth2, "NETSUITE_PRIVATE_KEY": pem}, "mapping": MAPPING},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["auth_method"] == "oauth2"
    m2m = await harness.key("ops-m2m")
    await harness.call("POST", "/v1/accounts/ops-m2m/documents", m2m, json=documents(1))
    await harness.wait_until("ops-m2m", m2m, all_synced(1))
    refused = await harness.call(
        "PUT",
        "/v1/accounts/ops-m2m/credentials",
        harness.admin_key,
        json={"credentials": {**oauth2, "NETSUITE_PRIVATE_KEY": pem.replace("A", "B")}},
    )
    assert refused.status_code == 422
    key = await harness.key("ops")
    docs = documents(1)
    await harness.call("POST", "/v1/accounts/ops/documents", key, json=docs)
    await harness.wait_until("ops", key, all_synced(len(docs)))
    assert (await harness.call("GET", "/healthz")).json() == {"status": "ok"}
    assert (await harness.call("GET", "/readyz")).json() == {"status": "ready"}
    metrics = (await harness.call("GET", "/metrics")).text
    assert 'tms_netsuite_documents{account="ops",state="synced"}' in metrics
    assert "tms_netsuite_request_seconds_bucket" in metrics
    listed = await harness.call("GET", "/v1/accounts", harness.admin_key)
    assert [a["slug"] for a in listed.json()] == ["ops", "ops-m2m"]
    assert [a["slug"] for a in (await harness.call("GET", "/v1/accounts", key)).json()] == ["ops"]
    secrets = [
        v
        for k, v in healthy.env().items()
        if k.endswith(("_SECRET", "_KEY", "_ID")) and k != "NETSUITE_ACCOUNT_ID"
    ]
    secrets += [key, harness.admin_key]
    assert secrets
    seen = "\n".join(r.text + json.dumps(dict(r.headers)) for r in harness.responses) + caplog.text
    for secret in secrets:
        assert secret not in seen
    assert "PRIVATE KEY" not in seen
    assert pem.splitlines()[1] not in seen
    assert "PRIVATE KEY" not in (await harness.service.registry.get("ops-m2m")).credentials
    stored = await harness.service.registry.get("ops")
    for secret in secrets[:-2]:
        assert secret not in stored.credentials


async def test_a_throttled_account_holds_back_no_other_and_its_limit_is_kept(
    harness: Harness, healthy: Emulator
) -> None:
    """Two accounts export at once in one process: one at a concurrency limit of 2 with slow answers (429s
    teach the limit), the other finishes meanwhile. The learned limit is kept on the account, and a service
    started again begins there: its next export meets no more 429s than a limit it already knows allows."""
    with Emulator.from_scenario("sandbox-account", concurrency_limit=2, latency_ms=25) as slow:
        await harness.add_account("fast", healthy)
        await harness.add_account("slow", slow)
        fast_key, slow_key = await harness.key("fast"), await harness.key("slow")
        many, few = documents(25, seed=5), documents(2)
        assert (
            await harness.call("POST", "/v1/accounts/slow/documents", slow_key, json=many)
        ).status_code == 202
        assert (
            await harness.call("POST", "/v1/accounts/fast/documents", fast_key, json=few)
        ).status_code == 202
        await harness.wait_until("fast", fast_key, all_synced(len(few)))
        still = (await harness.call("GET", "/v1/accounts/slow/summary", slow_key)).json()["totals"]
        assert still.get("pending", 0) + still.get("exporting", 0) > 0  # the slow one was not waited for
        summary = await harness.wait_until("slow", slow_key, all_synced(len(many)), within=180)
        assert summary["totals"].get("failed", 0) == 0
        assert slow.stats().refused > 0  # it was throttled, and learned from it
        learned = summary["account"]["learned_limit"]
        assert learned in (1, 2)

        # A restart: the service stops; a new one over the same database exports the next documents from the
        # learned limit.
        await harness.service.scheduler.stop(5)
        again = Service(
            harness.service.accounts, transport_for=lambda record: httpx.ASGITransport(app=slow.app)
        )
        before = slow.stats().refused
        ledger = again.ledger(await again.registry.get("slow"))
        await ingest_documents(ledger, list(generate(3, seed=11)))
        await again.export_pass("slow", asyncio.Event())
        assert slow.stats().refused == before, "a restart ramped from the default instead of the kept limit"


async def test_retries_wake_at_their_time_and_the_doctor_runs_on_schedule(tmp_path: Path) -> None:
    """NetSuite failing 20 % of writes transiently: documents rescheduled for later are exported when their
    time comes, with no new request to wake them; the doctor runs again once its interval has passed."""
    registry = await Registry.open(f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    with Emulator.from_scenario("healthy", faults={"5xx": 0.2}, seed=4) as flaky:
        accounts = Accounts(registry, SecretBox([Fernet.generate_key()], source="the test"))
        service = Service(
            accounts,
            transport_for=lambda record: httpx.ASGITransport(app=flaky.app),
            doctor_every=timedelta(seconds=2),
            debounce=0.05,
        )
        try:
            await accounts.add("flaky", flaky.env(base_url="http://emulator.test"), MAPPING)
            docs = documents(3, seed=9)
            await ingest_documents(service.ledger(await registry.get("flaky")), list(generate(3, seed=9)))
            service.scheduler.wake("flaky")
            deadline = asyncio.get_running_loop().time() + 120
            first_doctor = None
            while True:
                record = await registry.get("flaky")
                first_doctor = first_doctor or record.doctor_ran_at
                counts = await service.ledger(record).counts()
                waiting = sum(
                    counts.get(state, 0) for state in (State.PENDING, State.EXPORTING, State.BLOCKED)
                )
                if not waiting and record.doctor_ran_at != first_doctor:
                    break
                assert asyncio.get_running_loop().time() < deadline, (counts, record.doctor_ran_at)
                await asyncio.sleep(0.2)
            assert flaky.stats().faults["5xx"] > 0
            rows = [row async for row in service.ledger(record).rows()]
            assert any(row.attempts > 1 for row in rows)  # rescheduled, then woken at its time
            assert counts.get(State.FAILED, 0) == 0
            assert sum(counts.values()) == len(docs)
        finally:
            await service.scheduler.stop(5)
            await registry.close()
