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


# The article's grouping, in its order; every check id belongs to one group.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Account and features", ("features", "governance")),
    ("Role and user", ("token-identity", "permissions")),
    ("Credentials", ("credentials", "clock", "connection")),
    ("Chart of accounts", ("accounts", "lists", "periods")),
    ("Subsidiaries", ("subsidiaries",)),
    ("Since the last run", ("drift",)),
)
CHECK_IDS: tuple[str, ...] = tuple(check for _, ids in GROUPS for check in ids)
FAST_CHECK_IDS = ("credentials", "clock", "connection", "subsidiaries", "accounts", "lists", "periods")


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
        by_id = {check.id: check for check in self.checks}
        return [
            (title, [by_id[i] for i in ids if i in by_id])
            for title, ids in GROUPS
            if any(i in by_id for i in ids)
        ]


def ordered(checks: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    """Checks sorted into the article's order."""
    rank = {check_id: index for index, check_id in enumerate(CHECK_IDS)}
    return tuple(sorted(checks, key=lambda check: rank.get(check.id, len(rank))))
