"""What both login methods share: the authenticated principal, the failure, and the user and role checks."""

from __future__ import annotations

from dataclasses import dataclass

from netsuite_emulator.permissions import FULL
from netsuite_emulator.store import AccountStore, Employee, Integration, Role

TBA = "TBA"
OAUTH2 = "OAuth 2.0"

# The service a request is for: REST web services (/services/rest/...) or the RESTlet domain (/rest/...).
REST = "rest"
RESTLETS = "restlets"


@dataclass(frozen=True)
class Principal:
    """Who a request runs as. ``credential`` names the token or certificate, never its secret."""

    method: str
    entity: Employee
    role: Role
    integration: Integration
    credential: str
    scopes: frozenset[str] | None = None


class LoginFailure(Exception):
    """A refused login: ``detail`` is the Login Audit Trail's Detail code; the client sees only INVALID_LOGIN."""

    def __init__(
        self,
        detail: str,
        *,
        method: str | None = None,
        entity: Employee | None = None,
        role: Role | None = None,
        integration: Integration | None = None,
        credential: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.method = method
        self.entity = entity
        self.role = role
        self.integration = integration
        self.credential = credential


def check_features(store: AccountStore, method_feature: str, service: str, method: str) -> None:
    """The login method's feature, and REST Web Services for REST calls, must be enabled."""
    if not store.feature_enabled(method_feature):
        raise LoginFailure("FeatureDisabled", method=method)
    # RESTlet-domain services such as tokeninfo do not go through REST web services (inferred).
    if service == REST and not store.feature_enabled("RESTWEBSERVICES"):
        raise LoginFailure("FeatureDisabled", method=method)


def check_user(
    store: AccountStore,
    entity_id: int,
    role_id: int,
    *,
    login_permkey: str,
    service: str,
    refused: str,
    method: str,
    integration: Integration,
    credential: str,
) -> tuple[Employee, Role]:
    """The entity must be an active user holding the role, and the role may log in this way.

    ``refused`` is the audit code for every refusal here (``permission_denied`` for TBA).
    """
    entity, role = store.employee(entity_id), store.role(role_id)
    failure = LoginFailure(
        refused, method=method, entity=entity, role=role, integration=integration, credential=credential
    )
    if entity is None or role is None or entity.inactive or not entity.give_access or role.inactive:
        raise failure
    # Removing a role from a user leaves the token active but unusable.
    if not store.has_role(entity.id, role.id):
        raise failure
    if store.permission_level(role.id, login_permkey) < FULL:
        raise failure
    # A role without REST Web Services gets INVALID_LOGIN, not a 403 (netsuite-api.md §1.6).
    if service == REST and store.permission_level(role.id, "ADMI_RESTWEBSERVICES") < FULL:
        raise failure
    return entity, role
