"""Master data: shippers for both companies, carriers for the brokerage, drivers for the carrier."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from tms_netsuite.documents import Address, Carrier, Customer, Driver, DriverType, Factor, Kind, PartyRef
from tms_netsuite.generate import _data
from tms_netsuite.generate._data import Market
from tms_netsuite.generate._world import Party, World

_CUSTOMER_TERMS = ("NET30", "NET30", "NET30", "NET15", "NET45", "DUE_ON_RECEIPT")
_CARRIER_TERMS = ("NET30", "NET15")
_COUNTRY = {"USD": "US", "CAD": "CA"}


def _names(world: World, prefixes: Sequence[str], trades: Sequence[str], count: int) -> list[str]:
    combos = [f"{prefix} {trade}" for prefix in prefixes for trade in trades]
    return world.rng.sample(combos, min(count, len(combos)))


def _address(world: World, city_state: str, country: str) -> Address:
    city, _, state = city_state.partition(", ")
    street = f"{world.rng.randint(100, 9899)} {world.rng.choice(_data.STREETS)}"
    return Address(line1=street, city=city, state=state or None, country=country)


def _phone(world: World) -> str:
    return f"+1 {world.rng.randint(201, 989)}-555-{world.rng.randint(100, 199):04d}"


def make_customers(
    world: World, market: Market, count: int, prefixes: Sequence[str], trades: Sequence[str]
) -> None:
    """Shippers billed by one company, in its currency."""
    parties = world.customers.setdefault(market.company, [])
    for name in _names(world, prefixes, trades, count):
        tms_id = f"C-{market.company}-{len(parties) + 1:03d}"
        terms = world.rng.choice(_CUSTOMER_TERMS)
        city = world.rng.choice(market.lanes).destination
        document = Customer(
            kind=Kind.CUSTOMER,
            schema_version=1,
            id=tms_id,
            version=1,
            company=market.company,
            name=name,
            currency=market.currency,
            terms=terms,
            email=f"ap@{name.lower().replace(' ', '').replace('.', '')[:40]}.example",
            phone=_phone(world),
            billing_address=_address(world, city, _COUNTRY[market.currency]),
        )
        world.emit(world.first, document)
        factored = market is _data.CA and world.rng.random() < 0.35
        parties.append(Party(PartyRef(id=tms_id, name=name), market, terms, factored=factored))


def revise_customer(world: World) -> None:
    """A later version of one customer: the TMS user corrected the phone number mid-month."""
    everyone = [party for parties in world.customers.values() for party in parties]
    if not everyone:
        return
    party = world.rng.choice(everyone)
    original = next(
        document
        for _, _, _, document in world.events
        if isinstance(document, Customer) and document.id == party.ref.id
    )
    revised = original.model_copy(update={"version": 2, "phone": _phone(world)})
    world.emit(world.day(8, 12), Customer.model_validate(revised.model_dump()))


def make_carriers(world: World, count: int) -> None:
    """Carriers the US brokerage tenders to; some are factored, some take quick pay."""
    for index, name in enumerate(_names(world, _data.CARRIER_PREFIXES, _data.CARRIER_TRADES, count), start=1):
        tms_id = f"CR-{index:03d}"
        factor = None
        if world.rng.random() < 0.3:
            factor_name = world.rng.choice(_data.FACTORS)
            factor = Factor(name=factor_name, remit_to=_address(world, "Dallas, TX", "US"))
        home = world.rng.choice(_data.US.lanes).origin
        terms = world.rng.choice(_CARRIER_TERMS)
        document = Carrier(
            kind=Kind.CARRIER,
            schema_version=1,
            id=tms_id,
            version=1,
            company=_data.US.company,
            name=name,
            currency="USD",
            terms=terms,
            mc_number=f"MC{world.rng.randint(100000, 1299999)}",
            dot_number=str(world.rng.randint(1000000, 3999999)),
            phone=_phone(world),
            remit_to=_address(world, home, "US"),
            factoring_company=factor,
        )
        world.emit(world.first, document)
        party = Party(PartyRef(id=tms_id, name=name), _data.US, terms, quick_pay=world.rng.random() < 0.35)
        world.carriers.append(party)


def make_drivers(world: World, count: int) -> None:
    """The Canadian carrier's drivers: mostly owner-operators, some company (W2) drivers."""
    pool = [f"{first} {last}" for first in _data.FIRST_NAMES for last in _data.LAST_NAMES]
    names = world.rng.sample(pool, min(count, len(pool)))
    # Past the pool (a large month), names repeat with a number, as two real drivers may share a name.
    names += [f"{names[i % len(names)]} {2 + i // len(names)}" for i in range(count - len(names))]
    for index, name in enumerate(names, start=1):
        owner = index == 1 or world.rng.random() < 0.7
        tms_id = f"D-{index:03d}"
        document = Driver(
            kind=Kind.DRIVER,
            schema_version=1,
            id=tms_id,
            version=1,
            company=_data.CA.company,
            name=name if not owner else f"{name} Trucking",
            currency="CAD",
            driver_type=DriverType.OWNER_OPERATOR if owner else DriverType.COMPANY,
            address=_address(world, world.rng.choice(_data.CA.lanes).origin, "CA"),
        )
        world.emit(world.first, document)
        party = Party(PartyRef(id=tms_id, name=document.name), _data.CA, "NET15", owner_operator=owner)
        world.drivers.append(
            dataclasses.replace(party, escrow=world.rng.random() < 0.6, trailer_rent=world.rng.random() < 0.5)
        )
