"""Helpers for the emulator's own tests: a settable clock, an independent TBA signer (oauthlib),
client-credential assertions (PyJWT) and an in-process HTTP client."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
from oauthlib import oauth1

from netsuite_emulator import Emulator

BASE_URL = "http://emulator.test"
# 2026-11-24T12:00:00Z: the tests' fixed "now".
NOW = 1795521600.0


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def client_for(emulator: Emulator, base_url: str = BASE_URL) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


def tba_headers(
    env: dict[str, str],
    method: str,
    url: str,
    *,
    timestamp: float,
    realm: str | None = None,
    nonce: str | None = None,
    signature_method: str = "HMAC-SHA256",
    consumer_key: str | None = None,
    token_id: str | None = None,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """Headers signed by oauthlib, a signer that shares no code with the emulator."""
    client = oauth1.Client(
        consumer_key or env["NETSUITE_CONSUMER_KEY"],
        client_secret=env["NETSUITE_CONSUMER_SECRET"],
        resource_owner_key=token_id or env["NETSUITE_TOKEN_ID"],
        resource_owner_secret=env["NETSUITE_TOKEN_SECRET"],
        signature_method=signature_method,
        realm=env["NETSUITE_ACCOUNT_ID"] if realm is None else realm,
        nonce=nonce,
        timestamp=str(int(timestamp)),
    )
    _, signed, _ = client.sign(url, method, body=body, headers=headers)
    return dict(signed)


def assertion(
    env: dict[str, str],
    *,
    now: float,
    account_id: str | None = None,
    host: str = "suitetalk",
    lifetime: float = 1800,
    scope: Any = "rest_webservices",
    algorithm: str = "ES256",
    key_file: str | None = None,
    **overrides: Any,
) -> str:
    """A client-credentials JWT as NetSuite documents it; ``overrides`` replace or (None) drop claims/kid."""
    slug = (account_id or env["NETSUITE_ACCOUNT_ID"]).lower().replace("_", "-")
    claims: dict[str, Any] = {
        "iss": env["NETSUITE_CLIENT_ID"],
        "scope": scope,
        "aud": f"https://{slug}.{host}.api.netsuite.com/services/rest/auth/oauth2/v1/token",
        "iat": int(now),
        "exp": int(now + lifetime),
    }
    kid = overrides.pop("kid", env["NETSUITE_CERTIFICATE_ID"])
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    key = Path(key_file or env["NETSUITE_PRIVATE_KEY_FILE"]).read_text()
    headers = {"typ": "JWT"} | ({"kid": kid} if kid is not None else {})
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def token_form(client_assertion: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion,
    }


async def signed_get(
    client: httpx.AsyncClient,
    env: dict[str, str],
    path: str,
    *,
    timestamp: float | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """GET ``path`` signed for the URL actually sent."""
    url = f"{client.base_url}".rstrip("/") + path
    headers = tba_headers(
        env, "GET", url, timestamp=time.time() if timestamp is None else timestamp, **kwargs
    )
    return await client.get(path, headers=headers)


INVALID_LOGIN = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [
        {
            "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
            "Setup > Users/Roles > User Management > View Login Audit Trail.",
            "o:errorCode": "INVALID_LOGIN",
        }
    ],
}
