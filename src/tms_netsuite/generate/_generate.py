"""`generate`: a month of freight activity as TMS documents, the same for the same arguments."""

from __future__ import annotations

from collections.abc import Iterator

from tms_netsuite.documents import Document
from tms_netsuite.generate import _data
from tms_netsuite.generate._attachments import with_attachments
from tms_netsuite.generate._loads import make_loads
from tms_netsuite.generate._parties import make_carriers, make_customers, make_drivers, revise_customer
from tms_netsuite.generate._payables import accrue, claims, pay_bills, settle
from tms_netsuite.generate._receivables import collect, factor_invoices
from tms_netsuite.generate._world import World

DEFAULT_MONTH = "2026-10"


def generate(
    loads: int, seed: int, month: str = DEFAULT_MONTH, *, attachments: bool = False
) -> Iterator[Document]:
    """Documents for `loads` loads in `month` (``YYYY-MM``), in the order a TMS would send them.

    Master data comes first (dated the 1st), then each day's documents. The activity fits
    ``examples/demo-mapping.toml``: companies FCUS (US brokerage, USD) and FCCA (Canadian carrier, CAD).

    With ``attachments``, invoices carry a proof of delivery and a bill of lading, carrier bills a rate
    confirmation, as small PDFs inline (the same loads and amounts as without).

    Raises:
        ValueError: for a negative load count or a malformed month.
    """
    world = World(loads, seed, month)
    make_customers(world, _data.US, max(2, loads // 8), _data.SHIPPER_PREFIXES, _data.SHIPPER_TRADES)
    make_customers(world, _data.CA, max(2, loads // 12), _data.CANADIAN_PREFIXES, _data.CANADIAN_TRADES)
    make_carriers(world, max(2, loads // 6))
    make_drivers(world, max(2, loads // 8))
    make_loads(world)
    factor_invoices(world)
    collect(world)
    claims(world)
    settle(world)
    pay_bills(world)
    accrue(world)
    revise_customer(world)
    return with_attachments(world.documents()) if attachments else world.documents()
