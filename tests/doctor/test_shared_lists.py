"""Lists shared by several subsidiaries (OneWorld): the account's lists are read with the multi-select
`subsidiary` ("1, 2") parsed and `includeChildren` followed down the subsidiary tree, and the doctor says per
subsidiary what it can use."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.doctor import Status, load_reference_data, run_doctor
from tms_netsuite.mapping import ListKind, ReferenceData, demo_mapping_path, load_mapping
from tms_netsuite.netsuite import NetSuiteSettings, connect

pytestmark = pytest.mark.anyio
BASE_URL = "http://emulator.test"
US, CANADA = "1", "2"


async def _no_sleep(seconds: float) -> None:
    return None


async def _reference(emulator: Emulator) -> ReferenceData:
    settings = NetSuiteSettings.from_environ(emulator.env(base_url=BASE_URL))
    async with connect(settings, transport=httpx.ASGITransport(app=emulator.app)) as client:
        return await load_reference_data(client, sleep=_no_sleep)


def _usable_by(reference: ReferenceData, kind: ListKind, internal_id: str) -> set[str]:
    record = reference.by_id(kind, internal_id)
    assert record is not None
    return {s.id for s in reference.subsidiaries if record.available_to(s.id)}


async def test_a_shared_record_is_usable_by_each_subsidiary_it_names() -> None:
    with Emulator.from_scenario("healthy") as emulator:
        reference = await _reference(emulator)
    assert _usable_by(reference, ListKind.ACCOUNT, "3") == {US, CANADA}  # Accounts Receivable: "1, 2"
    assert _usable_by(reference, ListKind.ITEM, "1") == {US, CANADA}  # Linehaul: "1, 2"
    assert _usable_by(reference, ListKind.CLASS, "1") == {US, CANADA}


async def test_include_children_reaches_down_the_tree_and_its_absence_does_not() -> None:
    with Emulator.from_scenario("healthy") as emulator:
        reference = await _reference(emulator)
    assert _usable_by(reference, ListKind.ACCOUNT, "10") == {
        US,
        CANADA,
    }  # Retained Earnings: US with children
    assert _usable_by(reference, ListKind.DEPARTMENT, "1") == {US, CANADA}  # Operations: US with children
    assert _usable_by(reference, ListKind.DEPARTMENT, "2") == {US}  # Sales: US alone
    assert _usable_by(reference, ListKind.ACCOUNT, "1") == {US}  # Operating Bank US
    assert _usable_by(reference, ListKind.ACCOUNT, "2") == {CANADA}  # Operating Bank CA
    assert _usable_by(reference, ListKind.LOCATION, "2") == {CANADA}  # Toronto Terminal


async def _doctor(emulator: Emulator, tmp_path: Path) -> tuple[str, str, Status, Status]:
    report = await run_doctor(
        emulator.env(who="integration", base_url=BASE_URL, key_dir=tmp_path),
        mapping=load_mapping(demo_mapping_path()),
        transport=httpx.ASGITransport(app=emulator.app),
        sleep=_no_sleep,
    )
    accounts, lists = report.get("accounts"), report.get("lists")
    return accounts.detail, lists.detail, accounts.status, lists.status


async def test_the_doctor_says_per_subsidiary_what_is_usable(tmp_path: Path) -> None:
    with Emulator.from_scenario("healthy") as emulator:
        accounts, lists, accounts_status, lists_status = await _doctor(emulator, tmp_path)
    assert (accounts_status, lists_status) == (Status.PASS, Status.PASS)
    assert "by subsidiary: Freight Co US can use " in accounts
    assert "Freight Co Canada can use " in accounts
    assert "'1010 Operating Bank US'" in accounts.split("Freight Co Canada")[1]  # the US bank is not Canada's
    assert "location 'Toronto Terminal' (id 2)" in lists.split("Freight Co Canada")[0]  # nor Toronto the US's


async def test_a_record_a_subsidiarys_documents_need_but_it_cannot_use_warns(tmp_path: Path) -> None:
    with Emulator.from_scenario("healthy") as emulator:
        settings = NetSuiteSettings.from_environ(emulator.env(who="admin", base_url=BASE_URL))
        async with connect(settings, transport=httpx.ASGITransport(app=emulator.app)) as admin:
            # Linehaul, a charge code's item, shared with the US subsidiary only
            await admin.patch("serviceResaleItem", "1", {"subsidiary": {"items": [{"id": US}]}})
        _, lists, _, status = await _doctor(emulator, tmp_path)
    assert status is Status.WARN
    assert lists.startswith("Freight Co Canada cannot use item 'Linehaul' (id 1) — its documents")
