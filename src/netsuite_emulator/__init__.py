"""A local NetSuite account's REST Web Services, for tests, benchmarks and demos.

It imports nothing from ``tms_netsuite``: it is an independent oracle.
"""

from __future__ import annotations

__all__: list[str] = []
