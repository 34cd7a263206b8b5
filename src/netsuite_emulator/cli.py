"""The `netsuite-emulator` command line."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Serve a local NetSuite account's REST Web Services."""
