"""`make bench`'s summary (bench.all): the last JSON line of each benchmark, merged into one object that says what
is missing and which targets were met."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.all import last_json, merge

ROOT = Path(__file__).resolve().parents[2]


def test_the_last_json_line_of_a_report_is_taken() -> None:
    report = 'date: today\n{"first": 1}\n| a table |\n{"efficiency_c5": 0.8, "lost": 0}\n\n'
    assert last_json(report) == {"efficiency_c5": 0.8, "lost": 0}
    assert last_json('{"a": 1}\nthe end\n') is None  # a report that ends otherwise has no summary
    assert last_json("{not json\n") is None


def test_a_missing_backfill_is_named_and_its_keys_are_null() -> None:
    export = {"engine_c5_of_oracle": 0.98, "cpu_of_oracle": 1.3, "lost": 0, "duplicated": 0}
    merged = merge(
        {"export_speed": export, "emulator_speed": {"authenticated_gets_per_s": 700}, "service_speed": None},
        {"export_speed": 0, "emulator_speed": 0, "service_speed": 1},
        ["backfill_speed"],
    )
    assert merged["missing"] == ["backfill_speed"]
    assert merged["backfill_of_bound"] is None
    assert merged["live_p99_ratio_during_backfill"] is None
    assert merged["failed"] == {"service_speed": 1}
    assert merged["emulator_speed"] == {"authenticated_gets_per_s": 700}
    assert merged["targets"]["engine_c5_of_oracle"]["met"] is True
    assert merged["targets"]["cpu_of_oracle"]["met"] is False
    assert merged["targets"]["backfill_of_bound"]["met"] is None  # not measured: neither met nor missed


def test_a_present_backfill_reports_at_the_top_level() -> None:
    backfill = {"backfill_of_bound": 0.85, "backfill_speedup": 1.7, "live_p99_ratio_during_backfill": 1.4}
    merged = merge({"backfill_speed": backfill}, {"backfill_speed": 0}, [])
    assert merged["backfill_of_bound"] == 0.85
    assert merged["missing"] == []
    assert merged["targets"]["live_p99_ratio_during_backfill"]["met"] is True


def test_the_summary_is_the_last_line_of_the_run() -> None:
    """With every benchmark left out, the run still ends with one JSON object (here with nothing measured)."""
    skip = "emulator_speed,export_speed,service_speed,backfill_speed"
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed module
        [sys.executable, "-m", "bench.all", "--skip", skip],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["failed"] == {}
    assert summary["backfill_of_bound"] is None
    assert summary["targets"]["lost"]["met"] is None
