"""Authenticating a request by its Authorization header, and writing the Login Audit Trail."""

from __future__ import annotations

from collections.abc import Sequence

from netsuite_emulator.store import AccountStore, LoginRecord

from ._login import LoginFailure, Principal
from ._oauth2 import bearer_integration, verify_bearer
from ._tba import SignedRequest, parse_authorization, verify_tba


def authenticate(
    store: AccountStore,
    *,
    authorization: str | None,
    method: str,
    uri: str,
    params: Sequence[tuple[str, str]],
    service: str,
    now: float,
) -> Principal:
    """TBA for ``OAuth ...``, an issued access token for ``Bearer ...``; LoginFailure otherwise."""
    if not authorization:
        # Nothing identifies a user; the emulator still records the attempt, with the "missing" code.
        raise LoginFailure("MissingTokenPassportRequiredFields")
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return verify_bearer(store, credentials.strip(), service, now)
    if scheme.lower() == "oauth":
        return verify_tba(store, SignedRequest(method, uri, authorization, params), service, now)
    raise LoginFailure("MissingTokenPassportRequiredFields")


def claimed_integration(store: AccountStore, authorization: str | None) -> int | None:
    """The integration record a request says it comes from, before any verification: the TBA header's consumer
    key, or the integration an issued access token belongs to. Only for choosing a concurrency pool: a request
    whose credentials do not hold is refused by its login anyway."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    if scheme.lower() == "oauth":
        try:
            consumer_key = dict(parse_authorization(authorization or "")).get("oauth_consumer_key")
        except LoginFailure:
            return None
        found = store.integration_by_consumer_key(consumer_key) if consumer_key else None
        return found.id if found else None
    if scheme.lower() == "bearer":
        return bearer_integration(store, credentials.strip())
    return None


def audit_success(store: AccountStore, principal: Principal, now: float, method: str, path: str) -> None:
    store.record_login(
        LoginRecord(
            date=now,
            status="Success",
            detail="",
            auth_method=principal.method,
            entity=principal.entity.id,
            email=principal.entity.email,
            role=principal.role.id,
            role_name=principal.role.name,
            token_name=principal.credential,
            application_name=principal.integration.name,
            method=method,
            uri=path,
        )
    )


def audit_failure(store: AccountStore, failure: LoginFailure, now: float, method: str, path: str) -> None:
    store.record_login(
        LoginRecord(
            date=now,
            status="Failure",
            detail=failure.detail,
            auth_method=failure.method,
            entity=failure.entity.id if failure.entity else None,
            email=failure.entity.email if failure.entity else None,
            role=failure.role.id if failure.role else None,
            role_name=failure.role.name if failure.role else None,
            token_name=failure.credential,
            application_name=failure.integration.name if failure.integration else None,
            method=method,
            uri=path,
        )
    )
