"""Fixtures of the emulator's tests: the test clock and an emulator factory that closes what it made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netsuite_emulator import Emulator
from tests.emulator.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_emulator(clock: FakeClock) -> Iterator[Callable[..., Emulator]]:
    """Emulator.from_scenario with the test clock; every emulator made is closed afterwards."""
    made: list[Emulator] = []

    def make(scenario: str = "healthy", **kwargs: Any) -> Emulator:
        kwargs.setdefault("clock", clock)
        emulator = Emulator.from_scenario(scenario, **kwargs)
        made.append(emulator)
        return emulator

    yield make
    for emulator in made:
        emulator.close()
