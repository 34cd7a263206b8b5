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
    """One prerequisite the doctor checks: its id, title, the setup guide's group, and whether the export's
    preflight runs it too."""

    id: str
    title: str
    group: str
    fast: bool = False


# Every check, in the setup guide's order (its groups in its order): the one list of them.
CHECKS: tuple[Check, ...] = (
    Check("features", "NetSuite features", "Account and features"),
    Check("governance", "Concurrency limit", "Account and features"),
    Check("token-identity", "The token's role and user", "Role and user"),
    Check("permissions", "The integration role's permissions", "Role and user"),
    Check("credentials", "Credentials are present and well-formed", "Credentials", fast=True),
    Check("clock", "This machine's clock agrees with NetSuite's", "Credentials", fast=True),
    Check("connection", "An authenticated request succeeds", "Credentials", fast=True),
    Check(
        "accounts",
        "The mapping's accounts exist, are active, of the right type and subsidiary",
        "Chart of accounts",
        fast=True,
    ),
    Check(
        "lists",
        "The mapping's items, categories, classes, terms and other list values",
        "Chart of accounts",
        fast=True,
    ),
    Check("periods", "The accounting periods to post in are open", "Chart of accounts", fast=True),
    Check(
        "subsidiaries",
        "The mapping's subsidiaries exist, are active and visible to the role",
        "Subsidiaries",
        fast=True,
    ),
    Check("drift", "Changes since the last run without failures", "Since the last run"),
)
_BY_ID = {check.id: check for check in CHECKS}


def title_of(check_id: str) -> str:
    return _BY_ID[check_id].title


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

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "detail": self.detail,
            "fix": self.fix,
            "docs": self.docs,
        }


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """Every check of one doctor run, in the article's order."""

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
    """Checks sorted into the article's order."""
    rank = {check.id: index for index, check in enumerate(CHECKS)}
    return tuple(sorted(checks, key=lambda check: rank.get(check.id, len(rank))))
