"""`tms-netsuite demo`: the connector against a local NetSuite emulator, with no account and no network."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
import httpx

from netsuite_emulator import Emulator
from tms_netsuite.netsuite import NetSuiteSettings, SetupError, connect

_BASE_URL = "http://netsuite.emulator"


@click.command()
@click.option(
    "--scenario", default="healthy", show_default=True, help="The emulator scenario to run against."
)
def demo(scenario: str) -> None:
    """Connect to a local NetSuite emulator with both auth methods and show what the connection sees."""
    asyncio.run(_demo(scenario))


async def _demo(scenario: str) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="tms-netsuite-demo-") as keys,
        Emulator.from_scenario(scenario) as emulator,
    ):
        click.echo(
            f"Local NetSuite emulator: scenario {scenario!r}, account {emulator.account_id} (in process)."
        )
        transport = httpx.ASGITransport(app=emulator.app)
        for auth, label in (
            ("tba", "Token-Based Authentication"),
            ("oauth2", "OAuth 2.0 client credentials"),
        ):
            environ = emulator.env(auth=auth, base_url=_BASE_URL, key_dir=Path(keys))
            async with connect(NetSuiteSettings.from_environ(environ), transport=transport) as ns:
                info = await ns.token_info()
                server_time = await ns.server_time()
            offset = (datetime.now(UTC) - server_time).total_seconds()
            click.echo(
                f"  {label}: role {info.role_name!r} (id {info.role_id}), entity {info.entity_id}, "
                f"company {info.company_name!r}; server clock off by {offset:+.1f} s"
            )
        admin = emulator.env(who="admin", base_url=_BASE_URL)
        async with connect(NetSuiteSettings.from_environ(admin), transport=transport) as ns:
            try:
                limits = await ns.governance_limits()
                click.echo(
                    f"  Concurrency limit (governanceLimits, as administrator): {limits.account_concurrency_limit}"
                )
            except SetupError as exc:
                click.echo(f"  governanceLimits refused: {exc.detail}")
        trail = emulator.audit_trail()
        failures = [entry for entry in trail if entry.status != "Success"]
        click.echo(f"  Login audit trail: {len(trail)} logins, {len(failures)} refused")
        for entry in failures:
            click.echo(f"    refused: {entry.detail} ({entry.auth_method}, {entry.request})")
    click.echo("Next: `netsuite-emulator serve --env-file netsuite.env` runs the same emulator over HTTP.")
