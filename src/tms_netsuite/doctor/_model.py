"""The doctor's results: one line per prerequisite, with what was seen and how to fix it in NetSuite."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """What a check found. ``confirm``: the API cannot show it, look where ``fix`` says."""

    PASS = "pass"  # noqa: S105 -- a status, not a password
    WARN = "warn"
    FAIL = "fail"
    CONFIRM = "confirm"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Check:
    """One prerequisite the doctor checks: its id, title, the report's group, the setup guide's section that
    explains it (``docs/netsuite-setup.md#<section>``), the checks whose failure it follows from
    (``depends_on``: when one of them fails, this one's failure is a consequence and reported as skipped), and
    whether the export's preflight runs it too."""

    id: str
    title: str
    group: str
    section: str
    depends_on: tuple[str, ...] = ()
    fast: bool = False


# Every check, causes first (credentials, then the role, then what rests on them): the one list of them.
CHECKS: tuple[Check, ...] = (
    Check("credentials", "Credentials are present and well-formed", "Credentials", "connection", fast=True),
    Check("clock", "This machine's clock agrees with NetSuite's", "Credentials", "connection", fast=True),
    Check(
        "connection",
        "An authenticated request succeeds",
        "Credentials",
        "connection",
        ("credentials", "clock"),
        fast=True,
    ),
    Check(
        "certificate",
        "The OAuth 2.0 certificate is not about to expire",
        "Credentials",
        "connection",
        ("credentials",),
    ),
    Check("token-identity", "The token's role and user", "Role and user", "user", ("connection",)),
    Check(
        "permissions",
        "The integration role's permissions",
        "Role and user",
        "role",
        ("connection", "token-identity"),
    ),
    Check("features", "NetSuite features", "Account and features", "features"),
    Check("governance", "Concurrency limit", "Account and features", "connection"),
    Check(
        "subsidiaries",
        "The mapping's subsidiaries exist, are active and visible to the role",
        "Subsidiaries",
        "subsidiaries",
        ("connection", "permissions"),
        fast=True,
    ),
    Check(
        "accounts",
        "The mapping's accounts exist, are active, of the right type and subsidiary",
        "Chart of accounts",
        "accounts",
        ("connection", "permissions", "subsidiaries"),
        fast=True,
    ),
    Check(
        "lists",
        "The mapping's items (and their accounts), categories, classes, terms and other list values",
        "Chart of accounts",
        "lists",
        ("connection", "permissions", "subsidiaries"),
        fast=True,
    ),
    Check(
        "periods",
        "The accounting periods to post in are open",
        "Chart of accounts",
        "preferences",
        ("connection", "permissions"),
        fast=True,
    ),
    Check(
        "files",
        "The File Cabinet: the document service, Documents and Files, the attachments folder",
        "File Cabinet",
        "files",
        ("connection", "permissions"),
    ),
    Check("drift", "Changes since the last run without failures", "Since the last run", "gotchas"),
)
_BY_ID = {check.id: check for check in CHECKS}


def title_of(check_id: str) -> str:
    return _BY_ID[check_id].title


def check_of(check_id: str) -> Check:
    return _BY_ID[check_id]


def fast_check_ids() -> tuple[str, ...]:
    """The checks the export's preflight runs."""
    return tuple(check.id for check in CHECKS if check.fast)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One prerequisite. ``facts`` is machine-readable evidence kept for drift, never printed."""

    id: str
    title: str
    status: Status
    detail: str
    fix: str | None = None
    docs: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Could not be checked: NetSuite failed transiently (after retries) while reading what the check needs.
    # Not a failed prerequisite; the export stops rather than write unchecked, and a re-run may pass.
    transient: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "detail": self.detail,
            "fix": self.fix,
            "docs": self.docs,
            "transient": self.transient,
        }


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """Every check of one doctor run, causes first."""

    checks: tuple[CheckResult, ...]

    @property
    def failed(self) -> bool:
        return any(check.status is Status.FAIL for check in self.checks)

    def summary(self) -> dict[str, int]:
        counts = {status.value: 0 for status in Status}
        for check in self.checks:
            counts[check.status.value] += 1
        return counts

    def get(self, check_id: str) -> CheckResult:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def as_json(self) -> dict[str, Any]:
        return {"checks": [check.as_json() for check in self.checks], "summary": self.summary()}

    def grouped(self) -> list[tuple[str, list[CheckResult]]]:
        """The results by the setup guide's groups, in its order (groups without a result left out)."""
        groups: dict[str, list[CheckResult]] = {}
        for check in ordered(self.checks):
            groups.setdefault(_BY_ID[check.id].group if check.id in _BY_ID else "Other", []).append(check)
        return list(groups.items())


def ordered(checks: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    """Checks sorted causes first (the registry's order)."""
    rank = {check.id: index for index, check in enumerate(CHECKS)}
    return tuple(sorted(checks, key=lambda check: rank.get(check.id, len(rank))))


def settle_dependencies(checks: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    """Checks in order, with each failure that follows from an earlier failed check (its ``depends_on``)
    reported as skipped: "depends on X" says what to fix first, and the next run checks it again."""
    settled: list[CheckResult] = []
    failed: set[str] = set()
    for check in ordered(checks):
        causes = [c for c in (_BY_ID[check.id].depends_on if check.id in _BY_ID else ()) if c in failed]
        if check.status is Status.FAIL and causes:
            failed.add(check.id)
            check = CheckResult(
                check.id,
                check.title,
                Status.SKIP,
                f"skipped: depends on {' and '.join(causes)}, which failed (fix that first; seen meanwhile: "
                f"{check.detail})",
                None,
                check.docs,
                check.facts,
            )
        elif check.status is Status.FAIL:
            failed.add(check.id)
        settled.append(check)
    return tuple(settled)
