"""API keys: random, shown once, stored only as a SHA-256 hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from tms_netsuite.ledger import ApiKeyRecord, Registry

_PREFIX = "tmsn"


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made: ``key`` is shown to its owner once and never stored."""

    key_id: str
    key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(registry: Registry, *, account_slug: str | None, read_only: bool) -> NewKey:
    """Make a key for one account (or an administrator's, with ``account_slug`` None) and store its hash."""
    key_id = secrets.token_hex(8)
    key = f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    await registry.add_key(key_id, _hash(key), account_slug=account_slug, read_only=read_only)
    return NewKey(key_id, key)


async def verify_key(registry: Registry, key: str) -> ApiKeyRecord | None:
    """The live key this is, or None (malformed, unknown, revoked or wrong)."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != _PREFIX or len(parts[1]) != 16:
        return None
    record = await registry.key(parts[1])
    if record is None:
        return None
    return record if hmac.compare_digest(record.key_hash, _hash(key)) else None
