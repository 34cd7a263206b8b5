"""``netsuite-emulator act``: a person's work in NetSuite's pages, on an account kept in a SQLite file (a served
emulator's ``--db``), for demos of read-back: the connector finds these changes with ``tms-netsuite sync-back``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from .records._person import Person, PersonError
from .store import AccountStore

_DB = click.option(
    "--db",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The account's SQLite file (serve --db).",
)
_AMOUNT = click.option(
    "--amount", type=click.FloatRange(min=0.01), help="Default: the whole amount remaining."
)


@click.group("act")
def act() -> None:
    """Act as a person in NetSuite: pay an invoice or a bill, edit a total, copy, void or delete a record.

    RECORD is an internal id, or an external id (as the connector wrote it, e.g. tms-invoice-INV__1).
    """


def _with_person(db: Path, action: Callable[[Person], str]) -> None:
    store = AccountStore.open(db)
    try:
        if not store.is_seeded():
            raise click.ClickException(f"{db} holds no emulator account")
        offset = store.company().clock_offset
        click.echo(action(Person(store, lambda: time.time() + offset)))
    except PersonError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()


@act.command("pay-invoice")
@_DB
@click.argument("records", nargs=-1, required=True)
@_AMOUNT
def pay_invoice(db: Path, records: tuple[str, ...], amount: float | None) -> None:
    """Record one customer payment applied to the invoices RECORDS (--amount: on each)."""
    _with_person(
        db,
        lambda person: f"customerpayment {person.pay_invoices(dict.fromkeys(records, amount))} recorded",
    )


@act.command("pay-bill")
@_DB
@click.argument("record")
@_AMOUNT
def pay_bill(db: Path, record: str, amount: float | None) -> None:
    """Pay the vendor bill RECORD from the subsidiary's first bank account."""
    _with_person(db, lambda person: f"vendorpayment {person.pay_bill(record, amount)} recorded")


@act.command("edit-total")
@_DB
@click.argument("record_type")
@click.argument("record")
@click.argument("total", type=float)
def edit_total(db: Path, record_type: str, record: str, total: float) -> None:
    """Change the total of RECORD (of RECORD_TYPE, e.g. invoice) to TOTAL through its last line."""

    def edit(person: Person) -> str:
        person.edit_total(record_type, record, total)
        return f"{record_type} {record}: total {total:.2f}"

    _with_person(db, edit)


@act.command("copy")
@_DB
@click.argument("record_type")
@click.argument("record")
def copy(db: Path, record_type: str, record: str) -> None:
    """Make a copy of RECORD (a second invoice for the same load, say): new number, no external id."""
    _with_person(db, lambda person: f"{record_type} {person.copy(record_type, record)} created as a copy")


@act.command("void")
@_DB
@click.argument("record_type")
@click.argument("record")
def void(db: Path, record_type: str, record: str) -> None:
    """Void RECORD of RECORD_TYPE directly (total and lines set to zero, the record kept; a voided payment no
    longer pays its invoices). NetSuite refuses while payments or credits are applied to it."""

    def cancel(person: Person) -> str:
        person.void(record_type, record)
        return f"{record_type} {record} voided"

    _with_person(db, cancel)


@act.command("delete")
@_DB
@click.argument("record_type")
@click.argument("record")
def delete(db: Path, record_type: str, record: str) -> None:
    """Delete RECORD of RECORD_TYPE (NetSuite refuses while payments or credits are applied to it)."""

    def remove(person: Person) -> str:
        person.delete(record_type, record)
        return f"{record_type} {record} deleted"

    _with_person(db, remove)
