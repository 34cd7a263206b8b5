"""OAuth 2.0 client credentials (machine to machine): the token endpoint and bearer tokens on REST calls.

The audit codes are NetSuite's (``netsuite-permissions.md`` §4.5) unless a comment says otherwise. For client
credentials NetSuite documents only ``invalid_grant``; the emulator answers ``invalid_grant`` for every refused
assertion and ``invalid_request`` / ``unsupported_grant_type`` for malformed requests (guesses, after RFC 6749).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jwt

from netsuite_emulator.store import AccountStore, Certificate, Integration, IssuedBearer

from . import _keys
from ._login import OAUTH2, REST, RESTLETS, LoginFailure, Principal, check_features, check_user

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = frozenset({"PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
SCOPES = frozenset({"rest_webservices", "restlets", "suite_analytics"})
ACCESS_TOKEN_SECONDS = 3600
MAX_ASSERTION_SECONDS = 3600  # exp must be less than 60 minutes after iat
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 -- a URL path, not a password
_ISSUER = "https://system.netsuite.com"
# Times are checked against the account's (injectable, possibly skewed) clock, not PyJWT's.
_NO_TIME_CHECKS: jwt.types.Options = {
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "verify_aud": False,
}


class TokenRequestError(LoginFailure):
    """A refused token request: ``error`` is the OAuth error code the client sees."""

    def __init__(self, error: str, detail: str, *, status: int = 400, **context: Any) -> None:
        super().__init__(detail, method=OAUTH2, **context)
        self.error = error
        self.status = status


def host_slug(account_id: str) -> str:
    """``1234567_SB1`` → ``1234567-sb1``, as NetSuite's account-specific domains spell it."""
    return account_id.lower().replace("_", "-")


def audiences(account_id: str) -> frozenset[str]:
    """The token URL on the suitetalk host (documented) or the restlets host (Oracle's own sample)."""
    slug = host_slug(account_id)
    return frozenset(
        f"https://{slug}.{domain}.api.netsuite.com{TOKEN_PATH}" for domain in ("suitetalk", "restlets")
    )


def parse_scope(value: object) -> frozenset[str] | None:
    """A comma- or space-separated string, or a JSON array of strings; None if it is neither."""
    if isinstance(value, str):
        return frozenset(part for part in value.replace(",", " ").split() if part)
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return frozenset(part.strip() for part in value if part.strip())
    return None


def _form_fields(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:  # RFC 6749 §3.2: parameters must not be included more than once
            raise TokenRequestError("invalid_request", "InvalidRequest")  # audit code: a guess
        fields[name] = value
    if fields.get("grant_type") != "client_credentials":
        code = "invalid_request" if "grant_type" not in fields else "unsupported_grant_type"
        raise TokenRequestError(code, "InvalidRequest")
    if fields.get("client_assertion_type") != ASSERTION_TYPE or not fields.get("client_assertion"):
        raise TokenRequestError("invalid_request", "InvalidRequest")
    return fields


def _mapped_certificate(store: AccountStore, assertion: str) -> tuple[Certificate, str]:
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise TokenRequestError("invalid_request", "InvalidRequest") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise TokenRequestError("invalid_grant", "UnsupportedAlgo")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRequestError("invalid_grant", "MissingKeyId")
    certificate = store.certificate(kid)
    if certificate is None or certificate.revoked:
        raise TokenRequestError("invalid_grant", "MissingKey")
    return certificate, str(algorithm)


def _verified_claims(
    assertion: str, certificate: Certificate, algorithm: str, context: dict[str, Any]
) -> Any:
    try:
        key = _keys.certificate_public_key(certificate.certificate_pem)
        return jwt.decode(assertion, key, algorithms=[algorithm], options=_NO_TIME_CHECKS)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise TokenRequestError("invalid_grant", "SignatureValidation", **context) from None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _check_claims(
    claims: Any, integration: Integration, account_id: str, now: float, context: Any
) -> frozenset[str]:
    def refuse(detail: str) -> TokenRequestError:
        return TokenRequestError("invalid_grant", detail, **context)

    if not isinstance(claims, dict) or claims.get("iss") != integration.client_id:
        raise refuse("InvalidIssuer")
    audience = claims.get("aud")
    audience_list = audience if isinstance(audience, list) else [audience]
    if not any(isinstance(a, str) and a in audiences(account_id) for a in audience_list):
        raise refuse("InvalidAudience")  # the audit code for a wrong aud is not documented: a guess
    iat, exp = _number(claims.get("iat")), _number(claims.get("exp"))
    if iat is None or exp is None:
        raise refuse("TokenNotAcceptable")  # missing times: the audit code is a guess
    if iat > now:
        raise refuse("TokenNotAcceptable")
    if exp - iat >= MAX_ASSERTION_SECONDS:
        raise refuse("TokenValidityTooBroad")
    if exp <= now:
        raise refuse("TokenExpired")
    scopes = parse_scope(claims.get("scope"))
    if not scopes or not scopes <= SCOPES:
        raise refuse("InvalidScope")
    if not scopes <= integration.scopes:
        raise refuse("ScopeMismatched")
    return scopes


def issue_token(
    store: AccountStore, form: Sequence[tuple[str, str]], now: float, new_id: Callable[[], str]
) -> tuple[dict[str, Any], Principal]:
    """Verify a client-credentials request; the token response and who it was issued to."""
    assertion = _form_fields(form)["client_assertion"]
    check_features(store, "OAUTH2", "token", OAUTH2)
    certificate, algorithm = _mapped_certificate(store, assertion)
    integration = store.integration(certificate.integration)
    context: dict[str, Any] = {"integration": integration, "credential": certificate.certificate_id}
    if _keys.certificate_expiry(certificate.certificate_pem) <= now:
        # "If you revoke a certificate or the certificate expires, you must create a new mapping" (section
        # _162686838198); the audit code for an expired one is not documented: a guess, like a revoked one's.
        raise TokenRequestError("invalid_grant", "MissingKey", **context)
    if integration is None:
        raise TokenRequestError("invalid_grant", "InvalidIntegration")
    claims = _verified_claims(assertion, certificate, algorithm, context)
    if integration.blocked:
        raise TokenRequestError("invalid_grant", "IntegrationBlocked", **context)
    if not integration.client_credentials_enabled:
        raise TokenRequestError("invalid_grant", "InvalidIntegration", **context)
    scopes = _check_claims(claims, integration, store.company().account_id, now, context)
    try:
        entity, role = check_user(
            store,
            certificate.entity,
            certificate.role,
            login_permkey="ADMI_LOGIN_OAUTH2",
            service="token",
            # A role without "Log in using OAuth 2.0 Access Tokens": the audit code is a guess.
            refused="EntityOrRoleDisabled",
            method=OAUTH2,
            integration=integration,
            credential=certificate.certificate_id,
        )
    except LoginFailure as failure:
        raise TokenRequestError(
            "invalid_grant", failure.detail, entity=failure.entity, role=failure.role, **context
        ) from None
    jti = new_id()
    bearer = IssuedBearer(
        jti,
        certificate.certificate_id,
        integration.id,
        entity.id,
        role.id,
        scopes,
        now + ACCESS_TOKEN_SECONDS,
    )
    store.save_bearer(bearer, now)
    principal = Principal(OAUTH2, entity, role, integration, certificate.certificate_id, scopes)
    return _token_response(bearer, integration, now), principal


def _token_response(bearer: IssuedBearer, integration: Integration, now: float) -> dict[str, Any]:
    claims = {
        "iss": _ISSUER,
        "sub": f"{bearer.role};{bearer.entity}",
        "aud": [integration.client_id, f"app:{integration.id}"],
        "scope": sorted(bearer.scopes),
        "iat": int(now),
        "oit": int(now),
        "exp": int(bearer.expires),
        "jti": bearer.jti,
    }
    token = jwt.encode(claims, _keys.signing_key(), algorithm="PS256", headers={"kid": _keys.SIGNING_KEY_ID})
    return {"access_token": token, "expires_in": ACCESS_TOKEN_SECONDS, "token_type": "bearer"}


def bearer_integration(store: AccountStore, token: str) -> int | None:
    """The integration an access token this emulator issued belongs to (signature checked, expiry not)."""
    try:
        claims = jwt.decode(
            token, _keys.signing_key().public_key(), algorithms=["PS256"], options=_NO_TIME_CHECKS
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    bearer = store.bearer(str(claims.get("jti", "")))
    return bearer.integration if bearer else None


def verify_bearer(store: AccountStore, token: str, service: str, now: float) -> Principal:
    """Authenticate a REST call made with an access token this emulator issued."""
    try:
        public_key = _keys.signing_key().public_key()
        claims = jwt.decode(token, public_key, algorithms=["PS256"], options=_NO_TIME_CHECKS)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise LoginFailure("InvalidAccessToken", method=OAUTH2) from None  # audit code: a guess
    bearer = store.bearer(str(claims.get("jti", "")))
    if bearer is None:
        raise LoginFailure("InvalidAccessToken", method=OAUTH2)
    integration = store.integration(bearer.integration)
    context: dict[str, Any] = {
        "method": OAUTH2,
        "integration": integration,
        "credential": bearer.certificate_id,
    }
    if bearer.expires <= now:
        raise LoginFailure("AccessTokenExpired", **context)
    check_features(store, "OAUTH2", service, OAUTH2)
    if integration is None or integration.blocked:
        raise LoginFailure("IntegrationBlocked", **context)
    # REST calls need rest_webservices; RESTlet-domain services such as tokeninfo take either scope (a guess).
    wanted = {"rest_webservices"} if service == REST else {"rest_webservices", RESTLETS}
    if not wanted & bearer.scopes:
        raise LoginFailure("ScopeMismatched", **context)
    entity, role = check_user(
        store,
        bearer.entity,
        bearer.role,
        login_permkey="ADMI_LOGIN_OAUTH2",
        service=service,
        refused="EntityOrRoleDisabled",
        method=OAUTH2,
        integration=integration,
        credential=bearer.certificate_id,
    )
    return Principal(OAUTH2, entity, role, integration, bearer.certificate_id, bearer.scopes)
