"""The doctor: every NetSuite prerequisite of the connector checked, each gap explained with NetSuite's menus.

`run_doctor` runs every check; `run_fast_checks` is the export's preflight on an open client and hands back
(as a `Preflight`) the account's lists, read once, and the concurrency limit to keep to. Both only read.
"""

from __future__ import annotations

from tms_netsuite.doctor._model import CHECK_IDS, FAST_CHECK_IDS, GROUPS, CheckResult, DoctorReport, Status
from tms_netsuite.doctor._permissions import Permission, required_permissions
from tms_netsuite.doctor._reference import load_reference_data
from tms_netsuite.doctor._run import Preflight, drift_result, results_for_ledger, run_doctor, run_fast_checks

__all__ = [
    "CHECK_IDS",
    "FAST_CHECK_IDS",
    "GROUPS",
    "CheckResult",
    "DoctorReport",
    "Permission",
    "Preflight",
    "Status",
    "drift_result",
    "load_reference_data",
    "required_permissions",
    "results_for_ledger",
    "run_doctor",
    "run_fast_checks",
]
