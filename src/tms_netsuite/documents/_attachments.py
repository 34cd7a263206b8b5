"""Files a transaction carries to NetSuite: the signed proof of delivery, the bill of lading, the rate
confirmation.

The document says what the file is and where its bytes are (a path relative to the JSON Lines file, or bounded
base64 inline) with its SHA-256; it does not hold the file. Whether the bytes are there, match the hash, are of a
type the connector uploads and fit NetSuite's 10 MB per request is checked when the document is ingested: a
file that fails waits as a failed attachment with its reason, and the document's records export all the same.
"""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from tms_netsuite.documents._common import Frozen

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""NetSuite's document service takes at most 10 MB per request (Oracle, "Working with File Cabinet Records in
REST Web Services"); the connector reads that as 10 MiB of file."""
MAX_INLINE_BYTES = 512 * 1024
"""Inline content is for small files (a scanned page); larger ones go by path, so the ledger stays small."""
MAX_ATTACHMENTS = 20

# The files a billing clerk attaches, by MIME type: NetSuite's file type and the extensions that go with it.
# NetSuite types a File Cabinet file by its extension (Oracle, "Uploading Files to the File Cabinet"); the
# connector uploads documents and images only, and refuses other types before any request.
CONTENT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("PDF", ("pdf",)),
    "image/png": ("PNGIMAGE", ("png",)),
    "image/jpeg": ("JPGIMAGE", ("jpg", "jpeg")),
    "image/gif": ("GIFIMAGE", ("gif",)),
    "image/tiff": ("TIFFIMAGE", ("tif", "tiff")),
    "text/plain": ("PLAINTEXT", ("txt",)),
    "text/csv": ("CSV", ("csv",)),
    "application/msword": ("WORD", ("doc",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("WORD", ("docx",)),
    "application/vnd.ms-excel": ("EXCEL", ("xls",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("EXCEL", ("xlsx",)),
}


class AttachmentKind(StrEnum):
    """What a file is to the freight paperwork."""

    POD = "pod"  # signed proof of delivery
    BOL = "bol"  # bill of lading
    RATE_CONFIRMATION = "rate_confirmation"
    LUMPER_RECEIPT = "lumper_receipt"
    INVOICE = "invoice"  # the carrier's own invoice, or a copy of ours
    OTHER = "other"


FileName = Annotated[
    str,
    StringConstraints(min_length=3, max_length=180, pattern=r"^[^/\\:*?\"<>|\x00-\x1f]+\.[A-Za-z0-9]{1,8}$"),
]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ContentType = Annotated[
    str, StringConstraints(max_length=127, pattern=r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$")
]
RelativePath = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class Attachment(Frozen):
    """One file attached to the NetSuite transaction a document becomes."""

    kind: AttachmentKind
    file_name: FileName = Field(description="The name a person knows the file by, with its extension.")
    content_type: ContentType = Field(description="MIME type, e.g. application/pdf.")
    sha256: Sha256 = Field(description="SHA-256 of the file's bytes, lower-case hex.")
    path: RelativePath | None = Field(
        default=None, description="Where the bytes are, relative to the JSON Lines file (or absolute)."
    )
    content_base64: str | None = Field(
        default=None,
        max_length=(MAX_INLINE_BYTES + 2) // 3 * 4,
        description=f"The bytes inline, base64 (at most {MAX_INLINE_BYTES} bytes once decoded).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Attachment:
        if (self.path is None) == (self.content_base64 is None):
            raise PydanticCustomError("attachment_source", "give exactly one of path and content_base64", {})
        if self.path is not None and ".." in PurePosixPath(self.path.replace("\\", "/")).parts:
            raise PydanticCustomError("attachment_path", "a path may not climb out with '..'", {})
        if self.content_base64 is not None:
            try:
                base64.b64decode(self.content_base64, validate=True)
            except (binascii.Error, ValueError):
                raise PydanticCustomError(
                    "attachment_base64", "content_base64 is not valid base64", {}
                ) from None
        return self

    @property
    def extension(self) -> str:
        return PureWindowsPath(self.file_name).suffix.lstrip(".").lower()

    @property
    def inline(self) -> bytes | None:
        """The inline bytes, if the content is inline."""
        return None if self.content_base64 is None else base64.b64decode(self.content_base64)


def attachment_problem(attachment: Attachment) -> str | None:
    """Why the connector will not upload this file whatever its bytes (its type), or None."""
    known = CONTENT_TYPES.get(attachment.content_type)
    if known is None:
        allowed = ", ".join(sorted(CONTENT_TYPES))
        return (
            f"content type {attachment.content_type} is not one the connector uploads to NetSuite ({allowed})"
        )
    if attachment.extension not in known[1]:
        return (
            f"file name {attachment.file_name!r} does not end in .{' or .'.join(known[1])}, as "
            f"{attachment.content_type} needs (NetSuite types a file by its extension)"
        )
    return None


def netsuite_file_type(content_type: str) -> str:
    """NetSuite's file type for a content type the connector uploads."""
    return CONTENT_TYPES[content_type][0]
