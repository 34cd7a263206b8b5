"""`status`, `errors` and `retry`: what the ledger holds, read without NetSuite and without secrets.

They never create a ledger: a missing one is an error naming where it was looked for. The account is
``--account``, else NETSUITE_ACCOUNT_ID, else the ledger's only account.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from tms_netsuite.cli._export import env_file_option, json_option, ledger_option, print_state_table
from tms_netsuite.config import read_environment
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import (
    AWAITS_APPROVAL,
    FailureGroup,
    Ledger,
    LedgerRow,
    RejectedLine,
    State,
    group_failures,
    ledger_url,
)
from tms_netsuite.mapping import document_of
from tms_netsuite.netsuite import AccountId

account_option = click.option(
    "--account",
    help="NetSuite account id whose documents to read (default: NETSUITE_ACCOUNT_ID, else the ledger's only "
    "account). No secrets are needed.",
)
_SHOWN = 20  # rows listed per group before "… and N more"
REJECTED = "rejected"  # not a ledger state: input lines that never became document versions


@asynccontextmanager
async def reading_ledger(
    ledger: Path | None, env_file: Path | None, account: str | None
) -> AsyncIterator[Ledger | None]:
    """The existing ledger, for one account; None when it holds no account yet. Never creates one.

    Raises:
        ConfigurationError: no ledger where it was looked for, or several accounts and none chosen.
        LedgerUnavailable: the ledger cannot be opened.
    """
    environ = read_environment(env_file)
    url = ledger_url(ledger, environ)
    if not Ledger.exists(url):
        raise ConfigurationError(
            f"no ledger at {_where(ledger, environ)}; `tms-netsuite export` makes it. Fix: run this where the "
            "export ran, or pass --ledger PATH (or set TMS_NETSUITE_LEDGER)"
        )
    chosen = (account or environ.get("NETSUITE_ACCOUNT_ID", "")).strip()
    if chosen:
        realm = AccountId.parse(chosen).realm
    else:
        held = await Ledger.accounts(url)
        if not held:
            yield None
            return
        if len(held) > 1:
            raise ConfigurationError(
                f"the ledger holds several accounts ({', '.join(held)}); pass --account with one of them"
            )
        realm = held[0]
    opened = await Ledger.open(url, realm, AccountId(realm).environment.value)
    try:
        yield opened
    finally:
        await opened.close()


def _where(ledger: Path | None, environ: Mapping[str, str]) -> str:
    if ledger is not None:
        return str(ledger.expanduser().resolve())
    if environ.get("TMS_NETSUITE_LEDGER"):
        return str(Path(environ["TMS_NETSUITE_LEDGER"]).expanduser().resolve())
    return f"{Path.cwd() / 'tms-netsuite.db'} (the default)"


# status


@dataclass(frozen=True, slots=True)
class _Status:
    account: str | None
    active_runs: int
    rows: list[LedgerRow]
    counts: dict[str, int]
    rejected: list[RejectedLine]


async def _read_status(
    ledger: Path | None, env_file: Path | None, account: str | None, state: str | None
) -> _Status:
    async with reading_ledger(ledger, env_file, account) as opened:
        if opened is None:
            return _Status(None, 0, [], {}, [])
        wanted = None if state in (None, REJECTED) else State(state)
        rows = [] if state == REJECTED else [row async for row in opened.rows(state=wanted)]
        counts = {s.value: n for s, n in sorted((await opened.counts()).items())}
        rejected = await opened.rejected()
        return _Status(opened.account, await opened.live_runs(), rows, counts, rejected)


@click.command("status")
@click.option(
    "--state",
    type=click.Choice([*(s.value for s in State), REJECTED]),
    help="Only rows in this state (rejected: the input lines that were not valid documents).",
)
@click.option("--files", is_flag=True, help="List the files attached to transactions, with links to them.")
@account_option
@env_file_option
@ledger_option
@json_option
def status_command(
    state: str | None,
    files: bool,
    account: str | None,
    env_file: Path | None,
    ledger: Path | None,
    as_json: bool,
) -> None:
    """Show where every document version stands, by kind and state, and whether an export run is active."""
    found = asyncio.run(_read_status(ledger, env_file, account, state))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "account": found.account,
                    "active_runs": found.active_runs,
                    "counts": {**found.counts, REJECTED: len(found.rejected)},
                    "rows": [row_json(row) for row in found.rows],
                    "rejected": [line.as_json() for line in found.rejected]
                    if state in (None, REJECTED)
                    else [],
                }
            )
        )
        return
    if found.account is None:
        click.echo("The ledger holds no documents yet.")
        return
    if not found.counts and not found.rejected:
        click.echo(f"The ledger holds no documents of account {found.account}.")
        return
    click.echo(
        f"An export run is active now ({found.active_runs}): these counts change until it ends."
        if found.active_runs
        else "No export run is active."
    )
    if state == REJECTED:
        _print_rejected(found.rejected)
        return
    print_state_table(found.rows)
    if files:
        _print_files(found.rows)
    if state:
        for row in found.rows:
            reason = _waits_for(row.blocked_on) if row.blocked_on else row.skip_reason
            click.echo(f"  {_name(row)}: {row.state.value}" + (f" ({reason})" if reason else ""))
    elif found.rejected:
        click.echo(
            f"{len(found.rejected)} input lines were rejected: `tms-netsuite status --state rejected` lists them."
        )


def _print_files(rows: list[LedgerRow]) -> None:
    """Each attachment row's file: the document and kind it belongs to, its state, and its page in NetSuite."""
    for row in rows:
        if row.kind != "attachment":
            continue
        document, _, slot = row.tms_id.rpartition(":")
        link = next((r.url for r in row.records if r.record_type == "file"), None)
        where = link or (row.error.detail if row.error else row.blocked_on) or row.skip_reason or ""
        if any(r.record_type == "attachment" and not r.internal_id for r in row.records):
            where = "no file in this version: the earlier one was detached (it stays in the File Cabinet)"
        click.echo(
            f"  {document.replace(':', ' ')} v{row.version} {slot}: {row.state.value} {where}".rstrip()
        )


def row_json(row: LedgerRow) -> dict[str, Any]:
    """A ledger row in `--json`: a blocked row names the TMS document it waits for too."""
    waits = document_of(row.blocked_on.partition("/eid:")[2]) if row.blocked_on else None
    return {
        "id": row.row_id,
        "kind": row.kind,
        "tms_id": row.tms_id,
        "version": row.version,
        "state": row.state.value,
        "attempts": row.attempts,
        "blocked_on": row.blocked_on,
        "waits_for": {"kind": waits[0].value, "tms_id": waits[1]} if waits else None,
        "skip_reason": row.skip_reason,
        "error": None
        if row.error is None
        else {
            "category": row.error.category,
            "code": row.error.code,
            "detail": row.error.detail,
            "cause": row.error.cause,
            "fix": row.error.fix,
        },
        "records": [
            {"type": r.record_type, "external_id": r.external_id, "internal_id": r.internal_id, "url": r.url}
            for r in row.records
        ],
    }


def _name(row: LedgerRow) -> str:
    return f"{row.kind} {row.tms_id} v{row.version} (#{row.row_id})"


def _waits_for(blocked_on: str) -> str:
    """``customer/eid:tms-customer-C__1`` as a person knows it: ``customer C-1``."""
    record_type, _, external = blocked_on.partition("/eid:")
    document = document_of(external)
    if document is None:
        return f"waits for NetSuite {record_type} {external}"
    return f"waits for {document[0].value} {document[1]}"


def _print_rejected(lines: Sequence[RejectedLine]) -> None:
    if not lines:
        click.echo("No rejected input lines.")
        return
    click.echo(
        f"{len(lines)} input lines rejected (not valid documents; fix them and export the file again):"
    )
    for line in lines[:_SHOWN]:
        subject = f" ({line.kind} {line.tms_id})" if line.kind and line.tms_id else ""
        click.echo(f"  {line.source}:line {line.line}{subject}")
        for field, reason in line.issues:
            click.echo(f"    {field}: {reason}")
        click.echo(f"    raw: {line.raw[:200]}{'…' if len(line.raw) > 200 else ''}")
    if len(lines) > _SHOWN:
        click.echo(f"  … and {len(lines) - _SHOWN} more (`--json` has them all)")


# errors


def _then(cause: FailureGroup) -> str:
    """What to run once the cause is fixed."""
    if cause.fixed_by_mapping:
        return (
            "correct the mapping: the next `tms-netsuite export` queues these again by itself once the "
            "mapping changed"
        )
    ids = " ".join(str(row.row_id) for row in cause.rows[:_SHOWN])
    return f"`tms-netsuite retry {ids}`" + (" (or `--all`)" if len(cause.rows) > _SHOWN else "")


def _cause_json(cause: FailureGroup) -> dict[str, Any]:
    return {
        "code": cause.code,
        "detail": cause.detail,
        "cause": cause.cause,
        "fix": cause.fix,
        "then": _then(cause),
        "rows": [
            {"id": r.row_id, "kind": r.kind, "tms_id": r.tms_id, "version": r.version} for r in cause.rows
        ],
    }


async def _read_errors(
    ledger: Path | None, env_file: Path | None, account: str | None
) -> tuple[list[LedgerRow], list[LedgerRow], list[RejectedLine]]:
    async with reading_ledger(ledger, env_file, account) as opened:
        if opened is None:
            return [], [], []
        failed = [row async for row in opened.rows(state=State.FAILED)]
        blocked = [row async for row in opened.rows(state=State.BLOCKED)]
        return failed, blocked, await opened.rejected()


@click.command("errors")
@account_option
@env_file_option
@ledger_option
@json_option
def errors_command(account: str | None, env_file: Path | None, ledger: Path | None, as_json: bool) -> None:
    """List failed documents grouped by cause with the fix, blocked documents with what they wait for, and
    rejected input lines."""
    failed, blocked, rejected = asyncio.run(_read_errors(ledger, env_file, account))
    causes = group_failures(failed)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "failed": [_cause_json(cause) for cause in causes],
                    "blocked": [row_json(row) for row in blocked],
                    "rejected": [line.as_json() for line in rejected],
                }
            )
        )
        return
    for cause in causes:
        click.echo(f"{len(cause.rows)} failed — {cause.code}: {cause.detail}")
        if cause.cause and cause.cause not in cause.detail:
            click.echo(f"  cause: {cause.cause}")
        if cause.fix and cause.fix not in cause.detail:
            click.echo(f"  fix: {cause.fix}")
        click.echo(f"  then: {_then(cause)}")
        for row in cause.rows[:_SHOWN]:
            click.echo(f"  - {_name(row)}")
        if len(cause.rows) > _SHOWN:
            click.echo(f"  … and {len(cause.rows) - _SHOWN} more")
    awaiting = [row for row in blocked if (row.blocked_on or "").startswith(AWAITS_APPROVAL)]
    blocked = [row for row in blocked if row not in awaiting]
    if awaiting:
        click.echo(
            f"{len(awaiting)} blocked until people approve bills in NetSuite (each export run looks again):"
        )
        for row in awaiting[:_SHOWN]:
            bill = (row.blocked_on or "").partition(": ")[2]
            click.echo(f"  - {_name(row)} {_waits_for(bill)} to be approved")
        if len(awaiting) > _SHOWN:
            click.echo(f"  … and {len(awaiting) - _SHOWN} more")
    if blocked:
        click.echo(f"{len(blocked)} blocked, waiting for a record another document should write:")
        for row in blocked[:_SHOWN]:
            click.echo(f"  - {_name(row)} {_waits_for(row.blocked_on or '')}")
        if len(blocked) > _SHOWN:
            click.echo(f"  … and {len(blocked) - _SHOWN} more")
    if rejected:
        _print_rejected(rejected)
    if not failed and not blocked and not awaiting and not rejected:
        click.echo("No failed or blocked documents, and no rejected input lines.")


# retry


@click.command("retry")
@click.option("--all", "retry_all", is_flag=True, help="Every failed and blocked document.")
@click.argument("row_ids", nargs=-1, type=int)
@account_option
@env_file_option
@ledger_option
@json_option
def retry_command(
    retry_all: bool,
    row_ids: tuple[int, ...],
    account: str | None,
    env_file: Path | None,
    ledger: Path | None,
    as_json: bool,
) -> None:
    """Queue failed or blocked documents again (by row id, as `errors` shows it) after fixing the cause."""
    if not retry_all and not row_ids:
        raise click.UsageError("name row ids (see `tms-netsuite errors`) or pass --all")
    queued, reasons = asyncio.run(_retry(ledger, env_file, account, None if retry_all else list(row_ids)))
    if as_json:
        click.echo(json.dumps({"queued": queued, "not_queued": [{"id": i, "reason": r} for i, r in reasons]}))
        return
    for row_id, reason in reasons:
        click.echo(f"  #{row_id} not queued: {reason}")
    if queued:
        click.echo(f"{queued} document versions queued again; run `tms-netsuite export` to send them.")
    elif retry_all:
        click.echo(
            "Nothing was queued: no document is failed or blocked (`tms-netsuite status` shows them all)."
        )
    else:
        click.echo("Nothing was queued.")


async def _retry(
    ledger: Path | None, env_file: Path | None, account: str | None, row_ids: list[int] | None
) -> tuple[int, list[tuple[int, str]]]:
    """How many rows were queued again, and why each named row that was not, was not."""
    async with reading_ledger(ledger, env_file, account) as opened:
        if opened is None:
            return 0, [(row_id, "the ledger holds no documents yet") for row_id in row_ids or ()]
        states = await opened.states_of(row_ids) if row_ids else {}
        queued = await opened.retry(row_ids)
    reasons = []
    for row_id in dict.fromkeys(row_ids or ()):
        state = states.get(row_id)
        if state is None:
            reasons.append((row_id, f"no document version #{row_id} in this account's ledger"))
        elif state not in (State.FAILED, State.BLOCKED):
            reasons.append((row_id, f"it is {state.value}, not failed or blocked: {_NOT_STUCK[state]}"))
    return queued, reasons


_NOT_STUCK = {
    State.PENDING: "it is queued already",
    State.EXPORTING: "a run is exporting it now",
    State.SYNCED: "NetSuite holds it; send a change as a new version",
    State.SKIPPED: "nothing is written for it, by rule",
    State.SUPERSEDED: "a newer version replaced it",
    State.VOID: "it was voided",
}
