"""Collection queries (``q``, ``limit``, ``offset``), sub-resources, and bad input: NetSuite-shaped errors,
never a traceback, and the account unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from netsuite_emulator import Emulator
from netsuite_emulator.records import RecordError, parse_query
from tests.emulator.records_support import RECORD, invoice_body, make, netsuite, raw, refused


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with make() as made:
        yield made


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"type", "title", "status", "o:errorDetails"}
    assert "Traceback" not in response.text
    detail: dict[str, Any] = body["o:errorDetails"][0]
    return detail


@pytest.mark.anyio
async def test_q_filters_on_body_fields(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        a = await ns.create("invoice", invoice_body("101", 100.0, memo="load 7 rush", externalId="A-1"))
        b = await ns.create(
            "invoice", invoice_body("103", 900.0, memo="load 8", externalId="B-2", tranDate="2026-01-15")
        )
        c = await ns.create(
            "invoice", invoice_body("101", 50.0, memo="Load 9", externalId="C-3", custbody_load_number="L9")
        )

        async def ids(q: str) -> list[str]:
            return [i async for i in ns.list_ids("invoice", q=q)]

        assert await ids('externalId IS "A-1"') == [a]
        assert await ids('memo START_WITH "load"') == [a, b, c]  # text comparisons ignore case
        assert await ids("memo CONTAIN rush") == [a]
        assert await ids("entity ANY_OF [101, 999]") == [a, c]
        assert await ids("entity ANY_OF 103, 999") == [b]
        assert await ids("total GREATER 75 AND entity EQUAL 101") == [a]
        assert await ids('total LESS 60 OR externalId IS "B-2"') == [b, c]
        assert await ids('tranDate BEFORE "2/1/2026"') == [b]
        assert await ids("tranDate ON_OR_AFTER 2026-02-01") == [a, c]
        assert await ids('custbody_load_number IS "L9"') == [c]
        assert await ids("otherRefNum EMPTY") == [a, b, c]
        assert await ids("status ANY_OF A, B") == [a, b, c]  # an enum compares by its id
        assert await ids('externalId IS_NOT "A-1"') == [b, c]
        bad = await refused(ns.list_ids("invoice", q="nosuchfield IS 1").__anext__())
        assert bad[:2] == (400, "INVALID_PARAMETER")


def test_the_q_grammar() -> None:
    assert parse_query('a IS "x \\" y" AND b ANY_OF [1, 2] OR c EMPTY')[1][0].operator == "EMPTY"
    assert parse_query('a IS "x \\" y"')[0][0].values == ('x " y',)
    assert parse_query("d WITHIN 1/1/2026, 2/1/2026")[0][0].values == ("1/1/2026", "2/1/2026")
    for text in ("a", "a IS", "a FOO 1", "a IS 1 AND", "a IS 1 b IS 2", 'a IS "open', "a ANY_OF [1, 2"):
        with pytest.raises(RecordError):
            parse_query(text)


@pytest.mark.anyio
async def test_limit_and_offset_page_ids_and_links(emulator: Emulator) -> None:
    page = await raw(emulator, "GET", f"{RECORD}/account?limit=10&offset=20")
    body = page.json()
    assert page.headers["content-type"].startswith("application/vnd.oracle.resource+json; type=collection")
    assert (body["count"], body["totalResults"], body["offset"], body["hasMore"]) == (6, 26, 20, False)
    assert set(body["items"][0]) == {"links", "id"}
    assert [link["rel"] for link in body["links"]] == ["self", "previous"]
    first = (await raw(emulator, "GET", f"{RECORD}/account?limit=10")).json()
    assert first["hasMore"] is True
    assert [link["rel"] for link in first["links"]] == ["self", "next"]
    too_big = _error(await raw(emulator, "GET", f"{RECORD}/account?limit=1001"), 400)
    assert (too_big["o:errorCode"], too_big["o:errorQueryParam"]) == ("INVALID_PARAMETER", "limit")


@pytest.mark.anyio
async def test_sub_resources_follow_the_links_of_a_read(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("101", 10.0, 20.0))
        record = await ns.get("invoice", invoice)
    sublist = await raw(emulator, "GET", httpx.URL(record["item"]["links"][0]["href"]).path)
    line = await raw(emulator, "GET", f"{RECORD}/invoice/{invoice}/item/2")
    assert [i["amount"] for i in sublist.json()["items"]] == [10.0, 20.0]
    assert line.json()["amount"] == 20.0
    assert (
        _error(await raw(emulator, "GET", f"{RECORD}/invoice/{invoice}/item/3"), 404)["o:errorCode"]
        == "NONEXISTENT_ID"
    )
    assert (
        _error(await raw(emulator, "GET", f"{RECORD}/invoice/{invoice}/nosuch"), 404)["o:errorCode"]
        == "NONEXISTENT_ID"
    )


@pytest.mark.anyio
async def test_bad_input_is_refused_and_changes_nothing(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body())
    before = emulator.store.fingerprint()
    cases: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("POST", f"{RECORD}/invoice", {"content": b"{not json"}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"content": b"[1, 2]"}, 400, "INVALID_CONTENT"),
        ("PATCH", f"{RECORD}/invoice/{invoice}", {"content": b"\xff\xfe"}, 400, "INVALID_CONTENT"),
        ("PATCH", f"{RECORD}/invoice/{invoice}", {"content": b"[" * 50_000 + b"]" * 50_000}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"body": invoice_body(memo="x" * 5000)}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"body": {"entity": {"id": "101"}, "item": "lines"}}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"body": {"entity": {"id": True}, "item": {"items": []}}}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"body": invoice_body(tranDate="31/31/2026")}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"body": invoice_body("101", float("1e300"))}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"body": {"entity": {"id": "101"}, "item": {"items": ["x"]}}}, 400, "INVALID_CONTENT"),
        ("POST", f"{RECORD}/nosuchrecord", {"body": {}}, 404, "NONEXISTENT_ID"),
        ("GET", f"{RECORD}/invoice/{invoice}/..%2F..%2Fcustomer%2F101", {}, 404, "NONEXISTENT_ID"),
        ("GET", f"{RECORD}/invoice/-1", {}, 404, "NONEXISTENT_ID"),
        ("GET", f"{RECORD}/invoice/99999999999999999999999", {}, 404, "NONEXISTENT_ID"),
        ("GET", f"{RECORD}/invoice/eid:has%20space", {}, 404, "NONEXISTENT_ID"),
        ("GET", f"{RECORD}/vendorbill/{invoice}", {}, 404, "NONEXISTENT_ID"),  # an invoice is not a bill
        ("PUT", f"{RECORD}/invoice/{invoice}", {"body": {}}, 405, "INVALID_REQUEST"),
        ("POST", f"{RECORD}/invoice/{invoice}", {"body": {}}, 405, "INVALID_REQUEST"),
        ("POST", f"{RECORD}/invoice/{invoice}/!transform/vendorBill", {"body": {}}, 400, "INVALID_REQUEST"),
        ("DELETE", f"{RECORD}/invoice", {}, 405, "INVALID_REQUEST"),
        ("GET", f"{RECORD}/invoice?q=memo%20IS", {}, 400, "INVALID_PARAMETER"),
        ("POST", f"{RECORD}/customer", {"body": {"companyName": "Ünïcødé 北京 Freight", "subsidiary": {"id": "9"}}}, 400,
         "INVALID_CONTENT"),
        ("POST", f"{RECORD}/invoice", {"content": b"{}", "headers": {"Content-Length": "200000000"}}, 413, "INVALID_REQUEST"),
    ]  # fmt: skip
    for method, path, kwargs, status, code in cases:
        response = await raw(emulator, method, path, kwargs.get("body"), content=kwargs.get("content"),
                             headers=kwargs.get("headers"))  # fmt: skip
        assert _error(response, status)["o:errorCode"] == code, (method, path)
    assert emulator.store.fingerprint() == before


@pytest.mark.anyio
async def test_non_ascii_text_round_trips(emulator: Emulator) -> None:
    name = "Ünïcødé 北京 Freight ✓"
    async with netsuite(emulator) as ns:
        customer = await ns.create("customer", {"companyName": name, "subsidiary": {"id": "1"}})
        invoice = await ns.create("invoice", invoice_body(customer, memo="Lieferung — München"))
        read = await ns.get("invoice", invoice)
        ids = [i async for i in ns.list_ids("customer", q=f'companyName IS "{name}"')]
    assert read["entity"]["refName"] == name
    assert read["memo"] == "Lieferung — München"
    assert ids == [customer]
