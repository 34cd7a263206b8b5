"""Token-Based Authentication: OAuth 1.0a with HMAC-SHA256, as NetSuite implements it."""

from __future__ import annotations

import logging
import secrets
import string
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx
from oauthlib import oauth1

from tms_netsuite.netsuite._account import AccountId
from tms_netsuite.netsuite._secrets import Secret

_NONCE_ALPHABET = string.ascii_letters + string.digits


def _drop_signing_internals(record: logging.LogRecord) -> bool:
    # oauthlib logs the base string, consumer key and token id at DEBUG while signing; credentials never
    # reach a log, so those records are dropped wherever the application sends its logs.
    return record.levelno > logging.DEBUG


logging.getLogger("oauthlib.oauth1.rfc5849").addFilter(_drop_signing_internals)


def random_nonce() -> str:
    """20 random alphanumerics: NetSuite wants 6-64, ideally 20, without special characters."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(20))


@dataclass(frozen=True, slots=True, repr=False)
class TbaCredentials:
    """The four secrets of a NetSuite integration record and access token."""

    consumer_key: Secret
    consumer_secret: Secret
    token_id: Secret
    token_secret: Secret

    def __repr__(self) -> str:
        return "TbaCredentials(consumer_key=***, consumer_secret=***, token_id=***, token_secret=***)"


class TbaAuth(httpx.Auth):
    """Signs every request with NetSuite's TBA header.

    The realm is the account id in upper case (``123456_SB1``); it travels in the header and stays out of
    the signature base string, while query parameters enter it (RFC 5849 §3.4, which oauthlib implements).
    Every attempt, retries included, gets a fresh nonce and timestamp.

    Args:
        account: the NetSuite account.
        credentials: consumer key and secret, token id and secret.
        clock: returns Unix time in seconds (injected so signatures are reproducible in tests).
        new_nonce: returns a fresh nonce.
    """

    def __init__(
        self,
        account: AccountId,
        credentials: TbaCredentials,
        *,
        clock: Callable[[], float] = time.time,
        new_nonce: Callable[[], str] = random_nonce,
    ) -> None:
        self._account = account
        self._credentials = credentials
        self._clock = clock
        self._new_nonce = new_nonce

    def authorization_header(self, method: str, url: str) -> str:
        """The ``Authorization`` header value for one request (a new nonce and timestamp each call)."""
        creds = self._credentials
        signer = oauth1.Client(
            creds.consumer_key.reveal(),
            client_secret=creds.consumer_secret.reveal(),
            resource_owner_key=creds.token_id.reveal(),
            resource_owner_secret=creds.token_secret.reveal(),
            signature_method=oauth1.SIGNATURE_HMAC_SHA256,
            realm=self._account.realm,
            nonce=self._new_nonce(),
            timestamp=str(int(self._clock())),
        )
        # JSON bodies never enter the base string (RFC 5849 §3.4.1.3 counts only form-encoded bodies),
        # so the body is not handed to the signer.
        # The stubs type http_method as a Literal of verbs; httpx hands a plain str.
        _, headers, _ = signer.sign(url, http_method=method)  # type: ignore[arg-type]
        return str(headers["Authorization"])

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.authorization_header(request.method, str(request.url))
        yield request

    def __repr__(self) -> str:
        return f"TbaAuth(account={self._account.realm!r})"
