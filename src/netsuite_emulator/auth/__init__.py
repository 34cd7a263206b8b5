"""Who is calling: token-based authentication (OAuth 1.0a), OAuth 2.0 client credentials, the checks every
login passes (features, role, permissions), the login audit trail and the key material behind them."""

from __future__ import annotations

from ._authenticate import audit_failure, audit_success, authenticate, claimed_integration
from ._keys import self_signed_certificate, signing_jwks, test_certificate
from ._login import REST, RESTLETS, LoginFailure, Principal
from ._mapping import CertificateRejected, map_certificate
from ._oauth2 import TokenRequestError, issue_token
from ._tba import (
    base_string_uri,
    hmac_sha256_signature,
    parse_authorization,
    percent_encode,
    query_parameters,
    signature_base_string,
)

__all__ = [
    "REST",
    "RESTLETS",
    "CertificateRejected",
    "LoginFailure",
    "Principal",
    "TokenRequestError",
    "audit_failure",
    "audit_success",
    "authenticate",
    "base_string_uri",
    "claimed_integration",
    "hmac_sha256_signature",
    "issue_token",
    "map_certificate",
    "parse_authorization",
    "percent_encode",
    "query_parameters",
    "self_signed_certificate",
    "signature_base_string",
    "signing_jwks",
    "test_certificate",
]
