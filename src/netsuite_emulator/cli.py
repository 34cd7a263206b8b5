"""The `netsuite-emulator` command line."""

from __future__ import annotations

from pathlib import Path

import click

from ._act import act
from ._emulator import AuditEntry, Emulator, dotenv_text
from ._server import audit_logger, base_url, bind, serve, write_atomically
from .auth import CertificateRejected, map_certificate
from .governance import FAULT_KINDS, parse_faults, split_fault_rate
from .scenarios import ScenarioError, list_scenarios, scenario_names
from .store import AccountStore, StoreError

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Serve a local NetSuite account's REST Web Services."""


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0 takes a free port."
)
@click.option("--scenario", default="healthy", show_default=True, type=click.Choice(scenario_names()))
@click.option("--auth", default="tba", show_default=True, type=click.Choice(["tba", "oauth2"]))
@click.option("--db", type=_FILE, help="SQLite file for the account (default: in memory).")
@click.option(
    "--env-file", type=_FILE, help="Written once the server listens: the integration's credentials."
)
@click.option("--admin-env-file", type=_FILE, help="The same for the administrator's credentials.")
@click.option("--audit-log", type=_FILE, help="Append each login of the audit trail as a JSON line.")
@click.option(
    "--concurrency-limit",
    type=click.IntRange(1),
    help="The account's concurrent request limit (default: the scenario's, 5 unless it says otherwise).",
)
@click.option(
    "--latency-ms",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0),
    help="How long every request takes, inside its concurrency slot (the emulator's own work counted in it).",
)
@click.option(
    "--jitter-ms", default=0.0, show_default=True, type=click.FloatRange(0), help="A uniform 0..J ms more."
)
@click.option(
    "--faults",
    "faults_text",
    metavar="KIND=RATE,...",
    help=f"Inject faults into record and SuiteQL requests; KIND is one of {', '.join(FAULT_KINDS)}.",
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    help="Shorthand for --faults with the rate split evenly over the five kinds.",
)
@click.option("--seed", type=int, help="Makes jitter and faults repeatable.")
@click.option(
    "--time-zone",
    help="The users' time zone (IANA name), in which SuiteQL shows date-times (default America/Los_Angeles).",
)
@click.option(
    "--async-processors",
    default=5,
    show_default=True,
    type=click.IntRange(1),
    help="REST async processors running async and batch requests' tasks (NetSuite: per SuiteCloud Plus licences).",
)
@click.option(
    "--async-counts-against-limit/--async-outside-limit",
    default=False,
    show_default=True,
    help="Whether a running async task holds a concurrency slot (Oracle does not say; the default assumes not).",
)
@click.option(
    "--async-retention-s",
    type=click.FloatRange(0),
    help="How long completed async jobs and their results are kept (Oracle does not say; default: for ever).",
)
def serve_command(
    host: str,
    port: int,
    scenario: str,
    auth: str,
    db: Path | None,
    env_file: Path | None,
    admin_env_file: Path | None,
    audit_log: Path | None,
    concurrency_limit: int | None,
    latency_ms: float,
    jitter_ms: float,
    faults_text: str | None,
    fault_rate: float | None,
    seed: int | None,
    time_zone: str | None,
    async_processors: int,
    async_counts_against_limit: bool,
    async_retention_s: float | None,
) -> None:
    """Serve the account until interrupted (SIGINT or SIGTERM)."""
    if faults_text is not None and fault_rate is not None:
        raise click.UsageError("give --faults or --fault-rate, not both")
    try:
        faults = parse_faults(faults_text) if faults_text is not None else None
        if fault_rate is not None:
            faults = split_fault_rate(fault_rate)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    try:
        emulator = Emulator.from_scenario(
            scenario,
            db_path=db,
            concurrency_limit=concurrency_limit,
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            faults=faults,
            seed=seed,
            time_zone=time_zone,
            async_processors=async_processors,
            async_counts_against_limit=async_counts_against_limit,
            async_retention_s=async_retention_s,
        )
    except (ScenarioError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyError:
        raise click.BadParameter(f"unknown time zone {time_zone!r}", param_hint="--time-zone") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    log = audit_log.open("a", encoding="utf-8") if audit_log else None
    if log is not None:
        emulator.store.add_audit_listener(audit_logger(log))
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    url = base_url(host, sock)

    def ready() -> None:
        for who, path in (("integration", env_file), ("admin", admin_env_file)):
            if path is not None:
                values = emulator.env(who=who, auth=auth, base_url=url, key_dir=path.parent)
                write_atomically(path, dotenv_text(values))
        click.echo(url)

    try:
        serve(emulator, sock, ready)
    finally:
        sock.close()
        emulator.close()
        if log is not None:
            log.close()


@main.command("scenarios")
def scenarios_command() -> None:
    """List the scenarios, one a line."""
    for info in list_scenarios():
        click.echo(f"{info.name:<24} {info.summary}")


@main.command("audit")
@click.option("--db", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path))
def audit_command(db: Path) -> None:
    """Print the Login Audit Trail of an account kept in a SQLite file."""
    store = AccountStore.open(db)
    try:
        if not store.is_seeded():
            raise click.ClickException(f"{db} holds no emulator account")
        for record in store.login_audit():
            click.echo(_audit_line(AuditEntry.from_record(record)))
    finally:
        store.close()


@main.command("map-certificate")
@click.option("--db", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--certificate",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The public certificate (PEM) to upload.",
)
@click.option(
    "--who",
    default="integration",
    show_default=True,
    type=click.Choice(["integration", "admin"]),
    help="Map it for the entity, role and application of the scenario's integration or admin mapping.",
)
def map_certificate_command(db: Path, certificate: Path, who: str) -> None:
    """Upload a certificate as an administrator does at Setup > Integration > Manage Authentication > OAuth 2.0
    Client Credentials (M2M) Setup, in an account kept in a SQLite file; print its Certificate ID."""
    store = AccountStore.open(db)
    try:
        template = store.certificate_by_handle(who) if store.is_seeded() else None
        if template is None:
            raise click.ClickException(f"{db} holds no emulator account with a {who} mapping")
        try:
            certificate_id = map_certificate(
                store,
                certificate.read_text(encoding="ascii", errors="replace"),
                integration=template.integration,
                entity=template.entity,
                role=template.role,
            )
        except CertificateRejected as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(certificate_id)
    finally:
        store.close()


def _audit_line(entry: AuditEntry) -> str:
    moment = entry.time.strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = [moment, entry.status, entry.detail or "-", entry.auth_method or "-", entry.entity or "-"]
    fields += [entry.role or "-", entry.application or "-", entry.request]
    return "  ".join(fields)


main.add_command(act)

__all__ = ["main"]
