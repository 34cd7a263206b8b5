"""Credentials, clock, connection: the settings are usable, NetSuite answers them, and the clocks agree."""

from __future__ import annotations

from datetime import timedelta

from tms_netsuite.doctor._context import AUDIT_TRAIL, DOCS_TBA, FEATURES_PATH, Context, retried_read, skipped
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.doctor.permissions import ROLE_PATH
from tms_netsuite.netsuite import ConfigurationError, CredentialsError, NetSuiteSettings, RequestError

CLOCK_LIMIT = timedelta(minutes=5)  # TBA refuses timestamps further off
CLOCK_WARN = timedelta(minutes=2)


def check_credentials(ctx: Context) -> CheckResult:
    title = title_of("credentials")
    try:
        settings = NetSuiteSettings.from_environ(ctx.environ)
    except ConfigurationError as exc:
        return CheckResult(
            "credentials",
            title,
            Status.FAIL,
            str(exc),
            "Set the NETSUITE_* values in the environment or the --env-file. Consumer key and secret come from "
            "Setup > Integration > Manage Integrations, token id and secret from Setup > Users/Roles > Access "
            "Tokens; both are shown only once, so regenerate them if lost.",
        )
    ctx.settings = settings
    account = settings.account
    method = "Token-Based Authentication" if settings.auth_method == "tba" else "OAuth 2.0 client credentials"
    detail = (
        f"{method}; account {account.realm} ({account.environment.value}): realm {account.realm}, "
        f"host {account.host_slug}"
    )
    typed = ctx.environ.get("NETSUITE_ACCOUNT_ID", "").strip()
    if settings.base_url:
        detail += f"; base URL {settings.base_url} replaces NetSuite's hosts, so the host part is not checked"
    else:
        detail += f" ({account.suitetalk_url})"
    if typed and typed != account.realm and "://" not in typed:
        detail += f"; NETSUITE_ACCOUNT_ID {typed!r} is used as {account.realm!r}"
    return CheckResult(
        "credentials", title, Status.PASS, detail, facts={"environment": account.environment.value}
    )


async def try_connection(ctx: Context) -> None:
    """The authenticated request the connection and clock checks judge (serverTime, retried)."""
    assert ctx.client is not None
    client = ctx.client
    try:
        ctx.server_time = await retried_read(ctx, client.server_time)
    except RequestError as exc:
        ctx.connection_error = exc


def check_clock(ctx: Context) -> CheckResult:
    title = title_of("clock")
    assert ctx.settings is not None
    source = "serverTime"
    server = ctx.server_time
    if server is None and ctx.connection_error is not None:
        server = ctx.connection_error.answered_at
        source = "the Date header of NetSuite's answer"
    if server is None:
        return skipped("clock", "NetSuite's time could not be read (no serverTime and no Date header)")
    skew = ctx.now() - server
    seconds = skew.total_seconds()
    detail = f"this machine's clock is {seconds:+.0f} s from NetSuite's (by {source})"
    fix = "Synchronise this machine's clock (NTP, e.g. `timedatectl set-ntp true`); TBA refuses signatures 5 minutes off."
    if abs(skew) >= CLOCK_LIMIT:
        return CheckResult("clock", title, Status.FAIL, detail, fix, facts={"skew": round(seconds)})
    if abs(skew) >= CLOCK_WARN:
        return CheckResult("clock", title, Status.WARN, detail, fix, facts={"skew": round(seconds)})
    return CheckResult("clock", title, Status.PASS, detail, facts={"skew": round(seconds)})


def connection_result(ctx: Context, clock: CheckResult) -> CheckResult:
    """The connection check, judged on the request :func:`try_connection` made; a failed ``clock`` check is
    named first among the causes of a refused login."""
    title = title_of("connection")
    exc = ctx.connection_error
    if exc is None:
        return CheckResult(
            "connection",
            title,
            Status.PASS,
            "REST web services answered an authenticated request (serverTime)",
        )
    assert ctx.settings is not None
    if not isinstance(exc, CredentialsError):
        return CheckResult(
            "connection",
            title,
            Status.FAIL,
            f"{exc}",
            exc.explanation.fix if exc.explanation else None,
        )
    sandbox = ctx.settings.account.environment.value == "sandbox"
    login = (
        "Log in using OAuth 2.0 Access Tokens"
        if ctx.settings.auth_method == "oauth2"
        else ("Log in using Access Tokens")
    )
    feature = "OAuth 2.0" if ctx.settings.auth_method == "oauth2" else "Token-Based Authentication"
    causes = [
        f"the account id: realm {ctx.settings.account.realm} must match the account exactly, "
        "including the sandbox suffix (_SB1)",
        "the wrong environment: tokens are not copied to a sandbox, and every sandbox refresh needs new ones"
        if sandbox
        else "the wrong environment: a production token does not work in a sandbox, nor the reverse",
        "the token was revoked, or issued under another role or user (Setup > Users/Roles > Access Tokens)",
        "the integration record is blocked, or the consumer key is unknown (Setup > Integration > "
        "Manage Integrations)",
        f"the REST Web Services or {feature} feature is off ({FEATURES_PATH})",
        f"the role lacks {login} or REST Web Services (Full) ({ROLE_PATH})",
    ]
    if clock.status is Status.FAIL:
        causes.insert(
            0, "this machine's clock (see the clock check): NetSuite refuses signatures 5 minutes off"
        )
    detail = (
        f"NetSuite refused the login after retries ({exc.code or exc.status}). Likely causes, in order: "
        + ("; ".join(f"{n}) {c}" for n, c in enumerate(causes, 1)))
    )
    return CheckResult(
        "connection",
        title,
        Status.FAIL,
        detail,
        f"Open {AUDIT_TRAIL}: its Detail column gives NetSuite's exact reason (e.g. FeatureDisabled, "
        "token_rejected, InvalidTimestamp, permission_denied).",
        DOCS_TBA,
    )
