"""OAuth 2.0 client credentials (machine to machine): a certificate-signed JWT buys a 60-minute bearer token."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tms_netsuite.errors import ConfigurationError
from tms_netsuite.netsuite._account import AccountId
from tms_netsuite.netsuite._errors import (
    AUTH_FAILURES_BEFORE_GIVING_UP,
    CredentialsError,
    RequestInfo,
    error_from_response,
)
from tms_netsuite.netsuite._secrets import Secret

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 - a URL path, not a password
SCOPE = "rest_webservices"
_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# NetSuite wants exp less than 60 minutes after iat; a short assertion limits what a leaked one is worth.
_ASSERTION_LIFETIME_S = 300
# Renew this long before the token's own expiry, so no request is sent with a token about to lapse.
_RENEW_MARGIN_S = 120
_EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


@dataclass(frozen=True, slots=True, repr=False)
class OAuth2Credentials:
    """The client id of the integration record, the certificate id of its M2M mapping, and the private key."""

    client_id: str
    certificate_id: str
    private_key_pem: Secret

    def __repr__(self) -> str:
        return (
            f"OAuth2Credentials(client_id=***, certificate_id={self.certificate_id!r}, private_key_pem=***)"
        )


def signing_algorithm(private_key_pem: Secret) -> str:
    """The JWT algorithm NetSuite accepts for a key: PS256 for RSA (3072 or 4096 bits), ES256/384/512 for EC.

    RS256 (RSA PKCS#1 v1.5) is no longer on NetSuite's list, so it is never chosen.
    """
    try:
        key = serialization.load_pem_private_key(private_key_pem.reveal().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            "the private key is not an unencrypted PEM private key (PKCS#8 or traditional)"
        ) from exc
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size not in (3072, 4096):
            raise ConfigurationError(f"NetSuite accepts RSA keys of 3072 or 4096 bits, not {key.key_size}")
        return "PS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _EC_ALGORITHMS:
        return _EC_ALGORITHMS[key.curve.name]
    raise ConfigurationError("NetSuite accepts RSA (3072/4096 bits) or EC P-256/P-384/P-521 keys only")


@dataclass(slots=True)
class _Token:
    value: Secret
    expires_at: float


class OAuth2ClientCredentialsAuth(httpx.Auth):
    """Fetches, caches and renews NetSuite OAuth 2.0 bearer tokens for every request.

    The assertion's ``aud`` is always NetSuite's real token URL for the account, even when ``token_url``
    points the request elsewhere (the local emulator, a proxy). The token is renewed shortly before its
    expiry, and once when a request is answered 401 (it may have been revoked or the clock may be off).

    Args:
        account: the NetSuite account.
        credentials: client id, certificate id and private key.
        token_url: where to post the assertion; defaults to the account's NetSuite token URL.
        clock: returns Unix time in seconds.
    """

    def __init__(
        self,
        account: AccountId,
        credentials: OAuth2Credentials,
        *,
        token_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._account = account
        self._credentials = credentials
        self._algorithm = signing_algorithm(credentials.private_key_pem)
        self._audience = f"{account.suitetalk_url}{TOKEN_PATH}"
        self._token_url = token_url or self._audience
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    def client_assertion(self) -> str:
        """A freshly signed JWT client assertion."""
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self._credentials.client_id,
            "scope": SCOPE,
            "aud": self._audience,
            "iat": now,
            "exp": now + _ASSERTION_LIFETIME_S,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(
            claims,
            self._credentials.private_key_pem.reveal(),
            algorithm=self._algorithm,
            headers={"typ": "JWT", "kid": self._credentials.certificate_id},
        )

    def token_request(self) -> httpx.Request:
        """The request that trades an assertion for a bearer token."""
        return httpx.Request(
            "POST",
            self._token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": _ASSERTION_TYPE,
                "client_assertion": self.client_assertion(),
            },
        )

    async def _accept(self, request: httpx.Request, response: httpx.Response) -> None:
        # httpx reads bodies for auth flows only through `requires_response_body`, which the generic
        # auth_flow honours; this flow is async-specific, so it reads the token answer itself.
        await response.aread()
        self._store(request, response)

    def _store(self, request: httpx.Request, response: httpx.Response) -> None:
        info = RequestInfo(method=request.method, url=str(request.url))
        if response.status_code != 200:
            # The token endpoint's refusals (4xx) are final; only 429 and 5xx are worth another try.
            final = 400 <= response.status_code < 500 and response.status_code != 429
            raise error_from_response(
                info,
                response.status_code,
                response.headers,
                response.content,
                auth_failures_in_a_row=AUTH_FAILURES_BEFORE_GIVING_UP if final else 1,
            )
        try:
            body = response.json()
            value, lifetime = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise CredentialsError(
                "NetSuite's token endpoint answered 200 without an access token", request=info
            ) from exc
        self._token = _Token(value=Secret(value), expires_at=self._clock() + lifetime)

    def _needs_token(self) -> bool:
        return self._token is None or self._clock() >= self._token.expires_at - _RENEW_MARGIN_S

    def _authorize(self, request: httpx.Request) -> None:
        assert self._token is not None  # set by _store just before
        request.headers["Authorization"] = f"Bearer {self._token.value.reveal()}"

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        async with self._lock:  # one token fetch at a time; concurrent requests wait and share it
            if self._needs_token():
                token_request = self.token_request()
                await self._accept(token_request, (yield token_request))
            self._authorize(request)
            used = self._token
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            if self._token is used:  # nobody renewed it meanwhile
                token_request = self.token_request()
                await self._accept(token_request, (yield token_request))
            self._authorize(request)
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("OAuth2ClientCredentialsAuth works with httpx.AsyncClient only")

    def __repr__(self) -> str:
        return f"OAuth2ClientCredentialsAuth(account={self._account.realm!r}, algorithm={self._algorithm!r})"
