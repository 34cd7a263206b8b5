"""Deterministic NetSuite external ids: ``tms-<kind>-<encoded TMS id>[-<suffix>]``.

NetSuite allows letters, digits, ``_`` and ``-`` in an external id and (we assume, as integrators report)
compares them without regard to case, so the encoding is injective even after case folding:

- digits are kept; letters are kept and their case is tracked by a mode that starts upper case; a
  letter of the other case is preceded by ``_`` (a toggle), so ``INV7`` stays ``INV7`` and ``abc`` is ``_abc``;
- ``-`` becomes ``__``;
- any other character becomes ``_`` followed by three decimal digits per UTF-8 byte (``/`` is ``_047``).

The encoded id never contains ``-``, so the fixed suffixes (``-credit``, ``-fee``, ``-reversal``,
``-sub<n>``) can never be confused with part of an id.

An id whose encoding would not fit NetSuite's length (a TMS id of 64 emoji encodes to 1,024 characters)
becomes a readable prefix of the encoding, ``-h`` and a hash of the TMS id: still deterministic and, since no
plain encoding holds ``-``, never equal to another id's external id.
"""

from __future__ import annotations

import hashlib
import re

from tms_netsuite.documents import Kind

PREFIX = "tms"
# Oracle prints no maximum for an external id; 255 is the emulator's limit and a guess. Ids that fit are unchanged.
MAX_LENGTH = 255
_LONGEST_SUFFIX = len("-sub") + 18  # an internal id has at most 18 digits
_READABLE_PREFIX = 40
_SUFFIX = re.compile(r"^(credit|fee|reversal|sub[0-9]+)$")


class Suffix:
    """The fixed suffixes of the extra records one document becomes."""

    CREDIT = "credit"
    FEE = "fee"
    REVERSAL = "reversal"

    @staticmethod
    def subsidiary(internal_id: str) -> str:
        """The suffix of an entity's relationship to another subsidiary."""
        return f"sub{internal_id}"


def encode_id(tms_id: str) -> str:
    """Encode a TMS id into NetSuite's external-id alphabet (see the module docstring)."""
    out: list[str] = []
    upper = True
    for char in tms_id:
        if char.isascii() and char.isdigit():
            out.append(char)
        elif char.isascii() and char.isalpha():
            if char.isupper() != upper:
                upper = not upper
                out.append("_")
            out.append(char)
        elif char == "-":
            out.append("__")
        else:
            out.extend(f"_{byte:03d}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def decode_id(encoded: str) -> str:
    """Invert `encode_id`, whatever the case of the encoded text.

    Raises:
        ValueError: if the text is not an encoded id.
    """
    data = bytearray()
    upper, position = True, 0
    while position < len(encoded):
        token = _TOKEN.match(encoded, position)
        if token is None:
            raise ValueError(f"not an encoded id: {encoded!r}")
        kind, text = token.lastgroup, token.group(token.lastgroup or 0)
        if kind == "literal":
            data += (text.upper() if upper else text.lower()).encode()
        elif kind == "escape":
            data.append(int(text))
        elif kind == "toggle":
            upper = not upper
        else:
            data += b"-"
        position = token.end()
    return data.decode("utf-8", "surrogatepass")


_TOKEN = re.compile(
    r"(?P<literal>[A-Za-z0-9])|_(?P<escape>[01][0-9]{2}|2[0-4][0-9]|25[0-5])|(?P<toggle>_)(?=[A-Za-z])|__"
)


def external_id(kind: Kind, tms_id: str, suffix: str = "") -> str:
    """The external id of the record a document (or one of its extra records, by suffix) becomes.

    Raises:
        ValueError: for a suffix that is not one of the fixed ones.
    """
    if suffix and not _SUFFIX.match(suffix):
        raise ValueError(f"unknown external-id suffix {suffix!r}")
    tail = f"-{suffix}" if suffix else ""
    encoded = encode_id(tms_id)
    if len(PREFIX) + len(kind.value) + len(encoded) + 2 > MAX_LENGTH - _LONGEST_SUFFIX:
        digest = hashlib.sha256(tms_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        encoded = f"{encoded[:_READABLE_PREFIX]}-h{digest}"
    return f"{PREFIX}-{kind.value}-{encoded}{tail}"


def document_of(external: str) -> tuple[Kind, str] | None:
    """The TMS document (kind, id) an external id of ours names, for reports that show TMS ids, not ours; None
    for an external id we did not make or whose id was shortened to a hash (its readable prefix is all left)."""
    rest = external.removeprefix(f"{PREFIX}-")
    if rest == external:
        return None
    for kind in sorted(Kind, key=lambda k: -len(k.value)):
        if rest.startswith(f"{kind.value}-"):
            encoded = rest[len(kind.value) + 1 :]
            break
    else:
        return None
    head, _, tail = encoded.rpartition("-")
    if head and _SUFFIX.match(tail):
        encoded = head
    if "-" in encoded:  # -h<digest>: shortened
        return None
    try:
        return kind, decode_id(encoded)
    except ValueError:
        return None
