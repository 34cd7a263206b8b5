"""NetSuite's business rules for writes, by family: lists, entities and their subsidiary relationships,
transactions (one rules object per type), their lines and their balances.

Every write runs inside one store transaction (the caller's ``store.write()``): a refusal raises
:class:`RecordError` and rolls back, so a refused request leaves the account as it was.

Where NetSuite's documentation gives an error's wording it is used; the other texts are marked as guesses.
"""

from __future__ import annotations

from netsuite_emulator.records._io import Ctx
from netsuite_emulator.records._types import Kind, RecordType
from netsuite_emulator.records.rules._body import (
    Options,
    Parsed,
    check_external_id,
    custom_fields,
    parse_body,
)
from netsuite_emulator.records.rules._draft import Draft
from netsuite_emulator.records.rules._entities import EntityWriter, RelationshipWriter
from netsuite_emulator.records.rules._lines import SUBLEDGER_LINE, line_values, split_lines
from netsuite_emulator.records.rules._lists import ListWriter
from netsuite_emulator.records.rules._per_type import TRANSACTION_RULES, TransactionRules
from netsuite_emulator.records.rules._transactions import TRANSFORMS, TransactionWriter, transform_draft


def list_writer(ctx: Ctx, rt: RecordType, custom: dict[str, Kind]) -> ListWriter:
    """The writer of a record of a list-like family (lists, items, entities, relationships)."""
    if rt.family == "entity":
        return EntityWriter(ctx, rt, custom)
    if rt.family == "relationship":
        return RelationshipWriter(ctx, rt, custom)
    return ListWriter(ctx, rt, custom)


__all__ = [
    "SUBLEDGER_LINE",
    "TRANSACTION_RULES",
    "TRANSFORMS",
    "Draft",
    "ListWriter",
    "Options",
    "Parsed",
    "TransactionRules",
    "TransactionWriter",
    "check_external_id",
    "custom_fields",
    "line_values",
    "list_writer",
    "parse_body",
    "split_lines",
    "transform_draft",
]
