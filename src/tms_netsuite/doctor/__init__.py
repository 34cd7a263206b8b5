"""The doctor: every NetSuite prerequisite of the connector checked, each gap explained with NetSuite's menus.

`run_doctor` runs every check; `run_fast_checks` is the export's preflight on an open client and hands back
(as a `Preflight`) the account's lists, read once, and the concurrency limit to keep to. Both only read.
`load_reference_data` reads those lists alone. The permissions the integration role needs are in
:mod:`tms_netsuite.doctor.permissions`. `setup_guide` is the NetSuite setup the checks expect, as a guide; `LOGIN_AUDIT_REASONS` says what the Login
Audit Trail's reasons for a refused login mean.
"""

from __future__ import annotations

from tms_netsuite.doctor._audit import AUDIT_TRAIL_PATH, LOGIN_AUDIT_REASONS
from tms_netsuite.doctor._drift import results_for_ledger
from tms_netsuite.doctor._guide import setup_guide
from tms_netsuite.doctor._model import CheckResult, DoctorReport, Status
from tms_netsuite.doctor._reference import load_reference_data
from tms_netsuite.doctor._runner import Preflight, run_doctor, run_fast_checks

__all__ = [
    "AUDIT_TRAIL_PATH",
    "LOGIN_AUDIT_REASONS",
    "CheckResult",
    "DoctorReport",
    "Preflight",
    "Status",
    "load_reference_data",
    "results_for_ledger",
    "run_doctor",
    "run_fast_checks",
    "setup_guide",
]
