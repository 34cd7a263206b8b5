"""NetSuite's concurrency governance (429s past the account's limit) and the faults the emulator can inject."""

from __future__ import annotations

from ._governor import (
    FAULT_KINDS,
    SLOW_FACTOR,
    ConnectionDropped,
    GovernanceStats,
    Governor,
    PoolOf,
    parse_faults,
    split_fault_rate,
)

__all__ = [
    "FAULT_KINDS",
    "SLOW_FACTOR",
    "ConnectionDropped",
    "GovernanceStats",
    "Governor",
    "PoolOf",
    "parse_faults",
    "split_fault_rate",
]
