"""NetSuite connection settings from ``NETSUITE_*`` variables, validated once, with every problem named."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tms_netsuite.errors import ConfigurationError
from tms_netsuite.netsuite._account import ACCEPTED_FORMS, AccountId
from tms_netsuite.netsuite._client import NetSuiteClient
from tms_netsuite.netsuite._oauth2 import (
    TOKEN_PATH,
    OAuth2ClientCredentialsAuth,
    OAuth2Credentials,
    signing_algorithm,
)
from tms_netsuite.netsuite._secrets import Secret
from tms_netsuite.netsuite._tba import TbaAuth, TbaCredentials

TBA_VARIABLES = (
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
)
OAUTH2_VARIABLES = ("NETSUITE_CLIENT_ID", "NETSUITE_CERTIFICATE_ID", "NETSUITE_PRIVATE_KEY_FILE")
KEYRING_VARIABLE = "NETSUITE_KEYRING"  # set by `tms-netsuite init`; tms_netsuite.config reads the keyring
_SHOWN_ONCE = "the value shown once in NetSuite when the integration record or access token was created"
_HINTS = {
    "NETSUITE_ACCOUNT_ID": f"e.g. 123456 or 123456_SB1 ({ACCEPTED_FORMS})",
    "NETSUITE_AUTH": "tba or oauth2",
    "NETSUITE_CONSUMER_KEY": f"{_SHOWN_ONCE} (Setup > Integration > Manage Integrations)",
    "NETSUITE_CONSUMER_SECRET": f"{_SHOWN_ONCE} (Setup > Integration > Manage Integrations)",
    "NETSUITE_TOKEN_ID": f"{_SHOWN_ONCE} (Setup > Users/Roles > Access Tokens)",
    "NETSUITE_TOKEN_SECRET": f"{_SHOWN_ONCE} (Setup > Users/Roles > Access Tokens)",
    "NETSUITE_CLIENT_ID": "the integration record's client id (Setup > Integration > Manage Integrations)",
    "NETSUITE_CERTIFICATE_ID": "the Certificate ID of the mapping at Setup > Integration > Manage "
    "Authentication > OAuth 2.0 Client Credentials (M2M) Setup",
    "NETSUITE_PRIVATE_KEY_FILE": "the path of the PEM private key whose certificate was uploaded to that mapping",
    "NETSUITE_BASE_URL": "a host root such as http://127.0.0.1:8765 (no path)",
}


@dataclass(frozen=True, slots=True)
class NetSuiteSettings:
    """Everything needed to reach one NetSuite account. Build it with :meth:`from_environ`."""

    account: AccountId
    credentials: TbaCredentials | OAuth2Credentials
    base_url: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> NetSuiteSettings:
        """Read and validate the ``NETSUITE_*`` variables.

        Raises:
            ConfigurationError: listing every missing or malformed variable with what a valid one looks like.
        """
        problems: list[str] = []
        account = _account(environ, problems)
        base_url = _base_url(environ.get("NETSUITE_BASE_URL", "").strip() or None, problems)
        credentials = _credentials(environ, problems)
        if problems or account is None or credentials is None:
            raise ConfigurationError(
                "NetSuite settings are incomplete:\n" + "\n".join(f"  - {p}" for p in problems)
            )
        return cls(account=account, credentials=credentials, base_url=base_url)

    @property
    def auth_method(self) -> str:
        """``tba`` or ``oauth2``."""
        return "tba" if isinstance(self.credentials, TbaCredentials) else "oauth2"


def _problem(name: str, what: str) -> str:
    return f"{name} {what}; expected {_HINTS[name]}"


def _account(environ: Mapping[str, str], problems: list[str]) -> AccountId | None:
    raw = environ.get("NETSUITE_ACCOUNT_ID", "").strip()
    if not raw:
        problems.append(_problem("NETSUITE_ACCOUNT_ID", "is missing"))
        return None
    try:
        return AccountId.parse(raw)
    except ConfigurationError:
        problems.append(_problem("NETSUITE_ACCOUNT_ID", f"is not an account id ({raw!r})"))
        return None


def _base_url(raw: str | None, problems: list[str]) -> str | None:
    if raw is None:
        return None
    shown = re.sub(r"//[^/@]*@", "//***@", raw)  # never echo a user:password@ part
    try:
        parts = urlsplit(raw)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        valid = False
    if not valid:
        problems.append(_problem("NETSUITE_BASE_URL", f"is not an http(s) URL ({shown!r})"))
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        problems.append(
            _problem("NETSUITE_BASE_URL", f"must be a host root without path or query ({shown!r})")
        )
        return None
    return raw.rstrip("/")


def _credentials(
    environ: Mapping[str, str], problems: list[str]
) -> TbaCredentials | OAuth2Credentials | None:
    values = {name: environ.get(name, "").strip() for name in (*TBA_VARIABLES, *OAUTH2_VARIABLES)}
    # The service keeps the key's text itself (encrypted), not a path: it stands in for the file.
    pem_text = environ.get("NETSUITE_PRIVATE_KEY", "").strip()
    if pem_text and not values["NETSUITE_PRIVATE_KEY_FILE"]:
        values["NETSUITE_PRIVATE_KEY_FILE"] = "(NETSUITE_PRIVATE_KEY)"
        values["NETSUITE_PRIVATE_KEY"] = pem_text
    tba_complete = all(values[n] for n in TBA_VARIABLES)
    oauth2_complete = all(values[n] for n in OAUTH2_VARIABLES)
    method = environ.get("NETSUITE_AUTH", "").strip().lower()
    if method not in ("", "tba", "oauth2"):
        problems.append(_problem("NETSUITE_AUTH", f"is {method!r}"))
        return None
    if not method:
        if tba_complete and oauth2_complete:
            problems.append(
                _problem("NETSUITE_AUTH", "is required when both TBA and OAuth 2.0 values are set")
            )
            return None
        if not tba_complete and not oauth2_complete:
            missing = [n for n in TBA_VARIABLES if not values[n]]
            missing_oauth2 = [n for n in OAUTH2_VARIABLES if not values[n]]
            service = environ.get(KEYRING_VARIABLE, "").strip()
            if service:
                account = environ.get("NETSUITE_ACCOUNT_ID", "").strip()
                problems.append(
                    f"{KEYRING_VARIABLE}={service} says the TBA values are in the OS keyring, but this machine's "
                    f"keyring has no readable entry {service}/{account}: run `tms-netsuite init` here (as this "
                    f"user), or set the values and remove {KEYRING_VARIABLE}"
                )
            problems.append(
                "no complete credentials: for Token-Based Authentication set "
                + ", ".join(missing)
                + "; or for OAuth 2.0 set "
                + ", ".join(missing_oauth2)
            )
            return None
        method = "tba" if tba_complete else "oauth2"
    names = TBA_VARIABLES if method == "tba" else OAUTH2_VARIABLES
    for name in names:
        if not values[name]:
            problems.append(_problem(name, "is missing"))
    if any(not values[n] for n in names):
        return None
    if method == "tba":
        return TbaCredentials(*(Secret(values[n]) for n in TBA_VARIABLES))
    return _oauth2(values, problems)


# A 4096-bit RSA key in PEM is about 3.3 KB; anything far larger is not a key (/dev/zero grew the doctor to 22 GB).
MAX_KEY_FILE_BYTES = 64 * 1024


def read_key_file(path: Path) -> str:
    """A PEM file's text; only a regular file of at most `MAX_KEY_FILE_BYTES` (a FIFO or device would hang or
    never end).

    Raises:
        ValueError: not a regular file, or too large.
        OSError, UnicodeDecodeError: it cannot be read as ASCII.
    """
    if path.exists() and not path.is_file():
        raise ValueError("not a regular file")
    with path.open("rb") as file:
        data = file.read(MAX_KEY_FILE_BYTES + 1)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ValueError(f"larger than {MAX_KEY_FILE_BYTES // 1024} KiB, not a PEM key")
    return data.decode("ascii")


def _oauth2(values: Mapping[str, str], problems: list[str]) -> OAuth2Credentials | None:
    path = Path(values["NETSUITE_PRIVATE_KEY_FILE"]).expanduser()
    try:
        pem = Secret(values.get("NETSUITE_PRIVATE_KEY") or read_key_file(path))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            _problem("NETSUITE_PRIVATE_KEY_FILE", f"cannot be read ({path}: {type(exc).__name__})")
        )
        return None
    except ValueError as exc:
        problems.append(_problem("NETSUITE_PRIVATE_KEY_FILE", f"cannot be used ({path}: {exc})"))
        return None
    try:
        signing_algorithm(pem)
    except ConfigurationError as exc:
        problems.append(_problem("NETSUITE_PRIVATE_KEY_FILE", f"holds an unusable key ({path}: {exc})"))
        return None
    return OAuth2Credentials(
        client_id=values["NETSUITE_CLIENT_ID"],
        certificate_id=values["NETSUITE_CERTIFICATE_ID"],
        private_key_pem=pem,
    )


def build_auth(settings: NetSuiteSettings, *, clock: Callable[[], float] = time.time) -> httpx.Auth:
    """The ``httpx.Auth`` for the settings' method (TBA or OAuth 2.0 client credentials)."""
    if isinstance(settings.credentials, TbaCredentials):
        return TbaAuth(settings.account, settings.credentials, clock=clock)
    token_url = f"{settings.base_url}{TOKEN_PATH}" if settings.base_url else None
    return OAuth2ClientCredentialsAuth(
        settings.account, settings.credentials, token_url=token_url, clock=clock
    )


def connect(
    settings: NetSuiteSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
) -> NetSuiteClient:
    """A :class:`NetSuiteClient` for the settings (use it with ``async with``)."""
    return NetSuiteClient(
        settings.account, build_auth(settings, clock=clock), base_url=settings.base_url, transport=transport
    )
