"""OAuth 2.0 client credentials: the assertion NetSuite expects, and a token fetched, cached and renewed."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import jwt
import pytest

from tests.unit.netsuite.keys import ec_key, public_pem, rsa_key
from tms_netsuite.netsuite import (
    AccountId,
    ConfigurationError,
    CredentialsError,
    OAuth2ClientCredentialsAuth,
    OAuth2Credentials,
    RetryLaterError,
    Secret,
)
from tms_netsuite.netsuite._oauth2 import signing_algorithm

ACCOUNT = AccountId.parse("123456_SB1")
REAL_TOKEN_URL = "https://123456-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
EMULATOR = "http://emulator.test"
TOKEN_URL = f"{EMULATOR}/services/rest/auth/oauth2/v1/token"


def credentials(pem: str) -> OAuth2Credentials:
    return OAuth2Credentials(client_id="client-123", certificate_id="cert-abc", private_key_pem=Secret(pem))


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("key", "algorithm"),
    [
        (lambda: ec_key("secp256r1"), "ES256"),
        (lambda: ec_key("secp384r1"), "ES384"),
        (lambda: ec_key("secp521r1"), "ES512"),
        (lambda: rsa_key(3072), "PS256"),
    ],
)
def test_the_algorithm_follows_from_the_key(key: object, algorithm: str) -> None:
    """EC curves map to ES256/384/512 and RSA to PS256; RS256 is never chosen."""
    assert callable(key)
    assert signing_algorithm(Secret(key())) == algorithm


@pytest.mark.parametrize("pem", [lambda: rsa_key(2048), lambda: "not a key", lambda: ""])
def test_unusable_keys_are_refused(pem: object) -> None:
    """RSA keys under 3072 bits and non-keys are refused before anything is sent."""
    assert callable(pem)
    with pytest.raises(ConfigurationError):
        signing_algorithm(Secret(pem()))


@pytest.mark.parametrize("make_key", [lambda: ec_key(), lambda: rsa_key()])
def test_assertion_has_netsuites_header_and_claims(make_key: object) -> None:
    """typ JWT, kid = certificate id, iss = client id, aud = the real token URL, scope, iat, exp < 60 min."""
    assert callable(make_key)
    pem = make_key()
    clock = FakeClock()
    auth = OAuth2ClientCredentialsAuth(ACCOUNT, credentials(pem), token_url=f"{EMULATOR}/x", clock=clock)
    assertion = auth.client_assertion()
    header = jwt.get_unverified_header(assertion)
    assert header["typ"] == "JWT"
    assert header["kid"] == "cert-abc"
    assert header["alg"] in ("ES256", "PS256")
    claims = jwt.decode(
        assertion,
        public_pem(pem),
        algorithms=[header["alg"]],
        audience=REAL_TOKEN_URL,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == "client-123"
    assert claims["scope"] == "rest_webservices"
    assert claims["iat"] == int(clock.now)
    assert 0 < claims["exp"] - claims["iat"] < 3600


def streamed(status: int, body: object) -> httpx.Response:
    """An answer whose body is not yet read, as a real transport delivers it."""
    return httpx.Response(
        status,
        headers={"Content-Type": "application/json"},
        stream=httpx.ByteStream(json.dumps(body).encode()),
    )


class TokenServer:
    """A MockTransport handler: the token endpoint and one protected resource."""

    def __init__(self) -> None:
        self.issued = 0
        self.token_requests: list[httpx.Request] = []
        self.revoked: set[str] = set()
        self.token_status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/v1/token"):
            self.token_requests.append(request)
            if self.token_status != 200:
                return streamed(self.token_status, {"error": "invalid_grant"})
            self.issued += 1
            return streamed(
                200, {"access_token": f"tok-{self.issued}", "expires_in": 3600, "token_type": "bearer"}
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token.startswith("tok-") or token in self.revoked:
            return httpx.Response(
                401,
                json={
                    "o:errorDetails": [{"detail": "Invalid login attempt.", "o:errorCode": "INVALID_LOGIN"}]
                },
            )
        return httpx.Response(200, json={"token": token})


async def _get(client: httpx.AsyncClient) -> str:
    response = await client.get(f"{EMULATOR}/services/rest/system/v1/serverTime")
    return str(response.json().get("token"))


@pytest.mark.anyio
async def test_token_is_fetched_once_cached_and_renewed_before_expiry() -> None:
    """One token serves many requests; shortly before its 60 minutes run out a new one is fetched."""
    server, clock = TokenServer(), FakeClock()
    auth = OAuth2ClientCredentialsAuth(
        ACCOUNT,
        credentials(ec_key()),
        token_url=TOKEN_URL,
        clock=clock,
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as client:
        assert [await _get(client) for _ in range(3)] == ["tok-1"] * 3
        clock.now += 3600 - 60  # inside the renewal margin
        assert await _get(client) == "tok-2"
    assert len(server.token_requests) == 2
    form = parse_qs(server.token_requests[0].content.decode())
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assert str(server.token_requests[0].url) == f"{EMULATOR}/services/rest/auth/oauth2/v1/token"


@pytest.mark.anyio
async def test_a_401_renews_the_token_once() -> None:
    """A revoked token is replaced once and the request repeated; a second 401 is handed to the caller."""
    server = TokenServer()
    auth = OAuth2ClientCredentialsAuth(ACCOUNT, credentials(ec_key()), token_url=TOKEN_URL, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as client:
        assert await _get(client) == "tok-1"
        server.revoked.add("tok-1")
        assert await _get(client) == "tok-2"
        server.revoked.add("tok-2")
        server.token_status = 400
        with pytest.raises(CredentialsError, match="invalid_grant"):
            await _get(client)


@pytest.mark.anyio
async def test_token_endpoint_overload_is_retryable() -> None:
    """A 503 from the token endpoint is a retry-later error, not a credentials verdict."""
    server = TokenServer()
    server.token_status = 503
    auth = OAuth2ClientCredentialsAuth(ACCOUNT, credentials(ec_key()), token_url=TOKEN_URL, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as client:
        with pytest.raises(RetryLaterError):
            await _get(client)


def test_default_token_url_is_netsuites() -> None:
    """Without a base URL the assertion is posted to the account's real token URL."""
    auth = OAuth2ClientCredentialsAuth(ACCOUNT, credentials(ec_key()))
    assert str(auth.token_request().url) == REAL_TOKEN_URL


@pytest.mark.anyio
async def test_token_endpoint_refusals_are_final() -> None:
    """A 4xx from the token endpoint (a blocked integration, a revoked certificate) is not retried."""
    server = TokenServer()
    server.token_status = 401
    auth = OAuth2ClientCredentialsAuth(ACCOUNT, credentials(ec_key()), token_url=TOKEN_URL, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as client:
        with pytest.raises(CredentialsError) as raised:
            await _get(client)
    assert not raised.value.retryable
