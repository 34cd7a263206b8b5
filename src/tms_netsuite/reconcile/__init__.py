"""What the TMS sent against what NetSuite holds, for a period: missing, unknown, differing totals and line
counts, duplicates and open A/R and A/P, per subsidiary, customer and vendor."""

from __future__ import annotations

from tms_netsuite.reconcile._reconcile import Reconciliation, reconcile
from tms_netsuite.reconcile._render import as_json, headline, render

__all__ = ["Reconciliation", "as_json", "headline", "reconcile", "render"]
