"""`tms-netsuite schema` and `tms-netsuite generate`: the document schema and realistic freight data."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from tms_netsuite.documents import schema_text, write_documents
from tms_netsuite.generate import DEFAULT_MONTH, generate


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema (draft 2020-12) of the TMS documents."""
    click.echo(schema_text(), nl=False)


@click.command("generate")
@click.option(
    "--loads", type=click.IntRange(min=0), required=True, help="How many loads to move in the month."
)
@click.option("--seed", type=int, required=True, help="Random seed; the same arguments give the same bytes.")
@click.option("--month", default=DEFAULT_MONTH, show_default=True, help="The month to fill, as YYYY-MM.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write JSON Lines to this file instead of standard output.",
)
@click.option(
    "--attachments/--no-attachments",
    default=True,
    show_default=True,
    help="Invoices carry a POD and a BOL, carrier bills a rate confirmation (small PDFs, inline).",
)
def generate_command(loads: int, seed: int, month: str, out: Path | None, attachments: bool) -> None:
    """Write a month of freight activity as TMS documents (JSON Lines).

    Customers, carriers and drivers, then invoices, carrier bills, settlements, payments, credits,
    deposits and journal entries for two companies (FCUS, FCCA) that fit examples/demo-mapping.toml.
    """
    try:
        documents = generate(loads, seed, month, attachments=attachments)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--month") from None
    if out is None:
        # UTF-8 and \n whatever the platform's locale, so the bytes are the same everywhere.
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
        write_documents(documents, stream)
        stream.flush()
        stream.detach()
        return
    with out.open("w", encoding="utf-8", newline="\n") as file:
        count = write_documents(documents, file)
    click.echo(f"wrote {count} documents to {out}", err=True)


__all__ = ["generate_command", "schema_command"]
