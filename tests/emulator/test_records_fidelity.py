"""GET answers compared with real NetSuite responses (``../shared/fixtures/netsuite-real``) on shape and value
types: references as ``{links, id, refName}``, ids as strings, amounts as numbers, ISO dates, sublists as links
unless expanded. The fixtures are 2020-era; the emulator answers as the 2026.1 API does, and the table below
lists the known differences."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.emulator.records_support import RECORD, invoice_body, make, netsuite, raw

# 2020 field name → 2026.1 field name (the REST API Browser 2026.1 spells them in camelCase).
RENAMED = {
    "trandate": "tranDate",
    "postingperiod": "postingPeriod",
    "exchangerate": "exchangeRate",
    "isinactive": "isInactive",
    "includechildren": "includeChildren",
    "acctname": "acctName",
    "acctnumber": "acctNumber",
    "accttype": "acctType",
    "addressbook": "addressBook",
    "isbasecurrency": "isBaseCurrency",
}
# Fields whose value changed type between the versions: plain strings became enum objects {id, refName}.
BECAME_ENUMS = {"acctType", "status"}


def shape(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return "date"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", value):
            return "datetime"
        return "string"
    if isinstance(value, list):
        return "links" if all(isinstance(v, dict) and set(v) == {"rel", "href"} for v in value) else "list"
    if isinstance(value, dict):
        keys = set(value)
        if keys == {"links", "id", "refName"} or keys == {"links", "id"}:
            return "reference"
        if keys == {"id", "refName"}:
            return "enum"
        if keys == {"links"}:
            return "sub-resource"
        if {"links", "items"} <= keys:
            return "expanded sub-resource"
        return "object"
    return type(value).__name__


def compare(real: dict[str, Any], emulated: dict[str, Any], must_share: set[str]) -> None:
    renamed = {RENAMED.get(key, key): value for key, value in real.items()}
    shared = set(renamed) & set(emulated)
    assert must_share <= shared, sorted(must_share - shared)
    for key in shared:
        expected = "enum" if key in BECAME_ENUMS and isinstance(renamed[key], str) else shape(renamed[key])
        assert shape(emulated[key]) == expected, (key, renamed[key], emulated[key])
    assert isinstance(emulated["id"], str)
    assert emulated["id"].isdigit()
    assert emulated["links"][0]["rel"] == "self"


def _fixture(shared_dir: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (shared_dir / "fixtures" / "netsuite-real" / f"{name}.json").read_text()
    )
    return data


CASES = [
    ("customer", "customer", "101", {"links", "id", "companyName", "entityId", "currency", "subsidiary", "isInactive",
                                     "balance", "addressBook", "isPerson"}),
    ("account", "account", "2", {"links", "id", "acctName", "acctNumber", "acctType", "currency", "includeChildren",
                                 "isInactive", "subsidiary"}),
    ("currency", "currency", "2", {"links", "id", "name", "symbol", "displaySymbol", "exchangeRate", "isBaseCurrency",
                                   "isInactive", "currencyPrecision"}),
    ("subsidiary", "subsidiary", "2", {"links", "id", "name", "legalName", "currency", "parent", "country",
                                       "isElimination", "isInactive"}),
    ("department", "department", "1", {"links", "id", "name", "isInactive", "includeChildren"}),
    ("location", "location", "1", {"links", "id", "name", "isInactive", "subsidiary"}),
    ("ledger_class", "classification", "1", {"links", "id", "name", "isInactive", "includeChildren", "subsidiary"}),
]  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize(("fixture", "record_type", "record_id", "must_share"), CASES)
async def test_list_records_read_like_netsuite(
    shared_dir: Path, fixture: str, record_type: str, record_id: str, must_share: set[str]
) -> None:
    with make() as emulator:
        async with netsuite(emulator) as ns:
            emulated = await ns.get(record_type, record_id)
    compare(_fixture(shared_dir, fixture), emulated, must_share)


@pytest.mark.anyio
async def test_transactions_read_like_netsuite(shared_dir: Path) -> None:
    with make() as emulator:
        async with netsuite(emulator) as ns:
            deposit = await ns.create(
                "customerDeposit", {"customer": {"id": "101"}, "payment": 5050, "tranId": "CD01"}
            )
            entry = await ns.create("journalEntry", {"subsidiary": {"id": "1"}, "memo": "Journal", "line": {"items": [
                {"account": {"id": "1"}, "credit": 17}, {"account": {"id": "6"}, "debit": 17}]}})  # fmt: skip
            await ns.create("invoice", invoice_body())
            deposit_read = await ns.get("customerDeposit", deposit)
            journal_read = await ns.get("journalEntry", entry, expand_sub_resources=True)
            journal_links = await ns.get("journalEntry", entry)
    compare(
        _fixture(shared_dir, "customer_deposit"),
        deposit_read,
        {"links", "id", "currency", "customer", "exchangeRate", "payment", "postingPeriod", "status", "subsidiary",
         "tranDate", "tranId", "undepFunds"},
    )  # fmt: skip
    real_journal = _fixture(shared_dir, "journal_entry")
    compare(
        real_journal,
        journal_read,
        {
            "links",
            "id",
            "currency",
            "exchangeRate",
            "line",
            "memo",
            "postingPeriod",
            "subsidiary",
            "tranDate",
            "tranId",
        },
    )
    real_line, line = real_journal["line"]["items"][0], journal_read["line"]["items"][0]
    for key in {"account", "credit", "line"}:
        assert shape(line[key]) == shape(real_line[key]), key
    assert set(journal_read["line"]) == set(real_journal["line"]) == {"links", "items", "totalResults"}
    assert shape(journal_links["line"]) == "sub-resource"


@pytest.mark.anyio
async def test_fields_selects_body_fields_and_simple_enum_format_gives_ids() -> None:
    with make() as emulator:
        async with netsuite(emulator) as ns:
            invoice = await ns.create("invoice", invoice_body())
            picked = await ns.get("invoice", invoice, fields=["total", "status"])
        simple = await raw(emulator, "GET", f"{RECORD}/invoice/{invoice}?simpleEnumFormat=true")
    assert set(picked) == {"links", "id", "total", "status"}
    assert picked["status"] == {"id": "A", "refName": "Open"}
    assert simple.json()["status"] == "A"
