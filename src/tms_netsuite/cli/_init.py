"""`tms-netsuite init`: from an account id to a stored, working connection and a proposed mapping.

Every question is also an option, and ``--non-interactive`` asks nothing (a missing value is a usage error).
Secrets are read without echo and never printed. The connection is checked with the doctor's fast checks
before anything is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm, IntPrompt, Prompt
from rich.table import Table

from tms_netsuite.cli._exit import ExitCode
from tms_netsuite.config import (
    KEYRING_SERVICE,
    KEYRING_VARIABLE,
    SECRET_VARIABLES,
    keyring_usable,
    store_in_keyring,
    write_env_file,
)
from tms_netsuite.doctor import AUDIT_TRAIL_PATH, LOGIN_AUDIT_REASONS, CheckResult, Status, run_fast_checks
from tms_netsuite.documents import Accepted, Document, read_documents
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.mapping import (
    Candidate,
    MappingConfig,
    Proposal,
    ProposedEntry,
    ReferenceData,
    load_mapping,
    propose_mapping,
    render_mapping,
)
from tms_netsuite.netsuite import (
    AccountId,
    KeyType,
    NetSuiteClient,
    NetSuiteSettings,
    RequestError,
    call_with_retries,
    connect,
    write_key_pair,
)

M2M_SETUP = "Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup"
_CONNECTION_CHECKS = ("credentials", "clock", "connection")
_TBA_QUESTIONS = (
    ("NETSUITE_CONSUMER_KEY", "consumer_key", "Consumer key (Setup > Integration > Manage Integrations)"),
    ("NETSUITE_CONSUMER_SECRET", "consumer_secret", "Consumer secret"),
    ("NETSUITE_TOKEN_ID", "token_id", "Token id (Setup > Users/Roles > Access Tokens)"),
    ("NETSUITE_TOKEN_SECRET", "token_secret", "Token secret"),
)
_ENV_HEADER = (
    "NetSuite connection written by `tms-netsuite init`; readable by its owner only.\n"
    "Pass it to every command with --env-file."
)


@dataclass(frozen=True, slots=True)
class _Asker:
    """Asks what an option did not give, or refuses when nothing may be asked."""

    console: Console
    interactive: bool

    def text(self, given: str | None, option: str, question: str, *, default: str | None = None) -> str:
        if given:
            return given.strip()
        if not self.interactive:
            if default is not None:
                return default
            raise click.UsageError(f"{option} is required with --non-interactive")
        answer = Prompt.ask(question, console=self.console, default=default) if default else None
        while not answer:
            answer = Prompt.ask(question, console=self.console)
        return answer.strip()

    def secret(self, given: str | None, option: str, question: str) -> str:
        if given:
            return given.strip()
        if not self.interactive:
            raise click.UsageError(
                f"{option} (or its NETSUITE_* variable) is required with --non-interactive"
            )
        # click reads without echo (rich's password prompt needs a terminal even where click's test runner has none)
        return str(click.prompt(question, hide_input=True)).strip()

    def choice(self, given: str | None, option: str, question: str, choices: list[str], default: str) -> str:
        if given:
            return given
        if not self.interactive:
            return default
        return Prompt.ask(question, console=self.console, choices=choices, default=default)


@click.command("init")
@click.option("--account-id", help="The account id in any form: 123456, 123456_SB1, a NetSuite URL…")
@click.option("--auth", type=click.Choice(["oauth2", "tba"]), help="OAuth 2.0 client credentials or TBA.")
@click.option(
    "--consumer-key",
    envvar="NETSUITE_CONSUMER_KEY",
    help="TBA: consumer key (or NETSUITE_CONSUMER_KEY; asked without echo when missing).",
)
@click.option(
    "--consumer-secret",
    envvar="NETSUITE_CONSUMER_SECRET",
    help="TBA: consumer secret (or NETSUITE_CONSUMER_SECRET; asked without echo when missing).",
)
@click.option(
    "--token-id",
    envvar="NETSUITE_TOKEN_ID",
    help="TBA: token id (or NETSUITE_TOKEN_ID; asked without echo when missing).",
)
@click.option(
    "--token-secret",
    envvar="NETSUITE_TOKEN_SECRET",
    help="TBA: token secret (or NETSUITE_TOKEN_SECRET; asked without echo when missing).",
)
@click.option("--client-id", help="OAuth 2.0: the integration record's client id.")
@click.option("--certificate-id", help=f"OAuth 2.0: the Certificate ID shown at {M2M_SETUP}.")
@click.option(
    "--private-key-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="OAuth 2.0: the private key of a certificate mapped already (else a new pair is made).",
)
@click.option(
    "--key-type",
    type=click.Choice([k.value for k in KeyType]),
    default=KeyType.RSA_3072.value,
    show_default=True,
    help="OAuth 2.0: the new key pair's type (RSA signs PS256, EC P-256/384/521 ES256/384/512).",
)
@click.option(
    "--key-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="OAuth 2.0: where the new key pair goes (default: the env file's folder).",
)
@click.option("--base-url", help="A host root that replaces NetSuite's (the local emulator, a proxy).")
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("netsuite.env"),
    show_default=True,
    help="The env file to write (mode 0600); later commands read it with --env-file.",
)
@click.option(
    "--secrets",
    "secret_store",
    type=click.Choice(["keyring", "env-file"]),
    help="Where TBA secrets go: the OS keyring (the default where one is usable) or the env file itself.",
)
@click.option(
    "--sample",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TMS documents (JSON Lines) whose companies and codes the proposed mapping matches.",
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mapping.toml"),
    show_default=True,
    help="Where the proposed mapping goes (with --sample).",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 100),
    default=85.0,
    show_default=True,
    help="A match at least this sure (and clearly ahead of the next) is taken without asking.",
)
@click.option("--force", is_flag=True, help="Replace an existing env file or mapping.")
@click.option("--non-interactive", is_flag=True, help="Ask nothing: every value comes from options.")
def init_command(**options: object) -> None:
    """Set up the NetSuite connection (checked at once, stored in the OS keyring or an env file) and propose a
    mapping from a sample of your TMS documents."""
    _run(_InitOptions(**options))  # type: ignore[arg-type]  # click passes exactly the declared options


@dataclass(frozen=True, slots=True)
class _InitOptions:
    account_id: str | None
    auth: str | None
    client_id: str | None
    certificate_id: str | None
    private_key_file: Path | None
    key_type: str
    key_dir: Path | None
    base_url: str | None
    env_file: Path
    secret_store: str | None
    sample: Path | None
    mapping_file: Path
    min_confidence: float
    force: bool
    non_interactive: bool
    consumer_key: str | None
    consumer_secret: str | None
    token_id: str | None
    token_secret: str | None


def _run(opts: _InitOptions) -> None:
    console = Console(highlight=False)
    ask = _Asker(console, interactive=not opts.non_interactive)
    _refuse_overwrite(opts.env_file, opts, ask, "env file")
    if opts.sample is not None:
        _refuse_overwrite(opts.mapping_file, opts, ask, "mapping")
    store = _secret_store(opts.secret_store)
    documents = _read_sample(opts.sample, console) if opts.sample is not None else None
    account = _account(opts.account_id, ask)
    console.print(
        f"Account {account.realm} ({account.environment.value}), REST at {escape(account.suitetalk_url)}"
    )
    values = {"NETSUITE_ACCOUNT_ID": account.realm}
    if opts.base_url:
        values["NETSUITE_BASE_URL"] = opts.base_url.strip()
    method = ask.choice(opts.auth, "--auth", "Authentication", ["oauth2", "tba"], default="oauth2")
    if method == "tba":
        given = {"consumer_key": opts.consumer_key, "consumer_secret": opts.consumer_secret}
        given |= {"token_id": opts.token_id, "token_secret": opts.token_secret}
        for variable, name, question in _TBA_QUESTIONS:
            values[variable] = ask.secret(given[name], f"--{name.replace('_', '-')}", question)
    else:
        oauth2 = _oauth2_values(opts, ask, account, console)
        if oauth2 is None:
            return  # the certificate is to be mapped first; the message says how to go on
        values |= oauth2
    environ = dict(values)
    outcome = asyncio.run(_check_and_read(environ))
    if outcome.refused:
        _explain_refusal(outcome.checks, method, console)
        raise SystemExit(ExitCode.CANNOT_START)
    _store(values, opts.env_file, store, account, console)
    if documents is None:
        console.print(
            "No --sample given: no mapping proposed. Write one by hand (README, Mapping) or run init again with "
            "--sample YOUR_DOCUMENTS.jsonl."
        )
    elif outcome.reference is None:
        console.print("[yellow]The account's lists could not be read, so no mapping was proposed:[/]")
        _print_checks([c for c in outcome.checks if c.status is Status.FAIL], console)
    else:
        proposal = _propose(documents, outcome, opts, ask, console)
        text = render_mapping(proposal, source=f"{opts.sample} and account {account.realm}")
        opts.mapping_file.write_text(text, encoding="utf-8")
        console.print(f"Wrote the proposed mapping {escape(str(opts.mapping_file))}.")
        _print_checks(asyncio.run(_recheck(environ, load_mapping(opts.mapping_file))), console)
    console.print(
        f"Next: `tms-netsuite doctor --env-file {escape(str(opts.env_file))}"
        + (f" --mapping {escape(str(opts.mapping_file))}`" if documents is not None else "`")
        + ", then `tms-netsuite export`."
    )


def _account(given: str | None, ask: _Asker) -> AccountId:
    """The account id, parsed as the connector does; asked again after a typo when interactive."""
    while True:
        raw = ask.text(given, "--account-id", "NetSuite account id (Setup > Company > Company Information)")
        try:
            return AccountId.parse(raw)
        except ConfigurationError as exc:
            if given or not ask.interactive:
                raise
            ask.console.print(f"[red]{escape(str(exc))}[/]")


def _refuse_overwrite(path: Path, opts: _InitOptions, ask: _Asker, what: str) -> None:
    if not path.exists() or opts.force:
        return
    if ask.interactive and Confirm.ask(f"{path} exists. Replace it?", console=ask.console, default=False):
        return
    raise ConfigurationError(f"the {what} {path} exists already; pass --force to replace it, or another path")


def _secret_store(chosen: str | None) -> str:
    usable = keyring_usable()
    if chosen == "keyring" and not usable:
        raise ConfigurationError(
            "no usable OS keyring on this machine (keyring found none, or only a plaintext one): "
            "use --secrets env-file"
        )
    return chosen or ("keyring" if usable else "env-file")


def _read_sample(path: Path, console: Console) -> list[Document]:
    with path.open("rb") as lines:
        results = list(read_documents(lines))
    documents = [r.document for r in results if isinstance(r, Accepted)]
    rejected = len(results) - len(documents)
    console.print(
        f"Sample {escape(str(path))}: {len(documents)} documents"
        + (f", {rejected} lines rejected (not valid documents)" if rejected else "")
    )
    if not documents:
        raise ConfigurationError(f"{path} holds no valid TMS document to propose a mapping from")
    return documents


def _oauth2_values(
    opts: _InitOptions, ask: _Asker, account: AccountId, console: Console
) -> dict[str, str] | None:
    client_id = ask.text(
        opts.client_id,
        "--client-id",
        "Client ID of the integration record (Setup > Integration > Manage Integrations; shown once on saving)",
    )
    key_file, certificate_id = opts.private_key_file, opts.certificate_id
    if key_file is None:
        if certificate_id:
            raise click.UsageError("--certificate-id needs --private-key-file: the key of that certificate")
        folder = opts.key_dir or opts.env_file.resolve().parent
        files = write_key_pair(
            folder, key_type=KeyType(opts.key_type), common_name=f"tms-netsuite {account.realm}"
        )
        key_file = files.private_key
        console.print(
            f"Made a {opts.key_type} key pair: the private key {escape(str(files.private_key))} (mode 0600; it "
            f"never leaves this machine) and the certificate {escape(str(files.certificate))} (valid until "
            f"{files.not_after:%Y-%m-%d}; NetSuite takes at most two years).\n"
            f"Now, as an administrator in NetSuite: {M2M_SETUP} > Create New; choose the integration user as "
            "Entity, the integration role as Role and this integration record as Application; upload "
            f"{escape(files.certificate.name)}; Save. Copy the Certificate ID of the new row."
        )
        if not ask.interactive:
            console.print(
                "Then run init again with the same options and "
                f"--private-key-file {escape(str(key_file))} --certificate-id <the Certificate ID>."
            )
            return None
    certificate_id = ask.text(certificate_id, "--certificate-id", f"Certificate ID (from {M2M_SETUP})")
    return {
        "NETSUITE_AUTH": "oauth2",
        "NETSUITE_CLIENT_ID": client_id,
        "NETSUITE_CERTIFICATE_ID": certificate_id,
        "NETSUITE_PRIVATE_KEY_FILE": str(key_file.resolve()),
    }


@dataclass(frozen=True, slots=True)
class _Outcome:
    checks: list[CheckResult]
    reference: ReferenceData | None
    custom_fields: list[str]

    @property
    def refused(self) -> bool:
        return any(c.id in _CONNECTION_CHECKS and c.status is Status.FAIL for c in self.checks)


async def _check_and_read(environ: Mapping[str, str]) -> _Outcome:
    """The doctor's fast checks (credentials, clock, connection, and the lists they read), then the custom
    fields, on one client."""
    settings = NetSuiteSettings.from_environ(environ)
    async with connect(settings) as client:
        preflight = await run_fast_checks(client, environ, None)
        outcome = _Outcome(preflight.checks, preflight.reference, [])
        if outcome.refused or preflight.reference is None:
            return outcome
        try:
            rows = await call_with_retries(
                lambda: _rows(client, "SELECT scriptid FROM customfield"), idempotent=True
            )
        except RequestError:
            rows = []  # without them, load references go to the memo; the doctor names the cause
    return _Outcome(preflight.checks, preflight.reference, [r["scriptid"] for r in rows if r.get("scriptid")])


async def _rows(client: NetSuiteClient, query: str) -> list[dict[str, str]]:
    return [row async for row in client.suiteql(query)]


async def _recheck(environ: Mapping[str, str], mapping: MappingConfig) -> list[CheckResult]:
    async with connect(NetSuiteSettings.from_environ(environ)) as client:
        preflight = await run_fast_checks(client, environ, mapping)
    return [c for c in preflight.checks if c.id in ("subsidiaries", "accounts", "lists")]


def _explain_refusal(checks: list[CheckResult], method: str, console: Console) -> None:
    console.print("[red]NetSuite did not accept the connection; nothing was stored.[/]")
    refused = any(c.id == "connection" and c.status is Status.FAIL for c in checks)
    if refused:
        console.print(
            "Most likely, for values just entered: one of them was mistyped, cut short or pasted with a space "
            + (
                "(a consumer or token secret: InvalidSignature in the Login Audit Trail; the token id: "
                "token_rejected; the consumer key: consumer_key_unknown)."
                if method == "tba"
                else "(the Certificate ID: MissingKey in the Login Audit Trail; a key that is not the uploaded "
                "certificate's: SignatureValidation; the client id: InvalidIssuer)."
            )
            + " Then, in order:"
        )
    _print_checks([c for c in checks if c.status is Status.FAIL], console)
    if not refused:
        return
    console.print(
        f"NetSuite gives the exact reason only in its Login Audit Trail ({AUDIT_TRAIL_PATH}): find the refused "
        "row (Status: Failure) and read its Detail column:"
    )
    for code, meaning in LOGIN_AUDIT_REASONS[method].items():
        console.print(f"  {escape(code)}: {escape(meaning)}")


def _print_checks(checks: list[CheckResult], console: Console) -> None:
    style = {"pass": "green", "warn": "yellow", "fail": "red", "confirm": "cyan", "skip": "dim"}
    for check in checks:
        console.print(
            f"  [{style[check.status.value]}]{check.status.value:>7}[/] {check.id}: {escape(check.detail)}"
        )
        if check.fix and check.status is not Status.PASS:
            console.print(f"          fix: {escape(check.fix)}")


def _store(values: dict[str, str], env_file: Path, store: str, account: AccountId, console: Console) -> None:
    secrets = {name: values[name] for name in SECRET_VARIABLES if name in values}
    if store == "keyring" and secrets:
        try:
            store_in_keyring(account.realm, secrets)
        except ConfigurationError as exc:
            console.print(f"[yellow]{escape(str(exc))}; the secrets go into the env file instead.[/]")
        else:
            kept = {k: v for k, v in values.items() if k not in secrets} | {KEYRING_VARIABLE: KEYRING_SERVICE}
            write_env_file(env_file, kept, _ENV_HEADER)
            console.print(
                f"Stored the secrets in the OS keyring (entry {KEYRING_SERVICE}/{account.realm}) and the rest in "
                f"{escape(str(env_file))} (mode 0600)."
            )
            return
    write_env_file(env_file, values, _ENV_HEADER)
    where = "with its secrets, " if secrets else ""
    console.print(f"Stored the connection {where}in {escape(str(env_file))} (mode 0600).")


def _propose(
    documents: list[Document], outcome: _Outcome, opts: _InitOptions, ask: _Asker, console: Console
) -> Proposal:
    assert outcome.reference is not None
    reference, fields = outcome.reference, outcome.custom_fields
    proposal = propose_mapping(documents, reference, fields, min_score=opts.min_confidence)
    if ask.interactive:
        companies = [e for e in proposal.unclear() if e.path[0] == "companies"]
        picked = {e.path[1]: c.value for e in companies if (c := _ask_entry(e, console)) is not None}
        if picked:
            proposal = propose_mapping(
                documents, reference, fields, subsidiaries=picked, min_score=opts.min_confidence
            )
        for entry in proposal.unclear():
            if entry.path[0] != "companies":
                proposal = proposal.choose(entry.key, _ask_entry(entry, console))
    sure = sum(1 for e in proposal.entries if e.chosen is not None)
    console.print(
        f"Matched {sure} of {len(proposal.entries)} mapping entries; {len(proposal.todos())} left as TODO."
    )
    return proposal


def _ask_entry(entry: ProposedEntry, console: Console) -> Candidate | None:
    """The candidate a person picks for an unclear entry (None: leave it as a TODO)."""
    console.print(f"[bold]{escape(entry.tms)}[/] → {escape(entry.key)}: no clear match")
    table = Table()
    table.add_column("#")
    table.add_column("NetSuite record")
    table.add_column("confidence", justify="right")
    for number, candidate in enumerate(entry.candidates, 1):
        table.add_row(str(number), escape(candidate.label), f"{candidate.score:.0f}")
    console.print(table)
    default = 1 if entry.candidates[0].score >= 70 else 0
    number = IntPrompt.ask(
        "Choose a number, or 0 to leave it as a TODO",
        console=console,
        choices=[str(n) for n in range(len(entry.candidates) + 1)],
        default=default,
        show_choices=False,
    )
    return entry.candidates[number - 1] if number else None
