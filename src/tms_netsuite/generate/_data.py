"""The world the generator draws from: lanes with road miles, rates, names, accessorials.

Miles are approximate highway distances; rates per mile and fuel surcharges are 2026-plausible spot
levels (dry van, USD for US moves, CAD for the Canadian carrier). Company names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Lane:
    """A city pair and its road miles."""

    origin: str
    destination: str
    miles: int


US_LANES = (
    Lane("Chicago, IL", "Atlanta, GA", 716),
    Lane("Dallas, TX", "Houston, TX", 239),
    Lane("Los Angeles, CA", "Phoenix, AZ", 373),
    Lane("Atlanta, GA", "Miami, FL", 662),
    Lane("Memphis, TN", "Chicago, IL", 531),
    Lane("Columbus, OH", "Charlotte, NC", 425),
    Lane("Seattle, WA", "Portland, OR", 174),
    Lane("Denver, CO", "Salt Lake City, UT", 520),
    Lane("Laredo, TX", "Dallas, TX", 431),
    Lane("Newark, NJ", "Boston, MA", 226),
    Lane("Indianapolis, IN", "Nashville, TN", 288),
    Lane("Kansas City, MO", "St. Louis, MO", 248),
    Lane("Ontario, CA", "Las Vegas, NV", 229),
    Lane("Savannah, GA", "Charlotte, NC", 253),
    Lane("Harrisburg, PA", "Columbus, OH", 364),
    Lane("Fresno, CA", "Reno, NV", 262),
    Lane("Chicago, IL", "Dallas, TX", 967),
    Lane("Los Angeles, CA", "Dallas, TX", 1435),
)

CA_LANES = (
    Lane("Toronto, ON", "Montreal, QC", 336),
    Lane("Toronto, ON", "Chicago, IL", 515),
    Lane("Montreal, QC", "New York, NY", 372),
    Lane("Calgary, AB", "Vancouver, BC", 604),
    Lane("Winnipeg, MB", "Minneapolis, MN", 456),
    Lane("Mississauga, ON", "Detroit, MI", 232),
    Lane("Vancouver, BC", "Seattle, WA", 141),
    Lane("Edmonton, AB", "Calgary, AB", 186),
    Lane("Toronto, ON", "Ottawa, ON", 280),
    Lane("Windsor, ON", "Columbus, OH", 254),
    Lane("Montreal, QC", "Halifax, NS", 781),
)


@dataclass(frozen=True, slots=True)
class Market:
    """One TMS company's business: its lanes, currency and rate levels."""

    company: str
    currency: str
    lanes: tuple[Lane, ...]
    rate_per_mile: tuple[Decimal, Decimal]  # customer linehaul, low and high
    short_haul_rate: tuple[Decimal, Decimal]  # under 300 miles, per mile
    fuel_surcharge_per_mile: Decimal
    bank_key: str


US = Market(
    "FCUS",
    "USD",
    US_LANES,
    (Decimal("2.05"), Decimal("2.85")),
    (Decimal("2.90"), Decimal("3.90")),
    Decimal("0.58"),
    "OPERATING_US",
)
CA = Market(
    "FCCA",
    "CAD",
    CA_LANES,
    (Decimal("2.70"), Decimal("3.50")),
    (Decimal("3.60"), Decimal("4.60")),
    Decimal("0.74"),
    "OPERATING_CA",
)

# (charge code, category, rate kind, low, high, probability on an invoice)
ACCESSORIALS = (
    ("LUMPER", "accessorial", "flat", Decimal(150), Decimal(450), 0.22),
    ("DETENTION", "accessorial", "hourly", Decimal(75), Decimal(75), 0.08),
    ("STOP_OFF", "accessorial", "each", Decimal(75), Decimal(100), 0.10),
    ("LAYOVER", "accessorial", "flat", Decimal(250), Decimal(350), 0.03),
    ("HAZMAT", "accessorial", "flat", Decimal(150), Decimal(250), 0.05),
)

SHIPPER_PREFIXES = (
    "Great Lakes",
    "Sunbelt",
    "Cascade",
    "Gulf Coast",
    "Heartland",
    "Summit",
    "Riverbend",
    "Atlas",
    "Blue Harbor",
    "Red Rock",
    "Lakeshore",
    "Evergreen",
    "Keystone",
    "Pioneer",
    "Silverline",
    "Coastal",
)
SHIPPER_TRADES = (
    "Paper Co",
    "Beverage Distributors",
    "Steel Works",
    "Packaging",
    "Home Goods",
    "Plastics",
    "Auto Parts",
    "Building Supply",
    "Farm Supply",
    "Appliance Co",
    "Foods",
    "Chemicals",
)
CANADIAN_PREFIXES = (
    "Laurentian",
    "Fraser Valley",
    "Hudson Bay",
    "Muskoka",
    "Prairie",
    "St. Lawrence",
    "Rideau",
    "Okanagan",
    "Georgian Bay",
    "Niagara",
    "Maritime",
    "Boreal",
)
CANADIAN_TRADES = (
    "Foods Inc",
    "Produce Ltd",
    "Lumber Co",
    "Metals Ltd",
    "Paper Ltd",
    "Grain Co-op",
    "Orchards",
)

CARRIER_PREFIXES = (
    "Blue Ridge",
    "Iron Horse",
    "Lone Star",
    "Prairie Wind",
    "Eagle Line",
    "Redline",
    "Big Sky",
    "Mile Marker",
    "Crossroads",
    "Thunder Road",
    "Northstar",
    "Desert Sun",
    "Granite State",
    "Bayou",
)
CARRIER_TRADES = (
    "Transport LLC",
    "Logistics Inc",
    "Trucking Co",
    "Freight Lines",
    "Express LLC",
    "Carriers Inc",
)
FACTORS = ("Lone Pine Factoring", "Prairie Capital Funding", "Freight Cash Partners")

FIRST_NAMES = (
    "Marc",
    "Julie",
    "Raj",
    "Sofia",
    "Dmitri",
    "Aisha",
    "Pierre",
    "Karen",
    "Tomás",
    "Li",
    "Gurpreet",
    "Nadia",
    "Owen",
    "Chantal",
    "Hamid",
    "Brenda",
)
LAST_NAMES = (
    "Tremblay",
    "Singh",
    "MacDonald",
    "Gagnon",
    "Nguyen",
    "Kowalski",
    "Roy",
    "Chen",
    "Campbell",
    "Bouchard",
    "Patel",
    "Fraser",
    "Dubois",
    "Morrison",
)

STREETS = ("Industrial Pkwy", "Commerce Dr", "Logistics Blvd", "Harbor Rd", "Rail Spur Ln", "Depot St")
