"""Master data: customers, carriers and owner-operators → NetSuite customers and vendors.

An entity NetSuite already has under someone else's key (a NetSuite id stored in the TMS, or an exact
name match) is linked, never modified; only our own records (our external id) are written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tms_netsuite.documents import (
    Address,
    Carrier,
    Customer,
    Driver,
    DriverType,
    EntityKind,
    Kind,
    PartyRef,
    Status,
)
from tms_netsuite.mapping._context import Context, Route
from tms_netsuite.mapping._external_ids import Suffix
from tms_netsuite.mapping._records import NetSuiteWrite, RecordType
from tms_netsuite.mapping._reference import ListKind
from tms_netsuite.mapping._resolve import LinkMode
from tms_netsuite.mapping._transactions import Builder, Built, Skip, clean, sublist

Entity = Customer | Carrier | Driver

_KINDS = {
    Kind.CUSTOMER: EntityKind.CUSTOMER,
    Kind.CARRIER: EntityKind.CARRIER,
    Kind.DRIVER: EntityKind.DRIVER,
}
_RELATIONSHIPS = {
    RecordType.CUSTOMER: RecordType.CUSTOMER_SUBSIDIARY_RELATIONSHIP,
    RecordType.VENDOR: RecordType.VENDOR_SUBSIDIARY_RELATIONSHIP,
}


def address_book(address: Address | None) -> dict[str, Any] | None:
    """One default billing address as NetSuite's addressBook sublist."""
    if address is None:
        return None
    fields = {
        "addr1": address.line1,
        "addr2": address.line2,
        "city": address.city,
        "state": address.state,
        "zip": address.postal_code,
        "country": {"id": address.country},
    }
    return sublist([{"defaultBilling": True, "defaultShipping": False, "addressBookAddress": clean(fields)}])


def _customer_fields(doc: Customer) -> dict[str, Any]:
    return {"addressBook": address_book(doc.billing_address)}


def _carrier_fields(doc: Carrier) -> dict[str, Any]:
    numbers = "; ".join(
        f"{label} {value}" for label, value in (("MC", doc.mc_number), ("DOT", doc.dot_number)) if value
    )
    factor = doc.factoring_company
    # Under a notice of assignment, checks are made out to the factor at the factor's address.
    return {
        "comments": numbers or None,
        "printOnCheckAs": factor.name if factor else None,
        "addressBook": address_book(factor.remit_to if factor and factor.remit_to else doc.remit_to),
    }


def _driver_fields(doc: Driver) -> dict[str, Any]:
    return {"is1099Eligible": True, "addressBook": address_book(doc.address)}


def _entity(ctx: Context, doc: Entity) -> Built:
    if isinstance(doc, Driver) and doc.driver_type is DriverType.COMPANY:
        return Skip(f"company (W2) driver {doc.name}: payroll pays company drivers, so no NetSuite vendor")
    route = ctx.route(doc.company, "$.company")
    if route is None:
        return []
    kind = _KINDS[doc.kind]
    party = PartyRef(id=doc.id, name=doc.name, netsuite_id=doc.netsuite_id)
    link = ctx.link(party, kind, route, "$.name")
    if link is None:
        return []
    record_type = ctx.entity_record(kind)
    records: list[NetSuiteWrite] = []
    if link.mode in (LinkMode.OURS, LinkMode.CREATE):
        records.append(NetSuiteWrite.build(record_type, link.external_id, _entity_body(ctx, doc, route)))
    records.extend(_relationships(ctx, doc, route, link.ref, record_type, records))
    if not records:
        return Skip(
            f"linked to NetSuite {record_type.value} {link.ref['id']} by {link.mode.value}; left unchanged"
        )
    return records


def _entity_body(ctx: Context, doc: Entity, route: Route) -> dict[str, Any]:
    specific = _SPECIFIC[doc.kind](doc)
    terms = ctx.mapped("terms", ListKind.TERM, doc.terms, "$.terms") if doc.terms else None
    body = {
        "companyName": doc.name,
        "isPerson": False,
        "subsidiary": route.ref,
        "currency": ctx.currency(),
        "terms": terms,
        "email": doc.email,
        "phone": doc.phone,
        "isInactive": doc.status is Status.VOID,
        **specific,
    }
    return clean(body)


def _relationships(
    ctx: Context,
    doc: Entity,
    route: Route,
    entity: dict[str, str],
    record_type: RecordType,
    written: list[NetSuiteWrite],
) -> list[NetSuiteWrite]:
    """The entity's relationship to each further subsidiary that bills or pays it."""
    records = []
    seen = {route.subsidiary.id}
    for index, key in enumerate(doc.other_companies):
        other = ctx.route(key, f"$.other_companies[{index}]")
        if other is None or other.subsidiary.id in seen:
            continue
        seen.add(other.subsidiary.id)
        body = {"entity": entity, "subsidiary": other.ref}
        eid = ctx.eid(Suffix.subsidiary(other.subsidiary.id))
        depends = tuple(record.key for record in written)
        records.append(NetSuiteWrite.build(_RELATIONSHIPS[record_type], eid, body, depends_on=depends))
    return records


_SPECIFIC: dict[Kind, Callable[[Any], dict[str, Any]]] = {
    Kind.CUSTOMER: _customer_fields,
    Kind.CARRIER: _carrier_fields,
    Kind.DRIVER: _driver_fields,
}

ENTITY_BUILDERS: dict[Kind, Builder] = {Kind.CUSTOMER: _entity, Kind.CARRIER: _entity, Kind.DRIVER: _entity}
