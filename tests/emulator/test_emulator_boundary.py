"""The emulator is an independent oracle: nothing in it may come from the client package."""

from __future__ import annotations

import ast
from pathlib import Path

import netsuite_emulator

PACKAGE_DIR = Path(netsuite_emulator.__file__).parent


def _imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module",
            "__import__",
        ):
            names.extend(
                a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return names


def test_no_module_of_the_emulator_imports_tms_netsuite() -> None:
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(sources) >= 10  # the scan sees the whole package, not an empty folder
    offenders = [
        f"{path.name}: {name}"
        for path in sources
        for name in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if name == "tms_netsuite" or name.startswith("tms_netsuite.")
    ]
    assert offenders == []


def test_the_scan_would_catch_an_import() -> None:
    tree = ast.parse(
        "import os\nfrom tms_netsuite.netsuite import x\nimportlib.import_module('tms_netsuite')"
    )
    assert _imported_modules(tree) == ["os", "tms_netsuite.netsuite", "tms_netsuite"]
