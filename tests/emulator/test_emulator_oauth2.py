"""OAuth 2.0 client credentials: the token endpoint and the bearer tokens it issues."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from netsuite_emulator import Emulator
from netsuite_emulator.auth import self_signed_certificate
from tests.emulator.helpers import INVALID_LOGIN, FakeClock, assertion, client_for, token_form

TOKEN = "/services/rest/auth/oauth2/v1/token"
SERVER_TIME = "/services/rest/system/v1/serverTime"
MakeEmulator = Callable[..., Emulator]


async def _token(emulator: Emulator, client_assertion: str) -> httpx.Response:
    async with client_for(emulator) as client:
        return await client.post(TOKEN, data=token_form(client_assertion))


async def _refused(
    emulator: Emulator, client_assertion: str, detail: str, error: str = "invalid_grant"
) -> None:
    response = await _token(emulator, client_assertion)
    assert (response.status_code, response.json()) == (400, {"error": error})
    last = emulator.audit_trail()[-1]
    assert (last.status, last.detail, last.auth_method) == ("Failure", detail, "OAuth 2.0")


@pytest.fixture
def emulator(make_emulator: MakeEmulator) -> Emulator:
    return make_emulator()


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return emulator.env(auth="oauth2", key_dir=tmp_path)


@pytest.mark.anyio
async def test_token_then_bearer_calls(emulator: Emulator, env: dict[str, str], clock: FakeClock) -> None:
    response = await _token(emulator, assertion(env, now=clock.now))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert (body["expires_in"], body["token_type"]) == (3600, "bearer")
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "PS256"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    async with client_for(emulator) as client:
        server_time = await client.get(SERVER_TIME, headers=bearer)
        info = await client.get("/rest/tokeninfo", headers=bearer)
        probe = await client.options("/services/rest/record/v1/invoice", headers=bearer)
    assert server_time.status_code == 200
    assert info.json()["entityId"] == "11"
    assert probe.status_code == 204
    assert [(e.status, e.auth_method) for e in emulator.audit_trail()] == [("Success", "OAuth 2.0")] * 4


@pytest.mark.anyio
@pytest.mark.parametrize(
    "scope",
    [
        "rest_webservices",
        "rest_webservices,restlets",
        "restlets rest_webservices",
        ["restlets", "rest_webservices"],
    ],
)
async def test_scope_forms(emulator: Emulator, env: dict[str, str], clock: FakeClock, scope: Any) -> None:
    response = await _token(emulator, assertion(env, now=clock.now, scope=scope))
    assert response.status_code == 200


@pytest.mark.anyio
async def test_audience_is_built_from_the_account_id(
    emulator: Emulator, env: dict[str, str], clock: FakeClock
) -> None:
    assert (await _token(emulator, assertion(env, now=clock.now, host="restlets"))).status_code == 200
    request_host = "http://emulator.test/services/rest/auth/oauth2/v1/token"
    await _refused(emulator, assertion(env, now=clock.now, aud=request_host), "InvalidAudience")
    await _refused(emulator, assertion(env, now=clock.now, account_id="7654321"), "InvalidAudience")


@pytest.mark.anyio
async def test_sandbox_audience(make_emulator: MakeEmulator, tmp_path: Path, clock: FakeClock) -> None:
    emulator = make_emulator("sandbox-account")
    env = emulator.env(auth="oauth2", key_dir=tmp_path)
    claims_aud = assertion(env, now=clock.now)
    assert "1234567-sb1.suitetalk.api.netsuite.com" in str(
        jwt.decode(claims_aud, options={"verify_signature": False})
    )
    assert (await _token(emulator, claims_aud)).status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"iss": "someone-else"}, "InvalidIssuer"),
        ({"iat": 1795521660}, "TokenNotAcceptable"),
        ({"exp": None}, "TokenNotAcceptable"),
        ({"lifetime": 3600}, "TokenValidityTooBroad"),
        ({"iat": 1795521600 - 1000, "exp": 1795521600 - 10}, "TokenExpired"),
        ({"scope": ""}, "InvalidScope"),
        ({"scope": "everything"}, "InvalidScope"),
        ({"scope": "suite_analytics"}, "ScopeMismatched"),
        ({"kid": None}, "MissingKeyId"),
        ({"kid": "no-such-certificate"}, "MissingKey"),
    ],
)
async def test_refused_assertions(
    emulator: Emulator, env: dict[str, str], clock: FakeClock, claims: dict[str, Any], detail: str
) -> None:
    await _refused(emulator, assertion(env, now=clock.now, **claims), detail)


@pytest.mark.anyio
async def test_a_just_valid_lifetime_is_accepted(
    emulator: Emulator, env: dict[str, str], clock: FakeClock
) -> None:
    assert (await _token(emulator, assertion(env, now=clock.now, lifetime=3599))).status_code == 200


@pytest.mark.anyio
async def test_signature_by_another_key(
    emulator: Emulator, env: dict[str, str], clock: FakeClock, tmp_path: Path
) -> None:
    admin_key = emulator.env(who="admin", auth="oauth2", key_dir=tmp_path)["NETSUITE_PRIVATE_KEY_FILE"]
    await _refused(emulator, assertion(env, now=clock.now, key_file=admin_key), "SignatureValidation")


def _map_rsa_certificate(emulator: Emulator, tmp_path: Path) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    certificate = self_signed_certificate(key, "rsa test", emulator.now())  # type: ignore[arg-type]
    emulator.store.execute(
        "INSERT INTO oauth2certificate (certificateid, keylabel, integration, entity, role, certificatepem)"
        " VALUES ('rsa-cert', 'rsa', 1, 11, 1001, ?)",
        (certificate,),
    )
    path = tmp_path / "rsa.pem"
    path.write_text(pem)
    return str(path)


@pytest.mark.anyio
async def test_rsa_pss_is_accepted_and_pkcs1_refused(
    emulator: Emulator, env: dict[str, str], clock: FakeClock, tmp_path: Path
) -> None:
    key_file = _map_rsa_certificate(emulator, tmp_path)
    pss = assertion(env, now=clock.now, algorithm="PS256", key_file=key_file, kid="rsa-cert")
    assert (await _token(emulator, pss)).status_code == 200
    pkcs1 = assertion(env, now=clock.now, algorithm="RS256", key_file=key_file, kid="rsa-cert")
    await _refused(emulator, pkcs1, "UnsupportedAlgo")


@pytest.mark.anyio
async def test_malformed_token_requests(emulator: Emulator, env: dict[str, str], clock: FakeClock) -> None:
    good = token_form(assertion(env, now=clock.now))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"data": {**good, "grant_type": "password"}}, "unsupported_grant_type"),
        ({"data": {k: v for k, v in good.items() if k != "grant_type"}}, "invalid_request"),
        ({"data": {**good, "client_assertion": ""}}, "invalid_request"),
        ({"data": {**good, "client_assertion": "not.a.jwt"}}, "invalid_request"),
        ({"data": {**good, "client_assertion_type": "urn:other"}}, "invalid_request"),
        ({"json": good}, "invalid_request"),
        (
            {
                "content": "&".join(f"{k}={v}" for k, v in good.items()) + "&grant_type=client_credentials",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            "invalid_request",
        ),
        (
            {
                "content": b"grant_type=" + b"x" * 70_000,
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            "invalid_request",
        ),
    ]
    async with client_for(emulator) as client:
        for kwargs, error in cases:
            response = await client.post(TOKEN, **kwargs)
            assert (response.status_code, response.json()) == (400, {"error": error}), kwargs
    assert {e.status for e in emulator.audit_trail()} == {"Failure"}


@pytest.mark.anyio
async def test_an_expired_bearer_is_refused(
    emulator: Emulator, env: dict[str, str], clock: FakeClock
) -> None:
    token = (await _token(emulator, assertion(env, now=clock.now))).json()["access_token"]
    clock.advance(3600)
    async with client_for(emulator) as client:
        response = await client.get(SERVER_TIME, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()) == (401, INVALID_LOGIN)
    assert response.headers["www-authenticate"] == (
        'Bearer realm="1234567", error="invalid_token", error_description="Invalid login attempt."'
    )
    assert emulator.audit_trail()[-1].detail == "AccessTokenExpired"


@pytest.mark.anyio
@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
async def test_an_unknown_bearer_is_refused(emulator: Emulator, token: str) -> None:
    async with client_for(emulator) as client:
        response = await client.get(SERVER_TIME, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()) == (401, INVALID_LOGIN)
    assert response.headers["www-authenticate"].startswith('Bearer realm="1234567", error="invalid_token"')
    assert emulator.audit_trail()[-1].detail == "InvalidAccessToken"


@pytest.mark.anyio
async def test_a_token_signed_by_another_emulator_is_unknown(
    emulator: Emulator, env: dict[str, str], clock: FakeClock, make_emulator: MakeEmulator
) -> None:
    other = make_emulator()
    token = (await _token(other, assertion(env, now=clock.now))).json()["access_token"]
    async with client_for(emulator) as client:
        response = await client.get(SERVER_TIME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert emulator.audit_trail()[-1].detail == "InvalidAccessToken"


@pytest.mark.anyio
async def test_a_restlets_only_token_reaches_tokeninfo_not_rest(
    emulator: Emulator, env: dict[str, str], clock: FakeClock
) -> None:
    token = (await _token(emulator, assertion(env, now=clock.now, scope="restlets"))).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    async with client_for(emulator) as client:
        info = await client.get("/rest/tokeninfo", headers=bearer)
        rest = await client.get(SERVER_TIME, headers=bearer)
    assert info.status_code == 200
    assert rest.status_code == 401
    assert emulator.audit_trail()[-1].detail == "ScopeMismatched"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sql", "detail"),
    [
        (
            "DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'ADMI_LOGIN_OAUTH2'",
            "EntityOrRoleDisabled",
        ),
        ("UPDATE integration SET state = 'BLOCKED'", "IntegrationBlocked"),
        ("UPDATE integration SET clientcredentials = 'F'", "InvalidIntegration"),
        ("UPDATE feature SET isenabled = 'F' WHERE id = 'OAUTH2'", "FeatureDisabled"),
    ],
)
async def test_setup_mistakes_refuse_the_token(
    emulator: Emulator, env: dict[str, str], clock: FakeClock, sql: str, detail: str
) -> None:
    emulator.store.execute(sql)
    await _refused(emulator, assertion(env, now=clock.now), detail)


@pytest.mark.anyio
async def test_rest_permission_is_checked_on_each_call(
    emulator: Emulator, env: dict[str, str], clock: FakeClock
) -> None:
    token = (await _token(emulator, assertion(env, now=clock.now))).json()["access_token"]
    emulator.store.execute(
        "DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'ADMI_RESTWEBSERVICES'"
    )
    async with client_for(emulator) as client:
        response = await client.get(SERVER_TIME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert emulator.audit_trail()[-1].detail == "EntityOrRoleDisabled"


@pytest.mark.anyio
async def test_revoked_certificate_scenario(
    make_emulator: MakeEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    emulator = make_emulator("revoked-token")
    env = emulator.env(auth="oauth2", key_dir=tmp_path)
    await _refused(emulator, assertion(env, now=clock.now), "MissingKey")


@pytest.mark.anyio
async def test_rest_disabled_scenario_refuses_bearer_calls(
    make_emulator: MakeEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    emulator = make_emulator("rest-disabled")
    env = emulator.env(auth="oauth2", key_dir=tmp_path)
    token = (await _token(emulator, assertion(env, now=clock.now))).json()["access_token"]
    async with client_for(emulator) as client:
        response = await client.get(SERVER_TIME, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()) == (401, INVALID_LOGIN)
    assert emulator.audit_trail()[-1].detail == "FeatureDisabled"


@pytest.mark.anyio
async def test_bearer_calls_draw_from_their_integrations_allocation(
    make_emulator: MakeEmulator, clock: FakeClock, tmp_path: Path
) -> None:
    emulator = make_emulator(latency_ms=100)
    emulator.store.execute("UPDATE integration SET concurrencylimit = 2 WHERE id = 1")
    env = emulator.env(auth="oauth2", key_dir=tmp_path)
    token = (await _token(emulator, assertion(env, now=clock.now))).json()["access_token"]
    async with client_for(emulator) as client:
        responses = await asyncio.gather(
            *(client.get(SERVER_TIME, headers={"Authorization": f"Bearer {token}"}) for _ in range(5))
        )
    assert sorted(r.status_code for r in responses) == [200, 200, 429, 429, 429]
