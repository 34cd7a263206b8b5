"""Settling finished documents in the ledger: outcomes buffered and committed in groups, one transaction for many,
in the order they finished; documents blocked on a record are released once a settled group wrote it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tms_netsuite.export._report import ExportReport
from tms_netsuite.ledger import Claimed, Ledger, Outcome, SentRequest, State
from tms_netsuite.mapping import RecordKey

# Finished documents are settled in one ledger transaction per group of this many (and before every claim).
_SETTLE_GROUP = 100


class Settlement:
    """The outcomes of one run's finished documents, on their way to the ledger.

    Args:
        ledger: the ledger the outcomes are settled in.
        run_id: the run whose claims they settle.
        report: the run's report; each outcome is counted in it by its new state.
    """

    def __init__(self, ledger: Ledger, run_id: str, report: ExportReport) -> None:
        self._ledger = ledger
        self._run_id = run_id
        self._report = report
        self._outcomes: list[Outcome] = []  # finished documents not yet settled in the ledger
        self._blocked_on: set[str] = set()  # dependencies this run blocked documents on
        self._settling = asyncio.Lock()  # groups are settled in the order they finished
        # Rows under way: their attempt's number and the requests it has sent so far.
        self._attempts: dict[int, tuple[int, list[SentRequest]]] = {}

    def attempting(self, row: Claimed) -> list[SentRequest]:
        """The list the requests of a claimed row's attempt are kept in; its outcome carries them to the
        ledger's history of attempts (in the transaction that settles it)."""
        return self._attempts.setdefault(row.row_id, (row.attempts, []))[1]

    async def finished(self, outcome: Outcome) -> None:
        """A document's outcome; a full group is settled at once."""
        attempt = self._attempts.pop(outcome.row_id, None)
        if attempt is not None:
            outcome = replace(outcome, attempt=attempt[0], requests=tuple(attempt[1]))
        self._outcomes.append(outcome)
        _count(self._report, outcome.state)
        if len(self._outcomes) >= _SETTLE_GROUP:
            await self.settle()

    async def blocked(self, outcome: Outcome, dependency: RecordKey) -> None:
        """A document that waits for a record nothing in this run wrote."""
        await self.finished(outcome)
        self._blocked_on.add(str(dependency))
        # The dependency may have been written by another worker meanwhile: then the block is lifted at once.
        await self.settle()
        if await self._ledger.known_records([(dependency.record_type.value, dependency.external_id)]):
            await self._ledger.release_blocked([str(dependency)])

    async def settle(self) -> int:
        """Settle the finished documents in one ledger transaction, releasing documents this run blocked on
        records they wrote; returns how many were settled."""
        async with self._settling:
            group = list(self._outcomes)
            if not group:
                return 0
            written = {
                # the string of a RecordKey; files and attachments are no RecordType, and nothing waits on them
                f"{r.record_type}/eid:{r.external_id}"
                for o in group
                for r in o.written
            }
            release = sorted(written & self._blocked_on)
            # Shielded, and the group leaves the buffer only once committed: a cancellation (Ctrl-C) or a failed
            # commit keeps it for the final settle instead of losing it (settling twice changes nothing).
            await asyncio.shield(self._ledger.settle(group, run_id=self._run_id, release=release))
            del self._outcomes[: len(group)]
            self._blocked_on -= written
            return len(group)


def _count(report: ExportReport, state: State) -> None:
    if state is State.SYNCED:
        report.synced += 1
    elif state is State.VOID:
        report.voided += 1
    elif state is State.SKIPPED:
        report.skipped += 1
    elif state is State.FAILED:
        report.failed += 1
    elif state is State.BLOCKED:
        report.blocked += 1
    elif state is State.PENDING:
        report.rescheduled += 1
