"""Since the last run: what changed since the last doctor run without failures that the ledger kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tms_netsuite.doctor._context import skipped
from tms_netsuite.doctor._model import CheckResult, DoctorReport, Status, title_of
from tms_netsuite.doctor._setup import guide_link
from tms_netsuite.doctor.permissions import BY_KEY, ROLE_PATH


def results_for_ledger(report: DoctorReport) -> dict[str, Any]:
    """What the ledger keeps of a run: each check's status and facts (no secrets, no free text)."""
    return {c.id: {"status": c.status.value, "facts": dict(c.facts)} for c in report.checks}


def drift_result(
    checks: list[CheckResult], previous: Mapping[str, Any] | None, *, has_ledger: bool
) -> CheckResult:
    title = title_of("drift")
    if not has_ledger:
        return skipped("drift", "no ledger: the doctor keeps its results only in an existing ledger")
    if previous is None:
        return skipped("drift", "first run recorded in this ledger: nothing to compare with")
    changes: list[str] = []
    for check in checks:
        before = previous.get(check.id)
        if not isinstance(before, Mapping):
            continue
        if before.get("status") != check.status.value:
            changes.append(f"{check.id}: {before.get('status')} → {check.status.value}")
        removed = sorted(
            set(check.facts.get("missing", ())) - set(before.get("facts", {}).get("missing", ()))
        )
        if removed:
            names = ", ".join(f"{BY_KEY[k].name} ({k})" if k in BY_KEY else k for k in removed)
            changes.append(f"permissions removed since then: {names}")
    if not changes:
        return CheckResult("drift", title, Status.PASS, "nothing changed since the last run without failures")
    return CheckResult(
        "drift",
        title,
        Status.WARN,
        "; ".join(changes),
        "Someone changed NetSuite since the last good run (a common gotcha: role permissions modified after the "
        f"token was made, {guide_link('gotchas')}); restore it at {ROLE_PATH}.",
    )
