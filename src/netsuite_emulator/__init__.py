"""A local NetSuite account's REST Web Services, for tests, benchmarks and demos.

It imports nothing from ``tms_netsuite``: it is an independent oracle.

    from netsuite_emulator import Emulator
    emu = Emulator.from_scenario("healthy")
    emu.app, emu.account_id, emu.env(), emu.audit_trail()

``netsuite_emulator.testing`` runs it as its own process instead, for tests and benchmarks over a socket.
"""

from __future__ import annotations

from ._emulator import AuditEntry, Emulator
from .scenarios import ScenarioError, ScenarioInfo, list_scenarios, scenario_names

SCENARIOS: tuple[str, ...] = scenario_names()

__all__ = ["SCENARIOS", "AuditEntry", "Emulator", "ScenarioError", "ScenarioInfo", "list_scenarios"]
