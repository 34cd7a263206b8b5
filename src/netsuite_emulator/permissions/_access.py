"""Which permissions and subsidiaries a role reaches, read from the account's store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._catalogue import Requirement

if TYPE_CHECKING:
    from netsuite_emulator.store import AccountStore


def has_permission(store: AccountStore, role_id: int, requirement: Requirement) -> bool:
    return store.permission_level(role_id, requirement.permkey) >= requirement.level


def accessible_subsidiaries(store: AccountStore, role_id: int, entity: int) -> frozenset[int]:
    """The subsidiaries whose records the role may read and write, per its subsidiary option."""
    role = store.role(role_id)
    subsidiaries = store.subsidiaries()
    if role is None:
        return frozenset()
    if role.is_administrator or role.subsidiary_option == "ALL":
        return frozenset(sub for sub, _ in subsidiaries)
    if role.subsidiary_option == "ALLACTIVE":
        return frozenset(sub for sub, active in subsidiaries if active)
    if role.subsidiary_option == "OWN":
        employee = store.employee(entity)
        return (
            frozenset()
            if employee is None or employee.subsidiary is None
            else frozenset({employee.subsidiary})
        )
    return store.role_subsidiaries(role_id)


def can_access_subsidiary(
    store: AccountStore, role_id: int, entity: int, subsidiary: int, *, write: bool = False
) -> bool:
    """Whether a record of ``subsidiary`` is visible (or, with ``write``, writable) to the role.

    Cross-subsidiary record viewing lets a role see, never edit, records outside its subsidiaries.
    """
    if subsidiary in accessible_subsidiaries(store, role_id, entity):
        return True
    role = store.role(role_id)
    return not write and role is not None and role.cross_subsidiary_viewing
