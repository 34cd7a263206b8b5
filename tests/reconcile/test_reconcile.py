"""Reconciliation against the emulator: a clean export agrees; an edited total, a deleted bill and a copied
invoice (a second one for the same load) are each found, named by TMS document and NetSuite external id."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.readback.conftest import Account, make_account, seconds
from tms_netsuite.reconcile import reconcile, render

pytestmark = pytest.mark.anyio
__all__ = ["make_account", "seconds"]  # fixtures


async def run(account: Account, subsidiary: str | None = None):  # type: ignore[no-untyped-def]
    async with account.client() as client, account.ledger() as ledger:
        return await reconcile(client, ledger, "2026-10", subsidiary=subsidiary)


async def test_a_clean_export_agrees_and_people_s_changes_are_found(
    make_account: Callable[..., Account],
) -> None:
    account = make_account()
    await account.export()
    clean = await run(account)
    assert clean.differences == [], render(clean, "table")
    assert clean.tms_documents > 0
    invoice = (await account.open_documents("CustInvc"))[0]
    bill = (await account.open_documents("VendBill"))[-1]
    copied = (await account.open_documents("CustInvc"))[1]
    account.person.edit_total("invoice", invoice["id"], float(invoice["foreigntotal"]) + 40)
    account.person.delete("vendorbill", bill["id"])
    copy = account.person.copy("invoice", copied["id"])
    result = await run(account)
    kinds = {d.kind for d in result.differences}
    assert {"total_differs", "missing_in_netsuite", "duplicate"} <= kinds, render(result, "table")
    [total] = [d for d in result.differences if d.kind == "total_differs"]
    assert total.netsuite_external_id == invoice["externalid"]
    assert total.tms_document is not None
    assert total.tms_document.startswith("invoice INV-")
    assert (total.tms_value, total.netsuite_value) == (
        f"{float(invoice['foreigntotal']):.2f}",
        f"{float(invoice['foreigntotal']) + 40:.2f}",
    )
    [missing] = [d for d in result.differences if d.kind == "missing_in_netsuite"]
    assert missing.netsuite_external_id == bill["externalid"]
    [duplicate] = [d for d in result.differences if d.kind == "duplicate"]
    assert str(copy) in duplicate.detail
    assert "entered in NetSuite" in duplicate.detail
    page = render(result, "html")
    assert page.index("Differences") < page.index("Open A/R")
    assert "total differs" in page
    assert render(result, "csv").splitlines()[0].startswith("kind,subsidiary,party,tms_document")
