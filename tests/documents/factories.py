"""Valid documents of every kind as JSON-shaped dicts; each call returns a fresh copy to mutate."""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def cad(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CAD"}


def envelope(kind: str, doc_id: str, company: str = "FCUS") -> Doc:
    return {"kind": kind, "schema_version": 1, "id": doc_id, "version": 1, "company": company}


def transaction(kind: str, doc_id: str, company: str = "FCUS", currency: str = "USD") -> Doc:
    return {**envelope(kind, doc_id, company), "date": "2026-10-05", "currency": currency}


CUSTOMER_REF = {"id": "C-1", "name": "Great Lakes Paper Co"}
CARRIER_REF = {"id": "CR-1", "name": "Blue Ridge Transport LLC"}
DRIVER_REF = {"id": "D-1", "name": "Marc Tremblay Trucking"}


def customer() -> Doc:
    return {
        **envelope("customer", "C-1"),
        "name": "Great Lakes Paper Co",
        "currency": "USD",
        "terms": "NET30",
        "email": "ap@glpaper.example",
        "billing_address": {"line1": "100 Mill Rd", "city": "Green Bay", "state": "WI", "country": "US"},
    }


def carrier() -> Doc:
    return {
        **envelope("carrier", "CR-1"),
        "name": "Blue Ridge Transport LLC",
        "currency": "USD",
        "terms": "NET30",
        "mc_number": "MC123456",
        "dot_number": "2345678",
        "remit_to": {"line1": "1 Depot St", "city": "Roanoke", "state": "VA", "country": "US"},
        "factoring_company": {"name": "Lone Pine Factoring"},
    }


def driver(driver_type: str = "owner_operator") -> Doc:
    return {
        **envelope("driver", "D-1", "FCCA"),
        "name": "Marc Tremblay Trucking",
        "currency": "CAD",
        "driver_type": driver_type,
    }


def line(code: str, category: str, quantity: str, rate: str, amount: str, currency: str = "USD") -> Doc:
    return {
        "charge_code": code,
        "category": category,
        "quantity": quantity,
        "rate": rate,
        "amount": {"amount": amount, "currency": currency},
    }


def invoice() -> Doc:
    return {
        **transaction("invoice", "INV-1"),
        "number": "T1001",
        "customer": CUSTOMER_REF,
        "terms": "NET30",
        "due_date": "2026-11-04",
        "references": {"load_number": "L-1001", "bol": "BOL77", "po": "PO-5", "pro": "PRO9"},
        "lines": [
            line("LINEHAUL", "linehaul", "716", "2.45", "1754.20") | {"unit": "mile"},
            line("FUEL_SURCHARGE", "fuel_surcharge", "716", "0.58", "415.28") | {"unit": "mile"},
            line("LUMPER", "accessorial", "1", "250", "250.00"),
            line("DRIVER_ASSIST", "accessorial", "1", "0", "0.00"),
            line("ADJUSTMENT", "adjustment", "1", "-50", "-50.00"),
        ],
    }


def carrier_bill() -> Doc:
    return {
        **transaction("carrier_bill", "CB-1"),
        "carrier": CARRIER_REF,
        "trip_number": "TR-1001",
        "load_number": "L-1001",
        "carrier_invoice_number": "BR55012",
        "terms": "NET30",
        "due_date": "2026-11-04",
        "lines": [
            line("LINEHAUL", "linehaul", "1", "1800.00", "1800.00"),
            line("LUMPER", "accessorial", "1", "250", "250.00"),
        ],
    }


def driver_settlement(driver_type: str = "owner_operator") -> Doc:
    return {
        **transaction("driver_settlement", "ST-1", "FCCA", "CAD"),
        "number": "S-1",
        "driver": DRIVER_REF,
        "driver_type": driver_type,
        "period_start": "2026-09-28",
        "period_end": "2026-10-04",
        "due_date": "2026-10-07",
        "earnings": [
            line("LINEHAUL", "linehaul", "600", "2.10", "1260.00", "CAD"),
            line("FUEL_SURCHARGE", "fuel_surcharge", "600", "0.74", "444.00", "CAD"),
        ],
        "deductions": [
            {"code": "FUEL_CARD", "category": "fuel", "amount": cad("560.00")},
            {"code": "INSURANCE", "category": "insurance", "amount": cad("95.00")},
            {"code": "TRAILER_RENT", "category": "equipment", "amount": cad("175.00")},
        ],
        "advances_recovered": [{"reference": "ECHK-1", "amount": cad("300.00")}],
        "escrow": [{"description": "Weekly escrow", "amount": cad("50.00")}],
    }


def customer_payment() -> Doc:
    return {
        **transaction("customer_payment", "PMT-1"),
        "customer": CUSTOMER_REF,
        "amount": usd("1500.00"),
        "payment_method": "ACH",
        "reference": "ACH8812",
        "applications": [
            {"invoice": "INV-1", "amount": usd("1000.00"), "invoice_balance": usd("2369.48")},
            {"invoice": "INV-2", "amount": usd("500.00")},
        ],
    }


def bill_payment() -> Doc:
    return {
        **transaction("bill_payment", "BP-1"),
        "payee": {**CARRIER_REF, "kind": "carrier"},
        "amount": usd("2009.00"),
        "payment_method": "ACH",
        "reference": "ACH100",
        "applications": [
            {
                "bill": {"kind": "carrier_bill", "id": "CB-1"},
                "amount": usd("2050.00"),
                "bill_balance": usd("2050.00"),
                "quick_pay_fee": usd("41.00"),
            }
        ],
    }


def credit_memo() -> Doc:
    return {
        **transaction("credit_memo", "CM-1"),
        "customer": CUSTOMER_REF,
        "invoice": "INV-1",
        "reason": "short_pay",
        "lines": [line("ADJUSTMENT", "adjustment", "1", "75", "75.00")],
        "invoice_balance": usd("75.00"),
    }


def vendor_credit() -> Doc:
    return {
        **transaction("vendor_credit", "VC-1"),
        "reference": "CLM-1",
        "vendor": {**CARRIER_REF, "kind": "carrier"},
        "bill": {"kind": "carrier_bill", "id": "CB-1"},
        "reason": "cargo_claim",
        "lines": [line("CARGO_CLAIM", "claim", "1", "300", "300.00")],
        "bill_balance": usd("2050.00"),
    }


def customer_deposit() -> Doc:
    return {
        **transaction("customer_deposit", "DEP-1"),
        "customer": CUSTOMER_REF,
        "amount": usd("2000.00"),
        "payment_method": "WIRE",
        "reference": "WIRE-1",
        "load_number": "L-1001",
    }


def deposit_application() -> Doc:
    return {
        **transaction("deposit_application", "DA-1"),
        "customer": CUSTOMER_REF,
        "deposit": "DEP-1",
        "invoice": "INV-1",
        "amount": usd("2000.00"),
        "deposit_balance": usd("2000.00"),
        "invoice_balance": usd("2369.48"),
    }


def journal_entry() -> Doc:
    return {
        **transaction("journal_entry", "JE-1"),
        "purpose": "accrual",
        "reversal_date": "2026-11-01",
        "lines": [
            {"account": "PURCHASED_TRANSPORTATION", "debit": usd("1800.00"), "memo": "Load L-1002"},
            {
                "account": "receivable",
                "debit": usd("10.00"),
                "entity": {**CUSTOMER_REF, "kind": "customer"},
            },
            {"account": "ACCRUED_PT", "credit": usd("1810.00")},
        ],
    }


FACTORIES = {
    "customer": customer,
    "carrier": carrier,
    "driver": driver,
    "invoice": invoice,
    "carrier_bill": carrier_bill,
    "driver_settlement": driver_settlement,
    "customer_payment": customer_payment,
    "bill_payment": bill_payment,
    "credit_memo": credit_memo,
    "vendor_credit": vendor_credit,
    "customer_deposit": customer_deposit,
    "deposit_application": deposit_application,
    "journal_entry": journal_entry,
}
