"""Fixtures for mapping tests: the shipped demo mapping and the NetSuite lists it expects."""

from __future__ import annotations

import pytest

from tests.mapping.demo_reference import demo_mapping, demo_reference
from tms_netsuite.mapping import MappingConfig, ReferenceData


@pytest.fixture(scope="session")
def mapping() -> MappingConfig:
    """examples/demo-mapping.toml, loaded."""
    return demo_mapping()


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    """The emulator's healthy-scenario lists, as the demo mapping names them."""
    return demo_reference()
