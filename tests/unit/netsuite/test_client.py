"""The REST client's requests and answers, against a scripted transport (the emulator suite covers the rest)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tms_netsuite.netsuite import (
    AccountId,
    ConcurrencyLimitError,
    ConfigurationError,
    CredentialsError,
    ExternalId,
    InvalidDataError,
    NetSuiteClient,
    NetworkError,
    NotFoundError,
    RequestError,
    ResultLimitError,
    Secret,
    TbaAuth,
    TbaCredentials,
)

ACCOUNT = AccountId.parse("123456_SB1")
REST = "https://123456-sb1.suitetalk.api.netsuite.com"
RESTLETS = "https://123456-sb1.restlets.api.netsuite.com"
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Wraps a handler and keeps every request it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def make_client(handler: Handler, base_url: str | None = None) -> tuple[NetSuiteClient, Recorder]:
    recorder = Recorder(handler)
    auth = TbaAuth(ACCOUNT, TbaCredentials(Secret("ck"), Secret("cs"), Secret("tk"), Secret("ts")))
    return NetSuiteClient(ACCOUNT, auth, base_url=base_url, transport=httpx.MockTransport(recorder)), recorder


def ok(status: int = 200, body: Any = None, **headers: str) -> Handler:
    return lambda request: (
        httpx.Response(status, json=body, headers=headers)
        if body is not None
        else httpx.Response(status, headers=headers)
    )


def error(status: int, code: str, detail: str = "x") -> Handler:
    return lambda request: httpx.Response(
        status,
        json={"title": "t", "status": status, "o:errorDetails": [{"detail": detail, "o:errorCode": code}]},
    )


@pytest.mark.anyio
@pytest.mark.parametrize("status", [200, 201, 204])
async def test_create_posts_json_and_returns_the_id_from_location(status: int) -> None:
    """POST to the record type; 200, 201 and 204 all succeed; the id comes from Location."""
    client, seen = make_client(ok(status, Location=f"{REST}/services/rest/record/v1/customer/647"))
    async with client:
        assert await client.create("customer", {"companyName": "ACME", "balance": Decimal("12.50")}) == "647"
    request = seen.requests[0]
    assert (request.method, str(request.url)) == ("POST", f"{REST}/services/rest/record/v1/customer")
    assert json.loads(request.content) == {"companyName": "ACME", "balance": 12.5}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-NetSuite-PropertyNameValidation"] == "error"
    assert request.headers["Authorization"].startswith('OAuth realm="123456_SB1"')


@pytest.mark.anyio
async def test_create_without_location_is_an_error() -> None:
    """A success answer that does not name the new record is reported, not turned into a fake id."""
    client, _ = make_client(ok(204))
    async with client:
        with pytest.raises(RequestError, match="without the new record's Location"):
            await client.create("customer", {})


@pytest.mark.anyio
async def test_upsert_puts_to_the_external_id() -> None:
    """PUT …/eid:<external id>, returning the id when NetSuite names it."""
    client, seen = make_client(ok(204, Location=f"{REST}/services/rest/record/v1/invoice/99"))
    async with client:
        assert await client.upsert("invoice", "tms-invoice-INV_1", {"memo": "m"}) == "99"
    assert seen.requests[0].method == "PUT"
    assert seen.requests[0].url.path == "/services/rest/record/v1/invoice/eid:tms-invoice-INV_1"


@pytest.mark.anyio
async def test_get_passes_expand_and_fields() -> None:
    """expandSubResources and fields become query parameters; the body comes back as a dict."""
    client, seen = make_client(ok(200, {"id": "5", "companyName": "ACME"}))
    async with client:
        record = await client.get(
            "customer", ExternalId("C-1"), expand_sub_resources=True, fields=["companyName", "id"]
        )
    assert record == {"id": "5", "companyName": "ACME"}
    url = seen.requests[0].url
    assert url.path == "/services/rest/record/v1/customer/eid:C-1"
    assert dict(url.params) == {"expandSubResources": "true", "fields": "companyName,id"}


@pytest.mark.anyio
async def test_patch_replaces_named_sublists() -> None:
    """replace= names the sublists NetSuite must rewrite rather than append to."""
    client, seen = make_client(ok(204))
    async with client:
        await client.patch(
            "vendorBill",
            12,
            {"expense": {"items": []}},
            replace=["expense", "item"],
            replace_selected_fields=True,
        )
    request = seen.requests[0]
    assert request.method == "PATCH"
    assert request.url.path == "/services/rest/record/v1/vendorBill/12"
    assert dict(request.url.params) == {"replace": "expense,item", "replaceSelectedFields": "true"}


@pytest.mark.anyio
async def test_delete_and_transform() -> None:
    """DELETE by id; transform posts to …/!transform/<target> and returns the new id."""
    client, seen = make_client(ok(204, Location=f"{REST}/services/rest/record/v1/depositapplication/7"))
    async with client:
        await client.delete("invoice", "3")
        assert await client.transform("customerDeposit", 3, "depositApplication", {"externalId": "x"}) == "7"
    assert [(r.method, r.url.path) for r in seen.requests] == [
        ("DELETE", "/services/rest/record/v1/invoice/3"),
        ("POST", "/services/rest/record/v1/customerDeposit/3/!transform/depositApplication"),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("record_type", "ref"),
    [
        ("customer/../x", "1"),
        ("customer", "1/../../x"),
        ("customer", "eid:x"),
        ("cust omer", "1"),
        ("customer", "1?q=x"),
    ],
)
async def test_path_tricks_are_refused_before_sending(record_type: str, ref: str) -> None:
    """Record types and ids that could change the URL are refused; nothing is sent."""
    client, seen = make_client(ok(200, {}))
    async with client:
        with pytest.raises(ConfigurationError):
            await client.get(record_type, ref)
    assert seen.requests == []


@pytest.mark.parametrize("value", ["a b", "a/b", "a|b", "", "ü", "x" * 301])
def test_external_ids_hold_only_netsuites_characters(value: str) -> None:
    """External ids are letters, digits, '_' and '-' only."""
    with pytest.raises(ConfigurationError):
        ExternalId(value)


@pytest.mark.anyio
async def test_list_ids_pages_through_the_collection() -> None:
    """Collection GETs page with limit/offset until hasMore is false, passing q= along."""

    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        ids = [str(i) for i in range(offset, min(offset + 2, 5))]
        return httpx.Response(
            200, json={"items": [{"id": i, "links": []} for i in ids], "hasMore": offset + 2 < 5}
        )

    client, seen = make_client(handler)
    async with client:
        ids = [i async for i in client.list_ids("customer", q='companyName START_WITH "A"', page_size=2)]
    assert ids == ["0", "1", "2", "3", "4"]
    assert [r.url.params["offset"] for r in seen.requests] == ["0", "2", "4"]
    assert seen.requests[0].url.params["q"] == 'companyName START_WITH "A"'


def suiteql_server(rows: list[dict[str, str]], total: int | None = None) -> Handler:
    """Answers SuiteQL with offset paging over rows, honouring a keyset wrapper's `> ?` parameter."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        selected = rows
        if "WHERE id > ?" in body["q"]:
            selected = [r for r in rows if int(r["id"]) > int(body["params"][-1])]
        page = selected[offset : offset + limit]
        return httpx.Response(
            200,
            json={
                "links": [],
                "count": len(page),
                "offset": offset,
                "totalResults": total or len(selected),
                "hasMore": offset + limit < len(selected),
                "items": [{"links": [], **row} for row in page],
            },
        )

    return handler


@pytest.mark.anyio
async def test_suiteql_pages_by_offset_with_prefer_transient_and_params() -> None:
    """POST with Prefer: transient, params as strings, offset a multiple of limit; links are dropped."""
    rows = [{"id": str(i), "name": f"n{i}"} for i in range(5)]
    client, seen = make_client(suiteql_server(rows))
    async with client:
        got = [
            row async for row in client.suiteql("SELECT id, name FROM item WHERE id > ?", [-1], page_size=2)
        ]
    assert got == rows
    assert [r.url.params["offset"] for r in seen.requests] == ["0", "2", "4"]
    first = seen.requests[0]
    assert first.url.path == "/services/rest/query/v1/suiteql"
    assert first.headers["Prefer"] == "transient"
    assert json.loads(first.content) == {"q": "SELECT id, name FROM item WHERE id > ?", "params": ["-1"]}


@pytest.mark.anyio
async def test_suiteql_over_the_ceiling_refuses_before_yielding() -> None:
    """A query matching more than 100,000 rows raises before any row, naming keyset paging."""
    client, _ = make_client(suiteql_server([{"id": "1"}], total=100_001))
    async with client:
        with pytest.raises(ResultLimitError, match="keyset='id'"):
            [row async for row in client.suiteql("SELECT id FROM transaction")]


@pytest.mark.anyio
async def test_suiteql_keyset_paging_restarts_the_query_after_the_last_key() -> None:
    """With keyset='id', each page is a fresh query `WHERE id > <last>` at offset 0."""
    rows = [{"id": str(i)} for i in range(1, 8)]
    client, seen = make_client(suiteql_server(rows))
    async with client:
        got = [row async for row in client.suiteql("SELECT id FROM item", keyset="id", page_size=3)]
    assert got == rows
    bodies = [json.loads(r.content) for r in seen.requests]
    assert bodies[0] == {"q": "SELECT * FROM (SELECT id FROM item) ORDER BY id"}
    assert bodies[1] == {"q": "SELECT * FROM (SELECT id FROM item) WHERE id > ? ORDER BY id", "params": ["3"]}
    assert bodies[2]["params"] == ["6"]
    assert {r.url.params["offset"] for r in seen.requests} == {"0"}


@pytest.mark.anyio
@pytest.mark.parametrize("kwargs", [{"page_size": 0}, {"page_size": 1001}, {"keyset": "id; DROP"}])
async def test_suiteql_arguments_are_checked(kwargs: dict[str, Any]) -> None:
    """Page sizes outside 1..1000 and keyset names that are not plain columns are refused."""
    client, seen = make_client(suiteql_server([]))
    async with client:
        with pytest.raises(ConfigurationError):
            [row async for row in client.suiteql("SELECT id FROM item", **kwargs)]
    assert seen.requests == []


@pytest.mark.anyio
async def test_system_endpoints_and_tokeninfo_host() -> None:
    """serverTime parses to UTC; governance limits to ints; tokeninfo goes to the restlets host."""

    def handler(request: httpx.Request) -> httpx.Response:
        return {
            "/services/rest/system/v1/serverTime": httpx.Response(
                200, json={"serverTime": "2025-03-26T16:21:00.000Z"}
            ),
            "/services/rest/system/v1/governanceLimits": httpx.Response(
                200,
                json={
                    "accountConcurrencyLimit": 15,
                    "accountUnallocatedConcurrencyLimit": 10,
                    "integrationConcurrencyLimit": 5,
                    "integrationLimitType": "integrationSpecific",
                },
            ),
            "/rest/tokeninfo": httpx.Response(
                200,
                json={
                    "companyName": "Freight Co",
                    "companyId": "123456_SB1",
                    "roleName": "Integration",
                    "roleId": "1001",
                    "entityId": "7",
                },
            ),
        }[request.url.path]

    client, seen = make_client(handler)
    async with client:
        assert await client.server_time() == datetime(2025, 3, 26, 16, 21, tzinfo=UTC)
        limits = await client.governance_limits()
        info = await client.token_info()
    assert (limits.account_concurrency_limit, limits.integration_concurrency_limit) == (15, 5)
    assert limits.integration_limit_type == "integrationSpecific"
    assert (info.company_id, info.role_id, info.entity_id) == ("123456_SB1", "1001", "7")
    assert seen.requests[2].url.host == "123456-sb1.restlets.api.netsuite.com"


@pytest.mark.anyio
async def test_base_url_replaces_every_netsuite_host() -> None:
    """With a base URL, suitetalk and restlets requests both go to it."""
    client, seen = make_client(
        ok(200, {"serverTime": "2025-03-26T16:21:00Z"}), base_url="http://127.0.0.1:8765/"
    )
    async with client:
        await client.server_time()
        await client.get("customer", 1)
    assert {str(r.url).split("/services")[0] for r in seen.requests} == {"http://127.0.0.1:8765"}


@pytest.mark.anyio
async def test_error_answers_raise_classified_errors() -> None:
    """404, 400 and 429 raise their categories with the request attached."""
    for handler, cls in [
        (error(404, "NONEXISTENT_ID"), NotFoundError),
        (error(400, "INVALID_CONTENT"), InvalidDataError),
        (error(429, "CONCURRENCY_LIMIT_EXCEEDED"), ConcurrencyLimitError),
    ]:
        client, _ = make_client(handler)
        async with client:
            with pytest.raises(cls) as raised:
                await client.get("customer", 1)
        assert raised.value.request.url == f"{REST}/services/rest/record/v1/customer/1"


@pytest.mark.anyio
async def test_consecutive_401s_turn_from_retryable_to_final_and_a_success_resets_them() -> None:
    """Two 401s are retryable, the third is not; an answered request in between starts the count again."""
    answers = iter([401, 401, 200, 401, 401, 401])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return error(401, "INVALID_LOGIN")(request) if status == 401 else httpx.Response(200, json={})

    client, _ = make_client(handler)
    verdicts = []
    async with client:
        for _ in range(6):
            try:
                await client.get("customer", 1)
                verdicts.append("ok")
            except CredentialsError as exc:
                verdicts.append(exc.retryable)
    assert verdicts == [True, True, "ok", True, True, False]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("exception", "method", "unknown"),
    [
        (httpx.ConnectError("refused"), "POST", False),
        (httpx.ReadTimeout("slow"), "POST", True),
        (httpx.RemoteProtocolError("dropped"), "PUT", True),
        (httpx.ReadTimeout("slow"), "GET", False),
    ],
)
async def test_no_answer_says_whether_a_write_may_have_happened(
    exception: Exception, method: str, unknown: bool
) -> None:
    """A refused connection never reached NetSuite; a write that timed out or dropped may have."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    client, _ = make_client(handler)
    calls = {
        "GET": lambda: client.get("invoice", 1),
        "POST": lambda: client.create("invoice", {}),
        "PUT": lambda: client.upsert("invoice", "a", {}),
    }
    async with client:
        with pytest.raises(NetworkError) as raised:
            await calls[method]()
    assert raised.value.outcome_unknown is unknown
    assert raised.value.retryable


@pytest.mark.anyio
async def test_stats_count_every_request_and_status() -> None:
    """Requests are counted, successes and failures alike, by status."""
    answers = iter([200, 429, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return (
            error(429, "CONCURRENCY_LIMIT_EXCEEDED")(request)
            if status == 429
            else httpx.Response(200, json={})
        )

    client, _ = make_client(handler)
    async with client:
        for _ in range(3):
            with contextlib.suppress(ConcurrencyLimitError):
                await client.get("customer", 1)
    assert client.stats.requests == 3
    assert client.stats.by_status == {200: 2, 429: 1}


@pytest.mark.anyio
async def test_a_success_body_that_is_not_json_is_reported() -> None:
    """An HTML page with status 200 (a proxy's) is an error, not a crash."""
    client, _ = make_client(lambda request: httpx.Response(200, text="<html>login</html>"))
    async with client:
        with pytest.raises(RequestError, match="not a JSON object"):
            await client.get("customer", 1)
