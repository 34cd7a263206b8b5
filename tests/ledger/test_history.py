"""The ledger's history on both backends: attempts kept (the last ATTEMPTS_KEPT of a version), activity per hour,
and a document's timeline with its files and read-back events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.ledger.conftest import Clock
from tms_netsuite.ledger import (
    ErrorInfo,
    IngestItem,
    Ledger,
    NewEvent,
    Outcome,
    SentRequest,
    State,
    WrittenRecord,
)

pytestmark = pytest.mark.anyio
LEASE = timedelta(minutes=5)
REFUSED = ErrorInfo("retry_later", "CONCURRENCY_LIMIT_EXCEEDED", "too many requests", None, None)


@pytest.fixture
async def ledger(database_url: str, clock: Clock) -> AsyncIterator[Ledger]:
    opened = await Ledger.open(database_url, "123456_SB1", "sandbox", clock=clock)
    yield opened
    await opened.close()


async def test_a_version_retried_forever_keeps_its_last_attempts(ledger: Ledger, clock: Clock) -> None:
    await ledger.ingest([IngestItem("invoice", "INV-1", 1, {"id": "INV-1", "version": 1})])
    body = {"entity": {"id": "7"}, "item": {"items": [{"amount": 10}]}}
    tries = Ledger.ATTEMPTS_KEPT + 5
    for number in range(1, tries + 1):
        [claimed] = await ledger.claim(f"run-{number}", limit=1, lease=LEASE)
        assert claimed.attempts == number
        refused = SentRequest("PUT", "invoice", "tms-invoice-INV-1", body, 429, None, "CONCURRENCY", "busy")
        outcome = Outcome.retry(claimed.row_id, REFUSED, at=clock(), outcome_unknown=False)
        await ledger.settle(
            [Outcome(**{**_fields(outcome), "attempt": claimed.attempts, "requests": (refused,)})],
            run_id=f"run-{number}",
        )
        clock.advance(seconds=1)
    [claimed] = await ledger.claim("last", limit=1, lease=LEASE)
    record = WrittenRecord("invoice", "tms-invoice-INV-1", "901", "https://x.app.netsuite.com/app/x?id=901")
    done = SentRequest("PUT", "invoice", "tms-invoice-INV-1", body, None, "901", ok=True)
    await ledger.settle(
        [Outcome(claimed.row_id, State.SYNCED, (record,), attempt=claimed.attempts, requests=(done,))],
        run_id="last",
    )
    kept = (await ledger.attempts([claimed.row_id]))[claimed.row_id]
    assert len(kept) == Ledger.ATTEMPTS_KEPT
    assert [a.attempt for a in kept] == list(range(tries + 2 - Ledger.ATTEMPTS_KEPT, tries + 2))
    assert kept[0].state is State.PENDING
    assert kept[0].status == 429
    assert kept[0].error == REFUSED
    assert kept[0].requests[0].payload == body
    assert kept[-1].state is State.SYNCED
    assert kept[-1].requests == (done,)
    # Outcomes settled without an attempt (0: not a claim's) leave no history.
    await ledger.settle([Outcome(claimed.row_id, State.SYNCED)])
    assert len((await ledger.attempts([claimed.row_id]))[claimed.row_id]) == Ledger.ATTEMPTS_KEPT


def _fields(outcome: Outcome) -> dict[str, object]:
    return {name: getattr(outcome, name) for name in Outcome.__dataclass_fields__}


async def test_activity_per_hour_counts_records_failures_requests_and_429s(
    ledger: Ledger, clock: Clock
) -> None:
    start = clock()
    await ledger.ingest([IngestItem("invoice", f"INV-{n}", 1, {"id": f"INV-{n}"}) for n in range(3)])
    claimed = await ledger.claim("run", limit=3, lease=LEASE)
    error = ErrorInfo("data", "USER_ERROR", "no subsidiary", "c", "f")
    record = WrittenRecord("invoice", "tms-invoice-INV-0", "1", "https://x/1")
    await ledger.settle(
        [
            Outcome(claimed[0].row_id, State.SYNCED, (record,), attempt=1),
            Outcome.failed(claimed[1].row_id, error),
            Outcome.failed(claimed[2].row_id, error),
        ],
        run_id="run",
    )
    await ledger.record_activity(requests=40, throttled=3)
    clock.advance(hours=2)
    await ledger.record_activity(requests=5, throttled=0)
    await ledger.record_activity(requests=2, throttled=1)
    await ledger.record_activity(requests=0, throttled=0)
    hours = await ledger.activity(start + timedelta(minutes=30))  # from the start of that hour
    assert [h.hour for h in hours] == [start + timedelta(hours=n) for n in range(3)]
    first, quiet, last = hours
    assert (first.records_written, first.documents_failed, first.requests, first.throttled) == (1, 2, 40, 3)
    assert (quiet.records_written, quiet.documents_failed, quiet.requests, quiet.throttled) == (0, 0, 0, 0)
    assert (last.records_written, last.documents_failed, last.requests, last.throttled) == (0, 0, 7, 1)
    # Another account's activity is apart.
    other = Ledger(ledger._engine, "999_OTHER", "sandbox", clock=clock)
    assert all(h.requests == 0 for h in await other.activity(start))


async def test_a_timeline_has_versions_attempts_files_and_events(ledger: Ledger, clock: Clock) -> None:
    await ledger.ingest(
        [
            IngestItem("invoice", "INV_1", 1, {"id": "INV_1", "version": 1}),
            IngestItem(
                "attachment", "invoice:INV_1:pod", 1, {"document": {"kind": "invoice", "id": "INV_1"}}
            ),
            IngestItem(
                "attachment", "invoice:INVX1:pod", 1, {"document": {"kind": "invoice", "id": "INVX1"}}
            ),
            IngestItem("invoice", "INVX1", 1, {"id": "INVX1", "version": 1}),
        ]
    )
    clock.advance(seconds=1)
    await ledger.ingest([IngestItem("invoice", "INV_1", 2, {"id": "INV_1", "version": 2})])
    await ledger.readback().commit(
        [],
        [
            NewEvent(
                "invoice.paid",
                "paid:1",
                {"document": {"kind": "invoice", "id": "INV_1", "version": 2}, "amount": "10.00"},
            ),
            NewEvent(
                "invoice.paid", "paid:2", {"document": {"kind": "invoice", "id": "INVX1", "version": 1}}
            ),
        ],
    )
    timeline = await ledger.timeline("invoice", "INV_1")
    assert timeline is not None
    assert [(v.row.version, v.row.state) for v in timeline.versions] == [
        (1, State.SUPERSEDED),
        (2, State.PENDING),
    ]
    assert timeline.versions[1].payload == {"id": "INV_1", "version": 2}
    assert timeline.versions[1].row.created_at == clock()
    assert [row.tms_id for row in timeline.attachments] == ["invoice:INV_1:pod"]  # `_` is no wildcard
    assert [event.payload["amount"] for event in timeline.events] == ["10.00"]
    assert await ledger.timeline("invoice", "NOPE") is None
