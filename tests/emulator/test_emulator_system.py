"""serverTime, governanceLimits, tokeninfo, OPTIONS, the Date header and the record placeholder."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable

import pytest

from netsuite_emulator import Emulator
from tests.emulator.helpers import BASE_URL, FakeClock, client_for, signed_get, tba_headers

MakeEmulator = Callable[..., Emulator]
GOVERNANCE = "/services/rest/system/v1/governanceLimits"


@pytest.mark.anyio
async def test_server_time_and_date_header_follow_the_account_clock(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    clock.now += 0.25
    emulator = make_emulator("clock-skew")
    async with client_for(emulator) as client:
        response = await signed_get(
            client, emulator.env(), "/services/rest/system/v1/serverTime", timestamp=emulator.now()
        )
    assert response.status_code == 200
    assert response.json() == {"serverTime": "2026-11-24T12:10:00.250Z"}
    assert email.utils.parsedate_to_datetime(response.headers["date"]).timestamp() == clock.now - 0.25 + 600


@pytest.mark.anyio
async def test_every_answer_has_a_date_header(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        answers = [
            await client.get("/services/rest/system/v1/serverTime"),
            await client.get("/nowhere"),
            await client.post("/services/rest/auth/oauth2/v1/token"),
        ]
    assert [a.status_code for a in answers] == [401, 404, 400]
    for answer in answers:
        assert email.utils.parsedate_to_datetime(answer.headers["date"]).timestamp() == clock.now


@pytest.mark.anyio
async def test_governance_limits_are_for_administrators(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        admin = await signed_get(client, emulator.env(who="admin"), GOVERNANCE, timestamp=clock.now)
        integration = await signed_get(client, emulator.env(), GOVERNANCE, timestamp=clock.now)
    assert admin.status_code == 200
    assert admin.json() == {
        "accountConcurrencyLimit": 5,
        "accountUnallocatedConcurrencyLimit": 5,
        "integrationLimitType": "accountLimit",
    }
    assert integration.status_code == 403
    assert integration.json()["o:errorDetails"][0]["o:errorCode"] == "INSUFFICIENT_PERMISSION"


@pytest.mark.anyio
async def test_governance_limits_of_a_low_concurrency_account_with_an_allocation(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator("low-concurrency")
    async with client_for(emulator) as client:
        plain = await signed_get(client, emulator.env(who="admin"), GOVERNANCE, timestamp=clock.now)
        emulator.store.execute("UPDATE company SET concurrencylimit = 10")
        emulator.store.execute("UPDATE integration SET concurrencylimit = 4 WHERE id = 1")
        allocated = await signed_get(client, emulator.env(who="admin"), GOVERNANCE, timestamp=clock.now)
    assert plain.json()["accountConcurrencyLimit"] == 1
    assert allocated.json() == {
        "accountConcurrencyLimit": 10,
        "accountUnallocatedConcurrencyLimit": 6,
        "integrationConcurrencyLimit": 4,
        "integrationLimitType": "integrationSpecific",
    }


@pytest.mark.anyio
async def test_admin_user_scenario_runs_as_administrator(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator("admin-user")
    async with client_for(emulator) as client:
        info = await signed_get(client, emulator.env(), "/rest/tokeninfo", timestamp=clock.now)
        limits = await signed_get(client, emulator.env(), GOVERNANCE, timestamp=clock.now)
    assert info.json()["roleName"] == "Administrator"
    assert limits.status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("scenario", "role"),
    [
        ("healthy", ("TMS Integration Role", "1001")),
        ("wrong-role-token", ("Sales Representative (API)", "1002")),
    ],
)
async def test_tokeninfo(
    make_emulator: MakeEmulator, clock: FakeClock, scenario: str, role: tuple[str, str]
) -> None:
    emulator = make_emulator(scenario)
    async with client_for(emulator) as client:
        response = await signed_get(client, emulator.env(), "/rest/tokeninfo", timestamp=clock.now)
    assert response.status_code == 200
    # The key names are the emulator's guess (Oracle lists the fields, not the keys); all values are strings.
    assert response.json() == {
        "companyName": "Emulated Freight Inc.",
        "companyId": "1234567",
        "roleName": role[0],
        "roleId": role[1],
        "entityId": "11",
    }


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    [
        "/services/rest/record/v1/invoice",
        "/services/rest/query/v1/suiteql",
        "/services/rest/system/v1/serverTime",
    ],
)
async def test_options_is_an_authenticated_probe(
    make_emulator: MakeEmulator, clock: FakeClock, path: str
) -> None:
    emulator = make_emulator()
    headers = tba_headers(emulator.env(), "OPTIONS", BASE_URL + path, timestamp=clock.now)
    async with client_for(emulator) as client:
        signed = await client.options(path, headers=headers)
        anonymous = await client.options(path)
    assert (signed.status_code, signed.content) == (204, b"")
    assert anonymous.status_code == 401


@pytest.mark.anyio
async def test_record_permissions_are_checked(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator("missing-permissions")
    async with client_for(emulator) as client:
        bills = await signed_get(
            client, emulator.env(), "/services/rest/record/v1/vendorBill/7", timestamp=clock.now
        )
        invoices = await signed_get(
            client, emulator.env(), "/services/rest/record/v1/invoice/7", timestamp=clock.now
        )
    assert bills.status_code == 403
    detail = bills.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INSUFFICIENT_PERMISSION"
    assert "Transactions -> Bills" in detail["detail"]
    assert invoices.status_code == 404
    assert invoices.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"


@pytest.mark.anyio
async def test_collections_need_suiteanalytics_workbook(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator("no-suiteql-permission")
    async with client_for(emulator) as client:
        collection = await signed_get(
            client, emulator.env(), "/services/rest/record/v1/invoice?limit=1", timestamp=clock.now
        )
        by_id = await signed_get(
            client, emulator.env(), "/services/rest/record/v1/invoice/1", timestamp=clock.now
        )
    assert collection.status_code == 400
    assert collection.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    assert by_id.status_code == 404  # by-id reads pass the permission check; invoice 1 does not exist


@pytest.mark.anyio
async def test_healthy_collection_is_an_empty_netsuite_collection(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        response = await signed_get(
            client, emulator.env(), "/services/rest/record/v1/invoice", timestamp=clock.now
        )
    body = response.json()  # a healthy account holds no invoices until something writes them
    assert (response.status_code, body["count"], body["hasMore"], body["items"]) == (200, 0, False, [])
    assert re.match(
        r"application/vnd\.oracle\.resource\+json; type=collection", response.headers["content-type"]
    )


@pytest.mark.anyio
async def test_oauth2_keys_are_published(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        response = await client.get("/services/rest/auth/oauth2/v1/keys")
    [key] = response.json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "PS256", "sig")
