"""Record type → permission and level, and subsidiary access, as part 3's record routes will use them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from netsuite_emulator import Emulator
from netsuite_emulator.permissions import (
    CREATE,
    EDIT,
    FULL,
    VIEW,
    Requirement,
    accessible_subsidiaries,
    can_access_subsidiary,
    check_level,
    has_permission,
    record_permission,
)

MakeEmulator = Callable[..., Emulator]


@pytest.mark.parametrize(
    ("record_type", "method", "expected"),
    [
        ("vendorBill", "GET", Requirement("TRAN_VENDBILL", VIEW)),
        ("vendorbill", "POST", Requirement("TRAN_VENDBILL", CREATE)),
        ("invoice", "PATCH", Requirement("TRAN_CUSTINVC", EDIT)),
        ("invoice", "PUT", Requirement("TRAN_CUSTINVC", EDIT)),
        ("customer", "DELETE", Requirement("LIST_CUSTJOB", FULL)),
        ("depositApplication", "GET", Requirement("TRAN_DEPAPPL", VIEW)),
        ("accountingPeriod", "GET", Requirement("ADMI_ACCTPERIODS", VIEW)),
        ("serviceSaleItem", "GET", Requirement("LIST_ITEM", VIEW)),
        ("nosuchrecord", "GET", None),
        ("invoice", "TRACE", None),
    ],
)
def test_record_permission(record_type: str, method: str, expected: Requirement | None) -> None:
    assert record_permission(record_type, method) == expected


def test_role_levels(make_emulator: MakeEmulator) -> None:
    store = make_emulator().store
    # Employees at View: reading is allowed, creating is not.
    assert has_permission(store, 1001, Requirement("LIST_EMPLOYEE", VIEW))
    assert not has_permission(store, 1001, Requirement("LIST_EMPLOYEE", CREATE))
    assert not has_permission(store, 1001, Requirement("ADMI_MANAGEROLES", VIEW))
    assert has_permission(
        store, 3, Requirement("ADMI_MANAGEROLES", FULL)
    )  # the Administrator holds everything


def test_levels_a_permission_does_not_accept() -> None:
    check_level("ADMI_RESTWEBSERVICES", FULL)
    with pytest.raises(ValueError, match="REST Web Services"):
        check_level("ADMI_RESTWEBSERVICES", VIEW)
    with pytest.raises(ValueError, match="SuiteAnalytics Workbook"):
        check_level("REPO_ANALYTICS", FULL)


def test_subsidiary_access(make_emulator: MakeEmulator) -> None:
    healthy = make_emulator().store
    assert accessible_subsidiaries(healthy, 1001, 11) == {1, 2}
    restricted = make_emulator("subsidiary-not-assigned").store
    assert accessible_subsidiaries(restricted, 1001, 11) == {1}
    assert can_access_subsidiary(restricted, 1001, 11, 1, write=True)
    assert not can_access_subsidiary(restricted, 1001, 11, 2)
    # Cross-subsidiary viewing shows, never edits.
    restricted.execute("UPDATE role SET subsidiaryviewingallowed = 'T' WHERE id = 1001")
    assert can_access_subsidiary(restricted, 1001, 11, 2)
    assert not can_access_subsidiary(restricted, 1001, 11, 2, write=True)


def test_own_and_active_subsidiary_options(make_emulator: MakeEmulator) -> None:
    store = make_emulator().store
    store.execute("UPDATE subsidiary SET isinactive = 'T' WHERE id = 2")
    store.execute("UPDATE role SET subsidiaryoption = 'ALLACTIVE' WHERE id = 1001")
    assert accessible_subsidiaries(store, 1001, 11) == {1}
    store.execute("UPDATE role SET subsidiaryoption = 'OWN' WHERE id = 1001")
    store.execute("UPDATE employee SET subsidiary = 2 WHERE id = 11")
    assert accessible_subsidiaries(store, 1001, 11) == {2}
