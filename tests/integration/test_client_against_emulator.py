"""The NetSuite client against the local emulator: in-process through ASGITransport, and over a real socket."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.integration.conftest import BASE_URL, served_emulator
from tms_netsuite.config import read_environment
from tms_netsuite.netsuite import (
    CredentialsError,
    NetSuiteSettings,
    NotFoundError,
    SetupError,
    connect,
)

pytestmark = pytest.mark.anyio


def settings_for(
    emulator: Emulator, tmp_path: Path, *, who: str = "integration", auth: str = "tba"
) -> NetSuiteSettings:
    return NetSuiteSettings.from_environ(
        emulator.env(who=who, auth=auth, base_url=BASE_URL, key_dir=tmp_path)
    )


@pytest.mark.parametrize("auth", ["tba", "oauth2"])
async def test_system_endpoints_with_each_auth_method(auth: str, tmp_path: Path) -> None:
    """serverTime, tokeninfo and (for the administrator) governanceLimits work with TBA and OAuth 2.0."""
    with Emulator.from_scenario("healthy") as emulator:
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(settings_for(emulator, tmp_path, auth=auth), transport=transport) as ns:
            server_time = await ns.server_time()
            info = await ns.token_info()
            with pytest.raises(SetupError):  # governanceLimits is for administrators only
                await ns.governance_limits()
        async with connect(
            settings_for(emulator, tmp_path, who="admin", auth=auth), transport=transport
        ) as admin:
            limits = await admin.governance_limits()
        audit = emulator.audit_trail()
    assert abs(server_time - datetime.now(UTC)) < timedelta(minutes=1)
    assert info.company_id == emulator.account_id
    assert info.role_id is not None
    assert info.entity_id is not None
    assert limits.account_concurrency_limit == 5
    assert {entry.status for entry in audit} == {"Success"}


async def test_sandbox_realm_and_host_are_right(tmp_path: Path) -> None:
    """On a sandbox account the client's upper-case realm passes the emulator's check."""
    with Emulator.from_scenario("sandbox-account") as emulator:
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(settings_for(emulator, tmp_path), transport=transport) as ns:
            info = await ns.token_info()
    assert emulator.account_id.endswith("_SB1")
    assert info.company_id == emulator.account_id


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("revoked-token", "token_rejected"),
        ("tba-disabled", "FeatureDisabled"),
        ("rest-disabled", "FeatureDisabled"),
    ],
)
async def test_login_failures_surface_as_credentials_errors(
    scenario: str, reason: str, tmp_path: Path
) -> None:
    """A refused login is a CredentialsError naming the Login Audit Trail; the trail has the precise reason."""
    with Emulator.from_scenario(scenario) as emulator:
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(settings_for(emulator, tmp_path), transport=transport) as ns:
            with pytest.raises(CredentialsError) as raised:
                await ns.server_time()
        failures = [entry.detail for entry in emulator.audit_trail() if entry.status == "Failure"]
    assert raised.value.code == "INVALID_LOGIN"
    assert raised.value.explanation is not None
    assert "View Login Audit Trail" in raised.value.explanation.fix
    assert raised.value.retryable  # a lone 401 may be overload; three in a row are not
    assert failures == [reason]


async def test_wrong_secret_is_an_invalid_signature(tmp_path: Path) -> None:
    """A wrong token secret is refused; the audit trail says InvalidSignature."""
    with Emulator.from_scenario("healthy") as emulator:
        environ = emulator.env(base_url=BASE_URL) | {"NETSUITE_TOKEN_SECRET": "not-the-secret"}
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(NetSuiteSettings.from_environ(environ), transport=transport) as ns:
            for _ in range(3):
                with pytest.raises(CredentialsError) as raised:
                    await ns.server_time()
        details = [entry.detail for entry in emulator.audit_trail()]
    assert details == ["InvalidSignature"] * 3
    assert not raised.value.retryable  # the third in a row


async def test_clock_skew_is_refused_as_invalid_timestamp(tmp_path: Path) -> None:
    """With the server 10 minutes ahead, a signature from the client's clock is refused (InvalidTimestamp)."""
    with Emulator.from_scenario("clock-skew") as emulator:
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(settings_for(emulator, tmp_path), transport=transport) as ns:
            with pytest.raises(CredentialsError):
                await ns.server_time()
        assert [entry.detail for entry in emulator.audit_trail()] == ["InvalidTimestamp"]


async def test_oauth2_tokens_are_reused_across_concurrent_requests(tmp_path: Path) -> None:
    """Twenty concurrent requests share one bearer token: one token request, twenty-one requests in all."""
    with Emulator.from_scenario("healthy") as emulator:
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(settings_for(emulator, tmp_path, auth="oauth2"), transport=transport) as ns:
            await asyncio.gather(*(ns.server_time() for _ in range(20)))
            assert ns.stats.requests == 21
            assert ns.stats.by_status == {200: 20}  # the token answer is counted as a request, not a status


async def test_unknown_records_are_not_found(tmp_path: Path) -> None:
    """A record that does not exist is a NotFoundError, not a crash."""
    with Emulator.from_scenario("healthy") as emulator:
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(settings_for(emulator, tmp_path), transport=transport) as ns:
            with pytest.raises(NotFoundError):
                await ns.get("customer", 999999)


@pytest.mark.parametrize("auth", ["tba", "oauth2"])
async def test_over_a_real_socket_with_the_env_file(auth: str, tmp_path: Path) -> None:
    """`netsuite-emulator serve` writes an env file; the client configured from it talks over TCP."""
    with served_emulator(tmp_path, "--auth", auth) as values:
        environ = read_environment(tmp_path / "netsuite.env", {})
        assert environ == values
        async with connect(NetSuiteSettings.from_environ(environ)) as ns:
            info = await ns.token_info()
            server_time = await ns.server_time()
    assert info.company_id == values["NETSUITE_ACCOUNT_ID"]
    assert values["NETSUITE_BASE_URL"].startswith("http://127.0.0.1:")
    assert abs(server_time - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("scenario", "field"), [("healthy", "paymentMethod"), ("payment-instruments", "paymentOption")]
)
async def test_record_schema_shows_the_fields_the_account_has(
    scenario: str, field: str, tmp_path: Path
) -> None:
    """The metadata catalog's JSON Schema of a record follows the account's features; an unknown type is 404."""
    with Emulator.from_scenario(scenario) as emulator:
        transport = httpx.ASGITransport(app=emulator.app)
        async with connect(settings_for(emulator, tmp_path), transport=transport) as ns:
            schema = await ns.record_schema("customerpayment")
            with pytest.raises(NotFoundError):
                await ns.record_schema("nosuchrecord")
    assert field in schema["properties"]
    (other,) = {"paymentMethod", "paymentOption"} - {field}
    assert other not in schema["properties"]
