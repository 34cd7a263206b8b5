"""Files on transactions, generator → validation → export → emulator: every file uploaded once into its folder
and attached once to the transaction its document became; bad files fail alone; a rebill with a changed file
swaps it; dropped answers during upload and attach leave each file once, attached once."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from netsuite_emulator import Emulator
from tests.export.test_engine_emulator import export, invoice_and_customer
from tms_netsuite.documents import MAX_ATTACHMENT_BYTES, Attachment, AttachmentKind, Document, Kind
from tms_netsuite.export._attachments import AttachmentRefused, check_source, file_name
from tms_netsuite.generate import generate
from tms_netsuite.ledger import Ledger, State
from tms_netsuite.mapping import external_id

pytestmark = pytest.mark.anyio


def files(emulator: Emulator) -> list[dict[str, Any]]:
    return [dict(r) for r in emulator.store.query("SELECT id, name, folder, filesize FROM file ORDER BY id")]


def attached(emulator: Emulator) -> list[tuple[str, int, int]]:
    rows = emulator.store.query(
        "SELECT a.recordtype, a.record, a.file FROM emulator_fileattachment a ORDER BY a.record, a.file"
    )
    return [(r[0], int(r[1]), int(r[2])) for r in rows]


def transaction_id(emulator: Emulator, kind: Kind, tms_id: str) -> int:
    rows = emulator.store.query(
        'SELECT id FROM "transaction" WHERE externalid = ?', (external_id(kind, tms_id),)
    )
    return int(rows[0][0])


def with_file(document: Document, kind: AttachmentKind, data: bytes, path: Path | None = None) -> Document:
    source: dict[str, Any] = (
        {"path": str(path)} if path is not None else {"content_base64": base64.b64encode(data).decode()}
    )
    attachment = Attachment(
        kind=kind,
        file_name=f"{kind.value}.pdf",
        content_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        **source,
    )
    return document.model_copy(update={"attachments": (attachment,)})


async def test_a_month_with_paperwork_lands_each_file_once_on_its_transaction(tmp_path: Path) -> None:
    documents = list(generate(8, seed=4, attachments=True))
    carrying = [d for d in documents if getattr(d, "attachments", None) and d.status.value == "active"]
    assert {d.kind for d in carrying} == {Kind.INVOICE, Kind.CARRIER_BILL}
    with Emulator.from_scenario("healthy") as emulator:
        first = await export(emulator, tmp_path / "ledger.db", documents)
        uploaded, links = files(emulator), attached(emulator)
        folders = [
            tuple(r) for r in emulator.store.query("SELECT id, name, parent FROM mediaitemfolder ORDER BY id")
        ]
        again = await export(
            emulator, tmp_path / "fresh.db", documents
        )  # a fresh ledger finds them in NetSuite
        assert files(emulator) == uploaded
        assert attached(emulator) == links
        invoice = next(d for d in carrying if d.kind is Kind.INVOICE)
        invoice_record = transaction_id(emulator, Kind.INVOICE, invoice.id)
    assert first.counts.get(State.FAILED, 0) == 0, first.counts
    assert first.counts.get(State.BLOCKED, 0) == 0, first.counts
    names = [f["name"] for f in uploaded]
    assert len(names) == len(set(names))
    assert [f[1] for f in folders] == ["TMS Documents", "2026", "10"]
    assert {f["folder"] for f in uploaded} == {folders[-1][0]}
    # One attachment per file; each invoice has its POD and BOL, each carrier bill its rate confirmation.
    assert len(links) == len({link[2] for link in links})
    on_invoice = [link for link in links if link[1] == invoice_record]
    assert len(on_invoice) == 2
    assert first.report.files_uploaded == len(uploaded)
    assert (again.report.files_uploaded, again.report.created) == (0, 0)


async def test_bad_files_fail_alone_and_name_their_document_and_field(tmp_path: Path) -> None:
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    good = tmp_path / "pod.pdf"
    good.write_bytes(b"%PDF-1.4 signed")
    wrong = with_file(invoice, AttachmentKind.POD, b"%PDF-1.4 other bytes", good)  # hash of other bytes
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", [customer, wrong])
        assert files(emulator) == []
        ledger = await Ledger.open(
            f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}", emulator.account_id, "production"
        )
        try:
            failed = [row async for row in ledger.rows(state=State.FAILED)]
        finally:
            await ledger.close()
    assert run.counts == {State.SYNCED: 2, State.FAILED: 1}  # the invoice and its customer are in NetSuite
    assert [(r.kind, r.tms_id) for r in failed] == [("attachment", f"invoice:{invoice.id}:pod")]
    assert failed[0].error is not None
    assert failed[0].error.code == "INVALID_ATTACHMENT"
    assert "SHA-256" in (failed[0].error.detail or "")


async def test_a_file_one_byte_over_ten_megabytes_is_refused_before_any_request(tmp_path: Path) -> None:
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    big = tmp_path / "big.pdf"
    data = b"%" * (MAX_ATTACHMENT_BYTES + 1)
    big.write_bytes(data)
    document = with_file(invoice, AttachmentKind.POD, data, big)
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", [customer, document])
        folders = emulator.store.query("SELECT COUNT(*) FROM mediaitemfolder")[0][0]
        assert files(emulator) == []
    assert run.counts == {State.SYNCED: 2, State.FAILED: 1}
    assert folders == 0  # refused before even the folder was looked up or made
    assert run.report.files_uploaded == 0


async def test_a_rebill_with_a_changed_file_attaches_the_new_and_detaches_the_old(tmp_path: Path) -> None:
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    v1 = with_file(invoice, AttachmentKind.POD, b"%PDF-1.4 first scan")
    v2 = with_file(invoice.model_copy(update={"version": 2}), AttachmentKind.POD, b"%PDF-1.4 clearer scan")
    with Emulator.from_scenario("healthy") as emulator:
        await export(emulator, tmp_path / "ledger.db", [customer, v1])
        record = transaction_id(emulator, Kind.INVOICE, invoice.id)
        [old] = files(emulator)
        assert attached(emulator) == [("invoice", record, old["id"])]
        second = await export(emulator, tmp_path / "ledger.db", [v2])
        after = files(emulator)
        links = attached(emulator)
        same = await export(emulator, tmp_path / "ledger.db", [v2.model_copy(update={"version": 3})])
        assert attached(emulator) == links
    assert after[0]["id"] == old["id"]  # the old file stays in the File Cabinet
    assert len(after) == 2
    assert links == [("invoice", record, after[1]["id"])]
    assert (second.report.files_attached, second.report.files_detached) == (1, 1)
    assert (same.report.files_uploaded, same.report.files_attached, same.report.files_detached) == (0, 0, 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_dropped_answers_during_upload_and_attach_leave_each_file_once_attached_once(
    tmp_path: Path, seed: int
) -> None:
    documents: Sequence[Document] = list(generate(5, seed=seed, attachments=True))
    faults = {"drop": 0.25, "5xx": 0.05}
    with Emulator.from_scenario("healthy", faults=faults, seed=seed) as emulator:
        run = await export(emulator, tmp_path / "ledger.db", documents, max_wait=timedelta(hours=2))
        uploaded, links = files(emulator), attached(emulator)
        injected = emulator.stats().faults
    assert set(run.counts) <= {State.SYNCED, State.SKIPPED, State.SUPERSEDED, State.VOID}, run.counts
    assert injected.get("drop", 0) > 0
    names = [f["name"] for f in uploaded]
    assert len(names) == len(set(names))
    assert len(links) == len(uploaded) == len({(link[0], link[1], link[2]) for link in links})
    expected = sum(
        len(d.attachments or ())  # type: ignore[union-attr]
        for d in {
            (d.kind, d.id): d for d in documents if d.kind in (Kind.INVOICE, Kind.CARRIER_BILL)
        }.values()
        if d.status.value == "active"
    )
    assert len(links) == expected


def _payload(**extra: Any) -> dict[str, Any]:
    return {
        "document": {"kind": "invoice", "id": "INV/7 a", "version": 1},
        "slot": "pod",
        "kind": "pod",
        "file_name": "Pod.PDF",
        "content_type": "application/pdf",
        "sha256": hashlib.sha256(b"%PDF ok").hexdigest(),
        **extra,
    }


def test_sources_are_checked_for_presence_size_hash_and_type(tmp_path: Path) -> None:
    ok = base64.b64encode(b"%PDF ok").decode()
    assert check_source(_payload(content_base64=ok)) == len(b"%PDF ok")
    refusals = {
        "wrong hash": _payload(content_base64=base64.b64encode(b"%PDF other").decode()),
        "missing": _payload(path=str(tmp_path / "nowhere.pdf")),
        "type": _payload(content_base64=ok, content_type="application/zip", file_name="pod.zip"),
    }
    reasons = {}
    for name, payload in refusals.items():
        with pytest.raises(AttachmentRefused) as refused:
            check_source(payload)
        reasons[name] = str(refused.value)
    assert "SHA-256" in reasons["wrong hash"]
    assert "no file at" in reasons["missing"]
    assert "not one the connector uploads" in reasons["type"]


def test_file_names_are_made_of_document_slot_and_hash() -> None:
    name = file_name(_payload(content_base64=""))
    digest = hashlib.sha256(b"%PDF ok").hexdigest()
    assert name.startswith("invoice_INV_7_a-")  # unsafe characters replaced, the id's hash keeps ids apart
    assert name.endswith(f"_pod_{digest[:16]}.pdf")
    assert file_name(_payload(content_base64="")) == name


async def test_a_company_drivers_settlement_skips_its_files(tmp_path: Path) -> None:
    """Payroll pays company drivers: their settlements become no vendor bill, so their files are skipped with
    the reason rather than blocked for good."""
    documents = list(generate(40, seed=2))
    settlement = next(
        d
        for d in documents
        if d.kind is Kind.DRIVER_SETTLEMENT and getattr(d, "driver_type", "") == "company"
    )
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(
            emulator, tmp_path / "ledger.db", [with_file(settlement, AttachmentKind.OTHER, b"%PDF x")]
        )
        assert files(emulator) == []
    assert run.counts == {State.SKIPPED: 2}
