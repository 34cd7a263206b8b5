"""TBA as NetSuite verifies it: every refusal is NetSuite's generic 401, its reason only in the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.emulator.helpers import BASE_URL, INVALID_LOGIN, FakeClock, client_for, signed_get, tba_headers

SERVER_TIME = "/services/rest/system/v1/serverTime"
MakeEmulator = Callable[..., Emulator]


async def _refused_with(emulator: Emulator, response: httpx.Response, detail: str) -> None:
    assert response.status_code == 401
    assert response.json() == INVALID_LOGIN
    last = emulator.audit_trail()[-1]
    assert (last.status, last.detail) == ("Failure", detail)


@pytest.mark.anyio
async def test_a_signed_request_succeeds_and_is_audited(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        response = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now)
    assert response.status_code == 200
    [entry] = emulator.audit_trail()
    assert (entry.status, entry.detail, entry.auth_method) == ("Success", "", "TBA")
    assert entry.entity == "integration@emulated-freight.test"
    assert entry.role == "TMS Integration Role"
    assert entry.application == "TMS NetSuite Integration"
    assert entry.request == f"GET {SERVER_TIME}"
    assert entry.time.timestamp() == clock.now


@pytest.mark.anyio
async def test_query_parameters_enter_the_base_string(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    env = emulator.env()
    path = "/services/rest/record/v1/invoice?q=memo%20IS%20%22a+b%22&limit=5"
    async with client_for(emulator) as client:
        good = await signed_get(client, env, path, timestamp=clock.now)
        # The same signature on a different query must fail.
        headers = tba_headers(env, "GET", BASE_URL + path, timestamp=clock.now, nonce="nonceABCDEF1")
        tampered = await client.get(path.replace("limit=5", "limit=6"), headers=headers)
    assert good.status_code == 200
    await _refused_with(emulator, tampered, "InvalidSignature")


@pytest.mark.anyio
async def test_every_oauth_parameter_enters_the_base_string(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    env = emulator.env()
    url = BASE_URL + SERVER_TIME
    headers = tba_headers(env, "GET", url, timestamp=clock.now, nonce="bodyhash01")
    signed = headers["Authorization"]
    # oauthlib's header plus an oauth_body_hash the signature did not cover: refused.
    unsigned_extra = signed + ', oauth_body_hash="47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D"'
    async with client_for(emulator) as client:
        refused = await client.get(SERVER_TIME, headers={"Authorization": unsigned_extra})
        await _refused_with(emulator, refused, "InvalidSignature")
        # Signed with the body hash in the base string (oauthlib adds it for a body it is given): accepted.
        body_signed = tba_headers(
            env,
            "POST",
            BASE_URL + "/services/rest/record/v1/vendor",
            timestamp=clock.now,
            body="{}",
            headers={"Content-Type": "application/json"},
        )
        assert "oauth_body_hash" in body_signed["Authorization"]
        accepted = await client.post(
            "/services/rest/record/v1/vendor",
            content="{}",
            headers={**body_signed, "Content-Type": "application/json"},
        )
    assert accepted.status_code != 401
    assert emulator.audit_trail()[-1].status == "Success"


@pytest.mark.anyio
async def test_the_base_uri_is_the_one_the_client_sent(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    env = emulator.env()
    async with client_for(emulator, "http://127.0.0.1:8765") as client:
        assert (await signed_get(client, env, SERVER_TIME, timestamp=clock.now)).status_code == 200
        # Signed for another host than the one the request went to.
        headers = tba_headers(env, "GET", "http://emulator.test" + SERVER_TIME, timestamp=clock.now)
        response = await client.get(SERVER_TIME, headers=headers)
    await _refused_with(emulator, response, "InvalidSignature")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"signature_method": "HMAC-SHA1"}, "UnknownAlgorithm"),
        ({"realm": "1234567 "}, "token_rejected"),
        ({"consumer_key": "0" * 64}, "consumer_key_unknown"),
        ({"token_id": "0" * 64}, "token_rejected"),
        ({"nonce": "abc"}, "nonce_rejected"),
    ],
)
async def test_bad_credentials_are_refused(
    make_emulator: MakeEmulator, clock: FakeClock, change: dict[str, str], detail: str
) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        response = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now, **change)
    await _refused_with(emulator, response, detail)


@pytest.mark.anyio
async def test_a_lower_case_sandbox_realm_is_refused(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator("sandbox-account")
    assert emulator.account_id == "1234567_SB1"
    env = emulator.env()
    async with client_for(emulator, "http://1234567-sb1.suitetalk.api.netsuite.com") as client:
        good = await signed_get(client, env, SERVER_TIME, timestamp=clock.now)
        bad = await signed_get(client, env, SERVER_TIME, timestamp=clock.now, realm="1234567_sb1")
    assert good.status_code == 200
    await _refused_with(emulator, bad, "token_rejected")


@pytest.mark.anyio
async def test_a_nonce_and_timestamp_are_used_once(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    env = emulator.env()
    headers = tba_headers(env, "GET", BASE_URL + SERVER_TIME, timestamp=clock.now, nonce="replayed123")
    async with client_for(emulator) as client:
        first = await client.get(SERVER_TIME, headers=headers)
        replay = await client.get(SERVER_TIME, headers=headers)
        # The same nonce with another timestamp is a new combination.
        fresh = await signed_get(client, env, SERVER_TIME, timestamp=clock.now + 1, nonce="replayed123")
    assert first.status_code == 200
    assert fresh.status_code == 200
    assert [e.detail for e in emulator.audit_trail()] == ["", "NonceUsed", ""]
    assert (replay.status_code, replay.json()) == (401, INVALID_LOGIN)


@pytest.mark.anyio
@pytest.mark.parametrize(("offset", "accepted"), [(-300, True), (300, True), (-301, False), (301, False)])
async def test_the_timestamp_window_is_five_minutes(
    make_emulator: MakeEmulator, clock: FakeClock, offset: int, accepted: bool
) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        response = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now + offset)
    if accepted:
        assert response.status_code == 200
    else:
        await _refused_with(emulator, response, "InvalidTimestamp")


@pytest.mark.anyio
async def test_clock_skew_scenario_refuses_a_correct_client_clock(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator("clock-skew")
    assert emulator.now() == clock.now + 600
    async with client_for(emulator) as client:
        refused = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now)
        # A client that reads serverTime and signs with the server's clock gets in.
        accepted = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=emulator.now())
    assert (refused.status_code, refused.json()) == (401, INVALID_LOGIN)
    assert accepted.status_code == 200
    assert [e.detail for e in emulator.audit_trail()] == ["InvalidTimestamp", ""]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("scenario", "detail"),
    [
        ("rest-disabled", "FeatureDisabled"),
        ("tba-disabled", "FeatureDisabled"),
        ("revoked-token", "token_rejected"),
    ],
)
async def test_login_failure_scenarios(
    make_emulator: MakeEmulator, clock: FakeClock, scenario: str, detail: str
) -> None:
    emulator = make_emulator(scenario)
    async with client_for(emulator) as client:
        response = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now)
        admin = await signed_get(client, emulator.env(who="admin"), SERVER_TIME, timestamp=clock.now)
    assert (response.status_code, response.json()) == (401, INVALID_LOGIN)
    assert emulator.audit_trail()[0].detail == detail
    # A revoked token is that token's problem; a disabled feature stops every user.
    assert admin.status_code == (200 if scenario == "revoked-token" else 401)


@pytest.mark.anyio
async def test_a_token_of_another_application_is_refused(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    env = emulator.env()
    other = {
        **env,
        "NETSUITE_CONSUMER_KEY": "58971c92c2faae4f3d1f0435af770c32a4fa61c3e5860bb6bba9078bd82bc793",
    }
    other["NETSUITE_CONSUMER_SECRET"] = "ac0de6ee4c1dbe10200212a8c49830d0f83b5b0f190356902086c1eb90b15d10"
    async with client_for(emulator) as client:
        response = await signed_get(client, other, SERVER_TIME, timestamp=clock.now)
    await _refused_with(emulator, response, "token_rejected")
    assert emulator.audit_trail()[-1].application == "Expense Reports App"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sql", "detail"),
    [
        ("UPDATE integration SET state = 'BLOCKED' WHERE id = 1", "consumer_key_refused"),
        ("UPDATE accesstoken SET isrevoked = 'T' WHERE handle = 'integration'", "token_rejected"),
        ("DELETE FROM employeerolesforsearch WHERE entity = 11", "permission_denied"),
        ("UPDATE employee SET isinactive = 'T' WHERE id = 11", "permission_denied"),
        (
            "DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'ADMI_LOGIN_OAUTH'",
            "permission_denied",
        ),
        (
            "DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'ADMI_RESTWEBSERVICES'",
            "permission_denied",
        ),
    ],
)
async def test_setup_mistakes_are_refused(
    make_emulator: MakeEmulator, clock: FakeClock, sql: str, detail: str
) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        before = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now)
        emulator.store.execute(sql)
        after = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now)
    assert before.status_code == 200
    await _refused_with(emulator, after, detail)


@pytest.mark.anyio
async def test_tokeninfo_needs_no_rest_web_services_permission(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    emulator.store.execute(
        "DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'ADMI_RESTWEBSERVICES'"
    )
    async with client_for(emulator) as client:
        info = await signed_get(client, emulator.env(), "/rest/tokeninfo", timestamp=clock.now)
        rest = await signed_get(client, emulator.env(), SERVER_TIME, timestamp=clock.now)
    assert info.status_code == 200
    assert info.json()["roleName"] == "TMS Integration Role"
    await _refused_with(emulator, rest, "permission_denied")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "MissingTokenPassportRequiredFields"),
        ("Basic dXNlcjpwYXNz", "MissingTokenPassportRequiredFields"),
        ('OAuth realm="1234567", oauth_consumer_key="x"', "MissingTokenPassportRequiredFields"),
        ("OAuth this is not a header", "MissingTokenPassportRequiredFields"),
        ('OAuth realm="1234567", realm="1234567"', "parameter_rejected"),
        ('OAuth realm="1234567", oauth_token=""', "parameter_rejected"),
        ('OAuth realm="1234567", oauth_nonce="' + "n" * 600 + '"', "parameter_rejected"),
        ('OAuth realm="1234567", x_other="1"', "parameter_rejected"),
        ("OAuth " + "a" * 5000, "parameter_rejected"),
    ],
)
async def test_unreadable_oauth_headers(
    make_emulator: MakeEmulator, authorization: str | None, detail: str
) -> None:
    emulator = make_emulator()
    headers = {} if authorization is None else {"Authorization": authorization}
    async with client_for(emulator) as client:
        response = await client.get(SERVER_TIME, headers=headers)
    await _refused_with(emulator, response, detail)


@pytest.mark.anyio
async def test_version_and_timestamp_format(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    headers = tba_headers(emulator.env(), "GET", BASE_URL + SERVER_TIME, timestamp=clock.now)
    authorization = headers["Authorization"]
    async with client_for(emulator) as client:
        wrong_version = authorization.replace('oauth_version="1.0"', 'oauth_version="2.0"')
        response = await client.get(SERVER_TIME, headers={"Authorization": wrong_version})
        await _refused_with(emulator, response, "VersionRejected")
        bad_time = authorization.replace(f'oauth_timestamp="{int(clock.now)}"', 'oauth_timestamp="soon"')
        response = await client.get(SERVER_TIME, headers={"Authorization": bad_time})
        await _refused_with(emulator, response, "InvalidTimestamp")


@pytest.mark.anyio
async def test_audit_rows_hold_no_secrets(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    env = emulator.env()
    async with client_for(emulator) as client:
        await signed_get(client, env, SERVER_TIME, timestamp=clock.now)
        await signed_get(client, env, SERVER_TIME, timestamp=clock.now + 999)
    text = repr(emulator.audit_trail()) + repr(emulator.store.login_audit())
    assert len(emulator.audit_trail()) == 2
    for name in (
        "NETSUITE_CONSUMER_KEY",
        "NETSUITE_CONSUMER_SECRET",
        "NETSUITE_TOKEN_ID",
        "NETSUITE_TOKEN_SECRET",
    ):
        assert env[name] not in text
    assert env["NETSUITE_TOKEN_SECRET"] not in repr(emulator.store.access_token(env["NETSUITE_TOKEN_ID"]))
