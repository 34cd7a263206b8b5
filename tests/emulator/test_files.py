"""The File Cabinet: the document service for files and folders, the 10 MB limit, the folder requirement,
SuiteQL's file tables, ``!attach`` / ``!detach`` on transactions, permissions and faults."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from netsuite_emulator import Emulator
from netsuite_emulator.files import FILE_LIMIT
from netsuite_emulator.store import StoreError
from tests.emulator.records_support import RECORD, invoice_body, make, netsuite, raw

DOC = "/services/rest/document/v1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with make() as made:
        yield made


def _detail(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    detail: dict[str, Any] = response.json()["o:errorDetails"][0]
    return detail


def _id(response: httpx.Response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


async def _folder(emulator: Emulator, name: str, parent: str | None = None) -> str:
    body: dict[str, Any] = {"name": name} | ({"parent": {"id": parent}} if parent else {})
    return _id(await raw(emulator, "POST", f"{DOC}/folder", body))


async def _file(
    emulator: Emulator, folder: str | None, name: str = "pod.pdf", data: bytes = PDF
) -> httpx.Response:
    body: dict[str, Any] = {"name": name, "content": base64.b64encode(data).decode()}
    if folder is not None:
        body["folder"] = {"id": folder}
    return await raw(emulator, "POST", f"{DOC}/file", body)


@pytest.mark.anyio
async def test_a_file_is_created_in_a_folder_and_read_back_with_its_content(emulator: Emulator) -> None:
    top = await _folder(emulator, "TMS Documents")
    month = await _folder(emulator, "2026", top)
    file_id = _id(await _file(emulator, month))
    read = await raw(emulator, "GET", f"{DOC}/file/{file_id}")
    assert read.status_code == 200
    body = read.json()
    assert body["name"] == "pod.pdf"
    assert body["folder"]["id"] == month
    assert body["fileType"] == "PDF"  # typed by its extension
    assert body["fileSize"] == len(PDF)
    assert base64.b64decode(body["content"]) == PDF
    folder = (await raw(emulator, "GET", f"{DOC}/folder/{month}")).json()
    assert (folder["name"], folder["parent"]["id"]) == ("2026", top)
    # The bytes are in the account's database.
    stored = emulator.store.query("SELECT content FROM emulator_filecontent WHERE file = ?", (int(file_id),))
    assert bytes(stored[0]["content"]) == PDF


@pytest.mark.anyio
async def test_a_file_without_a_folder_is_refused_as_netsuite_words_it(emulator: Emulator) -> None:
    detail = _detail(await _file(emulator, None), 400)
    assert detail["o:errorCode"] == "USER_ERROR"
    assert "Please enter value(s) for: Folder" in detail["detail"]
    missing = _detail(await _file(emulator, "999"), 400)
    assert missing["o:errorCode"] == "INVALID_CONTENT"
    assert emulator.store.query("SELECT COUNT(*) FROM file")[0][0] == 0


@pytest.mark.anyio
async def test_ten_megabytes_are_taken_and_one_byte_more_is_refused(emulator: Emulator) -> None:
    folder = await _folder(emulator, "Big")
    assert (await _file(emulator, folder, "limit.pdf", b"x" * FILE_LIMIT)).status_code == 204
    refused = _detail(await _file(emulator, folder, "over.pdf", b"x" * (FILE_LIMIT + 1)), 400)
    assert "10 MB" in refused["detail"]
    names = [r[0] for r in emulator.store.query("SELECT name FROM file")]
    assert names == ["limit.pdf"]


@pytest.mark.anyio
async def test_names_are_unique_within_a_folder_and_bad_input_is_refused(emulator: Emulator) -> None:
    folder = await _folder(emulator, "Docs")
    assert (await _file(emulator, folder)).status_code == 204
    assert _detail(await _file(emulator, folder, "POD.pdf"), 400)["o:errorCode"] == "USER_ERROR"
    other = await _folder(emulator, "Other")
    assert (await _file(emulator, other)).status_code == 204  # the same name in another folder is fine
    assert (await raw(emulator, "POST", f"{DOC}/folder", {"name": "Docs"})).status_code == 400
    bad = await raw(emulator, "POST", f"{DOC}/file", {"name": "a.pdf", "folder": folder, "content": "%%%"})
    assert _detail(bad, 400)["o:errorCode"] == "INVALID_CONTENT"
    not_json = await raw(emulator, "POST", f"{DOC}/file", content=b"{nope")
    assert _detail(not_json, 400)["o:errorCode"] == "INVALID_CONTENT"
    assert (await raw(emulator, "GET", f"{DOC}/file/9999")).status_code == 404
    assert (await raw(emulator, "GET", f"{DOC}/nothing")).status_code == 404


@pytest.mark.anyio
async def test_collections_filter_and_page_like_the_record_service(emulator: Emulator) -> None:
    a = await _folder(emulator, "A")
    b = await _folder(emulator, "B")
    ids = [_id(await _file(emulator, a, f"f{i}.pdf")) for i in range(3)]
    _id(await _file(emulator, b, "f0.pdf"))
    q = f'name IS "f1.pdf" AND folder EQUAL {a}'
    found = (await raw(emulator, "GET", f"{DOC}/file?q={q}")).json()
    assert [i["id"] for i in found["items"]] == [ids[1]]
    page = (await raw(emulator, "GET", f"{DOC}/file?q=folder ANY_OF {a}&limit=2&offset=0")).json()
    assert (page["count"], page["hasMore"], page["totalResults"]) == (2, True, 3)
    folders = (await raw(emulator, "GET", f'{DOC}/folder?q=name IS "b" AND parent EMPTY')).json()
    assert [i["id"] for i in folders["items"]] == [b]
    assert (await raw(emulator, "GET", f"{DOC}/file?q=colour IS red")).status_code == 400


@pytest.mark.anyio
async def test_suiteql_reads_the_file_and_folder_tables(emulator: Emulator) -> None:
    folder = await _folder(emulator, "TMS Documents")
    file_id = _id(await _file(emulator, folder))
    async with netsuite(emulator) as ns:
        rows = [
            r
            async for r in ns.suiteql(
                "SELECT f.id, f.name, f.filesize, d.name AS foldername FROM file f "
                "JOIN mediaitemfolder d ON d.id = f.folder WHERE f.name = ?",
                ["pod.pdf"],
            )
        ]
    assert rows == [
        {"id": file_id, "name": "pod.pdf", "filesize": str(len(PDF)), "foldername": "TMS Documents"}
    ]


@pytest.mark.anyio
async def test_files_attach_to_a_transaction_once_and_detach(emulator: Emulator) -> None:
    folder = await _folder(emulator, "Docs")
    file_id = _id(await _file(emulator, folder))
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("101", externalId="INV-ATT-1"))

    def attached() -> list[tuple[str, int, int]]:
        rows = emulator.store.query("SELECT recordtype, record, file FROM emulator_fileattachment")
        return [(r[0], r[1], r[2]) for r in rows]

    path = f"{RECORD}/invoice/{invoice}/!attach/file/{file_id}"
    assert (await raw(emulator, "POST", path)).status_code == 204
    assert (await raw(emulator, "POST", path, {})).status_code == 204  # attaching again changes nothing
    assert attached() == [("invoice", int(invoice), int(file_id))]
    by_eid = f"{RECORD}/invoice/eid:INV-ATT-1/!detach/file/{file_id}"
    assert (await raw(emulator, "POST", by_eid)).status_code == 204
    assert attached() == []


@pytest.mark.anyio
async def test_attaching_a_missing_file_or_to_a_missing_record_is_refused(emulator: Emulator) -> None:
    folder = await _folder(emulator, "Docs")
    file_id = _id(await _file(emulator, folder))
    async with netsuite(emulator) as ns:
        invoice = await ns.create("invoice", invoice_body("101"))
    no_file = _detail(await raw(emulator, "POST", f"{RECORD}/invoice/{invoice}/!attach/file/424242"), 400)
    assert no_file["o:errorCode"] == "INVALID_CONTENT"
    no_record = _detail(await raw(emulator, "POST", f"{RECORD}/invoice/999999/!attach/file/{file_id}"), 404)
    assert no_record["o:errorCode"] == "NONEXISTENT_ID"
    wrong_type = await raw(emulator, "POST", f"{RECORD}/vendorbill/{invoice}/!attach/file/{file_id}")
    assert wrong_type.status_code == 404  # an invoice's id is no bill
    not_a_file = await raw(emulator, "POST", f"{RECORD}/invoice/{invoice}/!attach/customer/101")
    assert _detail(not_a_file, 400)["o:errorCode"] == "USER_ERROR"
    assert emulator.store.query("SELECT COUNT(*) FROM emulator_fileattachment")[0][0] == 0


@pytest.mark.anyio
async def test_documents_and_files_permission_gates_the_service() -> None:
    with make() as emulator:
        emulator.store.execute(
            "UPDATE rolepermissions SET permlevel = 1 WHERE role = 1001 AND permkey = 'LIST_FILECABINET'"
        )
        assert (await raw(emulator, "GET", f"{DOC}/file")).status_code == 200  # View reads
        refused = _detail(await raw(emulator, "POST", f"{DOC}/folder", {"name": "X"}), 403)
        assert "Documents and Files" in refused["detail"]
        emulator.store.execute(
            "DELETE FROM rolepermissions WHERE role = 1001 AND permkey = 'LIST_FILECABINET'"
        )
        assert (await raw(emulator, "GET", f"{DOC}/file")).status_code == 403


@pytest.mark.anyio
async def test_faults_hit_document_requests_too() -> None:
    with Emulator.from_scenario("healthy", faults={"5xx": 1.0}, seed=1) as emulator:
        response = await raw(emulator, "POST", f"{DOC}/folder", {"name": "X"})
        assert response.status_code == 500
        assert json.loads(response.text)["o:errorDetails"][0]["o:errorCode"] == "UNEXPECTED_ERROR"
        assert emulator.store.query("SELECT COUNT(*) FROM mediaitemfolder")[0][0] == 0


@pytest.mark.anyio
async def test_the_metadata_catalog_names_file_and_folder(emulator: Emulator) -> None:
    response = await raw(emulator, "GET", f"{DOC}/metadata-catalog")
    assert response.status_code == 200
    assert [i["name"] for i in response.json()["items"]] == ["file", "folder"]


def test_the_file_cabinet_is_part_of_the_store_schema_and_an_older_account_file_gains_it(
    tmp_path: Path,
) -> None:
    """The tables come with the schema (version 5); an account file of version 4, made before the File Cabinet,
    is upgraded when opened, its other rows kept."""
    db = tmp_path / "account.db"
    with Emulator.from_scenario("healthy", db_path=db) as made:
        tables = {r[0] for r in made.store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        customers = made.store.query("SELECT COUNT(*) FROM customer")[0][0]
    assert {"file", "mediaitemfolder", "emulator_filecontent", "emulator_fileattachment"} <= tables
    with sqlite3.connect(db) as conn:  # as a version-4 file was
        conn.executescript(
            "DROP TABLE emulator_fileattachment; DROP TABLE emulator_filecontent; DROP TABLE file; "
            "DROP TABLE mediaitemfolder; PRAGMA user_version = 4;"
        )
    with Emulator.from_scenario("healthy", db_path=db) as reopened:
        assert reopened.store.query("SELECT COUNT(*) FROM customer")[0][0] == customers
        assert reopened.store.query("SELECT COUNT(*) FROM file")[0][0] == 0
        assert reopened.store.query("PRAGMA user_version")[0][0] == 5
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 3")
    with pytest.raises(StoreError, match="schema version 3, expected 5"):
        Emulator.from_scenario("healthy", db_path=db)
