"""External ids as NetSuite keeps them: as written, matched without regard to case, and unique across a record
group (a customer and a vendor cannot share one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netsuite_emulator import Emulator
from tests.emulator.records_support import invoice_body, make, netsuite, refused
from tms_netsuite.netsuite import ExternalId

pytestmark = pytest.mark.anyio
DUPLICATE = (400, "USER_ERROR", "Error while accessing a resource. This entity already exists.")


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with make() as made:
        yield made


async def test_an_external_id_is_kept_as_written_and_matched_without_case(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        first = await ns.upsert("customer", "Acme-7", {"companyName": "Acme", "subsidiary": {"id": "1"}})
        again = await ns.upsert("customer", "ACME-7", {"companyName": "Acme Freight"})
        read = await ns.get("customer", ExternalId("acme-7"))
        refusal = await refused(
            ns.create("customer", {"companyName": "Other", "subsidiary": {"id": "1"}, "externalId": "acme-7"})
        )
    assert again == first
    assert (read["externalId"], read["companyName"]) == ("Acme-7", "Acme Freight")
    assert refusal[:3] == DUPLICATE


async def test_customers_and_vendors_share_one_external_id_space(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        await ns.upsert("customer", "party-1", {"companyName": "Two Hats", "subsidiary": {"id": "1"}})
        as_vendor = await refused(
            ns.upsert("vendor", "PARTY-1", {"companyName": "Two Hats", "subsidiary": {"id": "1"}})
        )
        created = await refused(
            ns.create(
                "vendor", {"companyName": "Two Hats", "subsidiary": {"id": "1"}, "externalId": "party-1"}
            )
        )
    assert as_vendor[:3] == DUPLICATE
    assert created[:3] == DUPLICATE


async def test_transaction_external_ids_match_without_case(emulator: Emulator) -> None:
    async with netsuite(emulator) as ns:
        first = await ns.upsert("invoice", "Load-9", invoice_body("101"))
        again = await ns.upsert("invoice", "LOAD-9", invoice_body("101", 900.0))
        read = await ns.get("invoice", ExternalId("load-9"))
    assert again == first
    assert read["externalId"] == "Load-9"
