"""ISO 4217 currency codes in circulation, with their minor units where they are not 2."""

from __future__ import annotations

# Active codes (ISO 4217 list one, 2025), without precious metals, testing and "no currency" codes.


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


ISO_4217_CODES = _codes(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN
    BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF
    KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR
    MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK
    SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU
    UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """
)

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
MINOR_UNITS: dict[str, int] = (
    dict.fromkeys(_ZERO.split(), 0) | dict.fromkeys(_THREE.split(), 3) | dict.fromkeys(_FOUR.split(), 4)
)
DEFAULT_MINOR_UNITS = 2


def minor_units(code: str) -> int:
    """Decimal places a currency's amounts may carry (2 unless the standard says otherwise)."""
    return MINOR_UNITS.get(code, DEFAULT_MINOR_UNITS)
