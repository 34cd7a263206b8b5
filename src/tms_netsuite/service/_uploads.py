"""Documents with their files in one ``multipart/form-data`` request: a ``documents`` part first (a JSON array, or
NDJSON by its content type), then one part per file, which an attachment names by its ``path``.

Each file is streamed to a temporary file beside the account's stored files as it arrives, hashed on the way, and
kept under its SHA-256 once whole (never held in memory); a file over NetSuite's 10 MB per document-service
request is refused as soon as its 10,485,761st byte arrives, naming the document and field that reference it.
The documents are then ingested with each such ``path`` replaced by the stored file's, so the export reads it
from disk as it reads files named in a JSON Lines file. Anything wrong refuses the whole request and records
nothing: the TMS sends it again corrected.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header

from tms_netsuite.documents import MAX_ATTACHMENT_BYTES

DOCUMENTS_PART = "documents"
MAX_FILES = 100
"""File parts a request may carry."""
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""A whole multipart request: the documents and every file, with the parts' headers."""


class UploadRefused(Exception):
    """The request is refused as a whole (HTTP ``status``, ``detail``); nothing was recorded."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Reference:
    """An attachment that names a part: the document (by its index in the documents part) and field."""

    index: int
    document: str  # "invoice INV-1 v2"
    field: str  # "attachments[0]"
    sha256: str

    def __str__(self) -> str:
        return f"document {self.index} ({self.document}) {self.field}"


@dataclass(slots=True)
class _File:
    name: str
    file_name: str
    stream: IO[bytes]
    digest: Any = field(default_factory=hashlib.sha256)
    size: int = 0


def path_references(values: list[Any]) -> dict[str, list[Reference]]:
    """The attachments that name a file by ``path``, by that path (in a multipart request: the part's name)."""
    found: dict[str, list[Reference]] = {}
    for index, value in enumerate(values):
        if not isinstance(value, dict) or not isinstance(value.get("attachments"), list):
            continue
        document = f"{value.get('kind')} {value.get('id')} v{value.get('version')}"
        for position, attachment in enumerate(value["attachments"]):
            if isinstance(attachment, dict) and isinstance(attachment.get("path"), str):
                reference = Reference(
                    index, document, f"attachments[{position}]", str(attachment.get("sha256"))
                )
                found.setdefault(attachment["path"], []).append(reference)
    return found


class MultipartDocuments:
    """One multipart request read into documents whose file parts are stored in ``folder``.

    Args:
        folder: where the account's files are kept (made if missing).
        parse: the documents part's bytes and content type → the documents as JSON values (raising the HTTP
            error the JSON route raises for text that is not JSON).
        max_documents_bytes: the documents part's limit (the JSON route's body limit).
    """

    def __init__(
        self, folder: Path, parse: Callable[[bytes, str], list[Any]], *, max_documents_bytes: int
    ) -> None:
        self._folder = folder
        self._parse = parse
        self._max_documents = max_documents_bytes
        self._values: list[Any] | None = None
        self._references: dict[str, list[Reference]] = {}
        self._stored: dict[str, Path] = {}
        self._headers: dict[str, str] = {}
        self._header_field = b""
        self._header_value = b""
        self._documents: bytearray | None = None
        self._documents_type = ""
        self._file: _File | None = None
        self._parts = 0

    async def read(self, content_type: str, chunks: AsyncIterator[bytes]) -> list[Any]:
        """The documents, each attachment's ``path`` now the stored file's.

        Raises:
            UploadRefused: a malformed request, a missing, extra, unreferenced or oversized part, a file whose
                SHA-256 is not the one its document gives.
        """
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary:
            raise UploadRefused(400, "a multipart/form-data request needs a boundary in its Content-Type")
        self._folder.mkdir(parents=True, exist_ok=True)
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_header_field": self._header_field_data,
                "on_header_value": self._header_value_data,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
            },
            max_header_count=8,
        )
        received = 0
        try:
            async for chunk in chunks:
                received += len(chunk)
                if received > MAX_UPLOAD_BYTES:
                    raise UploadRefused(413, f"the request is larger than {MAX_UPLOAD_BYTES} bytes: split it")
                parser.write(chunk)
            parser.finalize()
        except UploadRefused:
            self._discard()
            raise
        except (
            Exception
        ) as exc:  # python-multipart's errors on malformed input (MultipartParseError and others)
            self._discard()
            raise UploadRefused(400, f"not a well-formed multipart/form-data body ({exc})") from None
        if self._file is not None:
            self._discard()
            raise UploadRefused(400, "the body ends inside a part")
        if self._values is None:
            raise UploadRefused(
                400, f"no '{DOCUMENTS_PART}' part: it holds the documents (a JSON array or NDJSON)"
            )
        missing = [(name, refs) for name, refs in self._references.items() if name not in self._stored]
        if missing:
            name, refs = missing[0]
            raise UploadRefused(
                400,
                f"{refs[0]}: no part named '{name}' (in a multipart request an attachment's path names its part)",
            )
        for value in self._values:
            if isinstance(value, dict) and isinstance(value.get("attachments"), list):
                for attachment in value["attachments"]:
                    if isinstance(attachment, dict) and isinstance(attachment.get("path"), str):
                        attachment["path"] = str(self._stored[attachment["path"]])
        return self._values

    # -- the parser's callbacks ----------------------------------------------------------------------------

    def _part_begin(self) -> None:
        self._headers = {}
        self._parts += 1

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.decode("latin-1").lower()] = self._header_value.decode("latin-1")
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", ""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        file_name = options.get(b"filename", b"").decode("utf-8", "replace")
        if not name:
            raise UploadRefused(
                400, f"part {self._parts} has no name (Content-Disposition: form-data; name=…)"
            )
        if name == DOCUMENTS_PART:
            if self._values is not None or self._documents is not None:
                raise UploadRefused(400, f"more than one '{DOCUMENTS_PART}' part")
            self._documents = bytearray()
            self._documents_type = self._headers.get("content-type", "application/json")
            return
        if self._values is None:
            raise UploadRefused(
                400, f"part '{name}' comes before the '{DOCUMENTS_PART}' part: send the documents first"
            )
        if name not in self._references:
            raise UploadRefused(
                400, f"part '{name}' is named by no attachment (an attachment's path names its part)"
            )
        if name in self._stored:
            raise UploadRefused(400, f"two parts named '{name}'")
        if len(self._stored) >= MAX_FILES:
            raise UploadRefused(413, f"more than {MAX_FILES} files in one request: split it")
        stream = tempfile.NamedTemporaryFile(dir=self._folder, prefix=".upload-", delete=False)  # noqa: SIM115
        self._file = _File(name, file_name or name, stream)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        if self._documents is not None:
            if len(self._documents) + len(piece) > self._max_documents:
                raise UploadRefused(
                    413, f"the '{DOCUMENTS_PART}' part is larger than {self._max_documents} bytes: split it"
                )
            self._documents += piece
            return
        file = self._file
        if file is None:
            return
        file.size += len(piece)
        if file.size > MAX_ATTACHMENT_BYTES:
            references = "; ".join(str(r) for r in self._references[file.name])
            raise UploadRefused(
                413,
                f"{references}: part '{file.name}' ({file.file_name}) is over {MAX_ATTACHMENT_BYTES} bytes, NetSuite's "
                "limit of 10 MB per document-service request; nothing was recorded",
            )
        file.digest.update(piece)
        file.stream.write(piece)

    def _part_end(self) -> None:
        if self._documents is not None:
            body, self._documents = bytes(self._documents), None
            self._values = self._parse(body, self._documents_type)
            self._references = path_references(self._values)
            return
        file, self._file = self._file, None
        if file is None:
            return
        file.stream.close()
        digest = file.digest.hexdigest()
        for reference in self._references[file.name]:
            if reference.sha256 != digest:
                os.unlink(file.stream.name)
                raise UploadRefused(
                    400,
                    f"{reference}: part '{file.name}' ({file.file_name}) has SHA-256 {digest}, not the "
                    f"{reference.sha256} the document gives; nothing was recorded",
                )
        stored = self._folder / digest  # by content: the same file posted twice is kept once
        os.replace(file.stream.name, stored)
        self._stored[file.name] = stored

    def _discard(self) -> None:
        if self._file is not None:
            self._file.stream.close()
            Path(self._file.stream.name).unlink(missing_ok=True)
            self._file = None
