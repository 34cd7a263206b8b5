"""Bar charts as inline SVG, drawn on the server (no JavaScript): one bar an hour, with a text alternative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # the hour, as people read it ("14:00")
    value: int


def bar_chart(title: str, bars: Sequence[Bar], *, colour: str = "#1f5fa8", width: int = 320) -> str:
    """An SVG bar chart that scales to its container; the title and the total are its accessible name, and each
    bar's <title> gives its hour and value on hover."""
    height, top, bottom = 130, 16, 18
    peak = max((bar.value for bar in bars), default=0)
    total = sum(bar.value for bar in bars)
    slot = width / max(len(bars), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}: {total} in all, at most {peak} in an hour">',
        f'<text x="0" y="11" class="chart-peak">max {peak}</text>',
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" class="chart-axis"/>',
    ]
    usable = height - top - bottom
    for index, bar in enumerate(bars):
        tall = 0.0 if peak == 0 else usable * bar.value / peak
        x = index * slot + slot * 0.1
        y = height - bottom - tall
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{tall:.1f}" fill="{colour}">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
        )
    step = max(1, len(bars) // 6)
    for index in range(0, len(bars), step):
        x = min(max(index * slot + slot / 2, 14), width - 14)  # the first and last labels stay inside
        parts.append(
            f'<text x="{x:.1f}" y="{height - 4}" class="chart-label" text-anchor="middle">'
            f"{escape(bars[index].label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
