"""Settings from the environment, an env file and the OS keyring `init` stored the secrets in."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.keyrings import MemoryKeyring, no_keyring, using
from tms_netsuite.config import (
    KEYRING_SERVICE,
    keyring_usable,
    read_environment,
    store_in_keyring,
    write_env_file,
)
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.netsuite import NetSuiteSettings

SECRETS = {
    "NETSUITE_CONSUMER_KEY": "ck",
    "NETSUITE_CONSUMER_SECRET": "cs",
    "NETSUITE_TOKEN_ID": "ti",
    "NETSUITE_TOKEN_SECRET": "ts",
}


def test_secrets_come_from_the_keyring_entry_the_env_file_names(tmp_path: Path) -> None:
    """An env file with NETSUITE_KEYRING reads the four TBA values from the entry named by the account id;
    a value the environment sets wins, and the keyring's other keys are ignored."""
    env_file = tmp_path / "netsuite.env"
    write_env_file(
        env_file, {"NETSUITE_ACCOUNT_ID": "123456_SB1", "NETSUITE_KEYRING": KEYRING_SERVICE}, "test"
    )
    with using(MemoryKeyring()) as backend:
        store_in_keyring("123456_SB1", SECRETS | {"NETSUITE_BASE_URL": "http://evil.test"})
        environ = read_environment(env_file, environ={"NETSUITE_TOKEN_ID": "from-env"})
        assert (
            json.loads(backend.get_password(KEYRING_SERVICE, "123456_SB1") or "")["NETSUITE_TOKEN_SECRET"]
            == "ts"
        )
    assert {k: environ[k] for k in SECRETS} == SECRETS | {"NETSUITE_TOKEN_ID": "from-env"}
    assert "NETSUITE_BASE_URL" not in environ


@pytest.mark.parametrize("backend", [MemoryKeyring(), no_keyring()], ids=["no entry", "no keyring"])
def test_a_missing_entry_or_keyring_is_named_where_secrets_are_needed(backend: KeyringBackend) -> None:
    """No entry, or no keyring on this machine: reading settings still works (status needs no secrets); the
    connection's settings name the entry and say to run init again."""
    environ = {"NETSUITE_ACCOUNT_ID": "999", "NETSUITE_KEYRING": KEYRING_SERVICE}
    with using(backend):
        read = read_environment(environ=environ)
    assert read == environ
    with pytest.raises(ConfigurationError, match="no readable entry tms-netsuite/999") as raised:
        NetSuiteSettings.from_environ(read)
    assert "tms-netsuite init" in str(raised.value)


def test_keyring_usable_tells_a_real_backend_from_the_fallback() -> None:
    """The 'fail' backend a headless machine has is not usable; a real one is."""
    with using(no_keyring()):
        assert not keyring_usable()
    with using(MemoryKeyring()):
        assert keyring_usable()


def test_env_files_are_written_for_their_owner_only(tmp_path: Path) -> None:
    """Mode 0600 even over a world-readable file, quoted where dotenv needs it, read back as written."""
    env_file = tmp_path / "netsuite.env"
    env_file.write_text("old")
    env_file.chmod(0o644)
    write_env_file(env_file, {"NETSUITE_ACCOUNT_ID": "1", "NETSUITE_TOKEN_SECRET": 'a "b" c'}, "header\nline")
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert read_environment(env_file, environ={})["NETSUITE_TOKEN_SECRET"] == 'a "b" c'
    assert env_file.read_text().startswith("# header\n# line\n")
    assert [p.name for p in tmp_path.iterdir()] == ["netsuite.env"]
