"""External ids: NetSuite's alphabet, injective even without case, fixed suffixes that never collide."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tms_netsuite.documents import Kind
from tms_netsuite.mapping import Suffix, decode_id, encode_id, external_id

ALPHABET = re.compile(r"^[A-Za-z0-9_-]*$")
SUFFIXES = ("", Suffix.CREDIT, Suffix.FEE, Suffix.REVERSAL, Suffix.subsidiary("2"), Suffix.subsidiary("12"))
# Ids with hyphens, underscores, case changes, digits and non-ASCII are where encodings go wrong.
tms_ids = st.text(
    alphabet=st.sampled_from("aAbB09-_/ é") | st.characters(codec="utf-8"), min_size=0, max_size=24
)


@settings(max_examples=200, deadline=None)
@given(tms_ids)
def test_encoding_uses_netsuites_alphabet_and_decodes_without_case(tms_id: str) -> None:
    """The encoding has only letters, digits, _ and -, and decodes back even after upper- or lower-casing."""
    encoded = encode_id(tms_id)
    assert ALPHABET.match(encoded)
    assert "-" not in encoded
    assert decode_id(encoded) == tms_id
    assert decode_id(encoded.lower()) == tms_id
    assert decode_id(encoded.upper()) == tms_id


@settings(max_examples=200, deadline=None)
@given(tms_ids, tms_ids, st.sampled_from(list(Kind)), st.sampled_from(SUFFIXES), st.sampled_from(SUFFIXES))
def test_different_documents_never_share_an_external_id(
    first: str, second: str, kind: Kind, a: str, b: str
) -> None:
    """Two (id, suffix) pairs give the same external id, compared without case, only when they are equal."""
    left, right = external_id(kind, first, a), external_id(kind, second, b)
    assert (left.casefold() == right.casefold()) == ((first, a) == (second, b))


def test_kinds_never_share_an_external_id() -> None:
    """The same TMS id under two kinds gives two external ids (customers and vendors share NetSuite's group)."""
    ids = {external_id(kind, "1001").casefold() for kind in Kind}
    assert len(ids) == len(Kind)


@pytest.mark.parametrize(
    ("tms_id", "expected"),
    [("INV-1001", "INV__1001"), ("abc", "_abc"), ("A-b", "A___b"), ("a/b", "_a_047b"), ("é", "_195_169")],
)
def test_readable_encodings(tms_id: str, expected: str) -> None:
    """Typical TMS numbers stay readable; the rest is escaped."""
    assert encode_id(tms_id) == expected


def test_external_id_shape() -> None:
    """tms-<kind>-<encoded id>[-<suffix>]."""
    assert external_id(Kind.DRIVER_SETTLEMENT, "ST-9", Suffix.CREDIT) == "tms-driver_settlement-ST__9-credit"


@pytest.mark.parametrize("suffix", ["credits", "sub", "x", "-fee"])
def test_unknown_suffixes_are_refused(suffix: str) -> None:
    """Only the fixed suffixes exist, so no record type can invent a colliding one."""
    with pytest.raises(ValueError, match="suffix"):
        external_id(Kind.INVOICE, "1", suffix)


@pytest.mark.parametrize("text", ["a-b", "_1", "_999", "_", "é"])
def test_decoding_rejects_what_encoding_never_makes(text: str) -> None:
    """Text that is not an encoded id is an error, not a guess."""
    with pytest.raises(ValueError, match="not an encoded id"):
        decode_id(text)


long_tms_ids = st.text(alphabet=st.sampled_from("a🚚é-/Z"), min_size=40, max_size=64)


@settings(max_examples=200, deadline=None)
@given(long_tms_ids, long_tms_ids, st.sampled_from(SUFFIXES), st.sampled_from(SUFFIXES))
def test_long_ids_become_short_deterministic_and_still_distinct(
    first: str, second: str, a: str, b: str
) -> None:
    """However long a TMS id encodes, its external id fits NetSuite's length and stays unique without case."""
    left, right = external_id(Kind.INVOICE, first, a), external_id(Kind.INVOICE, second, b)
    longest = external_id(Kind.DRIVER_SETTLEMENT, first, Suffix.subsidiary("9" * 18))
    assert len(longest) <= 255  # the emulator's limit (Oracle prints none)
    assert ALPHABET.match(left)
    assert left == external_id(Kind.INVOICE, first, a)
    assert (left.casefold() == right.casefold()) == ((first, a) == (second, b))


def test_sixty_four_emoji_fit() -> None:
    """A 64-emoji id (1,024 characters encoded) gets a readable prefix and a hash, within 255 characters."""
    eid = external_id(Kind.INVOICE, "🚚" * 64)
    assert len(eid) < 120
    assert eid.startswith("tms-invoice-_240_159_154_154")
    assert re.search(r"-h[0-9a-f]{32}$", eid)
    assert external_id(Kind.INVOICE, "INV-7") == "tms-invoice-INV__7"
