"""What the TMS sent against what NetSuite holds, for one period: per subsidiary, customer and vendor.

The TMS side is the ledger (each document's latest version, its payload and the records it became); the NetSuite
side is read by SuiteQL, never taken from the ledger: transactions dated in the period, their totals, line counts,
amounts remaining and load numbers.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import Ledger, OurRecord
from tms_netsuite.mapping import RecordType
from tms_netsuite.netsuite import InvalidDataError, NetSuiteClient

TRANSACTION_KINDS = (
    "invoice",
    "carrier_bill",
    "driver_settlement",
    "customer_payment",
    "bill_payment",
    "credit_memo",
    "vendor_credit",
    "customer_deposit",
    "deposit_application",
    "journal_entry",
)
# The record each kind's total and lines are compared on, and where its total is in the payload.
_MAIN_RECORD = {
    "invoice": ("invoice", "lines"),
    "carrier_bill": ("vendorbill", "lines"),
    "credit_memo": ("creditmemo", "lines"),
    "customer_payment": ("customerpayment", "amount"),
    "customer_deposit": ("customerdeposit", "amount"),
    "deposit_application": ("depositapplication", "amount"),
}
_TRANSACTION_TYPES = tuple(t.value for t in RecordType if t.transaction_type is not None)
_OURS_PREFIX = "tms-"
_CENT = Decimal("0.005")
LOAD_NUMBER_FIELD = "custbody_load_number"  # the demo mapping's; read only when the account has it

# Kinds of difference, the order the report lists them in.
MISSING = "missing_in_netsuite"
UNKNOWN = "unknown_to_ledger"
TOTAL = "total_differs"
LINES = "line_count_differs"
DUPLICATE = "duplicate"
OPEN_BALANCE = "open_balance_differs"
DIFFERENCE_KINDS = (MISSING, UNKNOWN, TOTAL, LINES, DUPLICATE, OPEN_BALANCE)


@dataclass(frozen=True, slots=True)
class Difference:
    """One disagreement, naming the TMS document and the NetSuite record where there are some."""

    kind: str
    subsidiary: str
    party: str
    detail: str
    tms_document: str | None = None  # "invoice INV-1 v2"
    netsuite_external_id: str | None = None
    netsuite_internal_id: str | None = None
    tms_value: str | None = None
    netsuite_value: str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """Open A/R (a customer) or A/P (a vendor) on both sides, for the period's invoices or bills."""

    ledger: str  # "A/R" or "A/P"
    subsidiary: str
    party: str
    currency: str
    tms_open: Decimal
    netsuite_open: Decimal

    @property
    def agrees(self) -> bool:
        return abs(self.tms_open - self.netsuite_open) <= _CENT


@dataclass
class Reconciliation:
    period: str
    subsidiary: str | None
    tms_documents: int = 0
    netsuite_transactions: int = 0
    differences: list[Difference] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.differences


def period_bounds(period: str) -> tuple[str, str]:
    """First and last day of a ``YYYY-MM`` period."""
    try:
        year, month = (int(part) for part in period.split("-"))
        last = calendar.monthrange(year, month)[1]
    except ValueError:
        raise ConfigurationError(f"--period {period!r} is not a month: write it as 2026-10") from None
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _amount(payload: Mapping[str, Any], key: str) -> Decimal | None:
    value = payload.get(key)
    return _money(value.get("amount")) if isinstance(value, dict) else None


def expected(payload: Mapping[str, Any], kind: str) -> tuple[Decimal | None, int | None]:
    """The total and line count the TMS sent for a document's main record (None where not compared)."""
    if kind not in _MAIN_RECORD:
        return None, None
    where = _MAIN_RECORD[kind][1]
    if where == "lines":
        lines = payload.get("lines")
        if not isinstance(lines, list):
            return None, None
        amounts = [_amount(line, "amount") for line in lines if isinstance(line, dict)]
        if any(a is None for a in amounts):
            return None, len(lines)
        return sum((a for a in amounts if a is not None), Decimal(0)), len(lines)
    return _amount(payload, where), None


def _label(doc: Mapping[str, Any]) -> str:
    return f"{doc['kind']} {doc['tms_id']} v{doc['version']}"


def _party_of(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(TMS party id, name) of a transaction document."""
    for key in ("customer", "carrier", "payee", "driver"):
        value = payload.get(key)
        if isinstance(value, dict):
            return value.get("id"), value.get("name")
    return None, None


async def reconcile(
    client: NetSuiteClient, ledger: Ledger, period: str, *, subsidiary: str | None = None
) -> Reconciliation:
    """Compare the period's TMS documents with the period's NetSuite transactions."""
    first, last = period_bounds(period)
    result = Reconciliation(period, subsidiary)
    store = ledger.readback()
    names = await _names(client)
    wanted_subsidiary = _pick_subsidiary(subsidiary, names["subsidiary"])
    netsuite = await _transactions(client, first, last, wanted_subsidiary)
    result.netsuite_transactions = len(netsuite)
    counts = await _line_counts(client, first, last)
    loads = await _load_numbers(client, first, last)
    by_key = {(row.get("recordtype", ""), (row.get("externalid") or "").casefold()): row for row in netsuite}
    ours = await store.our_records(record_types=_TRANSACTION_TYPES)
    ours_by_document: dict[tuple[str, str], list[OurRecord]] = defaultdict(list)
    for record in ours.values():
        ours_by_document[(record.kind, record.tms_id)].append(record)
    docs = [
        d
        for d in await store.documents(TRANSACTION_KINDS)
        if first <= str(d["payload"].get("date", "")) <= last
    ]

    def where(row: Mapping[str, str] | None, payload: Mapping[str, Any]) -> tuple[str, str]:
        if row is not None:
            sub = names["subsidiary"].get(row.get("subsidiary", ""), row.get("subsidiary", ""))
            entity = row.get("entity", "")
            party = names["customer"].get(entity) or names["vendor"].get(entity) or entity
            return sub, party
        return f"company {payload.get('company', '?')}", _party_of(payload)[1] or "?"

    in_scope_docs = []
    for doc in docs:
        payload = doc["payload"]
        records = ours_by_document.get((doc["kind"], doc["tms_id"]), [])
        rows = [by_key.get((r.record_type.lower(), r.external_id.casefold())) for r in records]
        sub, party = where(next((r for r in rows if r is not None), None), payload)
        if wanted_subsidiary is not None and rows and all(r is None for r in rows):
            continue  # ours elsewhere: NetSuite's answer was limited to the subsidiary
        if wanted_subsidiary is not None and not rows:
            continue
        in_scope_docs.append(doc)
        if doc["voided"] or doc["state"] == "void":
            continue
        if not records:
            state = doc["state"]
            result.differences.append(
                Difference(MISSING, sub, party, f"not in NetSuite: the ledger holds it {state}", _label(doc))
            )
            continue
        for record, row in zip(records, rows, strict=True):
            if row is None:
                result.differences.append(
                    Difference(
                        MISSING, sub, party, f"{record.record_type} not found in NetSuite (deleted there?)",
                        _label(doc), record.external_id, record.internal_id,
                    )
                )  # fmt: skip
        main = _MAIN_RECORD.get(doc["kind"])
        if main is None:
            continue
        main_rows = [
            (rec, row) for rec, row in zip(records, rows, strict=True) if rec.record_type.lower() == main[0]
        ]
        if len(main_rows) != 1:
            continue
        record, found = main_rows[0]
        if found is None:
            continue
        row = found
        total, lines = expected(payload, doc["kind"])
        found_total = _money(row.get("foreigntotal"))
        if total is not None and found_total is not None and abs(total - found_total) > _CENT:
            result.differences.append(
                Difference(
                    TOTAL, sub, party, "total differs", _label(doc), record.external_id, row["id"],
                    f"{total:.2f}", f"{found_total:.2f}",
                )
            )  # fmt: skip
        found_lines = counts.get(row["id"])
        if lines is not None and found_lines is not None and lines != found_lines:
            result.differences.append(
                Difference(
                    LINES, sub, party, "line count differs", _label(doc), record.external_id, row["id"],
                    str(lines), str(found_lines),
                )
            )  # fmt: skip
    result.tms_documents = len(in_scope_docs)
    known = {(r.record_type.lower(), r.external_id.casefold()) for r in ours.values()}
    for row in netsuite:
        external = row.get("externalid") or ""
        if (
            external.lower().startswith(_OURS_PREFIX)
            and (row.get("recordtype", ""), external.casefold()) not in known
        ):
            sub, party = where(row, {})
            result.differences.append(
                Difference(
                    UNKNOWN, sub, party, f"{row.get('recordtype')} with our external id, unknown to the ledger",
                    None, external, row["id"],
                )
            )  # fmt: skip
    ours_by_id = {r.internal_id: r for r in ours.values()}
    result.differences += _duplicates(netsuite, loads, ours_by_id, in_scope_docs, where)
    result.balances = _balances(netsuite, in_scope_docs, docs, ours_by_document, by_key, where)
    for balance in result.balances:
        if not balance.agrees:
            result.differences.append(
                Difference(
                    OPEN_BALANCE, balance.subsidiary, balance.party,
                    f"open {balance.ledger} differs ({balance.currency})", None, None, None,
                    f"{balance.tms_open:.2f}", f"{balance.netsuite_open:.2f}",
                )
            )  # fmt: skip
    order = {kind: n for n, kind in enumerate(DIFFERENCE_KINDS)}
    result.differences.sort(key=lambda d: (order[d.kind], d.subsidiary, d.party, d.tms_document or ""))
    return result


def _duplicates(
    netsuite: Sequence[Mapping[str, str]],
    loads: Mapping[str, str],
    ours_by_id: Mapping[str, OurRecord],
    docs: Sequence[Mapping[str, Any]],
    where: Any,
) -> list[Difference]:
    found: list[Difference] = []
    groups: dict[tuple[str, str], list[Mapping[str, str]]] = defaultdict(list)
    for row in netsuite:
        if row.get("voided") == "T":
            continue
        load = loads.get(row["id"])
        if load and row.get("type") in ("CustInvc", "VendBill"):
            groups[(row.get("recordtype", ""), load)].append(row)
    for (record_type, load), rows in sorted(groups.items()):
        if len(rows) < 2:
            continue
        sub, party = where(rows[0], {})
        labels = []
        for row in rows:
            record = ours_by_id.get(row["id"])
            labels.append(
                f"{row['id']} ({record.kind + ' ' + record.tms_id if record else 'entered in NetSuite'})"
            )
        first = ours_by_id.get(rows[0]["id"])
        found.append(
            Difference(
                DUPLICATE, sub, party, f"{len(rows)} NetSuite {record_type}s for load {load}: {', '.join(labels)}",
                f"{first.kind} {first.tms_id} v{first.version}" if first else None,
                rows[0].get("externalid"), rows[0]["id"],
            )
        )  # fmt: skip
    invoiced: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for doc in docs:
        references = doc["payload"].get("references")
        if (
            doc["kind"] == "invoice"
            and not doc["voided"]
            and isinstance(references, dict)
            and references.get("load_number")
        ):
            invoiced[str(references["load_number"])].append(doc)
    for load, same in sorted(invoiced.items()):
        if len({d["tms_id"] for d in same}) > 1:
            sub, party = where(None, same[0]["payload"])
            found.append(
                Difference(
                    DUPLICATE, sub, party, f"load {load} invoiced twice in the TMS: "
                    + ", ".join(_label(d) for d in same), _label(same[0]),
                )
            )  # fmt: skip
    return found


def _balances(
    netsuite: Sequence[Mapping[str, str]],
    in_scope: Sequence[Mapping[str, Any]],
    every: Sequence[Mapping[str, Any]],
    ours_by_document: Mapping[tuple[str, str], list[OurRecord]],
    by_key: Mapping[tuple[str, str], Mapping[str, str]],
    where: Any,
) -> list[Balance]:
    """Open A/R per customer and A/P per vendor (carrier bills), for the period's invoices and bills."""
    applied: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # (kind, tms id) → applied in the TMS
    for doc in every:
        payload = doc["payload"]
        if doc["voided"]:
            continue
        if doc["kind"] == "customer_payment":
            for app in payload.get("applications", []):
                applied[("invoice", app["invoice"])] += _amount(app, "amount") or Decimal(0)
        elif doc["kind"] == "bill_payment":
            for app in payload.get("applications", []):
                bill = app.get("bill", {})
                applied[(bill.get("kind", "carrier_bill"), bill.get("id"))] += _amount(
                    app, "amount"
                ) or Decimal(0)
        elif doc["kind"] == "credit_memo":
            applied[("invoice", payload.get("invoice"))] += expected(payload, "credit_memo")[0] or Decimal(0)
        elif doc["kind"] == "deposit_application":
            applied[("invoice", payload.get("invoice"))] += _amount(payload, "amount") or Decimal(0)
        elif doc["kind"] == "vendor_credit":
            bill = payload.get("bill", {})
            lines = payload.get("lines")
            total = (
                sum((_amount(line, "amount") or Decimal(0) for line in lines), Decimal(0))
                if isinstance(lines, list)
                else Decimal(0)
            )
            applied[(bill.get("kind", "carrier_bill"), bill.get("id"))] += total
    sums: dict[tuple[str, str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    counted: set[str] = set()
    for doc in in_scope:
        if doc["kind"] not in ("invoice", "carrier_bill") or doc["voided"]:
            continue
        payload = doc["payload"]
        records = ours_by_document.get((doc["kind"], doc["tms_id"]), [])
        main = "invoice" if doc["kind"] == "invoice" else "vendorbill"
        row = next(
            (
                by_key.get((r.record_type.lower(), r.external_id.casefold()))
                for r in records
                if r.record_type.lower() == main
            ),
            None,
        )
        sub, party = where(row, payload)
        key = ("A/R" if doc["kind"] == "invoice" else "A/P", sub, party, str(payload.get("currency", "")))
        total = expected(payload, doc["kind"])[0] or Decimal(0)
        sums[key][0] += max(total - applied[(doc["kind"], doc["tms_id"])], Decimal(0))
        if row is not None:
            sums[key][1] += _money(row.get("foreignamountunpaid")) or Decimal(0)
            counted.add(row["id"])
    for row in netsuite:  # open documents NetSuite holds that the TMS did not send
        if row["id"] in counted or row.get("voided") == "T" or row.get("type") not in ("CustInvc",):
            continue
        if (row.get("externalid") or "").lower().startswith(_OURS_PREFIX):
            continue
        sub, party = where(row, {})
        matching = [k for k in sums if k[0] == "A/R" and k[1] == sub and k[2] == party]
        key = matching[0] if matching else ("A/R", sub, party, "")
        sums[key][1] += _money(row.get("foreignamountunpaid")) or Decimal(0)
    return [
        Balance(ledger, sub, party, currency, values[0], values[1])
        for (ledger, sub, party, currency), values in sorted(sums.items())
    ]


async def _rows(
    client: NetSuiteClient, query: str, params: Sequence[str] = (), keyset: str | None = None
) -> list[dict[str, str]]:
    return [row async for row in client.suiteql(query, params, keyset=keyset)]


async def _names(client: NetSuiteClient) -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    names["subsidiary"] = {
        r["id"]: r.get("name", r["id"]) for r in await _rows(client, "SELECT id, name FROM subsidiary")
    }
    for table in ("customer", "vendor"):
        rows = await _rows(client, f"SELECT id, entityid, companyname FROM {table}", keyset="id")  # noqa: S608
        names[table] = {r["id"]: r.get("companyname") or r.get("entityid") or r["id"] for r in rows}
    return names


def _pick_subsidiary(wanted: str | None, subsidiaries: Mapping[str, str]) -> str | None:
    if wanted is None:
        return None
    for internal_id, name in subsidiaries.items():
        if wanted in (internal_id, name) or wanted.casefold() == name.casefold():
            return internal_id
    known = ", ".join(sorted(subsidiaries.values()))
    raise ConfigurationError(f"--subsidiary {wanted!r} is not a subsidiary NetSuite shows the role ({known})")


async def _transactions(
    client: NetSuiteClient, first: str, last: str, subsidiary: str | None
) -> list[dict[str, str]]:
    query = (
        "SELECT t.id, t.type, t.recordtype, t.externalid, t.tranid, t.entity, t.subsidiary, t.currency, "
        "t.foreigntotal, t.foreignamountunpaid, t.status, t.voided FROM transaction t "
        "WHERE t.trandate >= TO_DATE(?, 'YYYY-MM-DD') AND t.trandate <= TO_DATE(?, 'YYYY-MM-DD')"
    )
    params = [first, last]
    if subsidiary is not None:
        query += " AND t.subsidiary = ?"
        params.append(subsidiary)
    return await _rows(client, query, params, keyset="id")


async def _line_counts(client: NetSuiteClient, first: str, last: str) -> dict[str, int]:
    rows = await _rows(
        client,
        "SELECT l.transaction AS id, COUNT(*) AS n FROM transactionline l JOIN transaction t ON t.id = l.transaction "
        "WHERE l.mainline = 'F' AND t.trandate >= TO_DATE(?, 'YYYY-MM-DD') AND t.trandate <= TO_DATE(?, 'YYYY-MM-DD') "
        "GROUP BY l.transaction",
        [first, last],
        keyset="id",
    )
    return {row["id"]: int(row["n"]) for row in rows}


async def _load_numbers(client: NetSuiteClient, first: str, last: str) -> dict[str, str]:
    """Each transaction's load number, when the account has the custom body field (else none)."""
    try:
        rows = await _rows(
            client,
            f"SELECT t.id, t.{LOAD_NUMBER_FIELD} AS loadnumber FROM transaction t "  # noqa: S608 -- a fixed name
            f"WHERE t.{LOAD_NUMBER_FIELD} IS NOT NULL AND t.trandate >= TO_DATE(?, 'YYYY-MM-DD') "
            "AND t.trandate <= TO_DATE(?, 'YYYY-MM-DD')",
            [first, last],
            keyset="id",
        )
    except InvalidDataError:
        return {}
    return {row["id"]: row["loadnumber"] for row in rows if row.get("loadnumber")}


def differences_by_kind(differences: Iterable[Difference]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for difference in differences:
        counts[difference.kind] = counts.get(difference.kind, 0) + 1
    return counts
