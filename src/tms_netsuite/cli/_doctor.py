"""`tms-netsuite doctor`: every NetSuite prerequisite checked, each gap explained with NetSuite's menus."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from tms_netsuite.cli._export import env_file_option, json_option
from tms_netsuite.config import read_environment
from tms_netsuite.doctor import DoctorReport, Status, run_doctor
from tms_netsuite.mapping import MappingError, load_mapping
from tms_netsuite.netsuite import ConfigurationError

EXIT_OK, EXIT_FAILED = 0, 1
_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "confirm": "cyan", "skip": "dim"}


@click.command("doctor")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), help="Mapping file (TOML).")
@env_file_option
@click.option(
    "--admin-env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Dotenv file with the administrator's NETSUITE_* token (setup only): reads the role's permissions.",
)
@json_option
def doctor_command(
    mapping: Path | None, env_file: Path | None, admin_env_file: Path | None, as_json: bool
) -> None:
    """Check every NetSuite prerequisite and say how to fix each gap. Only reads; exit 1 when a check fails."""
    environ = read_environment(env_file)
    admin = read_environment(admin_env_file, environ={}) if admin_env_file else None
    config = None
    chosen = mapping or (
        Path(environ["TMS_NETSUITE_MAPPING"]) if environ.get("TMS_NETSUITE_MAPPING") else None
    )
    if chosen is not None:
        try:
            config = load_mapping(chosen)
        except OSError as exc:
            raise ConfigurationError(f"mapping file {chosen} cannot be read: {exc.strerror}") from exc
        except MappingError as exc:
            raise ConfigurationError(str(exc)) from exc
    report = asyncio.run(run_doctor(environ, mapping=config, admin_environ=admin))
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        print_report(report, Console())
    raise SystemExit(EXIT_FAILED if report.failed else EXIT_OK)


def print_report(report: DoctorReport, console: Console) -> None:
    """The checklist, grouped as the setup guide groups it."""
    for title, checks in report.grouped():
        console.print(f"\n[bold]{escape(title)}[/]")
        for check in checks:
            style = _STYLE[check.status.value]
            console.print(f"  [{style}]{check.status.value:>7}[/] {escape(check.id)}: {escape(check.detail)}")
            if check.fix and check.status is not Status.PASS:
                console.print(f"          fix: {escape(check.fix)}")
    summary = ", ".join(f"{n} {s}" for s, n in report.summary().items() if n)
    console.print(f"\n{summary}")
