"""A reconciliation as a terminal table, CSV, JSON, or one printable HTML file with the differences first."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict
from typing import Any

from tms_netsuite.reconcile._reconcile import Reconciliation, differences_by_kind

_COLUMNS = (
    "kind",
    "subsidiary",
    "party",
    "tms_document",
    "netsuite_external_id",
    "netsuite_internal_id",
    "tms_value",
    "netsuite_value",
    "detail",
)


def as_json(result: Reconciliation) -> dict[str, Any]:
    return {
        "period": result.period,
        "subsidiary": result.subsidiary,
        "agrees": result.agrees,
        "tms_documents": result.tms_documents,
        "netsuite_transactions": result.netsuite_transactions,
        "differences_by_kind": differences_by_kind(result.differences),
        "differences": [asdict(d) for d in result.differences],
        "balances": [
            {
                "ledger": b.ledger,
                "subsidiary": b.subsidiary,
                "party": b.party,
                "currency": b.currency,
                "tms_open": f"{b.tms_open:.2f}",
                "netsuite_open": f"{b.netsuite_open:.2f}",
                "agrees": b.agrees,
            }
            for b in result.balances
        ],
    }


def render(result: Reconciliation, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(as_json(result), indent=2) + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt == "html":
        return _html(result)
    return _table(result)


def headline(result: Reconciliation) -> str:
    scope = f"{result.period}" + (f", subsidiary {result.subsidiary}" if result.subsidiary else "")
    if result.agrees:
        return (
            f"Reconciliation {scope}: the TMS and NetSuite agree ({result.tms_documents} TMS documents, "
            f"{result.netsuite_transactions} NetSuite transactions)."
        )
    counts = ", ".join(
        f"{n} {kind.replace('_', ' ')}" for kind, n in differences_by_kind(result.differences).items()
    )
    return (
        f"Reconciliation {scope}: {len(result.differences)} differences ({counts}) between "
        f"{result.tms_documents} TMS documents and {result.netsuite_transactions} NetSuite transactions."
    )


def _table(result: Reconciliation) -> str:
    lines = [headline(result), ""]
    for d in result.differences:
        values = (
            f" (TMS {d.tms_value}, NetSuite {d.netsuite_value})" if d.tms_value or d.netsuite_value else ""
        )
        names = " ".join(
            part
            for part in (
                d.tms_document or "",
                f"eid {d.netsuite_external_id}" if d.netsuite_external_id else "",
                f"id {d.netsuite_internal_id}" if d.netsuite_internal_id else "",
            )
            if part
        )
        lines.append(f"  {d.kind:<22} {d.subsidiary} / {d.party}: {d.detail}{values} {names}".rstrip())
    if result.balances:
        lines += ["", "Open balances of the period's invoices and bills (TMS / NetSuite):"]
        for b in result.balances:
            mark = "" if b.agrees else "  <- differs"
            lines.append(
                f"  {b.ledger} {b.subsidiary} / {b.party}: {b.tms_open:.2f} / {b.netsuite_open:.2f} {b.currency}{mark}"
            )
    return "\n".join(lines) + "\n"


def _csv(result: Reconciliation) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for d in result.differences:
        writer.writerow([getattr(d, c) or "" for c in _COLUMNS])
    return out.getvalue()


_STYLE = """
body{font:11pt/1.4 system-ui,sans-serif;margin:2em;color:#111}
h1{font-size:16pt;margin:0 0 .2em} h2{font-size:13pt;margin:1.5em 0 .4em}
p.lead{margin:.2em 0 1em} .bad{color:#a40000} .ok{color:#0a5d00}
table{border-collapse:collapse;width:100%;font-size:9.5pt}
th,td{border:1px solid #bbb;padding:.25em .4em;text-align:left;vertical-align:top}
th{background:#eee} td.n{text-align:right;font-variant-numeric:tabular-nums}
tr{page-break-inside:avoid} @media print{body{margin:0} a{color:inherit}}
"""


def _html(result: Reconciliation) -> str:
    e = html.escape
    status = "ok" if result.agrees else "bad"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Reconciliation {e(result.period)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>TMS and NetSuite reconciliation, {e(result.period)}"
        + (f", subsidiary {e(result.subsidiary)}" if result.subsidiary else "")
        + "</h1>",
        f"<p class='lead {status}'>{e(headline(result))}</p>",
        "<h2>Differences</h2>",
    ]
    if result.differences:
        parts.append(
            "<table><thead><tr><th>What</th><th>Subsidiary</th><th>Customer / vendor</th><th>TMS document</th>"
            "<th>NetSuite external id</th><th>NetSuite id</th><th>TMS</th><th>NetSuite</th><th>Detail</th>"
            "</tr></thead><tbody>"
        )
        for d in result.differences:
            cells = [d.kind.replace("_", " "), d.subsidiary, d.party, d.tms_document, d.netsuite_external_id,
                     d.netsuite_internal_id]  # fmt: skip
            parts.append(
                "<tr>"
                + "".join(f"<td>{e(c or '')}</td>" for c in cells)
                + f"<td class='n'>{e(d.tms_value or '')}</td><td class='n'>{e(d.netsuite_value or '')}</td>"
                + f"<td>{e(d.detail)}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p class='ok'>None.</p>")
    parts.append("<h2>Open A/R and A/P of the period's invoices and bills</h2>")
    parts.append(
        "<table><thead><tr><th>Ledger</th><th>Subsidiary</th><th>Customer / vendor</th><th>Currency</th>"
        "<th>TMS open</th><th>NetSuite open</th><th></th></tr></thead><tbody>"
    )
    for b in result.balances:
        mark = "<span class='ok'>agrees</span>" if b.agrees else "<span class='bad'>differs</span>"
        parts.append(
            f"<tr><td>{e(b.ledger)}</td><td>{e(b.subsidiary)}</td><td>{e(b.party)}</td><td>{e(b.currency)}</td>"
            f"<td class='n'>{b.tms_open:.2f}</td><td class='n'>{b.netsuite_open:.2f}</td><td>{mark}</td></tr>"
        )
    parts.append("</tbody></table></body></html>\n")
    return "".join(parts)
