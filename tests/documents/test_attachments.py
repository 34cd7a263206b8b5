"""Attachments on documents: the schema's rules, the types the connector uploads, and the generator's PDFs."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from tms_netsuite.documents import (
    Attachment,
    AttachmentKind,
    CarrierBill,
    InvalidDocument,
    Invoice,
    Kind,
    attachment_problem,
    dump_document,
    json_schema,
    validate_document,
)
from tms_netsuite.generate import generate

PDF = b"%PDF-1.4 signed"


def _invoice(**attachment: Any) -> dict[str, Any]:
    document = next(d for d in generate(3, seed=1) if d.kind is Kind.INVOICE)
    body: dict[str, Any] = json.loads(dump_document(document))
    base = {"kind": "pod", "file_name": "pod.pdf", "content_type": "application/pdf", "sha256": "a" * 64}
    body["attachments"] = [base | attachment]
    return body


def test_an_attachment_by_path_or_inline_is_valid() -> None:
    by_path = validate_document(_invoice(path="pods/pod.pdf"))
    inline = validate_document(_invoice(content_base64=base64.b64encode(PDF).decode()))
    assert isinstance(by_path, Invoice)
    assert by_path.attachments is not None
    assert by_path.attachments[0].path == "pods/pod.pdf"
    assert isinstance(inline, Invoice)
    assert inline.attachments is not None
    assert inline.attachments[0].inline == PDF


@pytest.mark.parametrize(
    ("attachment", "field"),
    [
        ({}, "$.attachments[0]"),  # neither source
        ({"path": "a.pdf", "content_base64": "JVBERg=="}, "$.attachments[0]"),  # both
        ({"path": "../../etc/passwd"}, "$.attachments[0]"),
        ({"path": "a.pdf", "sha256": "ABC"}, "$.attachments[0].sha256"),
        ({"path": "a.pdf", "file_name": "no-extension"}, "$.attachments[0].file_name"),
        ({"path": "a.pdf", "file_name": "a/b.pdf"}, "$.attachments[0].file_name"),
        ({"content_base64": "%%%"}, "$.attachments[0]"),
        ({"content_base64": "A" * (700 * 1024)}, "$.attachments[0].content_base64"),  # over 512 KiB inline
        ({"path": "a.pdf", "kind": "selfie"}, "$.attachments[0].kind"),
    ],
)
def test_structural_mistakes_reject_the_line_naming_the_field(attachment: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidDocument) as raised:
        validate_document(_invoice(**attachment))
    assert field in str(raised.value)


def test_documents_without_attachments_dump_as_before() -> None:
    document = next(d for d in generate(3, seed=1) if d.kind is Kind.INVOICE)
    assert "attachments" not in dump_document(document)  # a ledger's content hashes do not change
    assert "attachments" in json.dumps(json_schema())


@pytest.mark.parametrize(
    ("content_type", "file_name", "problem"),
    [
        ("application/pdf", "pod.pdf", None),
        ("image/jpeg", "pod.JPG", None),
        ("application/x-msdownload", "pod.exe", "not one the connector uploads"),
        ("application/pdf", "pod.png", "does not end in .pdf"),
    ],
)
def test_types_the_connector_uploads(content_type: str, file_name: str, problem: str | None) -> None:
    attachment = Attachment(
        kind=AttachmentKind.POD, file_name=file_name, content_type=content_type, sha256="a" * 64, path="x"
    )
    found = attachment_problem(attachment)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_the_generator_adds_paperwork_without_changing_the_month() -> None:
    plain = list(generate(6, seed=3))
    with_files = list(generate(6, seed=3, attachments=True))
    assert len(plain) == len(with_files)
    for before, after in zip(plain, with_files, strict=True):
        assert before.model_copy(update={"attachments": None}) == after.model_copy(
            update={"attachments": None}
        )
        kinds = [a.kind for a in getattr(after, "attachments", None) or ()]
        if isinstance(after, Invoice):
            assert kinds == [AttachmentKind.POD, AttachmentKind.BOL]
        elif isinstance(after, CarrierBill):
            assert kinds == [AttachmentKind.RATE_CONFIRMATION]
        else:
            assert kinds == []
        for attachment in getattr(after, "attachments", None) or ():
            data = attachment.inline or b""
            assert data.startswith(b"%PDF-1.4")
            assert data.endswith(b"%%EOF\n")
            assert hashlib.sha256(data).hexdigest() == attachment.sha256
            assert attachment_problem(attachment) is None
    again = list(generate(6, seed=3, attachments=True))
    assert [dump_document(d) for d in again] == [dump_document(d) for d in with_files]
