"""The published contract: docs/openapi.json is the API's OpenAPI document, kept current."""

from __future__ import annotations

import json
from pathlib import Path

from tms_netsuite.service import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_current() -> None:
    current = json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
    assert COMMITTED.read_text(encoding="utf-8") == current, (
        "docs/openapi.json is out of date: run `tms-netsuite openapi > docs/openapi.json`"
    )


def test_the_document_is_openapi_3_1_with_bearer_keys_and_every_route() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `tms-netsuite api-keys create`.",
    }
    ingest = document["paths"]["/v1/accounts/{slug}/documents"]["post"]
    assert ingest["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"202", "400", "401", "403", "404", "413"} <= set(ingest["responses"])
    for path in ("/healthz", "/readyz", "/metrics"):
        assert "security" not in document["paths"][path]["get"]
