"""Settings from NETSUITE_* variables and env files: every problem named, with what a valid value looks like."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.netsuite.keys import ec_key, rsa_key
from tms_netsuite.config import read_environment
from tms_netsuite.netsuite import (
    ConfigurationError,
    NetSuiteSettings,
    OAuth2ClientCredentialsAuth,
    OAuth2Credentials,
    TbaAuth,
    TbaCredentials,
    build_auth,
)

TBA = {
    "NETSUITE_ACCOUNT_ID": "123456-sb1",
    "NETSUITE_CONSUMER_KEY": "ck-value",
    "NETSUITE_CONSUMER_SECRET": "cs-value",
    "NETSUITE_TOKEN_ID": "tk-value",
    "NETSUITE_TOKEN_SECRET": "ts-value",
}


def oauth2_env(tmp_path: Path, pem: str | None = None) -> dict[str, str]:
    key_file = tmp_path / "key.pem"
    key_file.write_text(pem if pem is not None else ec_key())
    return {
        "NETSUITE_ACCOUNT_ID": "123456",
        "NETSUITE_CLIENT_ID": "client-1",
        "NETSUITE_CERTIFICATE_ID": "cert-1",
        "NETSUITE_PRIVATE_KEY_FILE": str(key_file),
    }


def test_tba_settings_are_read_and_the_method_inferred() -> None:
    """Complete TBA values alone select TBA; the account id is canonicalised."""
    settings = NetSuiteSettings.from_environ(TBA)
    assert settings.auth_method == "tba"
    assert settings.account.realm == "123456_SB1"
    assert isinstance(settings.credentials, TbaCredentials)
    assert settings.credentials.token_secret.reveal() == "ts-value"
    assert isinstance(build_auth(settings), TbaAuth)


def test_oauth2_settings_read_the_key_file(tmp_path: Path) -> None:
    """Complete OAuth 2.0 values alone select OAuth 2.0; the key is read and checked at once."""
    settings = NetSuiteSettings.from_environ(oauth2_env(tmp_path))
    assert settings.auth_method == "oauth2"
    assert isinstance(settings.credentials, OAuth2Credentials)
    assert settings.credentials.private_key_pem.reveal().startswith("-----BEGIN PRIVATE KEY-----")
    assert isinstance(build_auth(settings), OAuth2ClientCredentialsAuth)


def test_both_methods_complete_need_netsuite_auth(tmp_path: Path) -> None:
    """With both sets complete, NETSUITE_AUTH must choose; with it, the choice is honoured."""
    both = {**TBA, **oauth2_env(tmp_path)}
    with pytest.raises(ConfigurationError, match="NETSUITE_AUTH is required"):
        NetSuiteSettings.from_environ(both)
    assert NetSuiteSettings.from_environ({**both, "NETSUITE_AUTH": "oauth2"}).auth_method == "oauth2"
    assert NetSuiteSettings.from_environ({**both, "NETSUITE_AUTH": "TBA"}).auth_method == "tba"


def test_every_problem_is_named_at_once() -> None:
    """A bad account id and missing TBA values are all reported, each with its expected form."""
    with pytest.raises(ConfigurationError) as raised:
        NetSuiteSettings.from_environ(
            {"NETSUITE_ACCOUNT_ID": "acme.com", "NETSUITE_AUTH": "tba", "NETSUITE_CONSUMER_KEY": "x"}
        )
    message = str(raised.value)
    assert "NETSUITE_ACCOUNT_ID is not an account id ('acme.com'); expected e.g. 123456" in message
    for name in ("NETSUITE_CONSUMER_SECRET", "NETSUITE_TOKEN_ID", "NETSUITE_TOKEN_SECRET"):
        assert f"{name} is missing" in message
    assert "NETSUITE_CONSUMER_KEY is missing" not in message


def test_nothing_set_lists_both_methods() -> None:
    """With no credentials at all, the message lists what each method needs."""
    with pytest.raises(ConfigurationError) as raised:
        NetSuiteSettings.from_environ({})
    message = str(raised.value)
    assert "NETSUITE_ACCOUNT_ID is missing" in message
    assert "NETSUITE_TOKEN_SECRET" in message
    assert "NETSUITE_PRIVATE_KEY_FILE" in message


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ldap", "NETSUITE_AUTH is 'ldap'"),
    ],
)
def test_unknown_auth_method(value: str, problem: str) -> None:
    """NETSUITE_AUTH accepts tba or oauth2 only."""
    with pytest.raises(ConfigurationError, match=problem):
        NetSuiteSettings.from_environ({**TBA, "NETSUITE_AUTH": value})


@pytest.mark.parametrize(
    ("base_url", "accepted"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("https://proxy.example/", "https://proxy.example"),
        ("http://127.0.0.1:8765/services/rest", None),
        ("ftp://host", None),
        ("http://host:99999", None),
        ("127.0.0.1:8765", None),
    ],
)
def test_base_url_must_be_a_host_root(base_url: str, accepted: str | None) -> None:
    """NETSUITE_BASE_URL is an http(s) host root; paths, other schemes and bad ports are refused."""
    environ = {**TBA, "NETSUITE_BASE_URL": base_url}
    if accepted is None:
        with pytest.raises(ConfigurationError, match="NETSUITE_BASE_URL"):
            NetSuiteSettings.from_environ(environ)
    else:
        assert NetSuiteSettings.from_environ(environ).base_url == accepted


@pytest.mark.parametrize(("pem", "problem"), [("junk", "holds an unusable key"), (None, "cannot be read")])
def test_bad_private_key_files_are_named(tmp_path: Path, pem: str | None, problem: str) -> None:
    """A key file that is missing or holds no usable key is reported by its variable."""
    environ = oauth2_env(tmp_path, pem or "")
    if pem is None:
        environ["NETSUITE_PRIVATE_KEY_FILE"] = str(tmp_path / "missing.pem")
    with pytest.raises(ConfigurationError, match=f"NETSUITE_PRIVATE_KEY_FILE {problem}"):
        NetSuiteSettings.from_environ(environ)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d: Path("/dev/zero"), "not a regular file"),
        (lambda d: d, "not a regular file"),
        (lambda d: _fifo(d / "fifo"), "not a regular file"),
        (lambda d: _write(d / "big.pem", b"-" * (65 * 1024)), "larger than 64 KiB"),
    ],
)
def test_key_files_that_hang_or_explode_are_refused_at_once(
    tmp_path: Path, make: Callable[[Path], Path], problem: str
) -> None:
    """A device, a FIFO, a folder or a huge file is named at once, never read to the end."""
    environ = oauth2_env(tmp_path) | {"NETSUITE_PRIVATE_KEY_FILE": str(make(tmp_path))}
    with pytest.raises(ConfigurationError, match=f"NETSUITE_PRIVATE_KEY_FILE cannot be used .*{problem}"):
        NetSuiteSettings.from_environ(environ)


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_small_rsa_keys_are_refused(tmp_path: Path) -> None:
    """A 2048-bit RSA key is refused with the sizes NetSuite accepts."""
    with pytest.raises(ConfigurationError, match="3072 or 4096"):
        NetSuiteSettings.from_environ(oauth2_env(tmp_path, rsa_key(2048)))


def test_env_file_takes_precedence_over_the_environment(tmp_path: Path) -> None:
    """Values in --env-file win over the process environment; others pass through."""
    env_file = tmp_path / "netsuite.env"
    env_file.write_text("# comment\nNETSUITE_ACCOUNT_ID=999_SB2\nNETSUITE_TOKEN_ID='quoted value'\n")
    merged = read_environment(env_file, {"NETSUITE_ACCOUNT_ID": "123", "OTHER": "x"})
    assert merged["NETSUITE_ACCOUNT_ID"] == "999_SB2"
    assert merged["NETSUITE_TOKEN_ID"] == "quoted value"
    assert merged["OTHER"] == "x"


def test_missing_env_file_is_a_configuration_error(tmp_path: Path) -> None:
    """A mistyped --env-file path is reported, not silently ignored."""
    with pytest.raises(ConfigurationError, match="does not exist"):
        read_environment(tmp_path / "nope.env", {})


def test_a_base_url_with_credentials_is_not_echoed() -> None:
    """A malformed NETSUITE_BASE_URL holding user:password@ is reported without them."""
    with pytest.raises(ConfigurationError) as raised:
        NetSuiteSettings.from_environ({**TBA, "NETSUITE_BASE_URL": "http://user:hunter2@host/path"})
    assert "hunter2" not in str(raised.value)
    assert "NETSUITE_BASE_URL" in str(raised.value)
