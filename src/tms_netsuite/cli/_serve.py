"""`tms-netsuite serve`: the HTTP API and the continuous exports of every registered account."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from tms_netsuite.cli._accounts import open_accounts
from tms_netsuite.cli._export import ledger_option
from tms_netsuite.config import read_environment
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import ledger_url

# Options `serve` and `worker` share: every process driving the same accounts should be given the same values.
doctor_every_option = click.option(
    "--doctor-every",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Minutes between each account's doctor runs.",
)
sync_back_every_option = click.option(
    "--sync-back-every",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Minutes between each account's read-back from NetSuite (its events' webhooks go out at once); 0: "
    "only when asked (POST /v1/accounts/{slug}/sync-back). PostgreSQL: the sweep of whichever worker runs it "
    "schedules it; give every `serve` and `tms-netsuite worker` the same.",
)
log_format_option = click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Log lines."
)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any free port."
)
@ledger_option
@log_format_option
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds SIGTERM leaves requests and exports under way to finish.",
)
@doctor_every_option
@sync_back_every_option
@click.option(
    "--ready-file", type=click.Path(dir_okay=False, path_type=Path), help="Written once listening: host:port."
)
@click.option(
    "--no-workers",
    is_flag=True,
    help="API only (PostgreSQL ledger): documents are exported by `tms-netsuite worker` processes.",
)
@click.option(
    "--accounts-at-once",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="PostgreSQL ledger: accounts this process's own worker exports at a time.",
)
@click.option(
    "--files-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where files posted with their documents (multipart) are kept until exported, a folder per account. "
    "Default: <ledger>.files beside a SQLite ledger, else $XDG_DATA_HOME/tms-netsuite/files.",
)
def serve_command(
    host: str,
    port: int,
    ledger: Path | None,
    log_format: str,
    grace: float,
    doctor_every: float,
    sync_back_every: float,
    ready_file: Path | None,
    no_workers: bool,
    accounts_at_once: int,
    files_dir: Path | None,
) -> None:
    """Serve the API and export every account's documents as they arrive. Keep it on your own network."""
    import uvicorn  # loaded only by this command

    from tms_netsuite.service import Service, configure_logging, create_app

    configure_logging(log_format)
    environ = read_environment()
    url = ledger_url(ledger, environ)
    on_postgres = url.startswith("postgresql")
    if no_workers and not on_postgres:
        raise ConfigurationError(
            "--no-workers needs a PostgreSQL ledger (TMS_NETSUITE_DATABASE_URL), which `tms-netsuite worker` "
            "processes share; on SQLite this process exports itself"
        )

    folder = files_dir or default_files_dir(url, environ)

    async def main() -> None:
        async with contextlib.AsyncExitStack() as stack:
            accounts = await stack.enter_async_context(open_accounts(ledger))
            workers = None
            if on_postgres:  # jobs on the shared queue, run by whichever worker process takes them
                from tms_netsuite.workers import Workers, WorkerSettings

                workers = Workers(url, WorkerSettings(accounts_at_once=accounts_at_once))
                await stack.enter_async_context(workers.opened())
            scheduler = workers.scheduler() if workers is not None else None
            service = Service(
                accounts,
                doctor_every=timedelta(minutes=doctor_every),
                readback_every=timedelta(minutes=sync_back_every) if sync_back_every else None,
                scheduler=scheduler,
                files_dir=folder,
                # PostgreSQL: read-back and deliveries are jobs too (one per account, whichever process runs it)
                readback_scheduler=workers.scheduler("readback") if workers is not None else None,
                delivery_scheduler=workers.scheduler("deliver") if workers is not None else None,
            )
            if workers is not None and not no_workers:
                workers.bind(service)
                stopping = asyncio.Event()
                working = asyncio.create_task(workers.run(stopping), name="worker")
                stack.push_async_callback(_stop_worker, stopping, working)
            app = create_app(service, grace=grace)
            config = uvicorn.Config(
                app, host=host, port=port, log_config=None, timeout_graceful_shutdown=int(grace) or None
            )
            server = uvicorn.Server(config)
            watcher = asyncio.create_task(_announce(server, ready_file))
            try:
                await server.serve()
            finally:
                watcher.cancel()

    asyncio.run(main())


async def _stop_worker(stopping: asyncio.Event, working: asyncio.Task[None]) -> None:
    stopping.set()
    await working


def default_files_dir(url: str, environ: Mapping[str, str]) -> Path:
    """Beside a SQLite ledger (``tms-netsuite.db.files``), else in the user's data directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database + ".files")
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "tms-netsuite" / "files"


async def _announce(server: object, ready_file: Path | None) -> None:
    """Once listening, say where (and write the ready file, for scripts and tests that started it with port 0)."""
    import uvicorn

    assert isinstance(server, uvicorn.Server)
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for it
        await asyncio.sleep(0.05)
    sockets = [s for srv in server.servers for s in srv.sockets]
    host, port = sockets[0].getsockname()[:2]
    click.echo(
        f"Serving on http://{host}:{port}; the console at http://{host}:{port}/ui (Ctrl-C or SIGTERM stops it).",
        err=True,
    )
    if ready_file is not None:
        temporary = ready_file.with_name(ready_file.name + ".tmp")
        temporary.write_text(f"{host}:{port}\n", encoding="utf-8")
        temporary.replace(ready_file)


@click.command("openapi")
def openapi_command() -> None:
    """Print the service API's OpenAPI document (JSON), as docs/openapi.json holds it."""
    from tms_netsuite.service import openapi_document  # loaded only by this command

    click.echo(json.dumps(openapi_document(), indent=2, sort_keys=True))
