"""Token-Based Authentication: OAuth 1.0a (RFC 5849 §3.4) with HMAC-SHA256, as NetSuite verifies it.

Written from the RFC and NetSuite's description, with the standard library only: the emulator is an oracle
for the project's own signer, so it shares no code with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

from netsuite_emulator.store import AccountStore

from ._login import TBA, LoginFailure, Principal, check_features, check_user

TIMESTAMP_WINDOW = 300  # seconds either side of the server clock
MAX_HEADER = 4096
MAX_VALUE = 512
NONCE_LENGTH = (6, 64)
_REQUIRED = (
    "realm",
    "oauth_consumer_key",
    "oauth_token",
    "oauth_nonce",
    "oauth_timestamp",
    "oauth_signature_method",
    "oauth_signature",
)
_PARAM = re.compile(r'\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*(?:,|$)')
# Every visible ASCII character stays as received in the path; anything else is percent-encoded.
_PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%") + "%"


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8: unreserved characters stay, hex digits are upper case."""
    return quote(value.encode("utf-8"), safe="~")


def parse_authorization(header: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of an ``OAuth`` Authorization header, percent-decoded.

    Raises LoginFailure with the audit code for a header that cannot be read or holds a bad parameter.
    """
    if len(header) > MAX_HEADER:
        raise LoginFailure("parameter_rejected", method=TBA)
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "oauth":
        raise LoginFailure("MissingTokenPassportRequiredFields", method=TBA)
    pairs: list[tuple[str, str]] = []
    pos, rest = 0, rest.strip()
    while pos < len(rest):
        match = _PARAM.match(rest, pos)
        if match is None or match.end() == pos:
            raise LoginFailure("MissingTokenPassportRequiredFields", method=TBA)
        pairs.append((unquote(match.group(1)), unquote(match.group(2))))
        pos = match.end()
    names = [name for name, _ in pairs]
    # NetSuite's RESTlet column names these parameter_rejected; REST is assumed to do the same (a guess).
    if len(set(names)) != len(names) or any(not value or len(value) > MAX_VALUE for _, value in pairs):
        raise LoginFailure("parameter_rejected", method=TBA)
    if any(name != "realm" and not name.startswith("oauth_") for name in names):
        raise LoginFailure("parameter_rejected", method=TBA)
    return pairs


def base_string_uri(scheme: str, host: str, raw_path: bytes) -> str:
    """Scheme and host in lower case, the default port dropped, the path as the request carried it."""
    scheme, host = scheme.lower(), host.lower()
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and host.endswith(default):
        host = host.removesuffix(default)
    path = quote(raw_path, safe=_PATH_SAFE) or "/"
    return f"{scheme}://{host}{path}"


def normalized_parameters(params: Iterable[tuple[str, str]]) -> str:
    """Encode names and values, sort by name then value (byte order), join as name=value with '&'."""
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def signature_base_string(method: str, uri: str, params: Iterable[tuple[str, str]]) -> str:
    """``METHOD&pct(uri)&pct(normalized params)``; ``oauth_signature`` is left out (and the header's
    ``realm``, which the caller does not pass: a query parameter named realm does enter)."""
    included = [(n, v) for n, v in params if n != "oauth_signature"]
    return "&".join((method.upper(), percent_encode(uri), percent_encode(normalized_parameters(included))))


def hmac_sha256_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode("utf-8"), base_string.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def query_parameters(raw_query: bytes) -> list[tuple[str, str]]:
    """Query parameters as the base string takes them (form-urlencoded: '+' is a space)."""
    return parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")


@dataclass(frozen=True)
class SignedRequest:
    """What TBA verification reads from a request."""

    method: str
    uri: str  # the base-string URI
    authorization: str
    other_params: Sequence[tuple[str, str]]  # query and form-body parameters


def verify_tba(store: AccountStore, request: SignedRequest, service: str, now: float) -> Principal:
    """Authenticate a TBA request or raise LoginFailure with the Login Audit Trail's code."""
    header = _checked_header(store, request.authorization)
    check_features(store, "TBA", service, TBA)
    timestamp = _check_timestamp(header["oauth_timestamp"], now)
    if not NONCE_LENGTH[0] <= len(header["oauth_nonce"]) <= NONCE_LENGTH[1]:
        raise LoginFailure("nonce_rejected", method=TBA)  # the RESTlet column's code (a guess for REST)
    integration = store.integration_by_consumer_key(header["oauth_consumer_key"])
    if integration is None:
        raise LoginFailure("consumer_key_unknown", method=TBA)
    if integration.blocked or not integration.tba_enabled:
        raise LoginFailure("consumer_key_refused", method=TBA, integration=integration)
    token = store.access_token(header["oauth_token"])
    if token is None or token.revoked or token.integration != integration.id:
        raise LoginFailure("token_rejected", method=TBA, integration=integration)

    def refused(detail: str) -> LoginFailure:
        entity, role = store.employee(token.entity), store.role(token.role)
        return LoginFailure(
            detail, method=TBA, entity=entity, role=role, integration=integration, credential=token.name
        )

    params = [(n, v) for n, v in header.items() if n != "realm"] + list(request.other_params)
    expected = hmac_sha256_signature(
        signature_base_string(request.method, request.uri, params),
        integration.consumer_secret,
        token.token_secret,
    )
    if not hmac.compare_digest(expected.encode("ascii"), header["oauth_signature"].encode("utf-8")):
        raise refused("InvalidSignature")
    if not store.use_nonce(token.entity, header["oauth_nonce"], timestamp, now - 2 * TIMESTAMP_WINDOW):
        raise refused("NonceUsed")
    entity, role = check_user(
        store,
        token.entity,
        token.role,
        login_permkey="ADMI_LOGIN_OAUTH",
        service=service,
        refused="permission_denied",
        method=TBA,
        integration=integration,
        credential=token.name,
    )
    return Principal(method=TBA, entity=entity, role=role, integration=integration, credential=token.name)


def _checked_header(store: AccountStore, authorization: str) -> dict[str, str]:
    header = dict(parse_authorization(authorization))
    if any(name not in header for name in _REQUIRED):
        raise LoginFailure("MissingTokenPassportRequiredFields", method=TBA)
    # The realm selects the account; it is not in the base string. A lower-case "_sb1" realm is refused.
    # Which audit code a wrong realm gets is not documented: the emulator's guess is token_rejected.
    if header["realm"] != store.company().account_id:
        raise LoginFailure("token_rejected", method=TBA)
    if header["oauth_signature_method"] != "HMAC-SHA256":
        raise LoginFailure("UnknownAlgorithm", method=TBA)
    if header.get("oauth_version", "1.0") != "1.0":  # optional in RFC 5849; 1.0 when present
        raise LoginFailure("VersionRejected", method=TBA)
    return header


def _check_timestamp(value: str, now: float) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise LoginFailure("InvalidTimestamp", method=TBA)
    timestamp = int(value)
    if abs(timestamp - now) > TIMESTAMP_WINDOW:
        raise LoginFailure("InvalidTimestamp", method=TBA)
    return timestamp
