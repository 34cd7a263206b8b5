"""The published JSON Schema of the documents, and their canonical JSON Lines form."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from tms_netsuite.documents._models import DOCUMENT_ADAPTER, Document

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://github.com/tms-netsuite/tms-netsuite/schema/tms-documents.schema.json"


def json_schema() -> dict[str, Any]:
    """One JSON Schema (draft 2020-12) for every document kind, discriminated by ``kind``."""
    schema = DOCUMENT_ADAPTER.json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "TMS accounting document",
        "description": (
            "One line of tms-netsuite's JSON Lines input. Amounts are decimal strings (or JSON numbers) "
            "with an ISO 4217 currency; dates are calendar dates in the company's time zone."
        ),
        **schema,
    }


def schema_text() -> str:
    """The schema exactly as `schema/tms-documents.schema.json` holds it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def dump_document(document: Document) -> str:
    """A document as one canonical JSON line (no trailing newline); amounts keep their exact digits."""
    return document.model_dump_json(exclude_none=True)


def write_documents(documents: Iterable[Document], stream: IO[str]) -> int:
    """Write documents as JSON Lines; returns how many were written."""
    count = 0
    for document in documents:
        stream.write(dump_document(document) + "\n")
        count += 1
    return count
