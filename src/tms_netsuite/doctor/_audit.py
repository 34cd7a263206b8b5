"""The Login Audit Trail's Detail codes in plain words: NetSuite answers every refused login with the same
INVALID_LOGIN, and says why only there (Setup > Users/Roles > User Management > View Login Audit Trail).

Codes and causes: for TBA, Oracle help subsect_156935170194 (the table of RESTlet and SOAP/REST codes); for
OAuth 2.0 client credentials, subsect_158324637123 (the codes only; what each means is read from its name and the
flow's rules in section_162686838198 and subsect_162755332391, so those words are ours).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

AUDIT_TRAIL_PATH = "Setup > Users/Roles > User Management > View Login Audit Trail"

_TBA = {
    "InvalidSignature": "the signature does not match: the consumer secret or token secret is wrong (or was "
    "copied with a space), or the account id's realm is not the account's",
    "InvalidTimestamp": "this machine's clock is more than five minutes from NetSuite's",
    "NonceUsed": "a request repeated a nonce (nonce_used on RESTlets): another program shares this token, or a "
    "proxy replays requests",
    "token_rejected": "the token id is unknown, revoked or inactive, or belongs to another integration record",
    "consumer_key_refused": "the integration record is Blocked (Setup > Integration > Manage Integrations)",
    "consumer_key_unknown": "the consumer key is not one of this account's integration records (a sandbox "
    "refresh or another account's key)",
    "FeatureDisabled": "Token-Based Authentication or REST Web Services is off at Setup > Company > Enable "
    "Features > SuiteCloud",
    "MissingTokenPassportRequiredFields": "a value was missing from the request: re-enter all four",
    "permission_denied": "the token's user or role cannot log in this way: the role lacks 'Log in using "
    "Access Tokens', or the user no longer has the role",
    "temporary_locked": "the user is locked for 30 minutes after five failed logins: wait, then retry once",
    "UnknownAlgorithm": "the signature method is not HMAC-SHA256",
    "VersionRejected": "the OAuth version is not 1.0",
}
_OAUTH2 = {
    "SignatureValidation": "the assertion's signature does not match the mapped certificate: the private key "
    "is not the one of the uploaded certificate",
    "UnsupportedAlgo": "the key's algorithm is not accepted (NetSuite takes PS256/384/512 and ES256/384/512)",
    "MissingKeyId": "the assertion carries no Certificate ID",
    "MissingKey": "the Certificate ID is unknown, revoked or expired: map the certificate again at Setup > "
    "Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup",
    "TokenValidityTooBroad": "the assertion was valid for an hour or more",
    "TokenNotAcceptable": "the assertion's times are wrong: check this machine's clock",
    "TokenExpired": "the assertion had expired on arrival: check this machine's clock",
    "InvalidIssuer": "the client id is not the integration record's (the assertion's issuer)",
    "ScopeMismatched": "the integration record does not allow the REST Web Services scope",
    "InvalidScope": "the scope asked for is not one NetSuite knows",
    "InvalidIntegration": "the integration record does not have Client Credentials (Machine to Machine) Grant "
    "checked, or the mapping names another application",
    "IntegrationBlocked": "the integration record is Blocked (Setup > Integration > Manage Integrations)",
    "EntityOrRoleDisabled": "the mapping's user or role cannot log in: the role lacks 'Log in using OAuth 2.0 "
    "Access Tokens', or the user or role is inactive",
    "FeatureDisabled": "OAuth 2.0 or REST Web Services is off at Setup > Company > Enable Features > SuiteCloud",
    "AccessTokenExpired": "an access token was used after its hour (the connector renews them: retry)",
}

LOGIN_AUDIT_REASONS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"tba": MappingProxyType(_TBA), "oauth2": MappingProxyType(_OAUTH2)}
)
"""Per method (``tba``, ``oauth2``): the Detail code of a refused login → its cause in plain words."""
