"""The console's pages and forms in process: sign-in and sessions, CSRF on every post, the API's permission rules
(another account's pages and forms are a 404), secrets never rendered, and what the pages show."""

from __future__ import annotations

import re

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.console.conftest import csrf_of, sign_in
from tests.service.conftest import MAPPING, Harness, all_synced, documents

pytestmark = pytest.mark.anyio

# A mapping mistake the doctor cannot see (every record it names exists) but translation does: the Canadian
# company left out, so its documents fail with the mapping named.
BROKEN = MAPPING.replace(
    '[companies.FCCA]\nsubsidiary = "Freight Co Canada"\ntrip_type = "carrier"\n', ""
).replace('[[dimensions]]\ndimension = "location"\ncompany = "FCCA"\nvalue = "Toronto Terminal"\n', "")
# A mistake the doctor does see: an account number NetSuite does not have.
UNKNOWN_ACCOUNT = MAPPING.replace('receivable = "1200"', 'receivable = "9999"', 1)


def browser(harness: Harness, base_url: str = "http://service.test") -> httpx.AsyncClient:
    """A client of the same app that keeps cookies, as a browser does."""
    return httpx.AsyncClient(transport=harness.client._transport, base_url=base_url)


async def test_sign_in_gives_a_strict_http_only_cookie_and_sign_out_ends_it(harness: Harness) -> None:
    async with browser(harness) as client:
        first = await client.get("/ui/accounts")
        assert first.status_code == 303
        assert first.headers["location"].startswith("/ui/sign-in?next=")
        page = await client.get("/ui/sign-in")
        refused = await client.post("/ui/sign-in", data={"api_key": "tmsk_nope", "csrf": csrf_of(page)})
        assert refused.status_code == 401
        assert "unknown or revoked" in refused.text
        assert "tmsk_nope" not in refused.text
        assert "tms_console=" not in refused.headers.get("set-cookie", "")
        answer = await sign_in(client, harness.admin_key)
        assert answer.status_code == 303
        cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("tms_console="))
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Secure" not in cookie  # plain HTTP here; see the TLS test below
        assert harness.admin_key not in cookie
        accounts = await client.get("/ui/accounts")
        assert accounts.status_code == 200
        assert accounts.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in accounts.headers["content-security-policy"]
        assert harness.admin_key not in accounts.text
        out = await client.post("/ui/sign-out", data={"csrf": csrf_of(accounts)})
        assert out.status_code == 303
        assert (await client.get("/ui/accounts")).status_code == 303


async def test_the_cookie_is_secure_over_tls(harness: Harness) -> None:
    async with browser(harness, "https://service.test") as client:
        answer = await sign_in(client, harness.admin_key)
        cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("tms_console="))
        assert "Secure" in cookie


async def test_a_revoked_key_ends_its_sessions(harness: Harness, healthy: Emulator) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    async with browser(harness) as client:
        await sign_in(client, key)
        assert (await client.get("/ui/accounts/acme")).status_code == 200
        (record,) = [k for k in await harness.service.registry.keys() if k.account_slug == "acme"]
        assert await harness.service.registry.revoke_key(record.key_id)
        assert (await client.get("/ui/accounts/acme")).status_code == 303


async def test_every_post_needs_the_sessions_csrf_token(harness: Harness, healthy: Emulator) -> None:
    await harness.add_account("acme", healthy)
    async with browser(harness) as client:
        page = await client.get("/ui/sign-in")
        # The sign-in form has its own token, bound to a cookie the form's page set.
        assert (await client.post("/ui/sign-in", data={"api_key": harness.admin_key})).status_code == 403
        client.cookies.clear()
        assert (
            await client.post("/ui/sign-in", data={"api_key": harness.admin_key, "csrf": csrf_of(page)})
        ).status_code == 403
        await sign_in(client, harness.admin_key)
        for path, data in [
            ("/ui/accounts/acme/retry", {"row": "1"}),
            ("/ui/accounts/acme/doctor", {}),
            ("/ui/accounts/acme/pause", {"paused": "true"}),
            ("/ui/accounts/acme/keys", {}),
            ("/ui/accounts/acme/mapping", {"mapping_text": MAPPING}),
            ("/ui/accounts/acme/credentials", {"NETSUITE_TOKEN_SECRET": "x"}),
            ("/ui/sign-out", {}),
        ]:
            for token in (None, "forged-token"):
                sent = data if token is None else {**data, "csrf": token}
                answer = await client.post(path, data=sent)
                assert answer.status_code == 403, (path, token, answer.text[:300])
        record = await harness.service.registry.get("acme")
        assert not record.paused
        assert record.mapping_version == 1


async def test_an_account_key_reaches_only_its_account(
    harness: Harness, healthy: Emulator, sandbox: Emulator
) -> None:
    await harness.add_account("acme", healthy)
    await harness.add_account("other", sandbox)
    key = await harness.key("acme")
    async with browser(harness) as client:
        assert (await sign_in(client, key)).headers["location"] == "/ui/"
        home = await client.get("/ui/", follow_redirects=True)
        assert str(home.url).endswith("/ui/accounts/acme")
        listing = await client.get("/ui/accounts")
        assert "/ui/accounts/acme" in listing.text
        assert "other" not in listing.text
        assert (await client.get("/ui/accounts/acme?hours=lots")).status_code == 422
        assert (await client.get("/ui/no-such-page")).status_code == 404
        for path in ["", "/errors", "/documents", "/doctor", "/settings", "/documents/invoice/INV-1"]:
            answer = await client.get(f"/ui/accounts/other{path}")
            assert answer.status_code == 404, path
            assert "no account &#39;other&#39;" in answer.text
        token = csrf_of(await client.get("/ui/accounts/acme"))
        for path, data in [
            ("/ui/accounts/other/retry", {"row": "1"}),
            ("/ui/accounts/other/doctor", {}),
            ("/ui/accounts/other/test-connection", {}),
            ("/ui/accounts/other/pause", {"paused": "true"}),
            ("/ui/accounts/other/mapping", {"mapping_text": MAPPING}),
            ("/ui/accounts/other/credentials", {"NETSUITE_TOKEN_SECRET": "x"}),
            ("/ui/accounts/other/keys", {}),
        ]:
            answer = await client.post(path, data={**data, "csrf": token})
            assert answer.status_code == 404, (path, answer.text[:300])
        # Its own account's administration is an administrator's, as in the API.
        settings = await client.get("/ui/accounts/acme/settings")
        assert "Save credentials" not in settings.text
        assert "Upload a new mapping" not in settings.text
        for path, data in [
            ("/ui/accounts/acme/pause", {"paused": "true"}),
            ("/ui/accounts/acme/mapping", {"mapping_text": MAPPING}),
            ("/ui/accounts/acme/credentials", {"NETSUITE_TOKEN_SECRET": "x"}),
            ("/ui/accounts/acme/keys", {}),
        ]:
            answer = await client.post(path, data={**data, "csrf": token})
            assert answer.status_code == 403, (path, answer.text[:300])
    assert not (await harness.service.registry.get("other")).paused
    assert [k.key_id for k in await harness.service.registry.keys() if k.account_slug == "other"] == []


async def test_a_read_only_key_sees_but_cannot_post(harness: Harness, healthy: Emulator) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme", read_only=True)
    async with browser(harness) as client:
        await sign_in(client, key)
        page = await client.get("/ui/accounts/acme/doctor")
        assert page.status_code == 200
        assert "Run now" not in page.text
        answer = await client.post("/ui/accounts/acme/doctor", data={"csrf": csrf_of(page)})
        assert answer.status_code == 403
        assert "read-only" in answer.text


async def test_settings_never_render_secrets(harness: Harness, healthy: Emulator) -> None:
    await harness.add_account("acme", healthy)
    secrets = [
        v
        for k, v in healthy.env(base_url="http://emulator.test").items()
        if k
        in ("NETSUITE_CONSUMER_KEY", "NETSUITE_CONSUMER_SECRET", "NETSUITE_TOKEN_ID", "NETSUITE_TOKEN_SECRET")
    ]
    assert len(secrets) == 4
    async with browser(harness) as client:
        await sign_in(client, harness.admin_key)
        pages = [await client.get(f"/ui/accounts/acme{p}") for p in ("", "/settings", "/doctor", "/errors")]
        token = csrf_of(pages[1])
        pages.append(await client.post("/ui/accounts/acme/test-connection", data={"csrf": token}))
        assert "An authenticated request succeeds" in pages[-1].text
        for page in pages:
            assert page.status_code == 200, page.text[:500]
            for secret in secrets:
                assert secret not in page.text
        # Credentials are write-only: a changed token secret is stored (blank fields keep theirs), never shown.
        saved = await client.post(
            "/ui/accounts/acme/credentials",
            data={"csrf": token, "NETSUITE_TOKEN_SECRET": "a-new-secret-value-1234"},
            follow_redirects=True,
        )
        assert "Credentials saved (NETSUITE_TOKEN_SECRET)" in saved.text
        assert "a-new-secret-value-1234" not in saved.text
    record = await harness.service.registry.get("acme")
    assert harness.service.accounts.environ(record)["NETSUITE_TOKEN_SECRET"] == "a-new-secret-value-1234"
    assert "a-new-secret-value-1234" not in record.credentials


async def test_a_mapping_the_doctor_fails_is_refused_and_a_fixed_one_lets_retry_sync(
    harness: Harness, healthy: Emulator
) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    assert (
        await harness.call("PUT", "/v1/accounts/acme/mapping", harness.admin_key, json={"mapping": BROKEN})
    ).status_code == 200
    answer = await harness.call("POST", "/v1/accounts/acme/documents", key, json=documents(3))
    count = answer.json()["accepted"]
    await harness.wait_until("acme", key, all_synced(count))
    async with browser(harness) as client:
        await sign_in(client, harness.admin_key)
        errors = await client.get("/ui/accounts/acme/errors")
        assert "company &#39;FCCA&#39; is not in the mapping" in errors.text
        assert "Fix:</strong> add [companies.FCCA]" in errors.text
        failed = re.findall(r'name="row" value="(\d+)"', errors.text)
        assert failed
        token = csrf_of(errors)
        refused = await client.post(
            "/ui/accounts/acme/mapping",
            data={"csrf": token},
            files={"mapping_file": ("mapping.toml", UNKNOWN_ACCOUNT.encode(), "application/toml")},
        )
        assert refused.status_code == 422
        assert "Mapping refused" in refused.text
        assert "9999" in refused.text
        assert (await harness.service.registry.get("acme")).mapping_version == 2
        saved = await client.post(
            "/ui/accounts/acme/mapping",
            data={"csrf": token},
            files={"mapping_file": ("mapping.toml", MAPPING.encode(), "application/toml")},
            follow_redirects=True,
        )
        assert "Mapping v3 saved" in saved.text
        retried = await client.post(
            "/ui/accounts/acme/retry",
            data={"csrf": token, "row": failed, "back": "/accounts/acme/errors"},
            follow_redirects=True,
        )
        assert retried.status_code == 200
        assert "queued again" in retried.text or "Nothing to queue" in retried.text
        await harness.wait_until(
            "acme",
            key,
            lambda s: (
                not any(s["totals"].get(state) for state in ("failed", "pending", "exporting", "blocked"))
            ),
        )
        assert "Nothing has failed" in (await client.get("/ui/accounts/acme/errors")).text
        # The timeline of a document that failed, then synced: both attempts, what was sent, the answer.
        page = await client.get("/ui/accounts/acme/documents/customer/C-FCCA-001")
        assert page.status_code == 200
        text = re.sub(r"<[^>]+>", "", page.text)
        assert "Received from the TMS" in text
        assert "Attempt 1: failed" in text
        assert "MAPPING: " in text
        assert re.search(r"Attempt \d+: synced", text)
        assert "What was sent" in text
        assert re.search(r"PUT customer\s+tms-customer-C__FCCA__001 →\s+accepted", text), text
        # The hour's activity on the overview: records written, failures, requests.
        overview = await client.get("/ui/accounts/acme")
        assert re.search(
            r"[1-9]\d* records written, [1-9]\d* documents failed, [1-9]\d* requests", overview.text
        )
        assert overview.text.count('<svg class="chart"') == 4


async def test_documents_filter_and_search_by_load_and_netsuite_number(
    harness: Harness, healthy: Emulator
) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    docs = documents(2)
    answer = await harness.call("POST", "/v1/accounts/acme/documents", key, json=docs)
    await harness.wait_until("acme", key, all_synced(answer.json()["accepted"]))
    invoice = next(d for d in docs if d["kind"] == "invoice")
    async with browser(harness) as client:
        await sign_in(client, harness.admin_key)
        by_load = await client.get(
            "/ui/accounts/acme/documents", params={"q": invoice["references"]["load_number"]}
        )
        assert f"invoice {invoice['id']}" in by_load.text
        by_tran_id = await client.get("/ui/accounts/acme/documents", params={"q": invoice["number"]})
        assert f"invoice {invoice['id']}" in by_tran_id.text
        page = await client.get(f"/ui/accounts/acme/documents/invoice/{invoice['id']}")
        assert page.status_code == 200
        internal = re.search(r">invoice (\d+)</a>", page.text)
        assert internal is not None, page.text
        by_number = await client.get("/ui/accounts/acme/documents", params={"q": internal.group(1)})
        assert f"invoice {invoice['id']}" in by_number.text
        synced = await client.get(
            "/ui/accounts/acme/documents", params={"state": "synced", "kind": "invoice"}
        )
        assert synced.text.count("state-synced") >= 1
        assert "state-failed" not in synced.text
        later = await client.get(
            "/ui/accounts/acme/documents", params={"kind": "invoice", "dated_from": "2999-01-01"}
        )
        assert "No documents match." in later.text
        # Cursor pages: 50 a page, the next one after the last id shown.
        everything = await client.get("/ui/accounts/acme/documents")
        assert ("Next page" in everything.text) == (answer.json()["accepted"] > 50)


async def test_webhook_endpoints_show_without_their_secret_and_redeliver_only_their_own(
    harness: Harness, healthy: Emulator, sandbox: Emulator
) -> None:
    await harness.add_account("acme", healthy)
    await harness.add_account("other", sandbox)
    registry = harness.service.registry
    ours = (
        await registry.ledger(await registry.get("acme"))
        .readback()
        .add_endpoint("https://tms.example/hooks", "ciphertext-of-the-signing-secret", from_start=False)
    )
    theirs = (
        await registry.ledger(await registry.get("other"))
        .readback()
        .add_endpoint("https://other.example/hooks", "ciphertext-of-another-secret", from_start=False)
    )
    assert ours != theirs
    key = await harness.key("acme")
    async with browser(harness) as client:
        await sign_in(client, key)
        settings = await client.get("/ui/accounts/acme/settings")
        assert "https://tms.example/hooks" in settings.text
        assert "Deliveries: none yet" in settings.text
        assert "ciphertext-of" not in settings.text
        assert "other.example" not in settings.text
        token = csrf_of(settings)
        mine = await client.post(
            f"/ui/accounts/acme/webhooks/{ours}/redeliver", data={"csrf": token}, follow_redirects=True
        )
        assert f"0 failed deliveries to endpoint {ours} are due again" in mine.text
        # Another account's endpoint, through this account's URL or the other's: not found.
        assert (
            await client.post(f"/ui/accounts/acme/webhooks/{theirs}/redeliver", data={"csrf": token})
        ).status_code == 404
        assert (
            await client.post(f"/ui/accounts/other/webhooks/{theirs}/redeliver", data={"csrf": token})
        ).status_code == 404
