"""The console's SVG bar charts: bars in proportion, a text alternative with the total, text escaped."""

from __future__ import annotations

import re

from tms_netsuite.console._charts import Bar, bar_chart


def test_bars_are_in_proportion_and_the_chart_says_its_total() -> None:
    svg = bar_chart("Records <written>", [Bar("13:00", 2), Bar("14:00", 0), Bar("15:00", 4)])
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[1] == 0
    assert heights[2] == 2 * heights[0] > 0
    assert 'aria-label="Records &lt;written&gt;: 6 in all, at most 4 in an hour"' in svg
    assert "<title>15:00: 4</title>" in svg


def test_a_quiet_period_draws_no_bars() -> None:
    svg = bar_chart("Failures", [Bar(f"{h:02}:00", 0) for h in range(24)])
    assert set(re.findall(r'<rect [^>]*height="([\d.]+)"', svg)) == {"0.0"}
    assert "0 in all" in svg
