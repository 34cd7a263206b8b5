"""The architecture holds: each package imports only what the layer table allows, no package reaches into
another's private (``_``-prefixed) modules, packages import each other without cycles, and every package's
``__all__`` names only what something outside it uses.

The table is written in ``docs/architecture.md`` too; a test keeps the two the same. A "package" here is a
top-level package of ``tms_netsuite`` (``doctor``, ``netsuite``, …), a top-level module of it (``run``,
``errors``, ``config``), the root ``tms_netsuite`` itself (only ``__version__``), or ``netsuite_emulator`` as a
whole; imports inside one package are its own business. A package's own tests (``TEST_FOLDERS``) may test its
private modules; any other test, and the benchmarks, use public names only.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# Who may import whom (by package), lowest layer first. Edit it with docs/architecture.md when a package moves.
MAY_IMPORT: Mapping[str, frozenset[str]] = {
    "tms_netsuite": frozenset(),
    "errors": frozenset(),
    "netsuite_emulator": frozenset(),
    "documents": frozenset({"errors"}),
    "generate": frozenset({"documents"}),
    "mapping": frozenset({"documents", "errors"}),
    "ledger": frozenset({"errors"}),
    "config": frozenset({"errors"}),
    "netsuite": frozenset({"errors", "tms_netsuite"}),
    "doctor": frozenset({"mapping", "netsuite"}),
    "export": frozenset({"documents", "ledger", "mapping", "netsuite"}),
    "run": frozenset({"doctor", "export", "ledger", "mapping", "netsuite"}),
    "accounts": frozenset({"errors", "ledger", "mapping", "netsuite"}),
    "console": frozenset({"tms_netsuite", "errors", "accounts", "documents", "ledger", "mapping", "doctor"}),
    "service": frozenset(
        {
            "tms_netsuite",
            "errors",
            "accounts",
            "console",
            "documents",
            "ledger",
            "mapping",
            "netsuite",
            "doctor",
            "export",
            "run",
            "readback",
            "webhooks",
            "reconcile",
        }
    ),
    "workers": frozenset({"service"}),
    "readback": frozenset({"ledger", "mapping", "netsuite"}),
    "webhooks": frozenset({"accounts", "ledger"}),
    "reconcile": frozenset({"errors", "ledger", "mapping", "netsuite"}),
    "cli": frozenset(
        {
            "tms_netsuite",
            "errors",
            "netsuite_emulator",
            "documents",
            "generate",
            "mapping",
            "ledger",
            "config",
            "netsuite",
            "doctor",
            "export",
            "run",
            "accounts",
            "service",
            "readback",
            "webhooks",
            "reconcile",
            "workers",
        }
    ),
}

# The tests of one package, which may reach into its private modules.
TEST_FOLDERS: Mapping[str, str] = {
    "tests/cli": "cli",
    "tests/console": "console",
    "tests/doctor": "doctor",
    "tests/documents": "documents",
    "tests/emulator": "netsuite_emulator",
    "tests/export": "export",
    "tests/ledger": "ledger",
    "tests/mapping": "mapping",
    "tests/service": "service",
    "tests/readback": "readback",
    "tests/reconcile": "reconcile",
    "tests/webhooks": "webhooks",
    "tests/workers": "workers",
    "tests/unit/netsuite": "netsuite",
}

# Imports of another package's private module that other work still has to remove, as "file: module". The
# list only shrinks: a new one fails the test, and so does an entry that is gone.
KNOWN_PRIVATE_IMPORTS: frozenset[str] = frozenset(
    {
        # It checks the `__all__` of cli._documents beside the documents package's.
        "tests/documents/test_public_api.py: tms_netsuite.cli._documents",
    }
)

# Names a package exports that nothing outside it uses, left to the work under way in that package (the ledger,
# mapping and emulator helpers); only shrinks, like the list above.
KNOWN_UNUSED_EXPORTS: Mapping[str, frozenset[str]] = {
    "ledger": frozenset({"DEFAULT_LEDGER_PATH"}),
    "netsuite_emulator": frozenset({"ScenarioInfo"}),
}


@dataclass(frozen=True, slots=True)
class Import:
    file: str  # relative to the project root
    module: str  # the absolute module imported (for `from m import n`, m.n when n is a submodule, else m)


def package_of(module: str) -> str | None:
    """The package (as the table names it) a module belongs to; None outside the project."""
    parts = module.split(".")
    if parts[0] == "netsuite_emulator":
        return "netsuite_emulator"
    if parts[0] != "tms_netsuite":
        return None
    return parts[1] if len(parts) > 1 else "tms_netsuite"


def module_name(path: Path) -> str:
    relative = path.relative_to(SRC).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _submodule(module: str, name: str) -> str:
    """``module.name`` when that is a module of the project (so `from pkg import _private` is caught)."""
    candidate = SRC.joinpath(*module.split("."), name)
    return f"{module}.{name}" if candidate.with_suffix(".py").is_file() or candidate.is_dir() else module


def imports_of(path: Path, source: str | None = None) -> Iterator[str]:
    """Every module a file imports: plain, from (relative ones resolved), and importlib's by constant name."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    here = module_name(path).split(".") if path.is_relative_to(SRC) else []
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                yield _submodule(module, alias.name)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module",
            "__import__",
        ):
            yield from (
                a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def all_imports(*folders: str) -> list[Import]:
    return [
        Import(str(path.relative_to(ROOT)), module)
        for path in python_files(*folders)
        for module in imports_of(path)
    ]


def package_edges() -> dict[str, set[str]]:
    """package → the other packages its modules import."""
    edges: dict[str, set[str]] = {}
    for path in python_files("src"):
        source = package_of(module_name(path))
        assert source is not None
        for module in imports_of(path):
            target = package_of(module)
            if target is not None and target != source:
                edges.setdefault(source, set()).add(target)
    return edges


def is_private_import(importer: str | None, module: str) -> bool:
    """A module of another package (or from outside src) whose path has a ``_``-prefixed part."""
    target = package_of(module)
    if target is None or target == importer:
        return False
    return any(part.startswith("_") and not part.startswith("__") for part in module.split(".")[1:])


def owner(path: Path) -> str | None:
    """The package a file belongs to: its own for src, the tested one for a package's tests, else None."""
    if path.is_relative_to(SRC):
        return package_of(module_name(path))
    relative = path.relative_to(ROOT).as_posix()
    return next(
        (package for folder, package in TEST_FOLDERS.items() if relative.startswith(f"{folder}/")), None
    )


def private_imports() -> set[str]:
    found = set()
    for path in python_files("src", "tests", "bench"):
        importer = owner(path)
        for module in imports_of(path):
            if is_private_import(importer, module):
                found.add(f"{path.relative_to(ROOT)}: {module}")
    return found


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One import cycle between packages, as the path that closes it, or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt] if nxt in path else [*path, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, nxt])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def documented_table() -> dict[str, frozenset[str]]:
    """The "may import" table of docs/architecture.md: rows ``| `package` | `a`, `b` |`` (or "nothing")."""
    table: dict[str, frozenset[str]] = {}
    section = (
        ARCHITECTURE.read_text(encoding="utf-8").split("## Who may import whom", 1)[1].split("\n## ", 1)[0]
    )
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        table[cells[0].strip("`")] = frozenset(re.findall(r"`([a-z_]+)`", cells[1]))
    return table


def package_inits() -> dict[str, Path]:
    """Every package of the table with an ``__all__`` to check: its ``__init__`` or its module."""
    found = {}
    for path in sorted(SRC.glob("*/__init__.py")):
        found[path.parent.name if path.parent.name == "netsuite_emulator" else "tms_netsuite"] = path
    for path in sorted((SRC / "tms_netsuite").iterdir()):
        if path.is_dir() and (path / "__init__.py").is_file():
            found[path.name] = path / "__init__.py"
        elif path.suffix == ".py" and not path.name.startswith("_"):
            found[path.stem] = path
    return found


def declared_all(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        if isinstance(target, ast.Name) and target.id == "__all__":
            value = node.value
            assert isinstance(value, ast.List | ast.Tuple), f"{path}: __all__ is not a literal list"
            return [element.value for element in value.elts if isinstance(element, ast.Constant)]
    return None


def names_used_from(package: str, module: str) -> set[str]:
    """Names taken from ``module`` by code outside ``package`` (src, tests, bench): ``from module import name``,
    and ``alias.name`` where ``alias`` is that module imported whole."""
    used: set[str] = set()
    for path in python_files("src", "tests", "bench"):
        if path.is_relative_to(SRC) and package_of(module_name(path)) == package:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == module:
                used.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and f"{node.module}." in f"{module}.":
                aliases.update(a.asname or a.name for a in node.names if f"{node.module}.{a.name}" == module)
            elif isinstance(node, ast.Import):
                aliases.update(a.asname or a.name for a in node.names if a.name == module)
        if aliases:
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and ast.unparse(node.value) in aliases:
                    used.add(node.attr)
    return used


# -- the tests --------------------------------------------------------------------------------------------------


def test_every_package_imports_only_what_the_table_allows() -> None:
    edges = package_edges()
    assert set(edges) <= set(MAY_IMPORT), f"packages missing from the table: {set(edges) - set(MAY_IMPORT)}"
    forbidden = sorted(
        f"{source} imports {target}"
        for source, targets in edges.items()
        for target in targets
        if target not in MAY_IMPORT[source]
    )
    assert forbidden == []


def test_the_table_names_no_import_the_code_does_not_have() -> None:
    """Kept true both ways: an allowed import nothing makes any more is taken out of the table."""
    edges = package_edges()
    unused = sorted(
        f"{source} → {target}"
        for source, targets in MAY_IMPORT.items()
        for target in targets
        if target not in edges.get(source, set())
    )
    assert unused == []


def test_the_architecture_document_shows_the_same_table() -> None:
    assert documented_table() == MAY_IMPORT


def test_the_emulator_imports_nothing_from_tms_netsuite() -> None:
    """The emulator is an independent oracle: nothing in it may come from the client package."""
    sources = python_files("src/netsuite_emulator")
    assert len(sources) >= 10  # the scan sees the whole package, not an empty folder
    offenders = [
        f"{path.name}: {module}"
        for path in sources
        for module in imports_of(path)
        if module == "tms_netsuite" or module.startswith("tms_netsuite.")
    ]
    assert offenders == []


def test_no_package_imports_another_packages_private_module() -> None:
    """In src, tests and bench; the known exceptions left to other work are listed, and only shrink."""
    found = private_imports()
    assert sorted(found - KNOWN_PRIVATE_IMPORTS) == [], "new imports of a private module"
    assert sorted(KNOWN_PRIVATE_IMPORTS - found) == [], "gone: take them out of KNOWN_PRIVATE_IMPORTS"


def test_packages_import_each_other_without_a_cycle() -> None:
    assert find_cycle(package_edges()) is None


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_every_package_exports_only_what_is_used_outside_it(package: str) -> None:
    path = package_inits()[package]
    exported = declared_all(path)
    assert exported is not None, f"{path.relative_to(ROOT)} has no __all__"
    module = module_name(path)
    if package == "cli":  # the console script (pyproject's [project.scripts]) is its one user
        assert exported == ["main"]
        return
    unused = set(exported) - names_used_from(package, module)
    known = KNOWN_UNUSED_EXPORTS.get(package, frozenset())
    assert sorted(unused - known) == [], f"{module} exports names nothing outside it uses"
    assert sorted(known - unused) == [], "now used or gone: take them out of KNOWN_UNUSED_EXPORTS"


def test_every_project_error_derives_from_the_one_root() -> None:
    from tms_netsuite import errors, netsuite
    from tms_netsuite.documents import InvalidDocument
    from tms_netsuite.export import RunStopped
    from tms_netsuite.mapping import MappingError

    assert netsuite.ConfigurationError is errors.ConfigurationError
    for error in (errors.ConfigurationError, netsuite.NetSuiteError, MappingError, InvalidDocument):
        assert issubclass(error, errors.TmsNetSuiteError), error
    assert issubclass(RunStopped, netsuite.NetSuiteError)


# -- the scans themselves would catch a violation ----------------------------------------------------------------


def test_the_scan_reads_every_form_of_import() -> None:
    source = (
        "import os\nfrom tms_netsuite.netsuite import x\nimportlib.import_module('tms_netsuite')\n"
        "from tms_netsuite.netsuite import _client\nfrom . import _emulator\n"
    )
    found = sorted(imports_of(SRC / "netsuite_emulator" / "cli.py", source))
    assert found == sorted(
        [
            "os",
            "tms_netsuite.netsuite",
            "tms_netsuite",
            "tms_netsuite.netsuite._client",
            "netsuite_emulator._emulator",
        ]
    )


def test_a_private_import_from_another_package_is_caught() -> None:
    assert owner(ROOT / "tests" / "unit" / "netsuite" / "test_errors.py") == "netsuite"
    assert owner(ROOT / "tests" / "integration" / "test_client_suiteql_paging.py") is None
    assert is_private_import("doctor", "tms_netsuite.netsuite._client")
    assert is_private_import(None, "netsuite_emulator._rules")
    assert not is_private_import("netsuite", "tms_netsuite.netsuite._client")
    assert not is_private_import("doctor", "tms_netsuite.netsuite")
    assert not is_private_import(None, "tms_netsuite.run")


def test_a_cycle_is_found() -> None:
    assert find_cycle({"doctor": {"export"}, "export": {"doctor", "ledger"}}) == [
        "doctor",
        "export",
        "doctor",
    ]
    assert find_cycle({"run": {"doctor", "export"}, "export": {"ledger"}}) is None
