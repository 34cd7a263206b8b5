"""Each package's public surface is exactly its `__all__`."""

from __future__ import annotations

import types

import pytest

import tms_netsuite.documents
import tms_netsuite.generate
import tms_netsuite.mapping
from tms_netsuite.cli import _documents


@pytest.mark.parametrize(
    "module", [tms_netsuite.documents, tms_netsuite.mapping, tms_netsuite.generate, _documents]
)
def test_all_lists_the_public_names(module: types.ModuleType) -> None:
    """`__all__` (kept sorted by ruff's RUF022) equals the module's public, non-module attributes."""
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    if module is _documents:  # an implementation module: only its commands are public
        public = {name for name in public if name.endswith("_command")}
    assert len(module.__all__) == len(set(module.__all__))
    assert set(module.__all__) == public
