"""`tms-netsuite demo`: a month of freight activity exported into a local NetSuite emulator, in process.

No network and no NetSuite account: the emulator runs inside this process and the client reaches it through
an in-memory transport. The ledger goes to a fresh ``demo/`` folder, never the user's ``./tms-netsuite.db``.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import sys
from pathlib import Path

import click
import httpx

from netsuite_emulator import SCENARIOS, Emulator
from tms_netsuite.cli._demo_serve import (
    EMULATOR_FILES,
    MAPPING_FILES,
    SERVICE_FILES,
    SERVICE_FOLDERS,
    serve_demo,
)
from tms_netsuite.cli._export import ExportOptions, export_with
from tms_netsuite.documents import write_documents
from tms_netsuite.generate import generate
from tms_netsuite.mapping import demo_mapping_path
from tms_netsuite.netsuite import NetSuiteSettings

_BASE_URL = "http://netsuite.emulator"
# Written into every folder the demo makes: a folder without it is the user's, and the demo never empties it.
_MARK = ".tms-netsuite-demo"
# What one demo run leaves, and so all a later run may delete (SQLite's side files and the emulator's keys too).
_OWN_FILES = (
    "documents.jsonl",
    "netsuite.env",
    "ledger.db",
    "ledger.db-wal",
    "ledger.db-shm",
    "ledger.db-journal",
    *MAPPING_FILES,
    *SERVICE_FILES,
    *EMULATOR_FILES,
)
_OWN_GLOBS = ("netsuite-emulator-*-key.pem", "netsuite-emulator-*-certificate.pem")
_OWN_FOLDERS = SERVICE_FOLDERS  # the served demo's run locks (a folder beside its ledger)


@click.command()
@click.option(
    "--loads", default=200, show_default=True, type=click.IntRange(1, 100_000), help="Loads to generate."
)
@click.option("--seed", default=2026, show_default=True, help="Seed of the generated month.")
@click.option("--auth", type=click.Choice(["tba", "oauth2"]), default="tba", show_default=True)
@click.option(
    "--scenario", default="healthy", show_default=True, help="The emulator scenario to export into."
)
@click.option(
    "--dir",
    "folder",
    default=Path("demo"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo's files go: a new or empty folder, or one an earlier demo made (its files replaced).",
)
@click.option("--skip-doctor", is_flag=True, help="Export even when a prerequisite check fails.")
@click.option(
    "--attachments/--no-attachments",
    default=True,
    show_default=True,
    help="Invoices carry a POD and a BOL, carrier bills a rate confirmation.",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Serve the emulator, the service and its console until Ctrl-C, with mistakes to fix in the console.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="With --serve: the service's port (default 8080; 0: any free port).",
)
def demo(
    loads: int,
    seed: int,
    auth: str,
    scenario: str,
    folder: Path,
    skip_doctor: bool,
    attachments: bool,
    serve: bool,
    port: int | None,
) -> None:
    """Export a generated month of freight activity into a local NetSuite emulator (no account needed);
    with --serve, into the service, browsed in its console."""
    if scenario not in SCENARIOS:
        raise click.BadParameter(
            f"{scenario!r} is not one of: {', '.join(SCENARIOS)}", param_hint="--scenario"
        )
    if port is not None and not serve:
        raise click.BadParameter("only with --serve", param_hint="--port")
    if skip_doctor and serve:
        raise click.BadParameter(
            "the service always runs the doctor; not with --serve", param_hint="--skip-doctor"
        )
    _prepare(folder)
    documents = folder / "documents.jsonl"
    with documents.open("w", encoding="utf-8") as stream:
        count = write_documents(generate(loads, seed, attachments=attachments), stream)
    if serve:
        host = "127.0.0.1"
        raise SystemExit(
            serve_demo(documents, count, loads, scenario, auth, folder, host, 8080 if port is None else port)
        )
    raise SystemExit(asyncio.run(_demo(documents, count, loads, auth, scenario, folder, skip_doctor)))


def _prepare(folder: Path) -> None:
    """Make `folder` ready, deleting only what an earlier demo wrote there; a folder of the user's is refused."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / _MARK).is_file():
            raise click.BadParameter(
                f"{folder} holds files the demo did not make; give a new or empty folder", param_hint="--dir"
            )
        for name in _OWN_FILES:
            (folder / name).unlink(missing_ok=True)
        for pattern in _OWN_GLOBS:
            for path in folder.glob(pattern):
                path.unlink()
        for name in _OWN_FOLDERS:
            shutil.rmtree(folder / name, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _MARK).write_text(
        "Made by `tms-netsuite demo`; a later demo replaces only the files it wrote.\n"
    )


async def _demo(
    documents: Path, count: int, loads: int, auth: str, scenario: str, folder: Path, skip_doctor: bool
) -> int:
    with Emulator.from_scenario(scenario) as emulator:
        environ = emulator.env(auth=auth, base_url=_BASE_URL, key_dir=folder)
        env_file = folder / "netsuite.env"
        env_file.write_text(
            "# Test values of the local NetSuite emulator, not real credentials.\n"
            + "".join(f"{key}={value}\n" for key, value in environ.items())
        )
        click.echo(
            f"Local NetSuite emulator (scenario {scenario!r}, account {emulator.account_id}) in this process; "
            f"{count} TMS documents for {loads} loads in {documents}."
        )
        options = ExportOptions(
            input=documents,
            mapping=demo_mapping_path(),
            env_file=None,
            ledger=folder / "ledger.db",
            concurrency=None,
            skip_doctor=skip_doctor,
            as_json=False,
        )
        settings = NetSuiteSettings.from_environ(environ)
        code = await export_with(options, settings, environ, transport=httpx.ASGITransport(app=emulator.app))
    where = f"--env-file {shlex.quote(str(env_file))} --ledger {shlex.quote(str(folder / 'ledger.db'))}"
    command = _command_name()
    click.echo(
        f"Next: `{command} status {where}`, `{command} status --files {where}`, `{command} errors {where}`."
    )
    return code


def _command_name() -> str:
    """How the user can run this command again: its name when on PATH, else the path it was started by
    (after `make demo` it is `.venv/bin/tms-netsuite`, which a shell without the venv activated does not find)."""
    started = Path(sys.argv[0])
    if started.name != "tms-netsuite":
        return "tms-netsuite"
    found = shutil.which("tms-netsuite")
    if found and Path(found).resolve() == started.resolve():
        return "tms-netsuite"
    return shlex.quote(os.path.relpath(started) if not started.is_absolute() else str(started))
