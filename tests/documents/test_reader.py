"""The JSON Lines reader: one result per line, a bad line never stops the others."""

from __future__ import annotations

import json

import pytest

from tests.documents.factories import FACTORIES
from tms_netsuite.documents import (
    Accepted,
    InvalidDocument,
    Rejected,
    dump_document,
    parse_document,
    read_documents,
    validate_document,
)


def _line(factory: str, **changes: object) -> str:
    return json.dumps(FACTORIES[factory]() | changes)


def test_each_line_is_judged_on_its_own() -> None:
    """Good lines after bad ones are still accepted, and every result carries its line number."""
    lines = [
        _line("invoice"),
        "this is not json",
        _line("invoice", kind="bill_of_lading"),
        "",
        _line("journal_entry"),
        "[1, 2]",
        _line("customer", version="one"),
        _line("carrier"),
    ]
    results = list(read_documents(lines))
    assert [r.line for r in results] == [1, 2, 3, 5, 6, 7, 8]
    assert [type(r).__name__ for r in results] == [
        "Accepted",
        "Rejected",
        "Rejected",
        "Accepted",
        "Rejected",
        "Rejected",
        "Accepted",
    ]


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("{not json", "$", "not JSON"),
        ('{"kind": "invoice", "kind": "carrier"}', "$", "duplicate key 'kind'"),
        ('{"amount": NaN}', "$", "NaN is not a JSON number"),
        ('"just a string"', "$", "JSON object, not str"),
        ('{"kind": "bill_of_lading"}', "$.kind", "unknown kind 'bill_of_lading'"),
        ('{"schema_version": 1}', "$.kind", "required field is missing"),
        ("[" * 100_000, "$", "not JSON"),
        ('{"v": ' + "9" * 5000 + "}", "$", "not JSON"),
    ],
)
def test_unreadable_lines_name_field_and_reason(text: str, field: str, reason: str) -> None:
    """Lines that are not a document object are rejected with a field and a reason, never an exception."""
    (result,) = read_documents([text])
    assert isinstance(result, Rejected)
    assert any(issue.field == field and reason in issue.reason for issue in result.issues), result.issues


def test_rejection_names_the_document_when_it_can() -> None:
    """A rejected line that had a kind and id says which document it was, and prints line and field."""
    doc = FACTORIES["journal_entry"]()
    doc["lines"][0]["debit"]["amount"] = "999.00"
    (result,) = read_documents(["", json.dumps(doc)])
    assert isinstance(result, Rejected)
    assert (result.line, result.kind, result.id) == (2, "journal_entry", "JE-1")
    assert str(result).startswith("line 2 (journal_entry JE-1): $.lines: unbalanced")


def test_an_item_error_is_not_reported_twice_as_a_short_list() -> None:
    """When the only journal line but one fails, the reader reports the line, not a spurious "too short"."""
    doc = FACTORIES["journal_entry"]()
    doc["lines"] = [doc["lines"][0], {"account": "X", "debit": {"amount": "1" * 30, "currency": "USD"}}]
    (result,) = read_documents([json.dumps(doc)])
    assert isinstance(result, Rejected)
    assert [issue.field for issue in result.issues] == ["$.lines[1].debit.amount"]


def test_amounts_keep_their_exact_digits() -> None:
    """JSON numbers are read as decimals, not floats: 0.1 + 0.2 stays 0.30."""
    doc = FACTORIES["customer_deposit"]()
    text = json.dumps(doc).replace('"2000.00"', "0.30")
    (result,) = read_documents([text])
    assert isinstance(result, Accepted)
    assert str(result.document.amount.amount) == "0.30"  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_dumped_documents_read_back_equal(kind: str) -> None:
    """The canonical JSON line of a document parses back to an equal document."""
    document = validate_document(FACTORIES[kind]())
    assert parse_document(dump_document(document)) == document
    assert "\n" not in dump_document(document)


def test_parse_document_raises_with_every_issue() -> None:
    """The single-document API raises InvalidDocument listing the problems."""
    with pytest.raises(InvalidDocument, match=r"\$\.kind: unknown kind"):
        parse_document('{"kind": "x"}')


def test_odd_keys_are_quoted_in_paths_and_odd_ids_kept_out_of_messages() -> None:
    """An unknown key with a dot is bracketed in the path; an unprintable id is not echoed."""
    doc = FACTORIES["carrier"]() | {"a.b": 1, "id": "CR\n1"}
    (result,) = read_documents([json.dumps(doc)])
    assert isinstance(result, Rejected)
    assert '$["a.b"]' in [issue.field for issue in result.issues]
    assert (result.kind, result.id) == ("carrier", None)


def test_bytes_are_decoded_per_line_so_one_bad_byte_rejects_one_line() -> None:
    """Invalid UTF-8, binary garbage and a lone surrogate each reject their own line; a leading BOM is dropped."""
    good = _line("invoice").encode()
    lines = [
        b"\xef\xbb\xbf" + good,
        b'{"kind":"invoice","id":"\xff"}\n',
        bytes(range(256)),
        _line("invoice", id="INV-\\ud800").replace("\\\\", "\\").encode(),
        good,
    ]
    results = list(read_documents(lines))
    assert [type(r).__name__ for r in results] == ["Accepted", "Rejected", "Rejected", "Rejected", "Accepted"]
    bad_byte, garbage, surrogate = results[1:4]
    assert isinstance(bad_byte, Rejected)
    assert str(bad_byte) == "line 2: $: not UTF-8: byte(s) ff at byte 25 of the line"
    assert isinstance(garbage, Rejected)
    assert "not UTF-8" in str(garbage)
    assert isinstance(surrogate, Rejected)
    assert surrogate.issues[0].field == "$.id"
    assert "lone UTF-16 surrogate" in surrogate.issues[0].reason


def test_a_bom_on_the_first_text_line_is_dropped_and_a_paired_surrogate_escape_is_kept() -> None:
    emoji = json.loads('"\\ud83d\\ude9a"')  # a truck, written as a surrogate pair
    lines = ["\ufeff" + _line("invoice"), _line("invoice", memo="\\ud83d\\ude9a").replace("\\\\", "\\")]
    results = list(read_documents(lines))
    assert all(isinstance(r, Accepted) for r in results), results
    second = results[1]
    assert isinstance(second, Accepted)
    assert getattr(second.document, "memo", None) == emoji
