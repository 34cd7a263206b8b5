"""What a role may do: NetSuite's permission ids and levels, what each record type and SuiteQL table needs, and
which subsidiaries a role reaches."""

from __future__ import annotations

from ._access import (
    CREATE,
    EDIT,
    FULL,
    LEVEL_NAMES,
    PERMISSIONS,
    VIEW,
    Requirement,
    accessible_subsidiaries,
    can_access_subsidiary,
    check_level,
    has_permission,
    permission_name,
    record_permission,
)

__all__ = [
    "CREATE",
    "EDIT",
    "FULL",
    "LEVEL_NAMES",
    "PERMISSIONS",
    "VIEW",
    "Requirement",
    "accessible_subsidiaries",
    "can_access_subsidiary",
    "check_level",
    "has_permission",
    "permission_name",
    "record_permission",
]
