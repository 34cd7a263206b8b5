"""The published JSON Schema: current in the repository, draft 2020-12, one branch per kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tms_netsuite.documents import Kind, json_schema, schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "tms-documents.schema.json"


def test_schema_file_is_current() -> None:
    """schema/tms-documents.schema.json equals what the models generate (regenerate it if this fails)."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "the schema file is stale: run `tms-netsuite schema > schema/tms-documents.schema.json`"
    )


def test_schema_is_draft_2020_12_with_a_kind_discriminator() -> None:
    """The schema declares its dialect and maps every kind to its own definition."""
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["discriminator"]["propertyName"] == "kind"
    mapping = schema["discriminator"]["mapping"]
    assert set(mapping) == {kind.value for kind in Kind}
    assert sorted(branch["$ref"] for branch in schema["oneOf"]) == sorted(mapping.values())


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def test_every_reference_resolves() -> None:
    """Every $ref points at a definition the schema carries."""
    schema = json.loads(schema_text())
    refs = set(_refs(schema))
    assert refs
    assert {ref.removeprefix("#/$defs/") for ref in refs} <= set(schema["$defs"])


def test_text_fields_publish_the_control_character_rule() -> None:
    """The control-character rule is in the schema too, so other validators enforce it."""
    invoice = json_schema()["$defs"]["Invoice"]["properties"]
    assert "\\u0000-\\u001F" in invoice["number"]["pattern"]
    assert invoice["kind"]["const"] == "invoice"
