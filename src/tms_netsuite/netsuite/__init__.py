"""The NetSuite side: account ids, credentials, TBA and OAuth 2.0 auth, the async REST client and its errors,
the retries of one request and the concurrency governor every request of a run shares."""

from __future__ import annotations

from tms_netsuite.errors import ConfigurationError
from tms_netsuite.netsuite._account import AccountId, Environment
from tms_netsuite.netsuite._certificates import KeyType, certificate_beside, write_key_pair
from tms_netsuite.netsuite._client import (
    ExternalId,
    NetSuiteClient,
    TokenInfo,
)
from tms_netsuite.netsuite._errors import (
    ConcurrencyLimitError,
    CredentialsError,
    ErrorCategory,
    InvalidDataError,
    NetSuiteError,
    NetworkError,
    NotFoundError,
    ParsedError,
    RequestError,
    RequestInfo,
    ResultLimitError,
    RetryDecision,
    RetryLaterError,
    ServerError,
    SetupError,
    decide_retry,
    explain,
    parse_error_body,
)
from tms_netsuite.netsuite._governor import Backoff, ConcurrencyGovernor
from tms_netsuite.netsuite._oauth2 import OAuth2ClientCredentialsAuth, OAuth2Credentials
from tms_netsuite.netsuite._retry import call_with_retries
from tms_netsuite.netsuite._secrets import Secret
from tms_netsuite.netsuite._settings import NetSuiteSettings, build_auth, connect
from tms_netsuite.netsuite._tba import TbaAuth, TbaCredentials

__all__ = [
    "AccountId",
    "Backoff",
    "ConcurrencyGovernor",
    "ConcurrencyLimitError",
    "ConfigurationError",
    "CredentialsError",
    "Environment",
    "ErrorCategory",
    "ExternalId",
    "InvalidDataError",
    "KeyType",
    "NetSuiteClient",
    "NetSuiteError",
    "NetSuiteSettings",
    "NetworkError",
    "NotFoundError",
    "OAuth2ClientCredentialsAuth",
    "OAuth2Credentials",
    "ParsedError",
    "RequestError",
    "RequestInfo",
    "ResultLimitError",
    "RetryDecision",
    "RetryLaterError",
    "Secret",
    "ServerError",
    "SetupError",
    "TbaAuth",
    "TbaCredentials",
    "TokenInfo",
    "build_auth",
    "call_with_retries",
    "certificate_beside",
    "connect",
    "decide_retry",
    "explain",
    "parse_error_body",
    "write_key_pair",
]
