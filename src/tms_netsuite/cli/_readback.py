"""`tms-netsuite sync-back`: what changed in NetSuite since the last run, as events, each written out once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

import click
import httpx

from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.cli._export import env_file_option, json_option, ledger_option, open_ledger
from tms_netsuite.config import read_environment
from tms_netsuite.ledger import Ledger, StoredEvent
from tms_netsuite.netsuite import NetSuiteSettings, connect
from tms_netsuite.readback import DEFAULT_OVERLAP, SyncReport, sync_back


@click.command("sync-back")
@env_file_option
@ledger_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Append the events never written before, one JSON object a line ('-': stdout).",
)
@click.option(
    "--overlap",
    type=click.FloatRange(min=0),
    default=DEFAULT_OVERLAP.total_seconds() / 60,
    show_default=True,
    help="Minutes before the last run's start read again every time.",
)
@json_option
def sync_back_command(
    env_file: Path | None, ledger: Path | None, out: Path | None, overlap: float, as_json: bool
) -> None:
    """Read what changed in NetSuite since the last run (payments, edits, voids, deletions) and keep it as
    events; exit 0 when it ran, whatever it found."""
    environ = read_environment(env_file)
    settings = NetSuiteSettings.from_environ(environ)
    report, written = asyncio.run(sync_back_with(settings, environ, ledger, out, timedelta(minutes=overlap)))
    summary = _summary(report, written, out)
    if as_json:
        click.echo(json.dumps(summary))
    elif out is None or str(out) != "-":
        click.echo(_sentence(summary))
    raise SystemExit(ExitCode.OK)


async def sync_back_with(
    settings: NetSuiteSettings,
    environ: Mapping[str, str],
    ledger_path: Path | None,
    out: Path | None,
    overlap: timedelta,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[SyncReport, int]:
    """The command's work: one pass, then the events never written out appended to ``out``."""
    async with open_ledger(ledger_path, environ, settings.account) as ledger:
        async with connect(settings, transport=transport) as client:
            report = await sync_back(client, ledger, overlap=overlap)
        written = await write_events(ledger, out) if out is not None else 0
    return report, written


async def write_events(ledger: Ledger, out: Path) -> int:
    """Append every event never written out, oldest first, then note them written. An event already in the file
    (a run stopped between the two) is not appended again: ids are stable."""
    store = ledger.readback()
    written = 0
    present = _ids_in(out)
    while batch := await store.unwritten_events():
        fresh = [event for event in batch if event.event_id not in present]
        if str(out) == "-":
            _append(sys.stdout, fresh)
        else:
            with out.open("a", encoding="utf-8") as stream:
                _append(stream, fresh)
                stream.flush()
                os.fsync(stream.fileno())
        await store.mark_written([event.seq for event in batch])
        written += len(fresh)
    return written


def _append(stream: TextIO, events: list[StoredEvent]) -> None:
    for event in events:
        stream.write(json.dumps(event.payload, sort_keys=True, separators=(",", ":")) + "\n")


def _ids_in(out: Path) -> set[str]:
    if str(out) == "-" or not out.exists():
        return set()
    ids: set[str] = set()
    with out.open(encoding="utf-8", errors="replace") as stream:
        for line in stream:
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                ids.add(value["id"])
    return ids


def _summary(report: SyncReport, written: int, out: Path | None) -> dict[str, Any]:
    window = report.window
    return {
        "events": len(report.events),
        "by_type": report.counts(),
        "written": written,
        "out": None if out is None else str(out),
        "modified_read": report.modified,
        "deleted_read": report.deleted,
        "requests": report.requests,
        "window": None if window is None else {"from": window.lower, "to": window.upper},
        "cursor": None if window is None else window.began.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _sentence(summary: Mapping[str, Any]) -> str:
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(summary["by_type"].items())) or "no changes"
    window = summary["window"] or {}
    text = (
        f"Read NetSuite's changes from {window.get('from')} to {window.get('to')} (the account's time): "
        f"{summary['modified_read']} transactions and {summary['deleted_read']} deletions; new events: {found}."
    )
    if summary["out"] is not None:
        text += f" {summary['written']} events written to {summary['out']}."
    return text
