"""`export`, `status`, `errors` and `retry`: the ledger and the engine from the command line."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.config import read_environment
from tms_netsuite.doctor import Status
from tms_netsuite.errors import ConfigurationError, TmsNetSuiteError
from tms_netsuite.export import BackfillSettings, ExportReport, IngestResult, RunStopped, ingest_lines
from tms_netsuite.ledger import Ledger, LedgerRow, State, ledger_url
from tms_netsuite.mapping import MappingConfig, load_mapping
from tms_netsuite.netsuite import AccountId, NetSuiteSettings, connect
from tms_netsuite.run import RunResult, run_export

_stderr = Console(stderr=True)

env_file_option = click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Dotenv file with NETSUITE_* settings.",
)
ledger_option = click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ledger file (default ./tms-netsuite.db).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")


@asynccontextmanager
async def open_ledger(
    ledger: Path | None, environ: Mapping[str, str], account: AccountId
) -> AsyncIterator[Ledger]:
    """The ledger for an account, closed on exit."""
    opened = await Ledger.open(ledger_url(ledger, environ), account.realm, account.environment.value)
    try:
        yield opened
    finally:
        await opened.close()


def _account(environ: Mapping[str, str]) -> AccountId:
    raw = environ.get("NETSUITE_ACCOUNT_ID", "").strip()
    if not raw:
        raise ConfigurationError(
            "NETSUITE_ACCOUNT_ID is missing; the ledger keeps each account's documents apart"
        )
    return AccountId.parse(raw)


def load_chosen_mapping(path: Path | None, environ: Mapping[str, str]) -> MappingConfig | None:
    """The mapping file named by ``--mapping`` or else ``TMS_NETSUITE_MAPPING``, loaded; None if neither is."""
    chosen = path or (Path(environ["TMS_NETSUITE_MAPPING"]) if environ.get("TMS_NETSUITE_MAPPING") else None)
    if chosen is None:
        return None
    try:
        return load_mapping(chosen)
    except OSError as exc:
        raise ConfigurationError(f"mapping file {chosen} cannot be read: {exc.strerror}") from exc


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What `export` was asked to do."""

    input: Path | None
    mapping: Path | None
    env_file: Path | None
    ledger: Path | None
    concurrency: int | None
    skip_doctor: bool
    as_json: bool
    max_wait: float = 300.0
    backfill: bool | None = None  # None: when more than backfill_threshold documents are pending
    backfill_threshold: int = 1000
    live_slots: int = 1


@click.command("export")
@click.option(
    "--input",
    "input_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines of TMS documents to ingest first.",
)
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), help="Mapping file (TOML).")
@env_file_option
@ledger_option
@click.option(
    "--concurrency", type=click.IntRange(min=1), help="NetSuite's concurrency limit for this account."
)
@click.option("--skip-doctor", is_flag=True, help="Export even when a prerequisite check fails.")
@click.option(
    "--max-wait",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds to wait for documents whose retry is due soon; later ones are left to the next run.",
)
@click.option(
    "--backfill/--no-backfill",
    default=None,
    help="Create new records through NetSuite's asynchronous batch requests (100 a request, run by its REST "
    "async processors) beside the synchronous slots. Default: only when more documents are pending than "
    "--backfill-threshold.",
)
@click.option(
    "--backfill-threshold",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Pending documents above which a run backfills on its own.",
)
@click.option(
    "--live-slots",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="While backfilling, concurrency slots left free for live exports (another run, the service).",
)
@json_option
def export_command(
    input_file: Path | None,
    mapping: Path | None,
    env_file: Path | None,
    ledger: Path | None,
    concurrency: int | None,
    skip_doctor: bool,
    max_wait: float,
    backfill: bool | None,
    backfill_threshold: int,
    live_slots: int,
    as_json: bool,
) -> None:
    """Ingest TMS documents and export everything pending to NetSuite."""
    options = ExportOptions(
        input_file,
        mapping,
        env_file,
        ledger,
        concurrency,
        skip_doctor,
        as_json,
        max_wait,
        backfill,
        backfill_threshold,
        live_slots,
    )
    environ = read_environment(env_file)
    settings = NetSuiteSettings.from_environ(environ)
    try:
        code = asyncio.run(_stopped_by_sigterm(export_with(options, settings, environ)))
    except (KeyboardInterrupt, asyncio.CancelledError) as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        _report_stop("Ctrl-C" if interrupted else "SIGTERM", options, environ, settings.account)
        # The shells' convention: 128 + the signal's number.
        raise SystemExit(128 + (signal.SIGINT if interrupted else signal.SIGTERM)) from None
    raise SystemExit(code)


def _report_stop(
    signal_name: str, options: ExportOptions, environ: Mapping[str, str], account: AccountId
) -> None:
    """After Ctrl-C or SIGTERM: what is done, and what the next run checks (read back from the ledger, which the
    stopped run settled before letting go)."""
    try:
        counts = asyncio.run(_counts(options.ledger, environ, account))
    except (KeyboardInterrupt, TmsNetSuiteError):  # a second Ctrl-C, or the ledger went away: say less
        counts = None
    message = f"Stopped by {signal_name}: finished documents are recorded"
    if counts is not None:
        done = ", ".join(f"{counts[s]} {s.value}" for s in _DONE_STATES if counts.get(s)) or "nothing yet"
        message += f" ({done}; failed {counts.get(State.FAILED, 0)}, blocked {counts.get(State.BLOCKED, 0)})"
        under_way, pending = counts.get(State.EXPORTING, 0), counts.get(State.PENDING, 0)
        message += (
            f". The next export looks up in NetSuite the {under_way} documents that were under way before "
            f"writing anything for them, then exports them and the {pending} pending."
        )
    else:
        message += "; those under way go to the next run, which looks each up in NetSuite before writing it."
    if options.as_json:
        click.echo(
            json.dumps(
                {
                    "stopped": signal_name,
                    "counts": None if counts is None else {s.value: n for s, n in counts.items()},
                }
            )
        )
    _stderr.print(message, highlight=False)


_DONE_STATES = (State.SYNCED, State.VOID, State.SKIPPED, State.SUPERSEDED)


async def _counts(ledger: Path | None, environ: Mapping[str, str], account: AccountId) -> dict[State, int]:
    async with open_ledger(ledger, environ, account) as opened:
        return await opened.counts()


async def _stopped_by_sigterm(work: Coroutine[Any, Any, int]) -> int:
    """Run ``work``; SIGTERM (a container stopping) cancels it as Ctrl-C does, so the run records what finished
    and lets go of its rows before the process exits."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread: the default action stays
        return await work
    try:
        return await work
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


async def export_with(
    options: ExportOptions,
    settings: NetSuiteSettings,
    environ: Mapping[str, str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """The `export` command's work; ``transport`` lets the demo run it against an in-process emulator."""
    mapping = load_chosen_mapping(options.mapping, environ)
    if mapping is None:
        raise ConfigurationError("no mapping: pass --mapping PATH (see examples/demo-mapping.toml)")
    configured = options.concurrency or _int_env(environ, "NETSUITE_CONCURRENCY")
    started = time.monotonic()
    async with open_ledger(options.ledger, environ, settings.account) as ledger:
        ingested = IngestResult()
        if options.input is not None:
            with options.input.open("rb") as lines:  # decoded per line: one bad byte rejects one line
                # Attachments' paths are relative to the input file's folder.
                ingested = await ingest_lines(
                    ledger,
                    lines,
                    source=str(options.input.resolve()),
                    base_dir=options.input.resolve().parent,
                )
            for rejected in ingested.rejected:
                _stderr.print(f"[yellow]rejected[/] {options.input}:{rejected}", highlight=False)
            for problem in ingested.attachment_problems:
                _stderr.print(
                    f"[yellow]attachment[/] {options.input}: {problem}", highlight=False, soft_wrap=True
                )
            for conflict in ingested.conflicts:
                _stderr.print(
                    f"[yellow]conflict[/] {options.input}:line {conflict.position}: {conflict}",
                    highlight=False,
                )
        due = sum(
            n for state, n in (await ledger.counts()).items() if state in (State.PENDING, State.EXPORTING)
        )
        async with connect(settings, transport=transport) as client:
            with _ProgressBar(due, quiet=options.as_json) as on_progress:
                try:
                    result = await run_export(
                        client,
                        ledger,
                        mapping,
                        environ=environ,
                        concurrency=configured,
                        skip_checks=options.skip_doctor,
                        max_wait=timedelta(seconds=options.max_wait),
                        on_progress=on_progress,
                        backfill=options.backfill,
                        backfill_settings=BackfillSettings(
                            live_slots=options.live_slots, threshold=options.backfill_threshold
                        ),
                    )
                except RunStopped as exc:
                    return _stopped(exc, options.as_json)
            requests, by_status = client.stats.requests, dict(client.stats.by_status)
        # Counted after this run let go of its lock: another run alive now finishes what is left (and the last
        # run to end reports it).
        others_alive = await ledger.live_runs()
        counts = await ledger.counts()
        awaiting_approval = await ledger.awaiting_approval()
        rows = [] if options.as_json else [row async for row in ledger.rows()]
    if result.report is None:
        return _not_started(result, options.as_json)
    summary = _summary(result, ingested, counts, requests, by_status, time.monotonic() - started)
    summary["other_runs_alive"] = others_alive
    summary["awaiting_approval"] = awaiting_approval
    if options.as_json:
        click.echo(json.dumps(summary))
    else:
        _print_summary(result, summary)
        print_state_table(rows)
    # While another run is alive, the pending and blocked rows are its to finish (it releases and exports them,
    # and the last run to end reports what is left): this run did its share.
    # Documents waiting for people to approve a bill in NetSuite are not the run's to finish: they are looked at
    # again by the next run.
    waiting = summary["blocked"] - awaiting_approval + summary["pending"] if not others_alive else 0
    complete = summary["failed"] == summary["rejected"] == summary["conflicts"] == waiting == 0
    return ExitCode.OK if complete else ExitCode.INCOMPLETE


def _int_env(environ: Mapping[str, str], name: str) -> int | None:
    value = environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ConfigurationError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


class _ProgressBar:
    """A progress bar on stderr (documents done of those due), or nothing with --json."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self._bar = (
            None
            if quiet
            else Progress(
                TextColumn("exporting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=_stderr,
                transient=True,
            )
        )
        self._total = total
        self._task: Any = None
        self._start = time.monotonic()

    def __enter__(self) -> Callable[[ExportReport], None]:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("export", total=self._total, rate="")
        return self._update

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def _update(self, report: ExportReport) -> None:
        if self._bar is None:
            return
        elapsed = max(time.monotonic() - self._start, 1e-6)
        total = max(self._total, report.documents)
        self._bar.update(
            self._task,
            completed=report.documents,
            total=total,
            rate=f"{report.documents / elapsed:.0f} docs/s",
        )


def _summary(
    result: RunResult,
    ingested: IngestResult,
    counts: Mapping[State, int],
    requests: int,
    by_status: Mapping[int, int],
    wall: float,
) -> dict[str, Any]:
    report = result.report
    assert report is not None
    return {
        "documents": report.documents,
        "exported": report.synced + report.voided,
        "records_written": report.records_written,
        "created": report.created,
        "updated": report.updated,
        "deleted": report.deleted,
        "unchanged": ingested.duplicates,
        "skipped": counts.get(State.SKIPPED, 0),
        "superseded": counts.get(State.SUPERSEDED, 0),
        "voided": counts.get(State.VOID, 0),
        "failed": counts.get(State.FAILED, 0),
        "blocked": counts.get(State.BLOCKED, 0),
        "pending": max(
            0, counts.get(State.PENDING, 0) + counts.get(State.EXPORTING, 0) - report.in_other_runs
        ),
        "in_other_runs": report.in_other_runs,
        "rejected": len(ingested.rejected),
        "rejected_lines": [
            {
                "line": r.line,
                "kind": r.kind,
                "id": r.id,
                "issues": [{"field": i.field, "reason": i.reason} for i in r.issues],
                "raw": r.raw,
            }
            for r in ingested.rejected
        ],
        "conflicts": len(ingested.conflicts),
        "conflicting": [{"line": c.position, **c.as_json()} for c in ingested.conflicts],
        "requests": requests,
        "existence_queries": report.existence_queries,
        "backfill": result.backfill,
        "batch_jobs": report.batch_jobs,
        "batched": report.batched,
        "files_uploaded": report.files_uploaded,
        "files_attached": report.files_attached,
        "files_detached": report.files_detached,
        "attachment_problems": [str(p) for p in ingested.attachment_problems],
        "http_429": by_status.get(429, 0),
        "retries": report.rescheduled + report.http_429,
        "wall_s": round(wall, 3),
        "checks": [check.as_json() for check in result.checks],
    }


def _print_summary(result: RunResult, summary: Mapping[str, Any]) -> None:
    for check in result.checks:
        click.echo(f"  check {check.id}: {check.status.value} ({check.detail})")
    if result.requeued_for_mapping:
        click.echo(
            f"  {result.requeued_for_mapping} documents that failed on the mapping were queued again: the mapping "
            "changed since the last export."
        )
    report = result.report
    assert report is not None
    tried = report.documents
    exported = summary["exported"]
    left = {
        "skipped": report.skipped,
        "failed": report.failed,
        "blocked": report.blocked,
        "to be tried again": report.rescheduled,
    }
    of = ", ".join(f"{n} {what}" for what, n in left.items() if n)
    click.echo(
        f"Exported {exported} document versions"
        + (f" of {tried} tried ({of})" if exported != tried else "")
        + f": {summary['records_written']} NetSuite records written ({summary['created']} created, "
        f"{summary['updated']} updated, {summary['deleted']} deleted) with {summary['requests']} requests "
        f"({summary['existence_queries']} existence queries) in {summary['wall_s']:.1f} s; "
        f"{_concurrency(result.concurrency_limit, summary['http_429'])}."
    )
    if result.backfill and summary["batch_jobs"]:
        click.echo(
            f"  Backfill: {summary['batched']} records created through {summary['batch_jobs']} asynchronous "
            "batch requests, the rest one a request."
        )
    elif result.backfill:  # on, but the synchronous slots never fell behind enough to need a batch
        click.echo(
            "  Backfill: on, but no batch was needed: the synchronous slots kept up, one record a request."
        )
    if summary["files_uploaded"] or summary["files_attached"] or summary["files_detached"]:
        click.echo(
            f"  Files: {summary['files_uploaded']} uploaded to the File Cabinet, {summary['files_attached']} "
            f"attached, {summary['files_detached']} detached (replaced by a newer version's file)."
        )
    if summary["in_other_runs"]:
        click.echo(f"  {summary['in_other_runs']} documents are being exported by another run.")
    if summary["other_runs_alive"]:
        click.echo("  Another run is still going: it finishes the pending and blocked documents.")
    if summary["conflicts"]:
        click.echo(
            f"  {summary['conflicts']} conflicts: versions sent again with other content were refused (listed "
            "above); send each change as a new version"
        )
    awaiting = summary.get("awaiting_approval", 0)
    if awaiting:
        click.echo(
            f"  {awaiting} blocked until bills are approved in NetSuite (bill awaits approval in NetSuite): the "
            "next run looks again"
        )
    for key in ("failed", "blocked", "pending", "rejected"):
        if key == "blocked" and summary[key] == awaiting:
            continue
        if summary[key]:
            click.echo(
                f"  {summary[key]} {key}: see `tms-netsuite errors` and `tms-netsuite status --state {key}`"
            )


def _concurrency(limit: int | None, throttled: int) -> str:
    """How the run kept to the account's concurrency limit, in words that match what happened."""
    if limit:
        return f"concurrency limit {limit}, {throttled} requests throttled (429)"
    if throttled:
        return f"concurrency learned from {throttled} throttled requests (429)"
    return "the account's concurrency limit is unknown and no request was throttled"


def _not_started(result: RunResult, as_json: bool) -> int:
    """Why nothing was exported: the checks that failed (named, with their fixes), else what could not be
    checked, and whether that was NetSuite failing transiently (re-run) or not."""
    failed, unchecked = result.failed, result.unchecked
    hint = (
        "--skip-doctor exports anyway"
        if result.lists_read
        else "--skip-doctor cannot help: the account's lists are needed to translate the documents"
    )
    if failed:
        error = f"nothing was exported: a prerequisite check failed ({', '.join(c.id for c in failed)})"
        shown = failed
    else:
        unread = unchecked or [check for check in result.checks if check.status is Status.SKIP]
        error = f"nothing was exported: could not be checked ({', '.join(c.id for c in unread)})"
        if unchecked:
            error += "; NetSuite failed transiently even after retries: re-run the export"
        shown = unread
    if as_json:
        click.echo(
            json.dumps(
                {
                    "error": error,
                    "failed_checks": [check.id for check in failed],
                    "transient": not failed and bool(unchecked),
                    "skip_doctor_helps": result.lists_read,
                    "checks": [check.as_json() for check in result.checks],
                }
            )
        )
        return ExitCode.CANNOT_START
    _stderr.print(f"[red]{error[0].upper() + error[1:]}.[/]", highlight=False)
    for check in shown:
        _stderr.print(f"  {check.id}: {check.detail}", highlight=False)
        if check.fix:
            _stderr.print(f"    fix: {check.fix}", highlight=False)
        if check.docs:
            _stderr.print(f"    docs: {check.docs}", highlight=False, soft_wrap=True)
    if failed:
        _stderr.print(f"  ({hint})", highlight=False)
    return ExitCode.CANNOT_START


def _stopped(exc: RunStopped, as_json: bool) -> int:
    fix = exc.cause.explanation.fix if exc.cause.explanation else ""
    if as_json:
        click.echo(
            json.dumps({"error": str(exc), "checks": [{"name": "credentials", "ok": False, "fix": fix}]})
        )
    else:
        _stderr.print(f"[red]The export stopped:[/] {exc}\n  fix: {fix}", highlight=False)
    return ExitCode.CANNOT_START


def print_state_table(rows: list[LedgerRow]) -> None:
    """Document versions by kind (rows) and state (columns, only those that occur)."""
    counts = Counter((row.kind, row.state) for row in rows)
    states = [s for s in State if any(found == s for _, found in counts)]
    table = Table("kind", *[s.value for s in states], title=f"{len(rows)} document versions")
    for kind in sorted({row.kind for row in rows}):
        table.add_row(kind, *[str(counts.get((kind, s), "")) for s in states])
    Console(width=max(100, Console().width)).print(table)
