"""Each attempt is kept in the ledger with what it sent and what NetSuite answered; an account's activity per hour
counts records written, documents failed, requests and 429s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from netsuite_emulator import Emulator
from tests.doctor.test_preflight import BASE_URL, CountingTransport
from tms_netsuite.export import ingest_documents
from tms_netsuite.generate import generate
from tms_netsuite.ledger import MAPPING_ERROR_CODE, Ledger, State, group_failures
from tms_netsuite.mapping import demo_mapping_path, load_mapping
from tms_netsuite.netsuite import NetSuiteSettings, connect
from tms_netsuite.run import run_export

pytestmark = pytest.mark.anyio


async def export(emulator: Emulator, ledger: Ledger, mapping_text: str, tmp_path: Path) -> int:
    """One run (the doctor's checks skipped: a broken mapping must reach the documents); returns requests."""
    path = tmp_path / "mapping.toml"
    path.write_text(mapping_text, encoding="utf-8")
    environ = emulator.env(base_url=BASE_URL)
    async with connect(
        NetSuiteSettings.from_environ(environ), transport=CountingTransport(emulator)
    ) as client:
        result = await run_export(client, ledger, load_mapping(path), environ=environ, skip_checks=True)
        assert result.report is not None
        return client.stats.requests


async def test_attempts_keep_the_requests_and_answers_and_activity_counts_the_hour(tmp_path: Path) -> None:
    mapping = demo_mapping_path().read_text(encoding="utf-8")
    broken = mapping.replace('fuel_surcharge = "Fuel Surcharge"', 'fuel_surcharge = "Fuel Surcharge (old)"')
    assert broken != mapping
    with Emulator.from_scenario("healthy") as emulator:
        ledger = await Ledger.open(
            f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", emulator.account_id, "production"
        )
        try:
            await ingest_documents(ledger, list(generate(2, seed=3, attachments=True)))
            started = datetime.now(UTC)
            requests = await export(emulator, ledger, broken, tmp_path)
            failed = [row async for row in ledger.rows(state=State.FAILED)]
            assert failed, "the misspelt item fails the invoices with fuel surcharge lines"
            [group] = [g for g in group_failures(failed) if g.code == MAPPING_ERROR_CODE]
            assert group.fixed_by_mapping
            assert "Fuel Surcharge (old)" in group.detail
            assert group.key.startswith("MAPPING:")

            # A failed version: one attempt, failed on the mapping, nothing sent.
            row = group.rows[0]
            timeline = await ledger.timeline(row.kind, row.tms_id)
            assert timeline is not None
            [version] = timeline.versions
            [attempt] = version.attempts
            assert (attempt.attempt, attempt.state, attempt.requests) == (1, State.FAILED, ())
            assert attempt.error is not None
            assert attempt.error.code == MAPPING_ERROR_CODE
            assert version.payload["id"] == row.tms_id

            # A synced carrier bill: its attempt names the PUT sent with the record body and the id answered.
            bills = [r async for r in ledger.rows(state=State.SYNCED) if r.kind == "carrier_bill"]
            synced = bills[0]
            timeline = await ledger.timeline("carrier_bill", synced.tms_id)
            assert timeline is not None
            [attempt] = timeline.versions[0].attempts
            assert attempt.state is State.SYNCED
            bill = synced.records[0]
            sent = [r for r in attempt.requests if r.external_id == bill.external_id]
            assert sent
            assert sent[-1].ok
            assert sent[-1].method == "PUT"
            assert sent[-1].record_type == bill.record_type
            assert sent[-1].internal_id == bill.internal_id
            assert sent[-1].payload is not None
            assert "entity" in sent[-1].payload
            assert "secret" not in str(sent[-1].payload).lower()
            assert timeline.versions[0].row.records[0].url.startswith("https://")

            # A file: its upload (the file's facts stand for its bytes) and its attach, each accepted.
            [attachment] = timeline.attachments  # the carrier bill's rate confirmation, attached
            assert "mediaitem.nl?id=" in attachment.records[0].url
            files = [r async for r in ledger.rows(state=State.SYNCED) if r.kind == "attachment"]
            states = [(r.state, r.error) async for r in ledger.rows() if r.kind == "attachment"]
            assert files, states
            [file_attempt] = (await ledger.attempts([files[0].row_id]))[files[0].row_id]
            upload, attach = file_attempt.requests
            assert (upload.method, upload.record_type, upload.ok) == ("POST", "file", True)
            assert upload.payload is not None
            assert upload.payload["size"] > 0
            assert "content_base64" not in upload.payload
            assert (attach.record_type, attach.ok, attach.internal_id) == (
                "attachment",
                True,
                upload.internal_id,
            )

            # The hour: records written (from the ledger's records), documents failed, requests made.
            [hour] = await ledger.activity(started)
            assert hour.hour == started.replace(minute=0, second=0, microsecond=0)
            assert hour.records_written == sum([len(r.records) async for r in ledger.rows()])
            assert hour.documents_failed == len(failed)
            assert hour.requests == requests > 0
            assert hour.throttled == 0

            # The corrected mapping: the failed versions are queued again and synced; their second attempt is kept.
            await export(emulator, ledger, mapping, tmp_path)
            timeline = await ledger.timeline(row.kind, row.tms_id)
            assert timeline is not None
            assert [a.state for a in timeline.versions[0].attempts] == [State.FAILED, State.SYNCED]
            assert [a.attempt for a in timeline.versions[0].attempts] == [1, 2]
            # Quiet hours are there as zeros.
            hours = await ledger.activity(started - timedelta(hours=3))
            assert len(hours) == 4
            assert hours[0].requests == hours[0].records_written == 0
        finally:
            await ledger.close()
