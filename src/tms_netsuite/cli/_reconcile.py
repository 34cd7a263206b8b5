"""`tms-netsuite reconcile`: what the TMS sent against what NetSuite holds, for one period."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.cli._export import env_file_option, ledger_option, open_ledger
from tms_netsuite.config import read_environment
from tms_netsuite.netsuite import NetSuiteSettings, connect
from tms_netsuite.reconcile import Reconciliation, headline, reconcile, render


@click.command("reconcile")
@click.option("--period", required=True, metavar="YYYY-MM", help="The month of the documents' dates.")
@click.option("--subsidiary", help="One subsidiary, by name or internal id (default: every one).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "html", "json"]), default="table", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@env_file_option
@ledger_option
def reconcile_command(
    period: str,
    subsidiary: str | None,
    fmt: str,
    out: Path | None,
    env_file: Path | None,
    ledger: Path | None,
) -> None:
    """Compare the period's TMS documents with NetSuite's transactions (read by SuiteQL): missing, unknown to
    the ledger, differing totals and line counts, duplicates, open A/R and A/P. Exit 1 when they disagree."""
    environ = read_environment(env_file)
    settings = NetSuiteSettings.from_environ(environ)

    async def run() -> Reconciliation:
        async with open_ledger(ledger, environ, settings.account) as opened, connect(settings) as client:
            return await reconcile(client, opened, period, subsidiary=subsidiary)

    result = asyncio.run(run())
    text = render(result, fmt)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{headline(result)} Report: {out}")
    else:
        click.echo(text, nl=False)
    raise SystemExit(ExitCode.OK if result.agrees else ExitCode.DISAGREES)
