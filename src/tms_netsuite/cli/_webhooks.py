"""`tms-netsuite webhooks`: the account's webhook endpoints (secrets kept encrypted) and their deliveries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from tms_netsuite.accounts import SecretBox
from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.cli._export import _account, env_file_option, json_option, ledger_option, open_ledger
from tms_netsuite.config import read_environment
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import Ledger, ledger_url
from tms_netsuite.webhooks import Deliverer, new_secret

T = TypeVar("T")


def _with_ledger(
    env_file: Path | None, ledger: Path | None, work: Callable[[Ledger, Mapping[str, str]], Awaitable[T]]
) -> T:
    environ = read_environment(env_file)

    async def run() -> T:
        async with open_ledger(ledger, environ, _account(environ)) as opened:
            return await work(opened, environ)

    return asyncio.run(run())


def _box(ledger: Path | None, environ: Mapping[str, str]) -> SecretBox:
    """The key that encrypts the signing secrets: the one the accounts' credentials use (`secrets rotate`)."""
    box = SecretBox.load(ledger_url(ledger, environ), environ, create=True)
    assert box is not None  # with create=True a key file is made when there is none
    return box


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook endpoints that receive the events, signed as Standard Webhooks defines."""


@webhooks_group.command("add")
@click.argument("url")
@click.option(
    "--from-start", is_flag=True, help="Deliver every event kept so far too (default: from now on)."
)
@env_file_option
@ledger_option
def add_command(url: str, from_start: bool, env_file: Path | None, ledger: Path | None) -> None:
    """Add an endpoint and print its signing secret (shown once: give it to the TMS, which verifies with it)."""
    if not url.startswith(("https://", "http://")):
        raise ConfigurationError(f"{url!r} is not an http(s) URL")
    secret = new_secret()

    async def add(opened: Ledger, environ: Mapping[str, str]) -> int:
        box = _box(ledger, environ)
        return await opened.readback().add_endpoint(url, box.encrypt(secret), from_start=from_start)

    endpoint_id = _with_ledger(env_file, ledger, add)
    click.echo(f"Endpoint {endpoint_id}: {url}")
    click.echo(f"Signing secret (shown once, kept encrypted): {secret}")


@webhooks_group.command("list")
@env_file_option
@ledger_option
@json_option
def list_command(env_file: Path | None, ledger: Path | None, as_json: bool) -> None:
    """The endpoints, whether each is enabled, and their deliveries by state."""

    async def listing(opened: Ledger, _: Mapping[str, str]) -> list[dict[str, Any]]:
        store = opened.readback()
        rows = []
        for endpoint in await store.endpoints():
            states = await store.delivery_counts(endpoint.id)
            rows.append(
                {
                    "id": endpoint.id,
                    "url": endpoint.url,
                    "enabled": endpoint.enabled,
                    "disabled_reason": endpoint.disabled_reason,
                    "deliveries": states,
                }
            )
        return rows

    rows = _with_ledger(env_file, ledger, listing)
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = "enabled" if row["enabled"] else f"disabled ({row['disabled_reason']})"
        counts = ", ".join(f"{n} {s}" for s, n in sorted(row["deliveries"].items())) or "no deliveries"
        click.echo(f"{row['id']}  {row['url']}  {state}  {counts}")


@webhooks_group.command("enable")
@click.argument("endpoint_id", type=int)
@env_file_option
@ledger_option
def enable_command(endpoint_id: int, env_file: Path | None, ledger: Path | None) -> None:
    """Enable an endpoint again (its failed deliveries are due at once)."""
    _switch(endpoint_id, env_file, ledger, enabled=True)


@webhooks_group.command("disable")
@click.argument("endpoint_id", type=int)
@env_file_option
@ledger_option
def disable_command(endpoint_id: int, env_file: Path | None, ledger: Path | None) -> None:
    """Stop delivering to an endpoint (events are still kept for it)."""
    _switch(endpoint_id, env_file, ledger, enabled=False)


def _switch(endpoint_id: int, env_file: Path | None, ledger: Path | None, *, enabled: bool) -> None:
    async def switch(opened: Ledger, _: Mapping[str, str]) -> bool:
        return await opened.readback().set_endpoint(
            endpoint_id, enabled=enabled, reason="disabled by the user"
        )

    if not _with_ledger(env_file, ledger, switch):
        raise ConfigurationError(f"there is no endpoint {endpoint_id}: see `tms-netsuite webhooks list`")
    click.echo(f"Endpoint {endpoint_id} {'enabled' if enabled else 'disabled'}.")


@webhooks_group.command("remove")
@click.argument("endpoint_id", type=int)
@env_file_option
@ledger_option
def remove_command(endpoint_id: int, env_file: Path | None, ledger: Path | None) -> None:
    """Remove an endpoint and its deliveries."""

    async def remove(opened: Ledger, _: Mapping[str, str]) -> bool:
        return await opened.readback().remove_endpoint(endpoint_id)

    if not _with_ledger(env_file, ledger, remove):
        raise ConfigurationError(f"there is no endpoint {endpoint_id}: see `tms-netsuite webhooks list`")
    click.echo(f"Endpoint {endpoint_id} removed.")


@webhooks_group.command("redeliver")
@click.argument("endpoint_id", type=int)
@click.argument("event_ids", nargs=-1)
@env_file_option
@ledger_option
def redeliver_command(
    endpoint_id: int, event_ids: tuple[str, ...], env_file: Path | None, ledger: Path | None
) -> None:
    """Send events to an endpoint again: those named (msg_…), or every failed one; `deliver` sends them."""

    async def redeliver(opened: Ledger, _: Mapping[str, str]) -> int:
        return await opened.readback().redeliver(endpoint_id, list(event_ids) or None)

    count = _with_ledger(env_file, ledger, redeliver)
    click.echo(f"{count} deliveries due again.")


@webhooks_group.command("deliver")
@env_file_option
@ledger_option
@json_option
def deliver_command(env_file: Path | None, ledger: Path | None, as_json: bool) -> None:
    """Deliver the events due to every enabled endpoint (run it after `sync-back`, e.g. every few minutes).
    Exit 0 when it ran, even if a receiver failed (its events are tried again later)."""

    async def deliver(opened: Ledger, environ: Mapping[str, str]) -> dict[str, Any]:
        report = await Deliverer(opened, _box(ledger, environ)).deliver_due()
        return {
            "attempted": report.attempted,
            "delivered": report.delivered,
            "failed": report.failed,
            "disabled": report.disabled,
        }

    summary = _with_ledger(env_file, ledger, deliver)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"Delivered {summary['delivered']} of {summary['attempted']} attempts; {summary['failed']} failed "
            "and will be tried again."
        )
        for reason in summary["disabled"]:
            click.echo(f"Disabled: {reason}")
    raise SystemExit(ExitCode.OK)
