"""Named accounts to start from: the TOML files beside this module, and the accounting periods they generate."""

from __future__ import annotations

from ._loader import ScenarioError, ScenarioInfo, list_scenarios, load_scenario, scenario_names, seed_store

__all__ = ["ScenarioError", "ScenarioInfo", "list_scenarios", "load_scenario", "scenario_names", "seed_store"]
