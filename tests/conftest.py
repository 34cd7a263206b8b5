"""Fixtures every test tier shares: a hermetic environment, the async backend and ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip the calling test when a resource is missing, or fail under CI, where it must be present."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


@pytest.fixture
def shared_dir() -> Path:
    """The project's ../shared folder; tests that read it skip in a user's clone and fail in CI."""
    require(SHARED_DIR.is_dir(), f"../shared is absent ({SHARED_DIR}); these tests read its fixtures")
    return SHARED_DIR


@pytest.fixture(autouse=True)
def _hermetic_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's NetSuite credentials, ledger settings or proxies."""
    for name in list(os.environ):
        if name.startswith(("NETSUITE_", "TMS_NETSUITE_")) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, the backend the engine uses."""
    return "asyncio"
