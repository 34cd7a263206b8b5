"""A transaction between the request and the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LINES_NEEDED = "You must enter at least one line item for this transaction."


@dataclass
class Draft:
    """A transaction as a write leaves it, before the rules complete and check it."""

    values: dict[str, Any] = field(default_factory=dict)  # REST field name → stored value
    custom: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # REST line field → value
    apply: list[dict[str, Any]] = field(default_factory=list)  # {"doc", "amount", "apply", "path"}
    created_from: int | None = None
    paths: dict[str, str] = field(default_factory=dict)
