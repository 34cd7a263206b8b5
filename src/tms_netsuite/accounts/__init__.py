"""The accounts a service exports for: their credentials encrypted at rest (Fernet, a key the operator holds),
their mappings, and the API keys that reach them (hashes only, compared in constant time)."""

from __future__ import annotations

from tms_netsuite.accounts._accounts import Accounts
from tms_netsuite.accounts._crypto import SecretBox, SecretKeyError
from tms_netsuite.accounts._keys import create_key, verify_key

__all__ = ["Accounts", "SecretBox", "SecretKeyError", "create_key", "verify_key"]
