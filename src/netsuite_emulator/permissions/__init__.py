"""What a role may do: NetSuite's permission ids and levels, what each record type and SuiteQL table needs, and
which subsidiaries a role reaches."""

from __future__ import annotations

from ._access import accessible_subsidiaries, can_access_subsidiary, has_permission
from ._catalogue import (
    ANALYTICS_PERMISSION,
    CREATE,
    EDIT,
    FULL,
    LEVEL_NAMES,
    PERMISSIONS,
    TABLE_PERMISSIONS,
    VIEW,
    Requirement,
    check_level,
    permission_name,
    record_permission,
)

__all__ = [
    "ANALYTICS_PERMISSION",
    "CREATE",
    "EDIT",
    "FULL",
    "LEVEL_NAMES",
    "PERMISSIONS",
    "TABLE_PERMISSIONS",
    "VIEW",
    "Requirement",
    "accessible_subsidiaries",
    "can_access_subsidiary",
    "check_level",
    "has_permission",
    "permission_name",
    "record_permission",
]
