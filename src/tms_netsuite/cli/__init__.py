"""The `tms-netsuite` command line: a thin layer over the library."""

from __future__ import annotations

from typing import Any

import click

from tms_netsuite import __version__
from tms_netsuite.cli._accounts import accounts_group, api_keys_group, secrets_group
from tms_netsuite.cli._demo import demo
from tms_netsuite.cli._doctor import doctor_command
from tms_netsuite.cli._documents import generate_command, schema_command
from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.cli._export import export_command
from tms_netsuite.cli._guide import setup_guide_command
from tms_netsuite.cli._init import init_command
from tms_netsuite.cli._readback import sync_back_command
from tms_netsuite.cli._reconcile import reconcile_command
from tms_netsuite.cli._reports import errors_command, retry_command, status_command
from tms_netsuite.cli._serve import openapi_command, serve_command
from tms_netsuite.cli._webhooks import webhooks_group
from tms_netsuite.cli._worker import migrate_command, worker_command
from tms_netsuite.errors import TmsNetSuiteError
from tms_netsuite.netsuite import RequestError


class _CannotStart(click.ClickException):
    """A run that could not start: bad settings or files, or NetSuite refused us."""

    exit_code = ExitCode.CANNOT_START


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        # The one place a project error becomes a message and an exit code; commands let them rise.
        try:
            return super().invoke(ctx)
        except TmsNetSuiteError as exc:
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
main.add_command(setup_guide_command)
main.add_command(init_command)
main.add_command(export_command)
main.add_command(status_command)
main.add_command(errors_command)
main.add_command(retry_command)
main.add_command(generate_command)
main.add_command(schema_command)
main.add_command(accounts_group)
main.add_command(api_keys_group)
main.add_command(secrets_group)
main.add_command(serve_command)
main.add_command(openapi_command)
main.add_command(sync_back_command)
main.add_command(webhooks_group)
main.add_command(reconcile_command)
main.add_command(worker_command)
main.add_command(migrate_command)

__all__ = ["main"]
