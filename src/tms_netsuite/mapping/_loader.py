"""Loading a mapping file: TOML → `MappingConfig`, with every problem reported at its key and line."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from tms_netsuite.errors import TmsNetSuiteError
from tms_netsuite.mapping._config import (
    AccountRole,
    CompanyDriverSettlements,
    KeyPath,
    MappingConfig,
    nearest_line,
)

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """Something wrong in a mapping file: the key (as a path), its line when known, and what is wrong."""

    path: KeyPath
    line: int | None
    message: str
    source: str = "<mapping>"

    @property
    def key(self) -> str:
        """The key as it would be written in TOML, e.g. ``accounts."Freight Co US".bank``."""
        return format_key(self.path)

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.key or '(top level)'}: {self.message}"


class MappingError(TmsNetSuiteError, ValueError):
    """The mapping file is unusable; `problems` lists every problem found."""

    def __init__(self, problems: tuple[MappingProblem, ...]) -> None:
        count = len(problems)
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the mapping:\n{lines}")
        self.problems = problems


def format_key(path: KeyPath) -> str:
    """A key path in TOML notation, array indexes in brackets."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            text = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            parts.append(f".{text}" if parts else text)
    return "".join(parts)


def load_mapping(path: Path) -> MappingConfig:
    """Read and validate a mapping file.

    Raises:
        MappingError: listing every problem, each with its key and line.
    """
    return parse_mapping(path.read_text(encoding="utf-8"), source=str(path))


def demo_mapping_path() -> Path:
    """The shipped demo mapping (``examples/demo-mapping.toml``): the wheel's copy, or the repository's in a
    source checkout. It fits the emulator's ``healthy`` scenario and the generated documents."""
    packaged = resources.files("tms_netsuite").joinpath("examples/demo-mapping.toml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "examples" / "demo-mapping.toml"


def parse_mapping(text: str, source: str = "<mapping>") -> MappingConfig:
    """Validate mapping TOML text (see `load_mapping`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else None
        raise MappingError((MappingProblem((), line, f"not valid TOML: {error}", source),)) from None
    lines = key_lines(text)
    try:
        config = MappingConfig.model_validate(data).located(source, lines)
    except ValidationError as error:
        problems = tuple(_validation_problems(error, lines, source))
        raise MappingError(problems) from None
    cross = tuple(_cross_problems(config))
    if cross:
        raise MappingError(cross)
    return config


def _validation_problems(
    error: ValidationError, lines: dict[KeyPath, int], source: str
) -> Iterator[MappingProblem]:
    for detail in error.errors(include_url=False):
        path = tuple(part for part in detail["loc"] if part != "[key]")
        message = "unknown key" if detail["type"] == "extra_forbidden" else detail["msg"]
        if detail["type"] == "missing":
            message = "required key is missing"
        yield MappingProblem(path, nearest_line(lines, path), message, source)


def _cross_problems(config: MappingConfig) -> Iterator[MappingProblem]:
    def problem(path: KeyPath, message: str) -> MappingProblem:
        return MappingProblem(path, config.line_of(path), message, config.source)

    wages = config.options.company_driver_settlements is CompanyDriverSettlements.ACCRUE_WAGES
    for key, company in config.companies.items():
        accounts = config.accounts.get(company.subsidiary)
        if accounts is None:
            yield problem(
                ("companies", key, "subsidiary"),
                f"subsidiary {company.subsidiary!r} has no [accounts.{format_key((company.subsidiary,))}] table",
            )
            continue
        for role in (AccountRole.ACCRUED_WAGES, AccountRole.WAGES_EXPENSE):
            if wages and accounts.get(role) is None:
                yield problem(
                    ("accounts", company.subsidiary, role.value),
                    "required because options.company_driver_settlements is accrue_wages",
                )
    for index, rule in enumerate(config.dimensions):
        if rule.company is not None and rule.company not in config.companies:
            yield problem(
                ("dimensions", index, "company"), f"company {rule.company!r} is not under [companies]"
            )


def key_lines(text: str) -> dict[KeyPath, int]:
    """The line each key and table of a TOML text is defined on.

    A line scanner, not a parser: it follows ``[table]`` and ``[[array]]`` headers and ``key = value``
    lines (dotted and quoted keys included), and skips the insides of multi-line strings and arrays.
    Keys inside inline tables are left to their enclosing key's line.
    """
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}
    closing: str | None = None  # the delimiter ending the multi-line value we are inside
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if closing is not None:
            if closing in line:
                closing = None
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith("[["):
            path = _parse_key(line[2 : line.find("]]")])
            if path is None:
                continue
            index = arrays.get(path, -1) + 1
            arrays[path] = index
            table = (*path, index)
            lines.setdefault(path, number)
            lines[table] = number
        elif line.startswith("["):
            path = _parse_key(line[1 : line.find("]")])
            if path is not None:
                table = path
                lines.setdefault(path, number)
        else:
            closing = _record_key(line, table, number, lines)
    return lines


def _record_key(line: str, table: KeyPath, number: int, lines: dict[KeyPath, int]) -> str | None:
    split = _key_end(line)
    if split is None:
        return None
    keys = _parse_key(line[:split])
    if keys is None:
        return None
    for end in range(1, len(keys) + 1):
        lines.setdefault((*table, *keys[:end]), number)
    value = line[split + 1 :].strip()
    for quote in ('"""', "'''"):
        if value.startswith(quote) and value.count(quote) == 1:
            return quote
    if value.startswith("[") and value.count("[") > value.count("]"):
        return "]"
    return None


def _key_end(line: str) -> int | None:
    """Position of the ``=`` after the key, skipping quoted parts of the key."""
    quote: str | None = None
    for position, char in enumerate(line):
        if quote:
            if char == quote and not (quote == '"' and line[position - 1] == "\\"):
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "=":
            return position
    return None


def _parse_key(text: str) -> KeyPath | None:
    """``a."b c".d`` → ``("a", "b c", "d")``; None when the text is not a key."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if rest[0] == '"':
            end = _closing_quote(rest)
            if end is None:
                return None
            try:
                parts.append(json.loads(rest[: end + 1]))
            except ValueError:
                return None
            rest = rest[end + 1 :].lstrip()
        elif rest[0] == "'":
            end = rest.find("'", 1)
            if end < 0:
                return None
            parts.append(rest[1:end])
            rest = rest[end + 1 :].lstrip()
        else:
            bare = _BARE_KEY.match(rest)
            if bare is None:
                return None
            parts.append(bare.group())
            rest = rest[bare.end() :].lstrip()
        if rest and not rest.startswith("."):
            return None
        rest = rest[1:].lstrip()
    return tuple(parts) or None


def _closing_quote(text: str) -> int | None:
    position = 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text[position] == '"':
            return position
        position += 1
    return None
