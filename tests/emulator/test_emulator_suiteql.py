"""SuiteQL: the envelope, paging rules, permissions, NetSuite's error wording, and hostile queries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.conftest import require
from tests.emulator.helpers import BASE_URL, FakeClock, client_for, tba_headers

MakeEmulator = Callable[..., Emulator]
SUITEQL = "/services/rest/query/v1/suiteql"
PREAMBLE = "Invalid search query. Detailed unprocessed description follows. Search error occurred: "
FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "netsuite-real"
pytestmark = pytest.mark.anyio


async def suiteql(
    client: httpx.AsyncClient,
    env: dict[str, str],
    clock: FakeClock,
    q: str,
    params: list[Any] | None = None,
    *,
    limit: int | str | None = None,
    offset: int | str | None = None,
    prefer: str | None = "transient",
    content: bytes | None = None,
) -> httpx.Response:
    query = {k: str(v) for k, v in (("limit", limit), ("offset", offset)) if v is not None}
    url = httpx.URL(BASE_URL + SUITEQL, params=query)
    headers = tba_headers(env, "POST", str(url), timestamp=clock.now)
    headers["Content-Type"] = "application/json"
    if prefer is not None:
        headers["Prefer"] = prefer
    body: dict[str, Any] = {"q": q}
    if params is not None:
        body["params"] = params
    return await client.post(
        url, headers=headers, content=content if content is not None else json.dumps(body)
    )


def query_error(response: httpx.Response) -> str:
    """The detail of a 400 INVALID_PARAMETER about the query, checked for NetSuite's shape."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"type", "title", "status", "o:errorDetails"}
    (detail,) = body["o:errorDetails"]
    assert detail["o:errorCode"] == "INVALID_PARAMETER"
    assert detail["o:errorQueryParam"] == "q"
    assert "Traceback" not in response.text
    return str(detail["detail"])


async def test_envelope_matches_netsuites_recorded_answers(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    require(
        FIXTURES.is_dir(), f"../shared is absent ({FIXTURES}); this test compares with its recorded answers"
    )
    emulator = make_emulator()
    async with client_for(emulator) as client:
        response = await suiteql(
            client,
            emulator.env(),
            clock,
            "SELECT id, AcctNumber, acctname, accttype, description, isinactive FROM Account WHERE id IN (?, ?)"
            " ORDER BY id",
            ["1", 3],
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.oracle.resource+json")
    body = response.json()
    recorded = json.loads((FIXTURES / "account_search.json").read_text())
    assert list(body) == list(recorded)  # links, count, hasMore, items, offset, totalResults, in that order
    assert body["links"] == [{"rel": "self", "href": BASE_URL + SUITEQL}]
    assert (body["count"], body["hasMore"], body["offset"], body["totalResults"]) == (2, False, 0, 2)
    first, second = body["items"]
    assert first == {
        "links": [],
        "id": "1",
        "acctnumber": "1010",
        "acctname": "Operating Bank US",
        "accttype": "Bank",
        "isinactive": "F",
    }  # description is NULL: left out, as NetSuite leaves out empty values
    assert second["accttype"] == "AcctRec"
    assert all(isinstance(v, str) for item in body["items"] for k, v in item.items() if k != "links")


async def test_values_are_strings_dates_in_the_users_format(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    emulator.store.execute(
        'INSERT INTO "transaction" (id, type, recordtype, tranid, trandate, entity, subsidiary, currency,'
        " foreigntotal, createddate, lastmodifieddate, externalid)"
        " VALUES (9001, 'CustInvc', 'invoice', 'INV-1', '2026-05-11', 101, 1, 1, 1250.5, ?, ?, 'load-1')",
        ("2026-05-11 10:00:00", "2026-05-11 10:00:00"),
    )
    async with client_for(emulator) as client:
        rows = await suiteql(
            client,
            emulator.env(),
            clock,
            "SELECT id, type, trandate, foreigntotal, exchangerate, externalid, TO_CHAR(trandate, 'YYYY-MM-DD') AS iso,"
            " COUNT(*) OVER () AS n FROM transaction",
        )
        assert "unsupported" in query_error(rows)  # analytic functions are not emulated
        rows = await suiteql(
            client,
            emulator.env(),
            clock,
            "SELECT t.id, t.type, t.trandate, t.foreigntotal, t.exchangerate, t.externalid,"
            " TO_CHAR(t.trandate, 'YYYY-MM-DD') AS iso, UPPER(c.companyname), NVL(t.memo, 'none') AS memo"
            " FROM transaction t JOIN customer c ON c.id = t.entity"
            " WHERE t.type = 'CustInvc' AND t.trandate >= TO_DATE(?, 'MM/DD/YYYY')",
            ["5/1/2026"],
        )
        counted = await suiteql(client, emulator.env(), clock, "SELECT COUNT(*), MAX(id) AS top FROM account")
        dual = await suiteql(client, emulator.env(), clock, "SELECT 1 AS one FROM DUAL WHERE ROWNUM <= 1")
    (item,) = rows.json()["items"]
    assert item == {
        "links": [],
        "id": "9001",
        "type": "CustInvc",
        "trandate": "5/11/2026",
        "foreigntotal": "1250.5",
        "exchangerate": "1",
        "externalid": "load-1",
        "iso": "2026-05-11",
        "expr1": "GREAT LAKES GROCERS",
        "memo": "none",
    }
    assert counted.json()["items"] == [{"links": [], "expr1": "26", "top": "26"}]
    assert dual.json()["items"] == [{"links": [], "one": "1"}]


async def test_paging_links_and_rules(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    q = "SELECT id FROM account ORDER BY id"
    async with client_for(emulator) as client:
        env = emulator.env()
        pages = [await suiteql(client, env, clock, q, limit=10, offset=offset) for offset in (0, 10, 20)]
        default = await suiteql(client, env, clock, q)
        beyond = await suiteql(client, env, clock, q, limit=10, offset=30)
        bad = {
            "offset": await suiteql(client, env, clock, q, limit=10, offset=5),
            "limit": await suiteql(client, env, clock, q, limit=1001),
            "limit ": await suiteql(client, env, clock, q, limit=0),
            "limit  ": await suiteql(client, env, clock, q, limit="ten"),
            "offset ": await suiteql(client, env, clock, q, limit=10, offset=-10),
            "offset  ": await suiteql(client, env, clock, q, limit=1000, offset=100_000),
        }
    ids = [int(item["id"]) for page in pages for item in page.json()["items"]]
    assert ids == list(range(1, 27))
    summary = [
        (p.json()["count"], p.json()["hasMore"], p.json()["offset"], p.json()["totalResults"]) for p in pages
    ]
    assert summary == [(10, True, 0, 26), (10, True, 10, 26), (6, False, 20, 26)]
    at = BASE_URL + SUITEQL + "?limit=10&offset={}"
    assert pages[0].json()["links"] == [
        {"rel": "first", "href": at.format(0)},
        {"rel": "next", "href": at.format(10)},
        {"rel": "last", "href": at.format(20)},
        {"rel": "self", "href": at.format(0)},
    ]
    assert [link["rel"] for link in pages[1].json()["links"]] == ["previous", "first", "next", "last", "self"]
    assert [link["rel"] for link in pages[2].json()["links"]] == ["previous", "first", "last", "self"]
    assert default.json()["count"] == 26  # 1000 a page unless asked
    assert beyond.json()["items"] == []
    for name, response in bad.items():
        assert response.status_code == 400, name
        (detail,) = response.json()["o:errorDetails"]
        assert (detail["o:errorCode"], detail["o:errorQueryParam"]) == ("INVALID_PARAMETER", name.strip())


async def test_at_most_100000_results_are_reachable(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    with emulator.store.write() as conn:
        conn.executemany(
            "INSERT INTO item (id, itemid, itemtype) VALUES (?, ?, 'Service')",
            ((n, f"bulk-{n}") for n in range(1000, 101_500)),
        )
    async with client_for(emulator) as client:
        env = emulator.env()
        last = await suiteql(client, env, clock, "SELECT id FROM item", limit=1000, offset=99_000)
        past = await suiteql(client, env, clock, "SELECT id FROM item", limit=1000, offset=100_000)
        odd = await suiteql(client, env, clock, "SELECT id FROM item ORDER BY id", limit=300, offset=99_900)
    body = last.json()
    assert (body["count"], body["hasMore"], body["totalResults"]) == (1000, False, 100_512)
    assert {link["rel"] for link in body["links"]} == {"previous", "first", "last", "self"}
    assert past.status_code == 400
    assert odd.json()["count"] == 100  # the 100,000th result is the last one served
    assert odd.json()["hasMore"] is False


async def test_unknown_identifiers_and_search_types(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        env = emulator.env()
        column = await suiteql(client, env, clock, "SELECT subsidiarynope FROM transaction")
        aliased = await suiteql(
            client, env, clock, "SELECT a.id, t.nope FROM account a JOIN transaction t ON 1 = 1"
        )
        table = await suiteql(client, env, clock, "SELECT * FROM transactiontablethatdoesnotexist")
        internal = [
            await suiteql(client, env, clock, f"SELECT * FROM {name}")  # noqa: S608 -- SuiteQL for the emulator, on purpose
            for name in (
                "loginaudit",
                "accesstoken",
                "integration",
                "oauth2certificate",
                "usednonce",
                "company",
            )
        ]
        schema = await suiteql(client, env, clock, "SELECT name FROM sqlite_master")
        qualified = await suiteql(client, env, clock, "SELECT id FROM main.account")
    assert query_error(column) == PREAMBLE + (
        "Unknown identifier 'subsidiarynope'. Available identifiers are: {transaction=transaction}."
    )
    assert query_error(aliased) == PREAMBLE + (
        "Unknown identifier 't.nope'. Available identifiers are: {a=account, t=transaction}."
    )
    assert query_error(table) == PREAMBLE + "Invalid search type: transactiontablethatdoesnotexist."
    for response, name in zip(
        internal,
        ("loginaudit", "accesstoken", "integration", "oauth2certificate", "usednonce", "company"),
        strict=True,
    ):
        assert query_error(response) == PREAMBLE + f"Invalid search type: {name}."
    assert query_error(schema) == PREAMBLE + "Invalid search type: sqlite_master."
    assert query_error(qualified) == PREAMBLE + "Invalid search type: main.account."


async def test_role_sees_only_the_tables_its_permissions_open(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    role_query = "SELECT permkey, permlevel FROM rolepermissions WHERE role = ? AND permkey = ?"
    async with client_for(emulator) as client:
        integration, admin = emulator.env(), emulator.env(who="admin")
        hidden = await suiteql(client, integration, clock, "SELECT id FROM role")
        union = await suiteql(
            client, integration, clock, "SELECT id FROM account UNION SELECT role FROM rolepermissions"
        )
        nested = await suiteql(
            client, integration, clock, "SELECT id FROM account WHERE id IN (SELECT id FROM role)"
        )
        seen = await suiteql(client, admin, clock, role_query, ["1001", "TRAN_FIND"])
        transactions = await suiteql(client, integration, clock, "SELECT COUNT(*) AS n FROM transaction")
        emulator.store.execute("DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'TRAN_FIND'")
        no_find = await suiteql(client, integration, clock, "SELECT COUNT(*) AS n FROM transaction")
    assert query_error(hidden) == PREAMBLE + "Invalid search type: role."
    assert query_error(union) == PREAMBLE + "Invalid search type: rolepermissions."
    assert query_error(nested) == PREAMBLE + "Invalid search type: role."
    assert seen.json()["items"] == [{"links": [], "permkey": "TRAN_FIND", "permlevel": "1"}]
    assert transactions.status_code == 200
    assert query_error(no_find) == PREAMBLE + "Invalid search type: transaction."


async def test_sales_role_without_list_permissions(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    emulator.store.execute("UPDATE accesstoken SET entity = 12, role = 1002 WHERE handle = 'integration'")
    async with client_for(emulator) as client:
        response = await suiteql(client, emulator.env(), clock, "SELECT id FROM account")
    assert query_error(response) == PREAMBLE + "Invalid search type: account."


async def test_no_suiteql_permission_scenario(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator("no-suiteql-permission")
    async with client_for(emulator) as client:
        response = await suiteql(client, emulator.env(), clock, "SELECT id FROM account")
        admin = await suiteql(client, emulator.env(who="admin"), clock, "SELECT id FROM account")
    assert response.status_code == 400
    assert response.json()["o:errorDetails"] == [
        {
            "detail": "Your current role does not have permission to perform this action. "
            "Please contact your account administrator.",
            "o:errorCode": "USER_ERROR",
        }
    ]
    assert admin.status_code == 200


async def test_subsidiary_restriction_hides_other_subsidiaries_rows(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    restricted, open_ = make_emulator("subsidiary-not-assigned"), make_emulator()
    queries = {
        "account": "SELECT id FROM account WHERE accttype = 'Bank' ORDER BY id",
        "location": "SELECT name FROM location ORDER BY id",
        "customer": "SELECT id FROM customer ORDER BY id",
        "subsidiary": "SELECT id FROM subsidiary ORDER BY id",
    }
    seen: dict[str, dict[str, list[str]]] = {}
    for name, emulator in (("restricted", restricted), ("open", open_)):
        async with client_for(emulator) as client:
            seen[name] = {
                table: [
                    next(iter(v for k, v in item.items() if k != "links"))
                    for item in response.json()["items"]
                ]
                for table, q in queries.items()
                for response in [await suiteql(client, emulator.env(), clock, q)]
            }
    assert seen["open"]["account"] == ["1", "2"]
    assert seen["restricted"]["account"] == ["1"]
    assert seen["restricted"]["location"] == ["Dallas Terminal"]
    assert seen["open"]["location"] == ["Dallas Terminal", "Toronto Terminal"]
    assert "102" in seen["open"]["customer"]
    assert "102" not in seen["restricted"]["customer"]
    assert seen["restricted"]["subsidiary"] == ["1"]


async def test_prefer_transient_and_body_shape(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        env = emulator.env()
        missing = await suiteql(client, env, clock, "SELECT id FROM account", prefer=None)
        listed = await suiteql(
            client, env, clock, "SELECT id FROM account", prefer="respond-async, transient"
        )
        not_json = await suiteql(client, env, clock, "", content=b"{nope")
        no_q = await suiteql(client, env, clock, "", content=b'{"query": "SELECT 1 FROM dual"}')
        bad_params = await suiteql(client, env, clock, "SELECT id FROM account WHERE id = ?", [{"id": 1}])
        too_few = await suiteql(client, env, clock, "SELECT id FROM account WHERE id = ? OR id = ?", ["1"])
    assert missing.status_code == 400
    assert missing.json()["o:errorDetails"][0]["o:errorHeader"] == "Prefer"
    assert listed.status_code == 200
    assert not_json.status_code == 400
    assert not_json.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_CONTENT"
    for response in (no_q, bad_params, too_few):
        assert query_error(response).startswith(PREAMBLE)


HOSTILE = [
    "SELECT id FROM account; DELETE FROM account",
    "DELETE FROM account",
    "UPDATE account SET acctname = 'x'",
    "INSERT INTO account (id, acctname, accttype) VALUES (99, 'x', 'Bank')",
    "DROP TABLE account",
    "PRAGMA writable_schema = 1",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "VACUUM",
    "SELECT id FROM account -- ' OR 1=1",
    "SELECT id FROM account /* hidden */ WHERE 1 = 1",
    "SELECT /*+ FULL(account) */ id FROM account",
    "SELECT id FROM account WHERE acctname = '' UNION SELECT tokensecret FROM accesstoken",
    "SELECT id FROM account UNION ALL SELECT id FROM role",
    "SELECT sqlite_version() FROM dual",
    "SELECT load_extension('/tmp/evil.so') FROM dual",
    "SELECT randomblob(100000000) FROM dual",
    "SELECT hex(zeroblob(100)) FROM dual",
    "SELECT printf('%s', acctname) FROM account",
    "SELECT json_extract('{}', '$') FROM dual",
    "WITH x AS (SELECT id FROM account) SELECT id FROM x",
    "SELECT id FROM account WHERE id = :id",
    "SELECT id FROM pragma_table_info('account')",
    "SELECT BUILTIN.DF(subsidiary) FROM account",
    "SELECT a.id FROM account a, account b, account c, account d, account e, account f, item g, item h",
    "SELECT " + "(" * 200 + "1" + ")" * 200 + " FROM dual",
    "SELECT id FROM account WHERE " + " OR ".join(["id = 1"] * 30_000),  # noqa: S608 -- SuiteQL for the emulator, on purpose
    "SELECT 'x" + "a" * 200_000 + "' FROM dual",
    "SELECT",
    "",
    "\x00",
    "SELECT id FROM account WHERE acctname = 'unterminated",
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_queries_are_refused_and_change_nothing(
    q: str, make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    emulator = make_emulator()
    before = emulator.store.fingerprint()
    async with client_for(emulator) as client:
        response = await suiteql(client, emulator.env(), clock, q)
    assert query_error(response).startswith(PREAMBLE)
    assert emulator.store.fingerprint() == before


async def test_parameters_are_bound_never_spliced(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    before = emulator.store.fingerprint()
    async with client_for(emulator) as client:
        env = emulator.env()
        spliced = await suiteql(
            client, env, clock, "SELECT id FROM account WHERE acctname = ?", ["x' OR '1'='1"]
        )
        dropped = await suiteql(
            client, env, clock, "SELECT id FROM account WHERE acctname = ?", ["x'; DELETE FROM account; --"]
        )
        matched = await suiteql(client, env, clock, "SELECT id FROM account WHERE acctname = ?", ["Fuel"])
    assert spliced.json()["items"] == []
    assert dropped.json()["items"] == []
    assert matched.json()["items"] == [{"links": [], "id": "17"}]
    assert emulator.store.fingerprint() == before


async def test_keyset_paging_as_the_client_does_it(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    """``SELECT * FROM (q) WHERE id > ? ORDER BY id`` at offset 0, the last id a string parameter."""
    emulator = make_emulator()
    with emulator.store.write() as conn:
        conn.executemany(
            "INSERT INTO item (id, itemid, itemtype) VALUES (?, ?, 'Service')",
            ((n, f"bulk-{n}") for n in range(100, 2600)),
        )
    inner = "SELECT id, itemid FROM item WHERE itemtype = ?"
    seen: list[int] = []
    last: str | None = None
    async with client_for(emulator) as client:
        while True:
            if last is None:
                q, params = f"SELECT * FROM ({inner}) ORDER BY id", ["Service"]  # noqa: S608 -- SuiteQL for the emulator, on purpose
            else:
                q, params = f"SELECT * FROM ({inner}) WHERE id > ? ORDER BY id", ["Service", last]  # noqa: S608 -- SuiteQL for the emulator, on purpose
            page = (await suiteql(client, emulator.env(), clock, q, params, limit=1000, offset=0)).json()
            seen += [int(item["id"]) for item in page["items"]]
            if not page["hasMore"]:
                break
            last = page["items"][-1]["id"]
    expected = [
        row[0] for row in emulator.store.query("SELECT id FROM item WHERE itemtype = 'Service' ORDER BY id")
    ]
    assert len(expected) > 2500
    assert seen == expected


async def test_dates_follow_the_users_date_format_preference(
    make_emulator: MakeEmulator, clock: FakeClock
) -> None:
    us, dmy = make_emulator(), make_emulator("date-format-dmy")
    query = "SELECT startdate, TO_CHAR(startdate, 'YYYY-MM-DD') AS iso FROM accountingperiod WHERE periodname = 'Oct 2025'"
    answers = []
    for emulator in (us, dmy):
        async with client_for(emulator) as client:
            answers.append((await suiteql(client, emulator.env(), clock, query)).json()["items"])
    assert answers == [
        [{"links": [], "startdate": "10/1/2025", "iso": "2025-10-01"}],
        [{"links": [], "startdate": "01/10/2025", "iso": "2025-10-01"}],  # TO_CHAR's text is the same in both
    ]
