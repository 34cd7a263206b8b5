"""Lists shared by several subsidiaries: accounts, items, classes, departments and locations hold a multi-select
`subsidiary` and `includeChildren`; the record API reads and writes the multi-select, SuiteQL shows it as a
comma-delimited string and refuses a filter on it, and the mapping tables say which subsidiary has which record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netsuite_emulator import Emulator
from tests.emulator.helpers import BASE_URL
from tests.emulator.records_support import RECORD, invoice_body, make, netsuite, raw, refused

UNSUPPORTED = "Invalid search query. Detailed unprocessed description follows. Search error occurred: Invalid or unsupported search."
pytestmark = pytest.mark.anyio


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with make() as made:
        yield made


async def _rows(emulator: Emulator, query: str, *params: str) -> list[dict[str, str]]:
    async with netsuite(emulator) as ns:
        return [row async for row in ns.suiteql(query, params)]


async def test_suiteql_shows_the_multi_select_as_a_comma_delimited_string(emulator: Emulator) -> None:
    rows = await _rows(
        emulator, "SELECT id, subsidiary, includechildren FROM account WHERE id IN (1, 2, 3, 10) ORDER BY id"
    )
    assert [(r["id"], r["subsidiary"], r["includechildren"]) for r in rows] == [
        ("1", "1", "F"),  # Operating Bank US
        ("2", "2", "F"),  # Operating Bank CA
        ("3", "1, 2", "F"),  # Accounts Receivable, shared
        ("10", "1", "T"),  # Retained Earnings: the parent, with Include Children
    ]
    for table in ("item", "classification"):
        shared = await _rows(emulator, f"SELECT DISTINCT subsidiary FROM {table}")  # noqa: S608 -- fixed names
        assert [r["subsidiary"] for r in shared] == ["1, 2"], table


@pytest.mark.parametrize(
    "query",
    [
        "SELECT id FROM account WHERE subsidiary = 2",
        "SELECT id FROM account a WHERE a.subsidiary IN (1, 2)",
        "SELECT id FROM item WHERE subsidiary LIKE '%2%'",
        "SELECT id FROM classification WHERE subsidiary = 1",
        "SELECT id FROM department WHERE subsidiary = 1",
        "SELECT id FROM location WHERE subsidiary = 1",
        "SELECT s.id FROM subsidiary s JOIN account a ON a.subsidiary = s.id",
        "SELECT id FROM account WHERE id IN (SELECT id FROM item WHERE subsidiary = 1)",
    ],
)
async def test_a_filter_on_the_multi_select_is_refused(emulator: Emulator, query: str) -> None:
    async with netsuite(emulator) as ns:
        found = await refused(ns.suiteql(query).__anext__())
    assert found[:3] == (400, "INVALID_PARAMETER", UNSUPPORTED)


async def test_single_subsidiary_columns_still_filter(emulator: Emulator) -> None:
    customers = await _rows(emulator, "SELECT id FROM customer WHERE subsidiary = 2")
    invoices = await _rows(emulator, "SELECT id FROM transaction WHERE subsidiary = 2")
    assert [r["id"] for r in customers] == ["102"]
    assert invoices == []


async def test_the_mapping_tables_join_records_to_subsidiaries(emulator: Emulator) -> None:
    canada = await _rows(
        emulator,
        "SELECT a.id FROM account a JOIN AccountSubsidiaryMap m ON m.account = a.id WHERE m.subsidiary = 2 ORDER BY a.id",
    )
    ids = [int(r["id"]) for r in canada]
    assert 2 in ids
    assert 3 in ids
    assert 1 not in ids
    assert 6 not in ids
    assert 10 not in ids  # reached through Include Children, not selected: not in the map
    for table, column in (("itemsubsidiarymap", "item"), ("classificationsubsidiarymap", "classification"),
                          ("departmentsubsidiarymap", "department"), ("locationsubsidiarymap", "location")):  # fmt: skip
        rows = await _rows(emulator, f"SELECT {column}, subsidiary FROM {table} WHERE subsidiary = 2")  # noqa: S608
        assert all(r["subsidiary"] == "2" for r in rows), table
    locations = await _rows(emulator, "SELECT location FROM locationsubsidiarymap WHERE subsidiary = 2")
    assert [r["location"] for r in locations] == ["2"]


async def test_the_record_api_reads_the_multi_select(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        linked = await ns.get("account", "3")
        expanded = await ns.get("account", "3", expand_sub_resources=True)
    sub_resource = await raw(emulator, "GET", f"{RECORD}/account/3/subsidiary")
    assert linked["subsidiary"] == {
        "links": [{"rel": "self", "href": f"{BASE_URL}{RECORD}/account/3/subsidiary"}]
    }
    assert [item["id"] for item in expanded["subsidiary"]["items"]] == ["1", "2"]
    assert expanded["subsidiary"]["totalResults"] == 2
    assert expanded["subsidiary"]["items"][1]["links"] == [
        {"rel": "self", "href": f"{BASE_URL}{RECORD}/subsidiary/2"}
    ]
    assert expanded["includeChildren"] is False
    body = sub_resource.json()
    assert sub_resource.status_code == 200
    assert [item["id"] for item in body["items"]] == ["1", "2"]
    assert body["totalResults"] == 2


async def test_the_record_api_writes_the_multi_select_and_include_children_defaults_to_false(
    emulator: Emulator,
) -> None:
    async with netsuite(emulator) as ns:
        created = await ns.create(
            "classification", {"name": "Intermodal", "subsidiary": {"items": [{"id": "2"}, {"id": "1"}]}}
        )
        first = await _rows(
            emulator, "SELECT subsidiary, includechildren FROM classification WHERE id = ?", created
        )
        await ns.patch("classification", created, {"subsidiary": {"items": [{"id": "2"}]}})
        after = await ns.get("classification", created, expand_sub_resources=True)
    mapped = await _rows(
        emulator, "SELECT subsidiary FROM classificationsubsidiarymap WHERE classification = ?", created
    )
    assert first == [{"subsidiary": "1, 2", "includechildren": "F"}]
    assert [item["id"] for item in after["subsidiary"]["items"]] == ["2"]
    assert after["includeChildren"] is False
    assert [r["subsidiary"] for r in mapped] == ["2"]


async def test_a_shared_record_is_usable_by_each_of_its_subsidiaries_only(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        canada = await ns.create("invoice", invoice_body("102"))  # Linehaul, shared, on a Canadian invoice
        await ns.patch("serviceResaleItem", "1", {"subsidiary": {"items": [{"id": "1"}]}})
        found = await refused(ns.create("invoice", invoice_body("102")))
        us = await ns.create("invoice", invoice_body("101"))
    assert canada
    assert us
    assert found[:3] == (
        400,
        "USER_ERROR",
        "Error while accessing a resource. Invalid item reference key 1 for subsidiary 2.",
    )


async def test_a_restricted_role_sees_the_shared_records_of_its_subsidiaries() -> None:
    with make("subsidiary-not-assigned") as emulator:  # the integration role sees the US subsidiary only
        rows = await _rows(emulator, "SELECT id FROM account ORDER BY id")
        mapped = await _rows(emulator, "SELECT DISTINCT subsidiary FROM accountsubsidiarymap")
    ids = [int(r["id"]) for r in rows]
    assert 2 not in ids  # Canada's bank
    assert {1, 3, 6, 10} <= set(ids)
    assert [r["subsidiary"] for r in mapped] == ["1"]
