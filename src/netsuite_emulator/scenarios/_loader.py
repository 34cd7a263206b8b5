"""Scenarios: TOML files in ``scenarios/``; a variant names the scenario it ``extends`` and lists deltas.

A scenario file has ``summary``, optional ``extends``, the sections ``[company]``, ``[clock]`` and ``[periods]``
(merged key by key over the parent's), ``[tables]`` (rows per table, only in a base scenario) and the deltas
``[[insert]]`` (``table``, ``rows``), ``[[update]]`` (``table``, ``where``, ``set``) and ``[[delete]]``
(``table``, ``where``). A delta that matches no row is an error, so a typo cannot silently do nothing.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from netsuite_emulator.auth import test_certificate
from netsuite_emulator.permissions import check_level, permission_name
from netsuite_emulator.store import SEEDED_TABLES, SHARED_LISTS, AccountStore, subsidiary_ids, subsidiary_text

from ._periods import generate_periods

_MERGED_SECTIONS = ("company", "clock", "periods")
_DELTA_KINDS = ("insert", "update", "delete")


class ScenarioError(ValueError):
    """A scenario name that does not exist, or a scenario file that does not hold together."""


@dataclass(frozen=True)
class ScenarioInfo:
    name: str
    summary: str


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    company: dict[str, Any]
    clock_offset: float
    periods: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]


def _scenario_files() -> dict[str, Any]:
    folder = resources.files(__package__)
    return {
        entry.name.removesuffix(".toml"): entry for entry in folder.iterdir() if entry.name.endswith(".toml")
    }


def scenario_names() -> tuple[str, ...]:
    return tuple(sorted(_scenario_files()))


def _read(name: str) -> dict[str, Any]:
    files = _scenario_files()
    if name not in files:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(sorted(files))}")
    try:
        data: dict[str, Any] = tomllib.loads(files[name].read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario {name}: {exc}") from None
    return data


def list_scenarios() -> list[ScenarioInfo]:
    """Every scenario with its one-line summary."""
    return [ScenarioInfo(name, str(_read(name).get("summary", ""))) for name in scenario_names()]


def load_scenario(name: str) -> Scenario:
    """Resolve a scenario and the chain it extends into complete table rows."""
    chain: list[dict[str, Any]] = []
    current: str | None = name
    while current is not None:
        if any(d["__name"] == current for d in chain):
            raise ScenarioError(f"scenario {name}: 'extends' forms a cycle")
        data = _read(current)
        data["__name"] = current
        chain.append(data)
        current = data.get("extends")
    base, variants = chain[-1], list(reversed(chain[:-1]))
    merged = {section: dict(base.get(section, {})) for section in _MERGED_SECTIONS}
    tables: dict[str, list[dict[str, Any]]] = copy.deepcopy(base.get("tables", {}))
    for layer in [base, *variants]:
        if layer is not base and "tables" in layer:
            raise ScenarioError(f"scenario {layer['__name']}: a variant changes tables through deltas only")
        for section in _MERGED_SECTIONS:
            merged[section].update(layer.get(section, {}))
        for kind in _DELTA_KINDS:
            for delta in layer.get(kind, []):
                _apply_delta(tables, kind, delta, layer["__name"])
    return Scenario(
        name=name,
        summary=str(chain[0].get("summary", "")),
        company=merged["company"],
        clock_offset=float(merged["clock"].get("offset_seconds", 0)),
        periods=merged["periods"],
        tables=tables,
    )


def _matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    return all(row.get(key) == value for key, value in where.items())


def _apply_delta(
    tables: dict[str, list[dict[str, Any]]], kind: str, delta: dict[str, Any], origin: str
) -> None:
    table = delta.get("table")
    if table not in SEEDED_TABLES:
        raise ScenarioError(f"scenario {origin}: {kind} names unknown table {table!r}")
    rows = tables.setdefault(table, [])
    if kind == "insert":
        rows.extend(copy.deepcopy(delta.get("rows", [])))
        return
    where = delta.get("where", {})
    matched = [row for row in rows if _matches(row, where)]
    if not where or not matched:
        raise ScenarioError(f"scenario {origin}: {kind} on {table} where {where} matches no row")
    if kind == "update":
        for row in matched:
            row.update(delta.get("set", {}))
    else:
        tables[table] = [row for row in rows if not _matches(row, where)]


def _complete_rolepermissions(rows: list[dict[str, Any]], origin: str) -> None:
    for row in rows:
        try:
            check_level(row["permkey"], int(row["permlevel"]))
            row.setdefault("name", permission_name(row["permkey"]))
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"scenario {origin}: rolepermissions {row}: {exc}") from None


def _subsidiary_maps(
    tables: dict[str, list[dict[str, Any]]], origin: str
) -> list[tuple[str, list[dict[str, Any]]]]:
    """A shared list's ``subsidiary`` is written in a scenario as one id or a list of ids; the store keeps the
    comma list SuiteQL shows and one mapping row per subsidiary (``store.SHARED_LISTS``)."""
    maps: list[tuple[str, list[dict[str, Any]]]] = []
    for table, map_table in SHARED_LISTS.items():
        rows: list[dict[str, Any]] = []
        for row in tables.get(table, []):
            value = row.get("subsidiary")
            try:
                ids = frozenset(int(v) for v in value) if isinstance(value, list) else subsidiary_ids(value)
            except (TypeError, ValueError):
                raise ScenarioError(
                    f"scenario {origin}: {table} {row.get('id')}: bad subsidiary {value!r}"
                ) from None
            row["subsidiary"] = subsidiary_text(ids)
            rows.extend({table: row["id"], "subsidiary": subsidiary} for subsidiary in sorted(ids))
        maps.append((map_table, rows))
    return maps


def seed_store(store: AccountStore, scenario: Scenario, now: float) -> None:
    """Write a resolved scenario into an empty store; ``now`` is the account's clock (periods follow it)."""
    company = {**scenario.company, "scenario": scenario.name, "clockoffset": scenario.clock_offset}
    tables = copy.deepcopy(scenario.tables)
    _complete_rolepermissions(tables.get("rolepermissions", []), scenario.name)
    unknown = set(tables) - set(SEEDED_TABLES)
    if unknown:
        raise ScenarioError(f"scenario {scenario.name}: unknown tables {sorted(unknown)}")
    ordered = [(table, tables.get(table, [])) for table in SEEDED_TABLES]
    ordered.extend(_subsidiary_maps(tables, scenario.name))
    ordered.append(("accountingperiod", generate_periods(scenario.periods, now)))
    store.seed(company, ordered)
    for certificate_id, label in store.certificates_to_complete():
        pem, private_pem = test_certificate(label, now)
        store.set_certificate_material(certificate_id, pem, private_pem)
