"""`tms-netsuite demo --serve`: the emulator over a socket, the service and its console, an account with a month
of activity exported, and a mapping mistake to fix in the console.

The emulator runs as its own process (its own session: Ctrl-C reaches only this one, which stops it once the
service has shut down); the service reaches it over HTTP as it would reach NetSuite. The account starts with a
mapping that leaves out the TMS payment method WIRE: the doctor cannot see that (every name the mapping holds
exists in the account), so the documents paid by wire fail on translation with the cause and the fix, and the
corrected mapping is written beside the demo's files, to upload in the console.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from netsuite_emulator.testing import ServedEmulator, start_emulator
from tms_netsuite.accounts import Accounts, SecretBox, create_key
from tms_netsuite.export import ingest_lines
from tms_netsuite.ledger import AccountRecord, Registry, State
from tms_netsuite.mapping import demo_mapping_path

if TYPE_CHECKING:
    import uvicorn

    from tms_netsuite.service import Service

SLUG = "demo"
# The deliberate mistake: WIRE left out of [payment_methods] (the line is the demo mapping's own).
MISTAKE = ('WIRE = "Wire"\n', "")
MAPPING_FILES = ("mapping.toml", "mapping-with-mistake.toml")
SERVICE_FILES = ("service.db", "service.db-wal", "service.db-shm", "service.db-journal", "service.db.key")
SERVICE_FOLDERS = ("service.db.runs",)
EMULATOR_FILES = ("emulator.log",)
_FIRST_PASS_S = 600.0  # how long the first export may take before the demo stops saying how it ended


def mappings() -> tuple[str, str]:
    """The demo mapping with the mistake, and corrected."""
    corrected = demo_mapping_path().read_text(encoding="utf-8")
    broken = corrected.replace(*MISTAKE)
    if broken == corrected:  # the demo mapping changed: the mistake must follow it
        raise RuntimeError("the demo mapping no longer holds the line the demo's mistake removes")
    return broken, corrected


def serve_demo(
    documents: Path, count: int, loads: int, scenario: str, auth: str, folder: Path, host: str, port: int
) -> int:
    """Serve until Ctrl-C or SIGTERM; returns the exit code."""
    emulator = start_emulator(folder, "--scenario", scenario, "--auth", auth, new_session=True)
    # uvicorn re-raises the signal that stopped it once it has shut down: absorbed, the demo then stops the
    # emulator and exits 0.
    previous = {sig: signal.signal(sig, _absorb) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(_serve(emulator, documents, count, loads, scenario, folder, host, port))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        emulator.stop()
    click.echo("Stopped: the service and the emulator.")
    return 0


def _absorb(sig: int, frame: FrameType | None) -> None:
    """Ignore the signal uvicorn re-raises after an orderly shutdown."""


async def _serve(
    emulator: ServedEmulator,
    documents: Path,
    count: int,
    loads: int,
    scenario: str,
    folder: Path,
    host: str,
    port: int,
) -> None:
    import uvicorn  # loaded only by the served demo

    from tms_netsuite.service import Service, create_app

    url = f"sqlite+aiosqlite:///{folder / 'service.db'}"
    registry = await Registry.open(url)
    try:
        box = SecretBox.load(url, {}, create=True)  # a key file of the demo's own, beside its ledger
        accounts = Accounts(registry, box)
        broken, corrected = mappings()
        (folder / "mapping-with-mistake.toml").write_text(broken, encoding="utf-8")
        (folder / "mapping.toml").write_text(corrected, encoding="utf-8")
        record = await accounts.add(SLUG, emulator.env, broken)
        with documents.open("rb") as lines:
            await ingest_lines(registry.ledger(record), lines, source=str(documents), base_dir=folder)
        admin = await create_key(registry, account_slug=None, read_only=False)
        clerk = await create_key(registry, account_slug=SLUG, read_only=False)
        service = Service(accounts)
        app = create_app(service, grace=5)
        config = uvicorn.Config(
            app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=5
        )
        server = uvicorn.Server(config)
        click.echo(
            f"Local NetSuite emulator (scenario {scenario!r}, account {emulator.env['NETSUITE_ACCOUNT_ID']}) at "
            f"{emulator.env['NETSUITE_BASE_URL']}; {count} TMS documents for {loads} loads in {documents}."
        )
        tell = asyncio.create_task(_tell(server, service, record, folder, admin.key, clerk.key))
        try:
            await server.serve()
        finally:
            tell.cancel()
            await asyncio.gather(tell, return_exceptions=True)
    finally:
        await registry.close()


async def _tell(
    server: uvicorn.Server,
    service: Service,
    record: AccountRecord,
    folder: Path,
    admin_key: str,
    clerk_key: str,
) -> None:
    """Once listening: where, the keys, then how the first export ended and the mistake to fix."""
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for it
        await asyncio.sleep(0.05)
    sockets = [s for srv in server.servers for s in srv.sockets]
    host, port = sockets[0].getsockname()[:2]
    base = f"http://{host}:{port}"
    click.echo(f"Console: {base}/ui/")
    click.echo(f"Sign in with this administrator's key: {admin_key}")
    click.echo(f"(a key that reaches only the account {SLUG!r}: {clerk_key})")
    click.echo(f"API: {base}/v1/accounts/{SLUG}/summary (Authorization: Bearer KEY). Ctrl-C stops.")
    click.echo("Exporting the month…")
    ledger = service.ledger(record)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _FIRST_PASS_S
    while loop.time() < deadline:
        counts = await ledger.counts()
        current = await service.registry.get(SLUG)
        if current.last_run is not None and not {State.PENDING, State.EXPORTING} & {
            s for s, n in counts.items() if n
        }:
            break
        if current.paused:
            click.echo(f"The account is paused: {current.pause_reason}")
            return
        await asyncio.sleep(0.2)
    else:
        click.echo("The first export is still running; the console shows its progress.")
        return
    shown = ", ".join(f"{counts[s]} {s.value}" for s in State if counts.get(s))
    click.echo(f"Exported: {shown}.")
    failed = counts.get(State.FAILED, 0)
    if failed:
        click.echo(
            f"Deliberate mistake: the mapping leaves the TMS payment method WIRE out of [payment_methods], so "
            f"{failed} documents failed (payment method 'WIRE' is not in the mapping)"
            + (
                f"; {blocked} more wait blocked behind them."
                if (blocked := counts.get(State.BLOCKED, 0))
                else "."
            )
        )
        click.echo(
            f"To fix it in the console: Settings, upload the corrected mapping {(folder / 'mapping.toml').resolve()}, "
            "then Errors, Retry these."
        )
