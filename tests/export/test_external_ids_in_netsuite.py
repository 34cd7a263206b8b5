"""The connector's external ids survive NetSuite's rules: external ids compare without case, and customers and
vendors share one id space. TMS ids that differ only in case, and a customer and a carrier with one TMS id, still
become distinct NetSuite records (against the emulator, which enforces both rules)."""

from __future__ import annotations

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.documents import Kind
from tms_netsuite.mapping import external_id
from tms_netsuite.netsuite import ExternalId, NetSuiteSettings, connect

pytestmark = pytest.mark.anyio
BASE_URL = "http://emulator.test"


async def test_ids_differing_in_case_or_entity_kind_become_distinct_records() -> None:
    parties = [
        ("customer", Kind.CUSTOMER, "acme"),
        ("customer", Kind.CUSTOMER, "ACME"),
        ("vendor", Kind.CARRIER, "acme"),
        ("vendor", Kind.DRIVER, "acme"),
        ("vendor", Kind.CARRIER, "Acme"),
    ]
    with Emulator.from_scenario("healthy") as emulator:
        settings = NetSuiteSettings.from_environ(emulator.env(base_url=BASE_URL))
        async with connect(settings, transport=httpx.ASGITransport(app=emulator.app)) as client:
            created = [
                await client.upsert(
                    record_type,
                    external_id(kind, tms_id),
                    {"companyName": f"party {number}", "subsidiary": {"id": "1"}},
                )
                for number, (record_type, kind, tms_id) in enumerate(parties)
            ]
            names = [
                (await client.get(record_type, ExternalId(external_id(kind, tms_id))))["companyName"]
                for record_type, kind, tms_id in parties
            ]
    assert len(set(created)) == len(parties)
    assert names == [f"party {number}" for number in range(len(parties))]
