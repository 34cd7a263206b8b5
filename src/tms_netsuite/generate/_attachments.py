"""The paperwork of a load as small PDFs: a signed proof of delivery and the bill of lading with each invoice,
the rate confirmation with each carrier bill. Built from the document alone (no draws from the month's random
stream), so a month with attachments has the same loads, amounts and ids as one without; the bytes are the same
for the same document, so a later version of an invoice carries the very same POD."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

from tms_netsuite.documents import Attachment, AttachmentKind, CarrierBill, Document, Invoice

_TITLES = {
    AttachmentKind.POD: "PROOF OF DELIVERY",
    AttachmentKind.BOL: "STRAIGHT BILL OF LADING",
    AttachmentKind.RATE_CONFIRMATION: "CARRIER RATE CONFIRMATION",
}


def with_attachments(documents: Iterator[Document]) -> Iterator[Document]:
    """The documents, invoices and carrier bills carrying their paperwork inline."""
    for document in documents:
        if isinstance(document, Invoice):
            lines = [
                f"Load {document.references.load_number}",
                f"Consignee: {document.customer.name}",
                f"BOL {document.references.bol or '-'}",
                f"Delivered: {document.date.isoformat()}",
            ]
            yield document.model_copy(
                update={
                    "attachments": (
                        _attachment(
                            document.id,
                            AttachmentKind.POD,
                            [*lines, "Received in good order. Signed: J. Smith"],
                        ),
                        _attachment(
                            document.id, AttachmentKind.BOL, [*lines, f"Shipper ref {document.number}"]
                        ),
                    )
                }
            )
        elif isinstance(document, CarrierBill):
            lines = [
                f"Load {document.load_number}, trip {document.trip_number}",
                f"Carrier: {document.carrier.name}",
                f"All-in rate: {sum(line.amount.amount for line in document.lines)} {document.currency}",
                "Accepted by carrier dispatch",
            ]
            yield document.model_copy(
                update={"attachments": (_attachment(document.id, AttachmentKind.RATE_CONFIRMATION, lines),)}
            )
        else:
            yield document


def _attachment(document_id: str, kind: AttachmentKind, lines: list[str]) -> Attachment:
    data = pdf(_TITLES[kind], lines)
    return Attachment(
        kind=kind,
        file_name=f"{document_id}-{kind.value.replace('_', '-')}.pdf",
        content_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        content_base64=base64.b64encode(data).decode("ascii"),
    )


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with a title and lines of text (Helvetica), byte-for-byte the same for the same text."""

    def text(value: str) -> str:
        return (
            value.encode("latin-1", "replace")
            .decode("latin-1")
            .replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
        )

    body = [f"BT /F1 16 Tf 72 720 Td ({text(title)}) Tj ET"]
    for number, line in enumerate(lines):
        body.append(f"BT /F1 11 Tf 72 {690 - 18 * number} Td ({text(line)}) Tj ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
