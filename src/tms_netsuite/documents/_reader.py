"""Validation of documents and of JSON Lines input: each line is accepted or rejected on its own."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from tms_netsuite.documents._common import Consistent, Kind, Loc
from tms_netsuite.documents._models import DOCUMENT_ADAPTER, Document
from tms_netsuite.errors import TmsNetSuiteError

MAX_LINE_CHARS = 1_000_000
_BOM = "\ufeff"
_BOM_BYTES = _BOM.encode("utf-8")
# A JSON escape of a UTF-16 surrogate; decoded alone (not as a pair) it is a string no UTF-8 store can hold.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_KINDS = ", ".join(kind.value for kind in Kind)

# Plainer words for pydantic's most frequent messages.
_REASONS = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "union_tag_not_found": f"required field is missing; it is one of: {_KINDS}",
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing wrong with a document: where (a JSON path such as ``$.lines[2].amount``) and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidDocument(TmsNetSuiteError, ValueError):
    """A document failed validation; `issues` lists every problem found."""

    def __init__(self, issues: tuple[Issue, ...]) -> None:
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues


@dataclass(frozen=True, slots=True)
class Accepted:
    """A line that holds a valid document."""

    line: int
    document: Document


@dataclass(frozen=True, slots=True)
class Rejected:
    """A line that does not; `kind` and `id` are given when the line had them, `raw` is the line as read (bytes
    that are not UTF-8 shown as ``\\x..`` escapes, a line past the length limit cut there)."""

    line: int
    issues: tuple[Issue, ...]
    kind: str | None = None
    id: str | None = None
    raw: str = ""

    def __str__(self) -> str:
        subject = f" ({self.kind} {self.id})" if self.kind and self.id else ""
        return "\n".join(f"line {self.line}{subject}: {issue}" for issue in self.issues)


ReadResult = Accepted | Rejected


def json_path(loc: Loc) -> str:
    """``("lines", 2, "amount")`` → ``$.lines[2].amount``; keys that are not identifiers are bracketed."""
    return "$" + "".join(_step(part) for part in loc)


def _step(part: str | int) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return f".{part}" if part.isidentifier() else f"[{json.dumps(part)}]"


def validate_document(data: object) -> Document:
    """Validate a parsed JSON value as a document.

    Raises:
        InvalidDocument: with every problem found.
    """
    try:
        return DOCUMENT_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise InvalidDocument(tuple(_issues(error, data))) from None


def parse_document(text: str) -> Document:
    """Parse and validate one JSON document.

    Raises:
        InvalidDocument: when the text is not JSON or not a valid document.
    """
    return validate_document(_load_json(text))


def read_documents(lines: Iterable[str | bytes]) -> Iterator[ReadResult]:
    """Validate JSON Lines: one result per non-blank line, numbered from 1; a bad line never stops the rest.

    Lines may be bytes (a file opened in binary): each is decoded as UTF-8 on its own, so one bad byte
    rejects its line only. A byte order mark before the first line is dropped.
    """
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(_BOM_BYTES) if isinstance(raw, bytes) else raw.removeprefix(_BOM)
        if len(raw) > MAX_LINE_CHARS:
            too_long = Issue("$", f"line is longer than {MAX_LINE_CHARS} characters")
            yield Rejected(number, (too_long,), raw=_shown(raw[:_RAW_KEPT]))
            continue
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield Rejected(number, (Issue("$", _not_utf8(raw, error)),), raw=_shown(raw[:_RAW_KEPT]))
                continue
        else:
            line = raw
        if not line.strip():
            continue
        yield _read_line(number, line)


_RAW_KEPT = 4000  # of a rejected line, what the report keeps


def _shown(raw: str | bytes) -> str:
    """A rejected line as text: bytes that are not UTF-8 as escapes, without the line's end."""
    text = raw.decode("utf-8", errors="backslashreplace") if isinstance(raw, bytes) else raw
    return text.rstrip("\r\n")


def _not_utf8(raw: bytes, error: UnicodeDecodeError) -> str:
    bad = raw[error.start : error.end].hex(" ")
    return f"not UTF-8: byte(s) {bad} at byte {error.start + 1} of the line"


def _read_line(number: int, line: str) -> ReadResult:
    try:
        data = _load_json(line)
    except InvalidDocument as error:
        return Rejected(number, error.issues, raw=_shown(line[:_RAW_KEPT]))
    try:
        return Accepted(number, validate_document(data))
    except InvalidDocument as error:
        kind, doc_id = _identity(data)
        return Rejected(number, error.issues, kind, doc_id, raw=_shown(line[:_RAW_KEPT]))


def _load_json(text: str) -> Any:
    try:
        data = json.loads(
            text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_unique
        )
    except RecursionError:
        raise InvalidDocument((Issue("$", "not JSON: nested too deeply"),)) from None
    except ValueError as error:  # JSONDecodeError, duplicate keys, NaN, over-long integers
        raise InvalidDocument((Issue("$", f"not JSON: {error}"),)) from None
    if not isinstance(data, dict):
        raise InvalidDocument((Issue("$", f"a document is a JSON object, not {type(data).__name__}"),))
    if _SURROGATE_ESCAPE.search(text) and (where := _lone_surrogate(data, ())) is not None:
        raise InvalidDocument((Issue(json_path(where), "holds a lone UTF-16 surrogate (\\uD800-\\uDFFF)"),))
    return data


def _lone_surrogate(value: Any, loc: Loc) -> Loc | None:
    """Where a string (or key) holds an unpaired surrogate, which cannot be stored or sent as UTF-8."""
    if isinstance(value, str):
        return None if value.isascii() or _encodes(value) else loc
    if isinstance(value, dict):
        for key, item in value.items():
            if not _encodes(key):
                return loc
            if (found := _lone_surrogate(item, (*loc, key))) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _lone_surrogate(item, (*loc, index))) is not None:
                return found
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _identity(data: object) -> tuple[str | None, str | None]:
    if not isinstance(data, dict):
        return None, None
    kind, doc_id = data.get("kind"), data.get("id")
    # Only printable values: a rejection message must not be broken by the bad input it reports.
    return (
        kind if isinstance(kind, str) and kind.isprintable() else None,
        doc_id if isinstance(doc_id, str) and doc_id.isprintable() else None,
    )


def _issues(error: ValidationError, data: object) -> Iterator[Issue]:
    tag = data.get("kind") if isinstance(data, dict) else None
    details = [(detail, _strip_tag(tuple(detail["loc"]), tag)) for detail in error.errors(include_url=False)]
    failed = [loc for _, loc in details]
    for detail, loc in details:
        # pydantic counts a list's valid items only; a failing item also reads as "too short" noise.
        if detail["type"] == "too_short" and any(
            other[: len(loc)] == loc and other != loc for other in failed
        ):
            continue
        yield from _detail_issues(detail, loc)


def _strip_tag(loc: Loc, tag: object) -> Loc:
    # The tagged union prefixes every location with the kind.
    return loc[1:] if loc and loc[0] == tag else loc


def _detail_issues(detail: ErrorDetails, loc: Loc) -> Iterator[Issue]:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == Consistent.CONSISTENCY_ERROR:
        for sub_loc, reason in ctx["problems"]:
            yield Issue(json_path((*loc, *sub_loc)), reason)
    elif kind == "union_tag_invalid":
        yield Issue("$.kind", f"unknown kind {ctx.get('tag')!r}; expected one of: {_KINDS}")
    elif kind == "union_tag_not_found":
        yield Issue("$.kind", _REASONS[kind])
    else:
        yield Issue(json_path(loc), _REASONS.get(kind, detail["msg"]))
