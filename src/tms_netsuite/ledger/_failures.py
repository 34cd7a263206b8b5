"""Failed document versions grouped by cause, for `tms-netsuite errors` and the service's errors alike."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tms_netsuite.ledger._model import MAPPING_ERROR_CODE, LedgerRow


@dataclass(frozen=True, slots=True)
class FailureGroup:
    """Failed rows that share one cause: NetSuite's code and detail text, and the catalogue's cause and fix."""

    code: str
    detail: str
    cause: str | None
    fix: str | None
    rows: list[LedgerRow]

    @property
    def key(self) -> str:
        """A stable name of the cause (the code and a hash of the rest), to retry the group by."""
        digest = hashlib.sha256("\x1f".join((self.detail, self.cause or "", self.fix or "")).encode())
        return f"{self.code}:{digest.hexdigest()[:12]}"

    @property
    def fixed_by_mapping(self) -> bool:
        """The rows failed on the mapping: they are queued again by themselves once the mapping changes."""
        return self.code == MAPPING_ERROR_CODE


def group_failures(rows: Sequence[LedgerRow]) -> list[FailureGroup]:
    """Failed rows by cause, the largest group first: by NetSuite's detail text, not only its code (one code
    covers many causes: an inactive income account and a closed period are both INVALID_FLD_VALUE)."""
    groups: dict[tuple[str, str, str | None, str | None], list[LedgerRow]] = {}
    for row in rows:
        error = row.error
        key = (
            (error.code or error.category, _shared_detail(row, error.detail or ""), error.cause, error.fix)
            if error
            else ("unknown", "", None, None)
        )
        groups.setdefault(key, []).append(row)
    causes = [FailureGroup(*key, rows) for key, rows in groups.items()]
    return sorted(causes, key=lambda cause: -len(cause.rows))


def _shared_detail(row: LedgerRow, detail: str) -> str:
    """The detail as documents with the same cause share it: without the document's own name (translation
    names it: "carrier_bill CB-1 v1, $.lines[0]…") and with line positions as ``[n]``."""
    detail = detail.removeprefix(f"{row.kind} {row.tms_id} v{row.version}, ")
    return _POSITION.sub("[n]", detail)


_POSITION = re.compile(r"\[\d+\]")
