"""`tms-netsuite export` killed while it uploads and attaches files, over a real socket to a served emulator that
drops answers: resumed, every file is in the File Cabinet once and attached once, to its own transaction."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_export_cli import DEEP, cli, killed_then_finished
from tests.integration.conftest import served_emulator
from tms_netsuite.documents import Attachment, Document, write_documents
from tms_netsuite.generate import generate
from tms_netsuite.mapping import demo_mapping_path, external_id

_PADDING = 400_000  # bytes per file: uploads take long enough for kills to land in them


def files_on_disk(tmp_path: Path, documents: list[Document]) -> list[Document]:
    """The generated paperwork moved from inline to files beside the input (and made larger)."""
    folder = tmp_path / "paperwork"
    folder.mkdir()
    moved: list[Document] = []
    for document in documents:
        attachments: tuple[Attachment, ...] = getattr(document, "attachments", None) or ()
        if not attachments:
            moved.append(document)
            continue
        replaced = []
        for attachment in attachments:
            data = (attachment.inline or b"") + b"%" * _PADDING
            path = folder / f"{document.id}-v{document.version}-{attachment.file_name}"
            path.write_bytes(data)
            replaced.append(
                attachment.model_copy(
                    update={
                        "content_base64": None,
                        "path": f"paperwork/{path.name}",
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            )
        moved.append(document.model_copy(update={"attachments": tuple(replaced)}))
    return moved


@pytest.mark.parametrize("seed", range(21, 25) if DEEP else [21])
def test_exports_killed_during_uploads_and_attaches_leave_each_file_once(tmp_path: Path, seed: int) -> None:
    documents = files_on_disk(tmp_path, list(generate(6, seed=seed, attachments=True)))
    source = tmp_path / "documents.jsonl"
    with source.open("w") as stream:
        write_documents(documents, stream)
    rng = random.Random(seed)
    account_db = tmp_path / "account.db"
    ledger = str(tmp_path / "l.db")
    with served_emulator(
        tmp_path,
        "--faults",
        "drop=0.05,5xx=0.02",
        "--seed",
        str(seed),
        "--latency-ms",
        "20",
        "--db",
        str(account_db),
    ):
        final = killed_then_finished(
            tmp_path, source, ledger, kills=8 if DEEP else 4, pause=(1.0, 3.0), rng=rng, timeout=600
        )
    summary = json.loads(final.stdout)
    assert final.returncode == 0, (final.stdout, final.stderr)
    assert summary["failed"] == summary["blocked"] == summary["pending"] == 0
    with sqlite3.connect(account_db) as store:
        names = [row[0] for row in store.execute("SELECT name FROM file")]
        links = store.execute("SELECT recordtype, record, file FROM emulator_fileattachment").fetchall()
        sizes = {row[0] for row in store.execute("SELECT filesize FROM file")}
        contents = [bytes(row[0]) for row in store.execute("SELECT content FROM emulator_filecontent")]
    latest = {(d.kind, d.id): d for d in documents}  # in TMS order: a later version replaces an earlier
    expected = {
        (document.kind, document.id, attachment.sha256)
        for document in latest.values()
        if document.status.value == "active"
        for attachment in (getattr(document, "attachments", None) or ())
    }
    assert len(names) == len(set(names))  # each file once
    assert len(links) == len({link[2] for link in links})  # each file attached once
    assert len(links) == len(expected)
    assert all(size > _PADDING for size in sizes)  # whole files: no upload cut short was kept
    assert all(content.endswith(b"%" * 100) for content in contents)


def test_inline_padding_round_trips() -> None:
    """The helper's files hold what the document says (a guard on the test itself)."""
    document = next(d for d in generate(2, seed=1, attachments=True) if getattr(d, "attachments", None))
    attachment = document.attachments[0]  # type: ignore[union-attr]
    assert hashlib.sha256(base64.b64decode(attachment.content_base64 or "")).hexdigest() == attachment.sha256


def test_a_missing_file_is_named_and_fails_alone_then_goes_after_retry(tmp_path: Path) -> None:
    """The paths are relative to the input file; a missing one is named (document, field, file) on stderr, the
    invoice exports, exit 1; once the file is in place, `retry` and a new run attach it."""
    documents = files_on_disk(tmp_path, list(generate(3, seed=8, attachments=True)))
    source = tmp_path / "documents.jsonl"
    with source.open("w") as stream:
        write_documents(documents, stream)
    latest = {(d.kind, d.id): d for d in documents}
    invoice = next(d for d in latest.values() if d.kind.value == "invoice" and d.status.value == "active")
    attachment = invoice.attachments[0]  # type: ignore[union-attr]
    moved = tmp_path / "aside.pdf"
    (tmp_path / str(attachment.path)).rename(moved)
    with served_emulator(tmp_path):
        env_file = tmp_path / "netsuite.env"
        ledger = str(tmp_path / "l.db")
        args = ("export", "--input", str(source), "--mapping", str(demo_mapping_path()), "--ledger", ledger)
        first = cli(*args, "--json", env_file=env_file)
        files = cli("status", "--files", "--ledger", ledger, env_file=env_file)
        moved.rename(tmp_path / str(attachment.path))
        retried = cli("retry", "--all", "--ledger", ledger, env_file=env_file)
        second = cli(*args[:1], *args[3:], "--json", env_file=env_file)
    summary = json.loads(first.stdout)
    assert first.returncode == 1, first.stderr
    assert (
        f"invoice {invoice.id} v{invoice.version} attachments[0] ({attachment.file_name}): no file at"
        in first.stderr
    )
    assert summary["failed"] == 1  # the attachment alone
    assert summary["files_uploaded"] > 0  # the other files went
    assert len(summary["attachment_problems"]) == 1
    assert f"invoice {invoice.id} v{invoice.version} pod: failed no file at" in files.stdout
    assert "/app/common/media/mediaitem.nl?id=" in files.stdout
    assert retried.returncode == 0, retried.stderr
    after = json.loads(second.stdout)
    assert second.returncode == 0, (second.stdout, second.stderr)
    assert (after["failed"], after["files_uploaded"], after["files_attached"]) == (0, 1, 1)


@pytest.mark.parametrize("seed", range(31, 34) if DEEP else [31])
def test_rebills_killed_while_files_are_swapped_and_detached_end_with_their_own_files(
    tmp_path: Path, seed: int
) -> None:
    """A month exported, then every invoice rebilled: half with a new POD scan, the other half without the BOL.
    Killed while it uploads, attaches and detaches, and finished: each invoice holds exactly its latest files,
    each file is in the File Cabinet once, and the replaced and dropped ones are still there."""
    documents = files_on_disk(tmp_path, list(generate(6, seed=seed, attachments=True)))
    source = tmp_path / "documents.jsonl"
    with source.open("w") as stream:
        write_documents(documents, stream)
    latest = {(d.kind, d.id): d for d in documents}
    invoices = [d for d in latest.values() if d.kind.value == "invoice" and d.status.value == "active"]
    rebills: list[Document] = []
    for index, invoice in enumerate(invoices):
        attachments = list(invoice.attachments or ())  # type: ignore[union-attr]
        if index % 2:
            attachments = [a for a in attachments if a.kind.value != "bol"]
        else:
            data = b"%PDF-1.4 rescanned " + invoice.id.encode() + b"%" * _PADDING
            path = tmp_path / "paperwork" / f"{invoice.id}-rescan.pdf"
            path.write_bytes(data)
            attachments = [
                a.model_copy(
                    update={"path": f"paperwork/{path.name}", "sha256": hashlib.sha256(data).hexdigest()}
                )
                if a.kind.value == "pod"
                else a
                for a in attachments
            ]
        rebills.append(
            invoice.model_copy(update={"version": invoice.version + 1, "attachments": tuple(attachments)})
        )
    again = tmp_path / "rebills.jsonl"
    with again.open("w") as stream:
        write_documents(rebills, stream)
    account_db = tmp_path / "account.db"
    ledger = str(tmp_path / "l.db")
    args = ("export", "--mapping", str(demo_mapping_path()), "--ledger", ledger, "--json")
    with served_emulator(
        tmp_path, "--faults", "drop=0.05", "--seed", str(seed), "--latency-ms", "20", "--db", str(account_db)
    ):
        first = cli(*args, "--input", str(source), env_file=tmp_path / "netsuite.env", timeout=600)
        with sqlite3.connect(account_db) as store:
            before = {row[0] for row in store.execute("SELECT name FROM file")}
        final = killed_then_finished(
            tmp_path,
            again,
            ledger,
            kills=6 if DEEP else 3,
            pause=(0.5, 2.0),
            rng=random.Random(seed),
            timeout=600,
        )
        status = cli("status", "--files", "--ledger", ledger, env_file=tmp_path / "netsuite.env")
    assert first.returncode == 0, (first.stdout, first.stderr)
    summary = json.loads(final.stdout)
    assert final.returncode == 0, (final.stdout, final.stderr)
    assert summary["failed"] == summary["blocked"] == summary["pending"] == 0
    with sqlite3.connect(account_db) as store:
        names = dict(store.execute("SELECT id, name FROM file").fetchall())
        links = store.execute("SELECT record, file FROM emulator_fileattachment").fetchall()
        records = dict(store.execute('SELECT externalid, id FROM "transaction"').fetchall())
    dropped = [r for i, r in enumerate(rebills) if i % 2]
    for rebill in dropped:
        assert f"invoice {rebill.id} v{rebill.version} bol: synced no file in this version" in status.stdout
    assert len(set(names.values())) == len(names)  # each file once
    assert before <= set(names.values())  # the replaced and dropped files stay in the File Cabinet
    for rebill in rebills:
        record = records[external_id(rebill.kind, rebill.id)]
        on_it = sorted(names[file].rsplit("_", 2)[-2] for r, file in links if r == record)  # the slot
        expected = sorted(a.kind.value for a in rebill.attachments or ())  # type: ignore[union-attr]
        assert on_it == expected, (rebill.id, on_it)
        rescanned = [a for a in rebill.attachments or () if a.path and "rescan" in a.path]  # type: ignore[union-attr]
        for attachment in rescanned:
            assert any(
                names[file].endswith(f"_pod_{attachment.sha256[:16]}.pdf") for r, file in links if r == record
            )
