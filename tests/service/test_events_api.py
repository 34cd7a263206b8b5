"""Back from NetSuite over the API: the events feed pages with a cursor and shows a key only its account's events;
webhook endpoints made, listed, switched, redelivered and removed over the API deliver events verified by
`standardwebhooks` once each, through a receiver that was down for a while; reconcile per account."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from netsuite_emulator import Emulator
from tests.service.conftest import Harness, all_synced, documents

pytestmark = pytest.mark.anyio


async def exported(harness: Harness, emulator: Emulator, loads: int = 3) -> tuple[str, str]:
    """An account with a month exported into its emulator: (its key, its slug)."""
    await harness.add_account("acme", emulator)
    key = await harness.key("acme")
    sent = documents(loads)
    answer = await harness.call("POST", "/v1/accounts/acme/documents", key, json=sent)
    assert answer.status_code == 202, answer.text
    await harness.wait_until("acme", key, all_synced(len(sent)))
    return key, "acme"


async def sync_back(harness: Harness, key: str) -> dict[str, Any]:
    """A read-back pass over the API, a second after the last change (NetSuite's clock counts in seconds and a
    pass leaves the second it began to the next one)."""
    await asyncio.sleep(1.05)
    answer = await harness.call("POST", "/v1/accounts/acme/sync-back", key)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def eventually(check: Callable[[], bool], within: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, "not within the time given"
        await asyncio.sleep(0.05)


async def test_the_feed_pages_by_cursor_and_a_key_reads_only_its_account(
    harness: Harness, healthy: Emulator, sandbox: Emulator
) -> None:
    key, slug = await exported(harness, healthy)
    first = await sync_back(harness, key)
    assert first["by_type"]["document.synced"] > 0, first
    read: list[dict[str, Any]] = []
    after = None
    for _ in range(100):
        params: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
        page = (await harness.call("GET", f"/v1/accounts/{slug}/events", key, params=params)).json()
        if not page["events"]:
            assert page["next_cursor"] == after, "an empty page keeps the cursor"
            break
        assert len(page["events"]) <= 2
        read += page["events"]
        after = page["next_cursor"]
    assert len(read) == first["events"]
    assert len({e["id"] for e in read}) == len(read), "each event once"
    assert [int(e["cursor"]) for e in read] == sorted(int(e["cursor"]) for e in read)
    for event in read:
        assert event["body"]["id"] == event["id"]
        assert event["body"]["type"] == event["type"]
    assert {e["type"] for e in read} == set(first["by_type"])
    # Nothing changed: the next pass keeps nothing and the feed has nothing after its end.
    assert (await sync_back(harness, key))["events"] == 0
    tail = await harness.call("GET", f"/v1/accounts/{slug}/events", key, params={"after": after})
    assert tail.json() == {"events": [], "next_cursor": after}
    # A person pays an invoice in NetSuite.
    person = healthy.person()
    [invoice] = healthy.store.query(
        "SELECT id FROM \"transaction\" WHERE type = 'CustInvc' AND externalid IS NOT NULL "
        "AND foreignamountunpaid > 0 ORDER BY id LIMIT 1"
    )
    person.pay_invoice(invoice["id"])
    assert (await sync_back(harness, key))["by_type"].get("invoice.paid") == 1
    paid = await harness.call(
        "GET", f"/v1/accounts/{slug}/events", key, params={"after": after, "type": "invoice.paid"}
    )
    [event] = paid.json()["events"]
    assert event["body"]["netsuite"]["internal_id"] == str(invoice["id"])
    assert event["body"]["amounts"]["remaining"] == "0.00"
    # Another account's key sees none of it; a read-only key reads but cannot start a pass.
    await harness.add_account("other", sandbox)
    other = await harness.key("other")
    hidden = await harness.call("GET", f"/v1/accounts/{slug}/events", other)
    assert hidden.status_code == 404
    assert (await harness.call("GET", "/v1/accounts/other/events", other)).json()["events"] == []
    reader = await harness.key(slug, read_only=True)
    assert (await harness.call("GET", f"/v1/accounts/{slug}/events", reader)).status_code == 200
    assert (await harness.call("POST", f"/v1/accounts/{slug}/sync-back", reader)).status_code == 403
    bad = await harness.call("GET", f"/v1/accounts/{slug}/events", key, params={"after": "-1"})
    assert bad.status_code == 422


async def test_webhooks_over_the_api_deliver_verified_events_once_through_an_outage(
    harness: Harness, healthy: Emulator, sandbox: Emulator
) -> None:
    key, slug = await exported(harness, healthy, loads=8)
    made = await harness.call(
        "POST", f"/v1/accounts/{slug}/webhooks", key, json={"url": "https://tms.example/hooks/netsuite"}
    )
    assert made.status_code == 201, made.text
    endpoint = made.json()
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["enabled"] is True
    harness.receiver.secrets.append(endpoint["secret"])
    listed = await harness.call("GET", f"/v1/accounts/{slug}/webhooks", key)
    assert [e["id"] for e in listed.json()] == [endpoint["id"]]
    assert endpoint["secret"] not in listed.text, "the secret is shown once"
    synced = (await sync_back(harness, key))["events"]
    await eventually(lambda: len(harness.receiver.accepted) == synced)
    # People pay an invoice and a bill in NetSuite: one verified invoice.paid and one bill.paid.
    person = healthy.person()
    invoice, bill = (
        healthy.store.query(
            'SELECT id FROM "transaction" WHERE type = ? AND externalid IS NOT NULL '
            "AND foreignamountunpaid > 0 ORDER BY id LIMIT 1",
            (code,),
        )[0]["id"]
        for code in ("CustInvc", "VendBill")
    )
    before = len(harness.receiver.accepted)
    person.pay_invoice(invoice)
    person.pay_bill(bill)
    await sync_back(harness, key)

    def paid() -> list[tuple[str, str]]:
        return sorted(
            (e["type"], e["netsuite"]["internal_id"])
            for e in harness.receiver.accepted[before:]
            if e["type"].endswith(".paid")
        )

    await eventually(lambda: len(paid()) == 2)
    assert paid() == [("bill.paid", str(bill)), ("invoice.paid", str(invoice))]
    # The receiver goes down: the next change waits, failed; once it is back, a redelivery brings it, once.
    harness.receiver.down = True
    [other_invoice] = healthy.store.query(
        "SELECT id, foreigntotal FROM \"transaction\" WHERE type = 'CustInvc' AND externalid IS NOT NULL "
        "AND foreignamountunpaid > 0 ORDER BY id DESC LIMIT 1"
    )
    person.edit_total("invoice", other_invoice["id"], float(other_invoice["foreigntotal"]) + 25)
    await sync_back(harness, key)
    await eventually(lambda: harness.receiver.refused >= 1)
    deliveries = f"/v1/accounts/{slug}/webhooks/{endpoint['id']}/deliveries"

    async def pending() -> list[dict[str, Any]]:
        answer = await harness.call("GET", deliveries, key, params={"state": "pending"})
        return [d for d in answer.json() if d["last_status"] == 503]

    for _ in range(100):
        if waiting := await pending():
            break
        await asyncio.sleep(0.05)
    assert all(d["attempts"] >= 1 and d["next_attempt_at"] is not None for d in waiting)
    harness.receiver.down = False
    again = await harness.call(
        "POST",
        f"/v1/accounts/{slug}/webhooks/{endpoint['id']}/redeliver",
        key,
        json={"event_ids": [d["event_id"] for d in waiting]},
    )
    assert again.json() == {"due": len(waiting)}
    await eventually(lambda: bool(harness.receiver.of_type("record.changed_in_netsuite")))
    await asyncio.sleep(0.5)  # a delivery round or two more: nothing comes twice
    ids = [e["id"] for e in harness.receiver.accepted]
    assert len(ids) == len(set(ids)), "nothing twice"
    assert paid() == [("bill.paid", str(bill)), ("invoice.paid", str(invoice))], "each once"
    feed = (await harness.call("GET", f"/v1/accounts/{slug}/events", key, params={"limit": 1000})).json()
    assert set(ids) == {e["id"] for e in feed["events"]}, "nothing lost"
    # Disabled by the user: no deliveries; enabled again; removed.
    off = await harness.call("POST", f"/v1/accounts/{slug}/webhooks/{endpoint['id']}/disable", key)
    assert (off.json()["enabled"], off.json()["disabled_reason"]) == (False, "disabled by the user")
    on = await harness.call("POST", f"/v1/accounts/{slug}/webhooks/{endpoint['id']}/enable", key)
    assert on.json()["enabled"] is True
    assert on.json()["deliveries"] == {"delivered": len(ids)}
    # Another account's key can neither see nor touch it.
    await harness.add_account("other", sandbox)
    other = await harness.key("other")
    for method, path in (
        ("GET", f"/v1/accounts/{slug}/webhooks"),
        ("DELETE", f"/v1/accounts/{slug}/webhooks/{endpoint['id']}"),
        ("DELETE", f"/v1/accounts/other/webhooks/{endpoint['id']}"),
        ("POST", f"/v1/accounts/other/webhooks/{endpoint['id']}/enable"),
        ("GET", f"/v1/accounts/other/webhooks/{endpoint['id']}/deliveries"),
    ):
        assert (await harness.call(method, path, other)).status_code == 404, (method, path)
    reader = await harness.key(slug, read_only=True)
    assert (
        await harness.call("POST", f"/v1/accounts/{slug}/webhooks", reader, json={"url": "https://x.example"})
    ).status_code == 403
    gone = await harness.call("DELETE", f"/v1/accounts/{slug}/webhooks/{endpoint['id']}", key)
    assert gone.status_code == 204
    assert (await harness.call("GET", f"/v1/accounts/{slug}/webhooks", key)).json() == []
    for response in harness.responses:
        assert endpoint["secret"] not in response.text or response is made


async def test_reconcile_per_account_finds_an_edit_a_deletion_and_a_duplicate(
    harness: Harness, healthy: Emulator
) -> None:
    key, slug = await exported(harness, healthy, loads=8)
    path = f"/v1/accounts/{slug}/reconcile"
    clean = await harness.call("GET", path, key, params={"period": "2026-10"})
    assert clean.status_code == 200, clean.text
    assert clean.json()["agrees"] is True
    assert clean.json()["tms_documents"] > 0
    person = healthy.person()
    invoices = healthy.store.query(
        "SELECT id, foreigntotal FROM \"transaction\" WHERE type = 'CustInvc' AND externalid IS NOT NULL "
        "AND foreignamountunpaid > 0 ORDER BY id"
    )
    [bill] = healthy.store.query(
        "SELECT id FROM \"transaction\" WHERE type = 'VendBill' AND externalid IS NOT NULL ORDER BY id DESC LIMIT 1"
    )
    person.edit_total("invoice", invoices[0]["id"], float(invoices[0]["foreigntotal"]) + 40)
    person.delete("vendorbill", bill["id"])
    person.copy("invoice", invoices[1]["id"])
    report = (await harness.call("GET", path, key, params={"period": "2026-10"})).json()
    assert report["agrees"] is False
    assert {"total_differs", "missing_in_netsuite", "duplicate"} <= set(report["differences_by_kind"])
    csv = await harness.call("GET", path, key, params={"period": "2026-10", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("kind,subsidiary,party,tms_document")
    page = await harness.call("GET", path, key, params={"period": "2026-10", "format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.index("Differences") < page.text.index("Open A/R")
    bad = await harness.call("GET", path, key, params={"period": "2026-13"})
    assert bad.status_code == 422


async def test_exports_that_settle_documents_wake_the_readback_and_their_events_arrive_soon(
    hourly_harness: Harness, healthy: Emulator
) -> None:
    """Read back hourly, yet a synced document's event reaches the receiver within seconds: the export pass that
    settled it woke the account's read-back (debounced) instead of leaving it to the next hourly pass."""
    harness = hourly_harness
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    made = await harness.call(
        "POST",
        "/v1/accounts/acme/webhooks",
        key,
        json={"url": "https://tms.example/hooks", "from_start": True},
    )
    assert made.status_code == 201, made.text
    harness.receiver.secrets.append(made.json()["secret"])
    store = harness.service.ledger(await harness.service.registry.get("acme")).readback()
    for _ in range(100):  # the new account's first read-back: the next scheduled one is an hour away
        if await store.last_pass_at() is not None:
            break
        await asyncio.sleep(0.1)
    assert await store.last_pass_at() is not None
    sent = documents(2)
    assert (await harness.call("POST", "/v1/accounts/acme/documents", key, json=sent)).status_code == 202
    await harness.wait_until("acme", key, all_synced(len(sent)))
    await eventually(lambda: bool(harness.receiver.of_type("document.synced")), within=20)
    # The delivery list, paged by the database: newest event first, by state, at most `limit`.
    endpoint = made.json()["id"]
    path = f"/v1/accounts/acme/webhooks/{endpoint}/deliveries"
    for _ in range(200):  # the round under way delivers the rest
        everything = (await harness.call("GET", path, key)).json()
        if {d["state"] for d in everything} == {"delivered"}:
            break
        await asyncio.sleep(0.1)
    assert len(everything) == len(harness.receiver.accepted) >= 2
    cursors = [int(d["cursor"]) for d in everything]
    assert cursors == sorted(cursors, reverse=True)
    page = await harness.call(
        "GET",
        f"/v1/accounts/acme/webhooks/{endpoint}/deliveries",
        key,
        params={"limit": 1, "state": "delivered"},
    )
    assert [d["cursor"] for d in page.json()] == [everything[0]["cursor"]]
    failed = await harness.call("GET", path, key, params={"state": "failed"})
    assert failed.json() == []
    listed = (await harness.call("GET", "/v1/accounts/acme/webhooks", key)).json()
    assert listed[0]["deliveries"] == {"delivered": len(everything)}
