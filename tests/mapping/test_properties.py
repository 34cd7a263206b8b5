"""Property tests: validation and translation never crash, whatever the input (bounded for CI)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.documents.factories import FACTORIES
from tests.mapping.demo_reference import demo_mapping, demo_reference
from tms_netsuite.documents import Accepted, Rejected, read_documents
from tms_netsuite.mapping import Failed, ReferenceData, Skipped, Translated, translate

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAPPING = demo_mapping()
REFERENCES = (demo_reference(), ReferenceData())

# Values chosen to hit the interesting edges: dates, amounts, currencies, kinds, control characters.
edge_values = st.sampled_from(
    [
        None,
        True,
        0,
        -1,
        1.5,
        10**20,
        "",
        " ",
        "\u0000",
        "\ud800",
        "2026-02-30",
        "2026-10-31",
        "1800-01-01",
        "NaN",
        "1e400",
        "-0.00",
        "0.005",
        "9" * 30,
        "USD",
        "CAD",
        "JPY",
        "XYZ",
        "void",
        "active",
        "invoice",
        "carrier_bill",
        "owner_operator",
        "company",
        "id:1",
        "LUMPER",
        [],
        {},
        {"amount": "1.00", "currency": "USD"},
        {"amount": "-1.00", "currency": "CAD"},
    ]
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | edge_values,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document of any kind with a few fields replaced, removed or added."""
    document = copy.deepcopy(FACTORIES[draw(st.sampled_from(sorted(FACTORIES)))]())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = copy.deepcopy(draw(json_values))
        else:  # copies: the edge values include shared dicts and lists that later mutations would change
            parent[path[-1]] = copy.deepcopy(draw(json_values))
    return document


FREE_TEXT = {
    "id",
    "name",
    "company",
    "charge_code",
    "code",
    "terms",
    "payment_method",
    "account",
    "invoice",
    "deposit",
    "number",
    "reference",
    "load_number",
    "trip_number",
    "carrier_invoice_number",
    "deposit_account",
    "bank_account",
    "invoice_as",
    "tender_as",
    "netsuite_id",
    "memo",
    "description",
}
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=20)


@st.composite
def renamed_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document whose ids, codes, keys and names are replaced by arbitrary text: mostly still valid,
    so translation meets unknown companies, codes, keys and odd ids."""
    document = copy.deepcopy(FACTORIES[draw(st.sampled_from(sorted(FACTORIES)))]())
    for path in _paths(document):
        if path[-1] in FREE_TEXT and draw(st.booleans()):
            parent: Any = document
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = draw(
                st.sampled_from(["FCUS", "FCCA", "LUMPER", "NET30", "ACH", "receivable"]) | names
            )
    if draw(st.booleans()):
        document |= {"status": "void", "voided_on": "2026-10-30"}
    return document


def _translate_all(result: Accepted | Rejected) -> None:
    if isinstance(result, Accepted):
        for reference in REFERENCES:
            outcome = translate(result.document, MAPPING, reference)
            assert isinstance(outcome, Translated | Skipped | Failed)
            if isinstance(outcome, Translated):
                for record in outcome.records:
                    json.loads(record.payload_json)
    else:
        assert result.issues
        assert all(issue.field.startswith("$") and issue.reason for issue in result.issues)


@BOUNDED
@given(mutated_documents())
def test_mutated_documents_never_crash(document: dict[str, Any]) -> None:
    """A mutated document is accepted or rejected with reasons; accepted ones translate to an outcome."""
    (result,) = read_documents([json.dumps(document)])
    _translate_all(result)


@BOUNDED
@given(renamed_documents())
def test_renamed_documents_never_crash(document: dict[str, Any]) -> None:
    """Valid documents with arbitrary ids, codes and keys translate to an outcome, never an exception."""
    (result,) = read_documents([json.dumps(document)])
    _translate_all(result)


@BOUNDED
@given(
    st.dictionaries(
        st.sampled_from(["kind", "id", "version", "lines", "amount", "x"]), json_values, max_size=5
    )
)
def test_arbitrary_objects_never_crash(document: dict[str, Any]) -> None:
    """Any JSON object is judged, never raised on."""
    (result,) = read_documents([json.dumps(document)])
    _translate_all(result)


@BOUNDED
@given(st.lists(st.text(max_size=40), max_size=5))
def test_arbitrary_lines_never_crash(lines: list[str]) -> None:
    """Any text gives one result per non-blank line, in order."""
    results = list(read_documents(lines))
    expected = [number for number, line in enumerate(lines, start=1) if line.strip()]
    assert [result.line for result in results] == expected
