"""The account's data: one SQLite database per emulated account, its schema and the typed reads of it."""

from __future__ import annotations

from ._account import (
    AccountStore,
    Certificate,
    Employee,
    Integration,
    IssuedBearer,
    LoginRecord,
    Role,
    StoreError,
)
from ._schema import SEEDED_TABLES, SHARED_LISTS, subsidiary_ids, subsidiary_text

__all__ = [
    "SEEDED_TABLES",
    "SHARED_LISTS",
    "AccountStore",
    "Certificate",
    "Employee",
    "Integration",
    "IssuedBearer",
    "LoginRecord",
    "Role",
    "StoreError",
    "subsidiary_ids",
    "subsidiary_text",
]
