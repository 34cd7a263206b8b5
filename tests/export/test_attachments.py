"""Files on transactions, generator → validation → export → emulator: every file uploaded once into its folder
and attached once to the transaction its document became; bad files fail alone; a rebill with a changed file
swaps it; dropped answers during upload and attach leave each file once, attached once."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from netsuite_emulator import Emulator
from tests.export.test_engine_emulator import export, invoice_and_customer
from tms_netsuite.documents import (
    MAX_ATTACHMENT_BYTES,
    Accepted,
    Attachment,
    AttachmentKind,
    Document,
    Kind,
    read_documents,
    write_documents,
)
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
        requests = emulator.stats().served
    with Emulator.from_scenario("healthy") as emulator:  # the same documents without the file
        await export(emulator, tmp_path / "bare.db", [customer, invoice])
        bare = emulator.stats().served
    assert run.counts == {State.SYNCED: 2, State.FAILED: 1}
    assert folders == 0  # refused before even the folder was looked up or made
    assert run.report.files_uploaded == 0
    assert requests == bare  # not one request for the file: no look-up, no folder, no upload


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


def with_files(document: Document, files: Sequence[tuple[AttachmentKind, bytes]]) -> Document:
    made = [with_file(document, kind, data).attachments[0] for kind, data in files]  # type: ignore[union-attr]
    return document.model_copy(update={"attachments": tuple(made) or None})


async def test_a_rebill_without_a_file_detaches_it_and_a_later_one_with_it_attaches_it_again(
    tmp_path: Path,
) -> None:
    """The BOL dropped from version 2 is detached from the invoice (and stays in the File Cabinet); version 3
    brings it back: the same file, found in NetSuite, is attached again without a second upload."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    pod, bol = (AttachmentKind.POD, b"%PDF-1.4 signed pod"), (AttachmentKind.BOL, b"%PDF-1.4 bill of lading")
    with Emulator.from_scenario("healthy") as emulator:
        await export(emulator, tmp_path / "ledger.db", [customer, with_files(invoice, [pod, bol])])
        record = transaction_id(emulator, Kind.INVOICE, invoice.id)
        before = files(emulator)
        v2 = with_files(invoice.model_copy(update={"version": 2}), [pod])
        second = await export(emulator, tmp_path / "ledger.db", [v2])
        links_v2 = attached(emulator)
        v3 = with_files(invoice.model_copy(update={"version": 3}), [pod, bol])
        third = await export(emulator, tmp_path / "ledger.db", [v3])
        links_v3 = attached(emulator)
        after = files(emulator)
    pod_file, bol_file = (
        next(f["id"] for f in before if f"_{slot}_" in f["name"]) for slot in ("pod", "bol")
    )
    assert links_v2 == [("invoice", record, pod_file)]
    assert (second.report.files_uploaded, second.report.files_attached, second.report.files_detached) == (
        0,
        0,
        1,
    )
    assert second.counts.get(State.FAILED, 0) == 0
    assert links_v3 == sorted([("invoice", record, pod_file), ("invoice", record, bol_file)])
    assert (third.report.files_uploaded, third.report.files_attached, third.report.files_detached) == (
        0,
        1,
        0,
    )
    assert after == before  # nothing deleted from the File Cabinet, nothing uploaded twice


async def test_a_file_dropped_before_its_first_export_is_never_sent(tmp_path: Path) -> None:
    """Versions 1 and 2 arrive together, version 2 without the BOL: the BOL's row is superseded by the removal,
    so only the POD goes (nothing is uploaded only to be detached)."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    pod, bol = (AttachmentKind.POD, b"%PDF-1.4 signed pod"), (AttachmentKind.BOL, b"%PDF-1.4 bill of lading")
    v1 = with_files(invoice, [pod, bol])
    v2 = with_files(invoice.model_copy(update={"version": 2}), [pod])
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", [customer, v1, v2])
        names = [f["name"] for f in files(emulator)]
        links = attached(emulator)
    assert ["_pod_" in name for name in names] == [True]
    assert len(links) == 1
    assert (run.report.files_uploaded, run.report.files_attached, run.report.files_detached) == (1, 1, 0)


async def test_a_late_older_version_brings_back_no_file(tmp_path: Path) -> None:
    """Version 2 (no BOL) is exported, then version 1 (with the BOL) arrives late: its files are not sent."""
    invoice, customer = invoice_and_customer(list(generate(6, seed=2)))
    pod, bol = (AttachmentKind.POD, b"%PDF-1.4 signed pod"), (AttachmentKind.BOL, b"%PDF-1.4 bill of lading")
    v2 = with_files(invoice.model_copy(update={"version": 2}), [pod])
    with Emulator.from_scenario("healthy") as emulator:
        await export(emulator, tmp_path / "ledger.db", [customer, v2])
        late = await export(emulator, tmp_path / "ledger.db", [with_files(invoice, [pod, bol])])
        names = [f["name"] for f in files(emulator)]
    assert ["_pod_" in name for name in names] == [True]
    assert late.report.files_uploaded == late.report.files_attached == 0


@pytest.mark.parametrize("seed", [4, 5, 6])
async def test_dropped_answers_during_a_rebills_attach_and_detach_leave_only_its_files_attached(
    tmp_path: Path, seed: int
) -> None:
    """Rebills with a changed POD and a dropped BOL, exported while NetSuite loses answers (the attach or
    detach done, its answer lost: the outcome unknown, sent again): each invoice ends with exactly its latest
    files attached, each file once in the File Cabinet."""
    documents = list(generate(5, seed=seed))
    latest = {d.id: d for d in documents if d.kind is Kind.INVOICE}  # one version of each invoice
    invoices = [d for d in latest.values() if d.status.value == "active"][:4]
    others = [d for d in documents if d.kind is not Kind.INVOICE]
    pod = (AttachmentKind.POD, b"%PDF-1.4 first scan")
    bol = (AttachmentKind.BOL, b"%PDF-1.4 bill of lading")
    clearer = (AttachmentKind.POD, b"%PDF-1.4 clearer scan")
    firsts = [with_files(d, [pod, bol]) for d in invoices]
    rebills = [
        with_files(d.model_copy(update={"version": d.version + 1}), [clearer] if i % 2 else [pod])
        for i, d in enumerate(invoices)
    ]
    faults = {"drop": 0.3, "5xx": 0.05}
    with Emulator.from_scenario("healthy", faults=faults, seed=seed) as emulator:
        await export(emulator, tmp_path / "ledger.db", [*others, *firsts], max_wait=timedelta(hours=2))
        run = await export(emulator, tmp_path / "ledger.db", rebills, max_wait=timedelta(hours=2))
        uploaded, links = files(emulator), attached(emulator)
        by_invoice = {d.id: transaction_id(emulator, Kind.INVOICE, d.id) for d in invoices}
        injected = emulator.stats().faults
    assert injected.get("drop", 0) > 0
    assert set(run.counts) <= {State.SYNCED, State.SKIPPED, State.SUPERSEDED, State.VOID}, run.counts
    names = {f["id"]: f["name"] for f in uploaded}
    assert len(set(names.values())) == len(names)
    digest = {data: hashlib.sha256(data).hexdigest()[:16] for _, data in (pod, bol, clearer)}
    for i, document in enumerate(invoices):
        on_it = sorted(names[file] for _, record, file in links if record == by_invoice[document.id])
        scan = clearer[1] if i % 2 else pod[1]
        assert [name.endswith(f"_pod_{digest[scan]}.pdf") for name in on_it] == [True], (document.id, on_it)


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


async def test_every_kind_that_carries_files_gets_them_on_its_transaction(tmp_path: Path) -> None:
    """Generator → JSON Lines → validation → export → emulator for the kinds the generator leaves without files:
    an owner-operator's settlement (a vendor bill), a credit memo and a vendor credit, each with a file attached to
    the record it became (invoices and carrier bills: the month test above)."""
    month = list(generate(40, seed=2))
    latest = {(d.kind, d.id): d for d in month}
    picked = {
        kind: next(
            d
            for d in latest.values()
            if d.kind is kind and d.status.value == "active" and getattr(d, "driver_type", "") != "company"
        )
        for kind in (Kind.DRIVER_SETTLEMENT, Kind.CREDIT_MEMO, Kind.VENDOR_CREDIT)
    }
    carrying = {
        kind: with_file(
            d.model_copy(update={"version": d.version + 1}),
            AttachmentKind.OTHER,
            f"%PDF {kind.value}".encode(),
        )
        for kind, d in picked.items()
    }
    text = io.StringIO()
    write_documents([*month, *carrying.values()], text)
    read = list(read_documents(text.getvalue().splitlines()))
    assert all(isinstance(r, Accepted) for r in read)
    documents = [r.document for r in read if isinstance(r, Accepted)]
    with Emulator.from_scenario("healthy") as emulator:
        run = await export(emulator, tmp_path / "ledger.db", documents)
        links = attached(emulator)
        records = {kind: transaction_id(emulator, kind, d.id) for kind, d in carrying.items()}
        types = {
            kind: emulator.store.query('SELECT recordtype FROM "transaction" WHERE id = ?', (records[kind],))[
                0
            ][0]
            for kind in carrying
        }
    assert run.counts.get(State.FAILED, 0) == 0, run.counts
    assert types == {
        Kind.DRIVER_SETTLEMENT: "vendorbill",
        Kind.CREDIT_MEMO: "creditmemo",
        Kind.VENDOR_CREDIT: "vendorcredit",
    }
    assert sorted((t, r) for t, r, _ in links) == sorted((types[k], records[k]) for k in carrying)
    assert run.report.files_uploaded == run.report.files_attached == 3
