"""`tms-netsuite doctor`: every NetSuite prerequisite checked, each gap explained with NetSuite's menus."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.cli._export import (
    env_file_option,
    json_option,
    ledger_option,
    load_chosen_mapping,
    open_ledger,
)
from tms_netsuite.config import read_environment
from tms_netsuite.doctor import DoctorReport, Status, results_for_ledger, run_doctor
from tms_netsuite.ledger import Ledger, ledger_url
from tms_netsuite.mapping import MappingConfig
from tms_netsuite.netsuite import AccountId

_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "confirm": "cyan", "skip": "dim"}


@click.command("doctor")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), help="Mapping file (TOML).")
@env_file_option
@click.option(
    "--admin-env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Dotenv file with the administrator's NETSUITE_* token (setup only): reads the role's permissions.",
)
@ledger_option
@json_option
def doctor_command(
    mapping: Path | None,
    env_file: Path | None,
    admin_env_file: Path | None,
    ledger: Path | None,
    as_json: bool,
) -> None:
    """Check every NetSuite prerequisite and say how to fix each gap. Only reads; exit 1 when a check fails."""
    environ = read_environment(env_file)
    admin = read_environment(admin_env_file, environ={}) if admin_env_file else None
    config = load_chosen_mapping(mapping, environ)
    has_ledger = Ledger.exists(ledger_url(ledger, environ))  # never create one
    report = asyncio.run(_run(environ, config, admin, ledger if has_ledger else None, use_ledger=has_ledger))
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        print_report(report, Console())
    raise SystemExit(ExitCode.CHECK_FAILED if report.failed else ExitCode.OK)


async def _run(
    environ: Mapping[str, str],
    mapping: MappingConfig | None,
    admin: Mapping[str, str] | None,
    ledger: Path | None,
    *,
    use_ledger: bool,
) -> DoctorReport:
    """Run the doctor; with an existing ledger (it never creates one), compare with the last passing run,
    check the periods of the documents still to export, and keep this run's results."""
    account = environ.get("NETSUITE_ACCOUNT_ID", "").strip()
    if not use_ledger or not account:
        return await run_doctor(environ, mapping=mapping, admin_environ=admin)
    async with open_ledger(ledger, environ, AccountId.parse(account)) as opened:
        dates = sorted(date.fromisoformat(d) for d in await opened.open_document_dates())
        report = await run_doctor(
            environ,
            mapping=mapping,
            admin_environ=admin,
            pending_dates=dates,
            previous=await opened.last_passing_doctor_run(),
            has_ledger=True,
        )
        await opened.save_doctor_run(results_for_ledger(report), passed=not report.failed)
    return report


def print_report(report: DoctorReport, console: Console) -> None:
    """The checklist, grouped as the setup guide groups it."""
    for title, checks in report.grouped():
        console.print(f"\n[bold]{escape(title)}[/]")
        for check in checks:
            style = _STYLE[check.status.value]
            console.print(f"  [{style}]{check.status.value:>7}[/] {escape(check.id)}: {escape(check.detail)}")
            if check.fix and check.status is not Status.PASS:
                console.print(f"          fix: {escape(check.fix)}")
            if check.docs and check.status is not Status.PASS:
                console.print(f"         docs: {escape(check.docs)}", soft_wrap=True)  # a link stays whole
    summary = ", ".join(f"{n} {s}" for s, n in report.summary().items() if n)
    console.print(f"\n{summary}")
