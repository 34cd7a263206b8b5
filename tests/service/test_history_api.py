"""The history endpoints: a document's timeline, the account's activity per hour, errors grouped by cause."""

from __future__ import annotations

import pytest

from netsuite_emulator import Emulator
from tests.service.conftest import MAPPING, Harness, documents

pytestmark = pytest.mark.anyio

# A mapping mistake the doctor cannot see (every name the mapping holds exists in the account): the TMS terms
# code NET45 is left out, so the documents on those terms fail on translation, with the cause and the fix.
BROKEN = MAPPING.replace('NET45 = "Net 45"\n', "")


async def test_timeline_activity_and_errors_by_cause(
    harness: Harness, healthy: Emulator, sandbox: Emulator
) -> None:
    assert BROKEN != MAPPING
    await harness.add_account("acme", healthy)
    await harness.add_account("other", sandbox)
    key, other = await harness.key("acme"), await harness.key("other")
    stored = await harness.call(
        "PUT", "/v1/accounts/acme/mapping", harness.admin_key, json={"mapping": BROKEN}
    )
    assert stored.status_code == 200, stored.text
    docs = documents()
    assert (await harness.call("POST", "/v1/accounts/acme/documents", key, json=docs)).status_code == 202

    def settled(summary: dict[str, object]) -> bool:
        totals = summary["totals"]
        assert isinstance(totals, dict)
        return (
            summary["last_run"] is not None
            and not {"pending", "exporting"} & set(totals)
            and "failed" in totals
        )

    await harness.wait_until("acme", key, settled)

    errors = (await harness.call("GET", "/v1/accounts/acme/errors", key)).json()
    [group] = [g for g in errors["failed"] if g["code"] == "MAPPING"]
    assert group["fixed_by_mapping"] is True
    assert "NET45" in group["detail"]
    assert group["fix"]
    assert group["count"] == len(group["documents"]) > 0
    assert errors["rejected"] == []

    failed = group["documents"][0]
    timeline = (
        await harness.call(
            "GET", f"/v1/accounts/acme/documents/{failed['kind']}/{failed['id']}/timeline", key
        )
    ).json()
    [version] = timeline["versions"]
    assert version["version"]["state"] == "failed"
    assert version["document"]["terms"] == "NET45"
    [attempt] = version["attempts"]
    assert attempt["state"] == "failed"
    assert attempt["error"]["code"] == "MAPPING"
    assert attempt["requests"] == []

    page = (
        await harness.call("GET", "/v1/accounts/acme/documents?state=synced&kind=carrier_bill", key)
    ).json()
    synced = page["documents"][0]
    timeline = (
        await harness.call("GET", f"/v1/accounts/acme/documents/carrier_bill/{synced['id']}/timeline", key)
    ).json()
    [attempt] = timeline["versions"][0]["attempts"]
    bill = timeline["versions"][0]["version"]["records"][0]
    assert bill["url"].startswith("https://")
    puts = [r for r in attempt["requests"] if r["external_id"] == bill["external_id"]]
    assert puts
    assert puts[-1]["ok"]
    assert puts[-1]["method"] == "PUT"
    assert puts[-1]["internal_id"] == bill["internal_id"]
    assert puts[-1]["payload"]["entity"]

    activity = (await harness.call("GET", "/v1/accounts/acme/activity?hours=3", key)).json()
    assert len(activity["hours"]) == 3
    now = activity["hours"][-1]
    assert now["records_written"] > 0
    assert now["requests"] > 0
    assert now["documents_failed"] == group["count"]

    # Another account's key reaches none of it; an unknown document is a 404.
    for path in (
        "/v1/accounts/acme/activity",
        f"/v1/accounts/acme/documents/carrier_bill/{synced['id']}/timeline",
        "/v1/accounts/acme/documents/invoice/NOPE/timeline",
    ):
        assert (await harness.call("GET", path, other)).status_code == 404
    assert (
        await harness.call("GET", "/v1/accounts/acme/documents/invoice/NOPE/timeline", key)
    ).status_code == 404
    assert (await harness.call("GET", "/v1/accounts/acme/activity?hours=0", key)).status_code == 422

    # "Retry these" by the group's name queues exactly them (they fail again: the mapping is still wrong).
    retried = await harness.call("POST", "/v1/accounts/acme/retry", key, json={"group": group["group"]})
    assert retried.json() == {"queued": group["count"]}
    await harness.wait_until(
        "acme",
        key,
        lambda s: (
            s["totals"].get("failed", 0) >= group["count"] and not {"pending", "exporting"} & set(s["totals"])
        ),
    )
    # The corrected mapping stored: the service queues what failed on the mapping by itself (nothing else is
    # due), and syncs it.
    fixed = await harness.call(
        "PUT", "/v1/accounts/acme/mapping", harness.admin_key, json={"mapping": MAPPING}
    )
    assert fixed.status_code == 200
    await harness.wait_until(
        "acme", key, lambda s: "failed" not in s["totals"] and not {"pending", "exporting"} & set(s["totals"])
    )
    timeline = (
        await harness.call(
            "GET", f"/v1/accounts/acme/documents/{failed['kind']}/{failed['id']}/timeline", key
        )
    ).json()
    assert [a["state"] for a in timeline["versions"][0]["attempts"]][-1] == "synced"
