"""Documents with their files in one multipart request, in-process: stored by SHA-256 as they stream in, then
exported and attached like files named in a JSON Lines file; whatever is wrong refuses the request, naming the
document and field, and records nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from netsuite_emulator import Emulator
from tests.service.conftest import MAPPING, Harness, all_synced, multipart, with_parts
from tms_netsuite.documents import MAX_ATTACHMENT_BYTES

pytestmark = pytest.mark.anyio

DOCS = "/v1/accounts/acme/documents"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".upload-*"))


async def test_documents_and_their_files_in_one_request_are_exported_and_attached(
    harness: Harness, healthy: Emulator, tmp_path: Path
) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    values, parts = with_parts()
    answer = await harness.call("POST", DOCS, key, files=multipart(values, parts))
    assert answer.status_code == 202, answer.text
    body = answer.json()
    attachments = sum(len(v.get("attachments") or ()) for v in values)
    assert attachments > 0
    assert (body["accepted"], body["rejected"]) == (len(values) + attachments, [])
    stored = tmp_path / "files" / "acme"
    assert sorted(p.name for p in stored.iterdir()) == sorted(
        {hashlib.sha256(data).hexdigest() for _, data in parts.values()}
    )
    again = await harness.call("POST", DOCS, key, files=multipart(values, parts))
    assert (
        again.json()["duplicates"] == len(values) + attachments
    )  # the same stored paths: the same documents

    await harness.wait_until("acme", key, all_synced(len(values) + attachments))
    invoice = next(v for v in values if v["kind"] == "invoice" and v["status"] == "active")
    detail = (await harness.call("GET", f"{DOCS}/invoice/{invoice['id']}/timeline", key)).json()
    assert [f["id"].rsplit(":", 1)[1] for f in detail["attachments"]] == ["bol", "pod"]
    assert {f["state"] for f in detail["attachments"]} == {"synced"}
    links = [r["url"] for f in detail["attachments"] for r in f["records"] if r["type"] == "file"]
    assert len(links) == 2
    assert all("/app/common/media/mediaitem.nl?id=" in link for link in links)
    held = healthy.store.query("SELECT name, filesize FROM file ORDER BY name")
    latest = {(v["kind"], v["id"]): v for v in values}  # a later version replaces an earlier one
    expected = sum(len(v.get("attachments") or ()) for v in latest.values() if v["status"] == "active")
    assert len(held) == expected
    assert len(healthy.store.query("SELECT file FROM emulator_fileattachment")) == len(held)
    assert leftovers(tmp_path / "files") == []


async def test_ten_megabytes_are_taken_and_one_byte_more_is_refused_naming_document_and_field(
    harness: Harness, healthy: Emulator, tmp_path: Path
) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    values, parts = with_parts(loads=1)
    invoice = next(v for v in values if v["kind"] == "invoice")
    pod = invoice["attachments"][0]

    def sized(size: int) -> tuple[list[dict[str, Any]], dict[str, tuple[str, bytes]]]:
        data = b"%PDF-1.4\n" + b"%" * (size - 9)
        pod["sha256"] = hashlib.sha256(data).hexdigest()
        return [invoice], {
            pod["path"]: ("pod.pdf", data),
            **{a["path"]: parts[a["path"]] for a in invoice["attachments"][1:]},
        }

    over = await harness.call("POST", DOCS, key, files=multipart(*sized(MAX_ATTACHMENT_BYTES + 1)))
    assert over.status_code == 413, over.text
    detail = over.json()["detail"]
    assert f"document 0 (invoice {invoice['id']} v{invoice['version']}) attachments[0]" in detail
    assert f"part '{pod['path']}' (pod.pdf) is over 10485760 bytes" in detail
    summary = (await harness.call("GET", "/v1/accounts/acme/summary", key)).json()
    assert summary["totals"] == {}  # nothing recorded
    assert leftovers(tmp_path / "files") == []
    assert not any((tmp_path / "files" / "acme").iterdir())

    exactly = await harness.call("POST", DOCS, key, files=multipart(*sized(MAX_ATTACHMENT_BYTES)))
    assert exactly.status_code == 202, exactly.text
    assert (tmp_path / "files" / "acme" / pod["sha256"]).stat().st_size == MAX_ATTACHMENT_BYTES


async def test_a_malformed_upload_is_refused_whole_with_its_reason(
    harness: Harness, healthy: Emulator, tmp_path: Path
) -> None:
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    values, parts = with_parts(loads=1)
    invoice = next(v for v in values if v["kind"] == "invoice")
    first = invoice["attachments"][0]["path"]
    name = f"document {values.index(invoice)} (invoice {invoice['id']} v{invoice['version']}) attachments[0]"

    wrong = dict(parts) | {first: ("pod.pdf", b"%PDF-1.4 other bytes")}
    missing = {k: v for k, v in parts.items() if k != first}
    extra = dict(parts) | {"stray": ("x.pdf", b"%PDF")}
    cases: list[tuple[Any, int, str]] = [
        (multipart(values, wrong), 400, f"{name}: part '{first}' (pod.pdf) has SHA-256 "),
        (multipart(values, missing), 400, f"{name}: no part named '{first}'"),
        (multipart(values, extra), 400, "part 'stray' is named by no attachment"),
        (list(reversed(multipart(values, parts))), 400, "comes before the 'documents' part"),
        (multipart([], {}) * 2, 400, "more than one 'documents' part"),
        ([("documents", (None, b"[{", "application/json"))], 400, "the 'documents' part: line 1: not JSON"),
    ]
    for files, status, reason in cases:
        answer = await harness.call("POST", DOCS, key, files=files)
        assert answer.status_code == status, (reason, answer.text)
        assert reason in answer.json()["detail"], answer.text
    garbage = await harness.call(
        "POST",
        DOCS,
        key,
        content=b"--x\r\nnonsense",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert garbage.status_code == 400, garbage.text
    no_boundary = await harness.call(
        "POST", DOCS, key, content=b"", headers={"Content-Type": "multipart/form-data"}
    )
    assert no_boundary.status_code == 400
    assert "boundary" in no_boundary.json()["detail"]
    # In a JSON body a path would name a file on the server: refused, with the multipart way named.
    as_json = await harness.call("POST", DOCS, key, json=values)
    assert as_json.status_code == 400
    assert "multipart/form-data" in as_json.json()["detail"]
    absolute = [dict(invoice, attachments=[dict(invoice["attachments"][0], path="/etc/passwd")])]
    sneaky = await harness.call("POST", DOCS, key, files=multipart(absolute, {}))
    assert sneaky.status_code == 400
    assert "no part named '/etc/passwd'" in sneaky.json()["detail"]
    summary = (await harness.call("GET", "/v1/accounts/acme/summary", key)).json()
    assert summary["totals"] == {}
    assert leftovers(tmp_path / "files") == []


async def test_without_a_files_folder_multipart_is_not_taken(healthy: Emulator, tmp_path: Path) -> None:
    """A service made without ``files_dir`` answers 501 to a multipart request (JSON still works)."""
    import httpx
    from cryptography.fernet import Fernet

    from tms_netsuite.accounts import Accounts, SecretBox, create_key
    from tms_netsuite.ledger import Registry
    from tms_netsuite.service import Service, create_app

    registry = await Registry.open(f"sqlite+aiosqlite:///{tmp_path / 'service.db'}")
    try:
        service = Service(Accounts(registry, SecretBox([Fernet.generate_key()], source="the test")))
        admin = (await create_key(registry, account_slug=None, read_only=False)).key
        app = create_app(service)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s.test"
        ) as client:
            headers = {"Authorization": f"Bearer {admin}"}
            added = await client.post(
                "/v1/accounts",
                headers=headers,
                json={
                    "slug": "acme",
                    "credentials": healthy.env(base_url="http://e.test"),
                    "mapping": MAPPING,
                },
            )
            values, parts = with_parts(loads=1)
            answer = await client.post(DOCS, headers=headers, files=multipart(values, parts))
    finally:
        await registry.close()
    assert added.status_code == 201, added.text
    assert answer.status_code == 501
    assert "--files-dir" in json.dumps(answer.json())


async def test_a_file_is_on_disk_while_it_is_still_arriving(
    harness: Harness, healthy: Emulator, tmp_path: Path
) -> None:
    """The request body is sent in pieces; before its last piece, the part's bytes so far are already in a
    temporary file beside the stored ones (streamed to disk, not gathered in memory)."""
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    values, _ = with_parts(loads=1)
    invoice = next(v for v in values if v["kind"] == "invoice")
    data = b"%PDF-1.4\n" + bytes(range(256)) * (6 * 4096)  # 6 MiB
    invoice["attachments"] = [
        dict(invoice["attachments"][0], path="pod", sha256=hashlib.sha256(data).hexdigest())
    ]
    boundary = "tms-boundary-7"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="documents"\r\nContent-Type: application/json\r\n\r\n'
        f"{json.dumps([invoice])}\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="pod"; filename="pod.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    seen: list[int] = []

    async def body() -> Any:
        yield head
        for start in range(0, len(data), 1024 * 1024):
            yield data[start : start + 1024 * 1024]
        partial = list((tmp_path / "files" / "acme").glob(".upload-*"))
        seen.extend(p.stat().st_size for p in partial)
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = await harness.call(
        "POST",
        DOCS,
        key,
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 202, answer.text
    assert len(seen) == 1
    assert seen[0] >= 5 * 1024 * 1024  # all but what the parser holds back to find the boundary
    assert (tmp_path / "files" / "acme" / hashlib.sha256(data).hexdigest()).read_bytes() == data
    assert leftovers(tmp_path / "files") == []
