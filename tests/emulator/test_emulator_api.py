"""The Python API the client's integration tests use: env(), audit_trail(), the clock."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from netsuite_emulator import AuditEntry, Emulator
from netsuite_emulator._emulator import dotenv_text
from tests.emulator.helpers import FakeClock, client_for, signed_get

MakeEmulator = Callable[..., Emulator]


def test_tba_env_has_exactly_the_documented_variables(make_emulator: MakeEmulator) -> None:
    env = make_emulator().env(base_url="http://127.0.0.1:8765/")
    assert set(env) == {
        "NETSUITE_ACCOUNT_ID",
        "NETSUITE_BASE_URL",
        "NETSUITE_CONSUMER_KEY",
        "NETSUITE_CONSUMER_SECRET",
        "NETSUITE_TOKEN_ID",
        "NETSUITE_TOKEN_SECRET",
    }
    assert env["NETSUITE_BASE_URL"] == "http://127.0.0.1:8765"
    assert env["NETSUITE_ACCOUNT_ID"] == "1234567"


def test_admin_and_integration_credentials_differ(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator()
    integration, admin = emulator.env(), emulator.env(who="admin")
    assert integration["NETSUITE_TOKEN_ID"] != admin["NETSUITE_TOKEN_ID"]
    assert integration["NETSUITE_CONSUMER_KEY"] == admin["NETSUITE_CONSUMER_KEY"]  # one integration record


def test_credentials_are_deterministic(make_emulator: MakeEmulator, tmp_path: Path) -> None:
    first = make_emulator().env(auth="oauth2", key_dir=tmp_path / "a")
    second = make_emulator().env(auth="oauth2", key_dir=tmp_path / "b")
    assert (
        Path(first["NETSUITE_PRIVATE_KEY_FILE"]).read_text()
        == Path(second["NETSUITE_PRIVATE_KEY_FILE"]).read_text()
    )
    assert make_emulator().env() == make_emulator().env()


def test_oauth2_env_writes_a_private_key(make_emulator: MakeEmulator, tmp_path: Path) -> None:
    env = make_emulator().env(auth="oauth2", key_dir=tmp_path)
    assert set(env) == {
        "NETSUITE_ACCOUNT_ID",
        "NETSUITE_BASE_URL",
        "NETSUITE_AUTH",
        "NETSUITE_CLIENT_ID",
        "NETSUITE_CERTIFICATE_ID",
        "NETSUITE_PRIVATE_KEY_FILE",
    }
    assert env["NETSUITE_AUTH"] == "oauth2"
    key_file = Path(env["NETSUITE_PRIVATE_KEY_FILE"])
    assert key_file.parent == tmp_path
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert key.key_size == 256  # type: ignore[union-attr]


def test_oauth2_env_without_key_dir_is_cleaned_up(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator()
    key_file = Path(emulator.env(auth="oauth2")["NETSUITE_PRIVATE_KEY_FILE"])
    assert key_file.exists()
    emulator.close()
    assert not key_file.exists()


def test_env_refuses_unknown_arguments(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator()
    with pytest.raises(ValueError, match="auth must be"):
        emulator.env(auth="password")
    with pytest.raises(ValueError, match="no access token for 'nobody'"):
        emulator.env(who="nobody")


def test_dotenv_text_says_the_values_are_test_values() -> None:
    text = dotenv_text({"NETSUITE_ACCOUNT_ID": "1234567", "NETSUITE_PRIVATE_KEY_FILE": "/tmp/a b/key.pem"})
    assert text.splitlines() == [
        "# test values of the local NetSuite emulator, not real credentials",
        "NETSUITE_ACCOUNT_ID=1234567",
        'NETSUITE_PRIVATE_KEY_FILE="/tmp/a b/key.pem"',
    ]


@pytest.mark.anyio
async def test_audit_trail_entries(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        await signed_get(client, emulator.env(), "/rest/tokeninfo", timestamp=clock.now)
        clock.advance(1000)
        await signed_get(client, emulator.env(), "/rest/tokeninfo", timestamp=clock.now - 1000)
    success, failure = emulator.audit_trail()
    assert isinstance(success, AuditEntry)
    assert success.time == dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    assert (failure.status, failure.detail, failure.request) == (
        "Failure",
        "InvalidTimestamp",
        "GET /rest/tokeninfo",
    )
    with pytest.raises(AttributeError):
        failure.detail = "changed"  # type: ignore[misc]


def test_repr_shows_no_secret(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator()
    assert repr(emulator) == "Emulator(scenario='healthy', account_id='1234567')"
    integration = emulator.store.integration(1)
    assert integration is not None
    assert integration.consumer_secret not in repr(integration)


@pytest.mark.parametrize("reopened", [False, True])
def test_forgetting_old_nonces_does_not_scan_them_all(tmp_path: Path, reopened: bool) -> None:
    """Every request forgets nonces older than the timestamp window; with an index on their timestamp that stays
    cheap however many requests the window holds (an account file from before the index gets it on opening)."""
    db = tmp_path / "account.db"
    with Emulator.from_scenario("healthy", db_path=db):
        pass
    if reopened:
        with sqlite3.connect(db) as conn:
            conn.execute("DROP INDEX usednonce_timestamp")
    with Emulator.from_scenario("healthy", db_path=db):
        pass
    with sqlite3.connect(db) as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute("EXPLAIN QUERY PLAN DELETE FROM usednonce WHERE timestamp < 1")
        )
    assert "usednonce_timestamp" in plan, plan
