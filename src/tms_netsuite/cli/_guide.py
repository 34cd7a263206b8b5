"""`tms-netsuite setup-guide`: the NetSuite setup the doctor checks, as a guide (Markdown or HTML)."""

from __future__ import annotations

from pathlib import Path

import click

from tms_netsuite.cli._export import load_chosen_mapping
from tms_netsuite.doctor import setup_guide


@click.command("setup-guide")
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Mapping file (TOML): name its subsidiaries, accounts, lists and custom fields.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "html"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout."
)
def setup_guide_command(mapping: Path | None, output_format: str, out: Path | None) -> None:
    """Print the NetSuite setup this connector needs: features, role, user, credentials, accounts and lists.
    Made from the tables the doctor checks, so the guide and `tms-netsuite doctor` agree."""
    guide = setup_guide(load_chosen_mapping(mapping, {}))
    text = guide.html() if output_format == "html" else guide.markdown()
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}", err=True)
