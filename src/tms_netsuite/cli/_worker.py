"""`tms-netsuite worker` (a worker process on a PostgreSQL ledger) and `tms-netsuite migrate`."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from pathlib import Path

import click

from tms_netsuite.cli._accounts import open_accounts
from tms_netsuite.cli._export import ledger_option
from tms_netsuite.cli._serve import doctor_every_option, log_format_option, sync_back_every_option
from tms_netsuite.config import read_environment
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import Registry, ledger_url


def postgres_url(ledger: Path | None) -> str:
    """The ledger's URL, which must be PostgreSQL's (workers share it: a SQLite file is one machine's)."""
    url = ledger_url(ledger, read_environment())
    if not url.startswith("postgresql"):
        raise ConfigurationError(
            "worker processes share a PostgreSQL ledger: set TMS_NETSUITE_DATABASE_URL=postgresql://user@host/db "
            "(on a SQLite ledger `tms-netsuite serve` exports in its own process)"
        )
    return url


@click.command("worker")
@click.option(
    "--accounts-at-once",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Accounts this process exports at a time.",
)
@click.option(
    "--slice",
    "slice_seconds",
    type=click.FloatRange(min=1),
    default=30.0,
    show_default=True,
    help="Seconds an account is driven before it yields to the accounts waiting.",
)
@doctor_every_option
@sync_back_every_option
@log_format_option
def worker_command(
    accounts_at_once: int, slice_seconds: float, doctor_every: float, sync_back_every: float, log_format: str
) -> None:
    """Export the accounts' documents as one of any number of worker processes sharing the PostgreSQL ledger
    (TMS_NETSUITE_DATABASE_URL). SIGTERM or Ctrl-C: claim nothing more, finish what is under way, exit."""
    from datetime import timedelta

    from tms_netsuite.service import Service, configure_logging
    from tms_netsuite.workers import Workers, WorkerSettings

    configure_logging(log_format)
    logging.basicConfig(
        level=logging.WARNING
    )  # the queue's own warnings and errors (procrastinate's loggers)
    url = postgres_url(None)
    name = f"{socket.gethostname()}:{os.getpid()}"

    async def main() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        workers = Workers(url, WorkerSettings(accounts_at_once=accounts_at_once, slice_seconds=slice_seconds))
        async with open_accounts(None) as accounts, workers.opened():
            service = Service(
                accounts,
                doctor_every=timedelta(minutes=doctor_every),
                readback_every=timedelta(minutes=sync_back_every) if sync_back_every else None,
                scheduler=workers.scheduler(),
                readback_scheduler=workers.scheduler("readback"),
                delivery_scheduler=workers.scheduler("deliver"),
            )
            workers.bind(service)
            click.echo(f"Worker {name} started: up to {accounts_at_once} accounts at once.", err=True)
            await workers.run(stopping, name=name)
            for scheduler in service.schedulers():  # the defers under way
                await scheduler.stop(5.0)
        click.echo(f"Worker {name} stopped.", err=True)

    asyncio.run(main())


@click.command("migrate")
@ledger_option
def migrate_command(ledger: Path | None) -> None:
    """Bring the ledger's database to the latest schema (with PostgreSQL, the worker queue's tables too). Every
    command does it when it opens the ledger; run it once before starting processes of a new version."""

    async def main() -> None:
        registry = await Registry.open(ledger_url(ledger, read_environment()))
        await registry.close()

    asyncio.run(main())
    click.echo("The ledger's schema is up to date.")
