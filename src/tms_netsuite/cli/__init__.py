"""The `tms-netsuite` command line: a thin layer over the library."""

from __future__ import annotations

from typing import Any

import click

from tms_netsuite import __version__
from tms_netsuite.cli._demo import demo
from tms_netsuite.cli._doctor import doctor_command
from tms_netsuite.cli._documents import generate_command, schema_command
from tms_netsuite.cli._export import errors_command, export_command, retry_command, status_command
from tms_netsuite.netsuite import NetSuiteError, RequestError

EXIT_CANNOT_START = 2


class _CannotStart(click.ClickException):
    """A run that could not start: bad configuration, or NetSuite refused us. Exit code 2."""

    exit_code = EXIT_CANNOT_START


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NetSuiteError as exc:
            message = str(exc)
            if isinstance(exc, RequestError) and exc.explanation is not None:
                message += f"\n  cause: {exc.explanation.cause}\n  fix: {exc.explanation.fix}"
            raise _CannotStart(message) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tms-netsuite")
def main() -> None:
    """Carry a TMS's accounting documents into Oracle NetSuite, exactly once."""


main.add_command(demo)
main.add_command(doctor_command)
main.add_command(export_command)
main.add_command(status_command)
main.add_command(errors_command)
main.add_command(retry_command)
main.add_command(generate_command)
main.add_command(schema_command)

__all__ = ["main"]
