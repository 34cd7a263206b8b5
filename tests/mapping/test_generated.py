"""Generated freight data against the demo mapping: every document translates, ids and dependencies hold."""

from __future__ import annotations

from functools import cache

import pytest

from tests.mapping.demo_reference import demo_mapping, demo_reference
from tms_netsuite.documents import Kind
from tms_netsuite.generate import generate
from tms_netsuite.mapping import Failed, RecordKey, Skipped, Translated, Translation, translate


@cache
def translations(seed: int) -> tuple[Translation, ...]:
    mapping, reference = demo_mapping(), demo_reference()
    return tuple(translate(document, mapping, reference) for document in generate(150, seed))


@pytest.mark.parametrize("seed", [1, 11])
def test_every_generated_document_translates(seed: int) -> None:
    """No generated document fails against the demo mapping; the only skips are company-driver payroll."""
    results = translations(seed)
    failed = [str(error) for result in results if isinstance(result, Failed) for error in result.errors]
    assert failed == []
    skipped = [result for result in results if isinstance(result, Skipped)]
    assert skipped
    assert all("payroll" in result.reason for result in skipped)
    assert {r.document.kind for r in results if isinstance(r, Translated)} == set(Kind)


@pytest.mark.parametrize("seed", [1, 11])
def test_no_external_id_is_shared_by_two_documents(seed: int) -> None:
    """Versions of one document reuse its external ids; different documents never share one, whatever the type."""
    owner: dict[str, tuple[Kind, str]] = {}
    for result in translations(seed):
        if not isinstance(result, Translated):
            continue
        document = (result.document.kind, result.document.id)
        eids = [record.external_id.casefold() for record in result.records]
        assert len(eids) == len(set(eids))
        for eid in eids:
            assert owner.setdefault(eid, document) == document


@pytest.mark.parametrize("seed", [1, 11])
def test_every_dependency_is_a_record_we_write(seed: int) -> None:
    """Each record a payload refers to by external id (or transforms from) is written by some document."""
    results = [r for r in translations(seed) if isinstance(r, Translated)]
    written = {record.key for result in results for record in result.records}
    needed: set[RecordKey] = set()
    for result in results:
        for record in result.records:
            needed.update(record.depends_on)
            if record.transform_from is not None:
                needed.add(record.transform_from)
    assert needed
    assert needed <= written
