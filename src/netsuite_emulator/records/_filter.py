"""The ``q=`` filter of collection queries: conditions on body fields joined by AND / OR (AND binds tighter).

``field OPERATOR value``; values are bare words, numbers or double-quoted strings (``\\"`` escapes a quote);
lists are ``[a, b]`` or ``a, b``; dates are ISO (``2026-11-24``) or N/query's ``11/24/2026``. Text operators
compare without regard to case, as NetSuite's searches do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netsuite_emulator.store import subsidiary_ids

from ._io import RecordError

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(\[)|(\])|(,)|([^\s,\[\]"]+))')
_NO_VALUE = frozenset({"EMPTY", "EMPTY_NOT"})
_TWO_VALUES = frozenset({"BETWEEN", "BETWEEN_NOT", "WITHIN", "WITHIN_NOT"})
_LISTS = frozenset({"ANY_OF", "ANY_OF_NOT"})
OPERATORS = frozenset(
    {
        "IS", "IS_NOT", "EQUAL", "EQUAL_NOT", "START_WITH", "START_WITH_NOT", "CONTAIN", "CONTAIN_NOT",
        "END_WITH", "END_WITH_NOT", "EMPTY", "EMPTY_NOT", "ANY_OF", "ANY_OF_NOT", "GREATER", "GREATER_OR_EQUAL",
        "LESS", "LESS_OR_EQUAL", "BETWEEN", "BETWEEN_NOT", "ON", "ON_NOT", "BEFORE", "AFTER", "ON_OR_BEFORE",
        "ON_OR_AFTER", "WITHIN", "WITHIN_NOT",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    values: tuple[str, ...]


def bad_query(detail: str) -> RecordError:
    # INVALID_PARAMETER with o:errorQueryParam is how NetSuite answers a bad query parameter; the text is a guess.
    return RecordError(
        400, "INVALID_PARAMETER", f"Invalid search query: {detail}", None, **{"o:errorQueryParam": "q"}
    )


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise bad_query(f"cannot read {text[position : position + 20]!r}")
        quoted, opening, closing, comma, word = match.groups()
        if quoted is not None:
            tokens.append(("str", re.sub(r"\\(.)", r"\1", quoted)))
        elif opening:
            tokens.append(("[", "["))
        elif closing:
            tokens.append(("]", "]"))
        elif comma:
            tokens.append((",", ","))
        else:
            tokens.append(("word", word))
        position = match.end()
    return tokens


def parse_query(text: str) -> list[list[Condition]]:
    """OR of AND groups."""
    if len(text) > 4000:
        raise bad_query("the query is too long")
    tokens = _tokens(text)
    groups: list[list[Condition]] = [[]]
    i = 0
    while i < len(tokens):
        kind, name = tokens[i]
        if kind != "word":
            raise bad_query(f"expected a field name, found {name!r}")
        if i + 1 >= len(tokens) or tokens[i + 1][0] != "word" or tokens[i + 1][1].upper() not in OPERATORS:
            raise bad_query(f"expected an operator after {name!r}")
        operator = tokens[i + 1][1].upper()
        i += 2
        values: list[str] = []
        if operator not in _NO_VALUE:
            bracketed = i < len(tokens) and tokens[i][0] == "["
            if bracketed:
                i += 1
            while i < len(tokens):
                kind, value = tokens[i]
                if kind in ("str", "word") and not (
                    kind == "word" and value.upper() in ("AND", "OR") and values
                ):
                    values.append(value)
                    i += 1
                    if (
                        i < len(tokens)
                        and tokens[i][0] == ","
                        and (bracketed or operator in _LISTS | _TWO_VALUES)
                    ):
                        i += 1
                        continue
                    if (
                        operator in _TWO_VALUES
                        and len(values) < 2
                        and i < len(tokens)
                        and tokens[i][0] != "]"
                    ):
                        continue
                    break
                break
            if bracketed:
                if i >= len(tokens) or tokens[i][0] != "]":
                    raise bad_query("a list is not closed with ']'")
                i += 1
            if not values or (operator in _TWO_VALUES and len(values) != 2):
                raise bad_query(f"{operator} needs {'two values' if operator in _TWO_VALUES else 'a value'}")
        groups[-1].append(Condition(name, operator, tuple(values)))
        if i < len(tokens):
            kind, joiner = tokens[i]
            if kind != "word" or joiner.upper() not in ("AND", "OR"):
                raise bad_query(f"expected AND or OR, found {joiner!r}")
            if joiner.upper() == "OR":
                groups.append([])
            i += 1
            if i >= len(tokens):
                raise bad_query(f"nothing after {joiner}")
    return groups


def _date(text: str) -> dt.date:
    try:
        if "/" in text:
            month, day, year = (int(p) for p in text.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise bad_query(f"{text!r} is not a date") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise bad_query(f"{text!r} is not a number") from None


def matcher(condition: Condition, kind: str) -> Callable[[Any], bool]:
    """A test of one stored value (text, 'T'/'F', number, ISO date, or a referenced id)."""
    op, values = condition.operator, condition.values
    negate = op.endswith("_NOT")
    base = op.removesuffix("_NOT")

    def wrap(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
        return (lambda value: not test(value)) if negate else test

    if base == "EMPTY":
        return wrap(lambda value: value is None or value == "")
    if kind == "bool":
        wanted = values[0].lower() in ("true", "t")
        if base not in ("IS", "EQUAL"):
            raise bad_query(f"{op} does not apply to a checkbox field")
        return wrap(lambda value: (value == "T") == wanted)
    if kind in ("date", "datetime"):
        dates = [_date(v) for v in values]

        def on_date(value: Any) -> dt.date | None:
            return None if value is None else dt.date.fromisoformat(str(value)[:10])

        tests: dict[str, Callable[[dt.date], bool]] = {
            "ON": lambda d: d == dates[0],
            "IS": lambda d: d == dates[0],
            "BEFORE": lambda d: d < dates[0],
            "AFTER": lambda d: d > dates[0],
            "ON_OR_BEFORE": lambda d: d <= dates[0],
            "ON_OR_AFTER": lambda d: d >= dates[0],
            "WITHIN": lambda d: dates[0] <= d <= dates[-1],
            "BETWEEN": lambda d: dates[0] <= d <= dates[-1],
        }
        if base not in tests:
            raise bad_query(f"{op} does not apply to a date field")
        date_test = tests[base]
        return wrap(lambda value: (d := on_date(value)) is not None and date_test(d))
    if kind == "subsidiaries":  # a multi-select matches when one of its subsidiaries does
        one = matcher(Condition(condition.field, base, values), "ref")
        return wrap(lambda value: any(one(i) for i in subsidiary_ids(value)))
    if kind in ("float", "int", "ref"):
        numbers = [_number(v) for v in values]
        compare: dict[str, Callable[[float], bool]] = {
            "EQUAL": lambda n: n == numbers[0],
            "IS": lambda n: n == numbers[0],
            "ANY_OF": lambda n: n in numbers,
            "GREATER": lambda n: n > numbers[0],
            "GREATER_OR_EQUAL": lambda n: n >= numbers[0],
            "LESS": lambda n: n < numbers[0],
            "LESS_OR_EQUAL": lambda n: n <= numbers[0],
            "BETWEEN": lambda n: numbers[0] <= n <= numbers[-1],
        }
        if base not in compare:
            raise bad_query(f"{op} does not apply to this field")
        number_test = compare[base]
        return wrap(lambda value: value is not None and number_test(float(value)))
    folded = [v.casefold() for v in values]
    text_tests: dict[str, Callable[[str], bool]] = {
        "IS": lambda s: s == folded[0],
        "EQUAL": lambda s: s == folded[0],
        "ANY_OF": lambda s: s in folded,
        "START_WITH": lambda s: s.startswith(folded[0]),
        "END_WITH": lambda s: s.endswith(folded[0]),
        "CONTAIN": lambda s: folded[0] in s,
    }
    if base not in text_tests:
        raise bad_query(f"{op} does not apply to a text field")
    text_test = text_tests[base]
    return wrap(lambda value: value is not None and text_test(str(value).casefold()))
