"""`accounts`, `api-keys` and `secrets`: the service's accounts, its keys and the key that encrypts credentials."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from tms_netsuite.accounts import Accounts, SecretBox, create_key
from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.cli._export import json_option, ledger_option
from tms_netsuite.config import read_environment
from tms_netsuite.doctor import Status, run_doctor
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import AccountRecord, Registry, ledger_url
from tms_netsuite.mapping import parse_mapping

_T = TypeVar("_T")


@asynccontextmanager
async def open_accounts(ledger: Path | None, *, create_key_file: bool = False) -> AsyncIterator[Accounts]:
    """The ledger's accounts with the secret key (a key file is made only when ``create_key_file``)."""
    environ = read_environment()
    url = ledger_url(ledger, environ)
    registry = await Registry.open(url)
    try:
        yield Accounts(registry, SecretBox.load(url, environ, create=create_key_file))
    finally:
        await registry.close()


def _run(
    ledger: Path | None, work: Callable[[Accounts], Awaitable[_T]], *, create_key_file: bool = False
) -> _T:
    async def main() -> _T:
        async with open_accounts(ledger, create_key_file=create_key_file) as accounts:
            return await work(accounts)

    return asyncio.run(main())


def account_json(record: AccountRecord) -> dict[str, Any]:
    """An account as listings show it: never its credentials."""
    return {
        "slug": record.slug,
        "account_id": record.account_id,
        "environment": record.environment,
        "auth_method": record.auth_method,
        "mapping_version": record.mapping_version,
        "mapping_hash": record.mapping_hash,
        "concurrency_override": record.concurrency_override,
        "learned_limit": record.learned_limit,
        "paused": record.paused,
        "pause_reason": record.pause_reason,
    }


def _read_mapping(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"mapping file {path} cannot be read: {exc}") from exc
    parse_mapping(text, str(path))  # every problem with its key and line
    return text


_mapping_argument = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("accounts")
def accounts_group() -> None:
    """The NetSuite accounts `tms-netsuite serve` exports for (kept in the ledger's database)."""


@accounts_group.command("add")
@click.argument("slug")
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Dotenv file with the account's NETSUITE_* settings.",
)
@click.option("--mapping", type=_mapping_argument, required=True, help="Mapping file (TOML).")
@click.option("--concurrency", type=click.IntRange(min=1), help="The account's concurrency limit, if known.")
@ledger_option
def accounts_add(
    slug: str, env_file: Path, mapping: Path, concurrency: int | None, ledger: Path | None
) -> None:
    """Register an account: its credentials are stored encrypted, its mapping as text."""
    environ = read_environment(env_file, environ={})
    toml = _read_mapping(mapping)
    record = _run(
        ledger,
        lambda accounts: accounts.add(slug, environ, toml, concurrency=concurrency),
        create_key_file=True,
    )
    click.echo(
        f"Account {record.slug} added: NetSuite {record.account_id} ({record.environment}), "
        f"{record.auth_method}; credentials encrypted. Next: `tms-netsuite api-keys create --account {record.slug}`."
    )


@accounts_group.command("list")
@ledger_option
@json_option
def accounts_list(ledger: Path | None, as_json: bool) -> None:
    """Every account (never its credentials)."""
    records = _run(ledger, lambda accounts: accounts.registry.all_accounts())
    if as_json:
        click.echo(json.dumps([account_json(record) for record in records]))
        return
    if not records:
        click.echo("No accounts: add one with `tms-netsuite accounts add SLUG --env-file F --mapping M`.")
    for record in records:
        state = f"paused ({record.pause_reason})" if record.paused else "active"
        limit = record.concurrency_override or record.learned_limit
        click.echo(
            f"{record.slug}: NetSuite {record.account_id} ({record.environment}), {record.auth_method}, "
            f"mapping v{record.mapping_version}, limit {limit or 'unknown'}, {state}"
        )


@accounts_group.command("set-mapping")
@click.argument("slug")
@click.argument("mapping", type=_mapping_argument)
@click.option("--force", is_flag=True, help="Store it even when the doctor's checks of it fail.")
@ledger_option
def accounts_set_mapping(slug: str, mapping: Path, force: bool, ledger: Path | None) -> None:
    """Give an account a new mapping, checked first by the doctor against the account (refused if a check
    fails, unless --force)."""
    toml = _read_mapping(mapping)

    async def work(accounts: Accounts) -> AccountRecord:
        record = await accounts.registry.get(slug)
        report = await run_doctor(accounts.environ(record), mapping=parse_mapping(toml, str(mapping)))
        failed = [check for check in report.checks if check.status is Status.FAIL]
        if failed and not force:
            for check in failed:
                click.echo(f"  fail {check.id}: {check.detail}", err=True)
                if check.fix:
                    click.echo(f"    fix: {check.fix}", err=True)
            raise click.exceptions.Exit(ExitCode.CHECK_FAILED)
        return await accounts.set_mapping(slug, toml)

    try:
        record = _run(ledger, work)
    except click.exceptions.Exit as exc:
        click.echo(
            "Mapping refused: the doctor's checks failed (listed above); --force stores it anyway.", err=True
        )
        raise SystemExit(exc.exit_code) from None
    click.echo(
        f"Account {slug}: mapping v{record.mapping_version} stored; the doctor runs before its next export."
    )


def _set_paused(slug: str, ledger: Path | None, *, paused: bool) -> None:
    reason = "paused by the operator" if paused else None
    _run(ledger, lambda accounts: accounts.registry.update(slug, paused=paused, pause_reason=reason))
    click.echo(f"Account {slug} {'paused' if paused else 'resumed'}.")


@accounts_group.command("pause")
@click.argument("slug")
@ledger_option
def accounts_pause(slug: str, ledger: Path | None) -> None:
    """Stop exporting for an account (documents are still accepted)."""
    _set_paused(slug, ledger, paused=True)


@accounts_group.command("resume")
@click.argument("slug")
@ledger_option
def accounts_resume(slug: str, ledger: Path | None) -> None:
    """Export for a paused account again."""
    _set_paused(slug, ledger, paused=False)


@accounts_group.command("remove")
@click.argument("slug")
@ledger_option
def accounts_remove(slug: str, ledger: Path | None) -> None:
    """Forget an account and revoke its API keys (its documents stay in the ledger)."""
    _run(ledger, lambda accounts: accounts.registry.remove(slug))
    click.echo(f"Account {slug} removed; its API keys are revoked.")


@click.group("api-keys")
def api_keys_group() -> None:
    """Keys for the service's HTTP API (stored only as hashes)."""


@api_keys_group.command("create")
@click.option("--account", "slug", help="The account the key reaches (it sees no other).")
@click.option("--admin", is_flag=True, help="An administrator's key: every account and the admin routes.")
@click.option("--read-only", is_flag=True, help="Reads only: writing answers 403.")
@ledger_option
@json_option
def api_keys_create(
    slug: str | None, admin: bool, read_only: bool, ledger: Path | None, as_json: bool
) -> None:
    """Make a key and print it once (the last line): it is not stored, only its hash."""
    if (slug is None) == (not admin) or (slug is not None and admin):
        raise click.UsageError("pass exactly one of --account SLUG or --admin")
    made = _run(
        ledger, lambda accounts: create_key(accounts.registry, account_slug=slug, read_only=read_only)
    )
    if as_json:
        click.echo(json.dumps({"key": made.key}))
        return
    what = "administrator" if admin else f"account {slug}"
    click.echo(
        f"API key {made.key_id} for {what}{' (read-only)' if read_only else ''}; it is shown once, keep it now:"
    )
    click.echo(made.key)


@api_keys_group.command("list")
@ledger_option
@json_option
def api_keys_list(ledger: Path | None, as_json: bool) -> None:
    """Every key's id, reach and state (never the key)."""
    keys = _run(ledger, lambda accounts: accounts.registry.keys())
    rows = [
        {
            "key_id": key.key_id,
            "account": key.account_slug,
            "admin": key.account_slug is None,
            "read_only": key.read_only,
            "created_at": key.created_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
        }
        for key in keys
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        reach = "admin" if row["admin"] else f"account {row['account']}"
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "live"
        click.echo(f"{row['key_id']}: {reach}{', read-only' if row['read_only'] else ''}, {state}")


@api_keys_group.command("revoke")
@click.argument("key_id")
@ledger_option
def api_keys_revoke(key_id: str, ledger: Path | None) -> None:
    """Revoke a key by its id (as `api-keys list` shows it); it stops working at once."""
    if not _run(ledger, lambda accounts: accounts.registry.revoke_key(key_id)):
        raise ConfigurationError(f"no live API key {key_id!r}: see `tms-netsuite api-keys list`")
    click.echo(f"API key {key_id} revoked.")


@click.group("secrets")
def secrets_group() -> None:
    """The key that encrypts the accounts' credentials."""


@secrets_group.command("rotate")
@ledger_option
def secrets_rotate(ledger: Path | None) -> None:
    """Re-encrypt every account's credentials and webhook signing secrets under a new key. With a key file, a new key is made and the old
    one dropped once all is re-encrypted; with TMS_NETSUITE_SECRET_KEY, put the new key first (new,old), run
    this, then drop the old one."""
    count = _run(ledger, lambda accounts: accounts.rotate())
    click.echo(f"Credentials of {count} accounts re-encrypted under the newest key.")
