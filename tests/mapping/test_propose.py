"""The mapping `init` proposes: TMS companies and codes matched to an account's lists, TODOs where unclear."""

from __future__ import annotations

from dataclasses import replace

from tms_netsuite.documents import Document
from tms_netsuite.generate import generate
from tms_netsuite.mapping import (
    ReferenceData,
    Subsidiary,
    check_mapping,
    parse_mapping,
    propose_mapping,
    render_mapping,
)

FIELDS = ("custbody_load_number", "custbody_bol", "custbody_pro", "custentity_other")


def _sample() -> list[Document]:
    return list(generate(40, 3))


def _by_key(proposal: object) -> dict[str, object]:
    return {e.key: e for e in proposal.entries}  # type: ignore[attr-defined]


def test_the_demo_account_is_matched_whole_and_resolves(reference: ReferenceData) -> None:
    """Against the demo account every company, role account, category, term and payment method is matched
    without asking (FCUS → Freight Co US by acronym and currency), and the rendered file loads and resolves
    against the same lists: nothing for the doctor's accounts, subsidiaries or lists checks to refuse."""
    proposal = propose_mapping(_sample(), reference, FIELDS)
    entries = _by_key(proposal)
    assert entries["companies.FCUS.subsidiary"].chosen.value == "Freight Co US"  # type: ignore[attr-defined]
    assert entries["companies.FCCA.subsidiary"].chosen.value == "Freight Co Canada"  # type: ignore[attr-defined]
    assert entries['accounts."Freight Co Canada".bank'].chosen.value == "1020"  # type: ignore[attr-defined]
    assert entries["terms.NET30"].chosen.value == "Net 30"  # type: ignore[attr-defined]
    assert entries["charge_codes.receivable.codes.STOP_OFF"].chosen.value == "Stop-off"  # type: ignore[attr-defined]
    assert proposal.body_fields == {
        "load_number": "custbody_load_number",
        "bol": "custbody_bol",
        "pro": "custbody_pro",
    }
    assert proposal.trip_types == {"FCUS": "brokerage", "FCCA": "carrier"}
    assert all(not e.required for e in proposal.todos())
    config = parse_mapping(render_mapping(proposal, source="test"))
    assert check_mapping(config, reference) == ()


def test_a_code_is_not_matched_to_a_name_that_lacks_one_of_its_words(reference: ReferenceData) -> None:
    """FUEL_SURCHARGE is not the expense category Fuel though 'fuel' is all of it; HAZMAT, like nothing in
    the account, is left as a commented TODO that says where its lines go meanwhile."""
    proposal = propose_mapping(_sample(), reference, FIELDS)
    entries = _by_key(proposal)
    assert "charge_codes.driver_payable.codes.FUEL_SURCHARGE" not in entries
    hazmat = entries["charge_codes.receivable.codes.HAZMAT"]
    assert hazmat.chosen is None  # type: ignore[attr-defined]
    text = render_mapping(proposal, source="test")
    assert '# HAZMAT = ""' in text
    assert "TODO: receivable charge code HAZMAT (accessorial): no clear match" in text


def test_an_unmatched_company_leaves_a_placeholder_the_subsidiaries_check_names(
    reference: ReferenceData,
) -> None:
    """With no subsidiary in the company's currency, the required value holds a TODO placeholder, and so do
    the accounts of that placeholder subsidiary: the file still loads, and check_mapping (the doctor's
    subsidiaries and accounts checks) refuses exactly those keys."""
    only_cad = replace(
        reference, subsidiaries=tuple(s for s in reference.subsidiaries if s.currency == "CAD")
    )
    proposal = propose_mapping(_sample(), only_cad, FIELDS)
    todo = _by_key(proposal)["companies.FCUS.subsidiary"]
    assert todo.chosen is None and todo.required  # type: ignore[attr-defined]  # noqa: PT018
    text = render_mapping(proposal, source="test")
    assert "the doctor's 'subsidiaries' check fails until this names a NetSuite record" in text
    problems = check_mapping(parse_mapping(text), only_cad)
    assert problems[0].key == "companies.FCUS.subsidiary"
    assert {p.path[:2] for p in problems[1:]} == {("accounts", "TODO: TMS company FCUS (USD)")}


def test_a_person_choice_and_the_threshold(reference: ReferenceData) -> None:
    """A subsidiary picked by a person counts as sure and brings its role accounts; a threshold above every
    score takes nothing unasked, and the unclear entries are what a person is asked."""
    renamed = replace(
        reference,
        subsidiaries=(Subsidiary(id="1", name="Acme Logistics", currency="USD"), *reference.subsidiaries[1:]),
    )
    unsure = propose_mapping(_sample(), renamed, FIELDS)
    assert _by_key(unsure)["companies.FCUS.subsidiary"].chosen is None  # type: ignore[attr-defined]
    assert 'accounts."Acme Logistics".receivable' not in _by_key(unsure)
    picked = propose_mapping(_sample(), renamed, FIELDS, subsidiaries={"FCUS": "Acme Logistics"})
    assert _by_key(picked)['accounts."Acme Logistics".receivable'].chosen.value == "1200"  # type: ignore[attr-defined]
    strict = propose_mapping(_sample(), reference, FIELDS, min_score=100.1)
    assert all(e.chosen is None for e in strict.entries)
    assert {e.key for e in strict.unclear()} == {e.key for e in strict.entries if e.candidates}
    chosen = strict.choose("terms.NET30", strict.unclear()[0].candidates[0])
    assert _by_key(chosen)["terms.NET30"].chosen is not None  # type: ignore[attr-defined]
