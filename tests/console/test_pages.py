"""The console's pages and forms in process: sign-in and sessions, CSRF on every post, the API's permission rules
(another account's pages and forms are a 404), secrets never rendered, the pages' content."""

from __future__ import annotations

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.console.conftest import csrf_of, sign_in
from tests.service.conftest import MAPPING, Harness, all_synced, documents

pytestmark = pytest.mark.anyio

# A mapping mistake the doctor cannot see (every record it names exists) but translation does: the Canadian
# company left out, so its documents fail with the mapping named.
BROKEN = MAPPING.replace('[companies.FCCA]\nsubsidiary = "Freight Co Canada"\ntrip_type = "carrier"\n', "").replace(
    '[[dimensions]]\ndimension = "location"\ncompany = "FCCA"\nvalue = "Toronto Terminal"\n', ""
)


def browser(harness: Harness) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=harness.client._transport, base_url="http://service.test")


async def test_a_mapping_mistake_shows_on_errors(harness: Harness, healthy: Emulator) -> None:
    assert BROKEN != MAPPING
    await harness.add_account("acme", healthy)
    key = await harness.key("acme")
    print(await harness.call("PUT", "/v1/accounts/acme/mapping", harness.admin_key, json={"mapping": BROKEN}))
    answer = await harness.call("POST", "/v1/accounts/acme/documents", key, json=documents(3))
    docs = answer.json()["accepted"]
    await harness.wait_until("acme", key, all_synced(docs))
    async with browser(harness) as client:
        await sign_in(client, harness.admin_key)
        page = await client.get("/ui/accounts/acme/errors")
        print(page.text)
        page = await client.get("/ui/accounts/acme/doctor")
        print(page.text[-300:])
