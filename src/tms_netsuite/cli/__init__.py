"""The `tms-netsuite` command line: a thin layer over the library."""

from __future__ import annotations

import click

from tms_netsuite import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tms-netsuite")
def main() -> None:
    """Carry a TMS's accounting documents into Oracle NetSuite, exactly once."""


__all__ = ["main"]
