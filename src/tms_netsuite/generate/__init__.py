"""Realistic freight data: a seeded month of TMS documents for demos, tests and benchmarks."""

from __future__ import annotations

from tms_netsuite.generate._generate import DEFAULT_MONTH, generate

__all__ = ["DEFAULT_MONTH", "generate"]
