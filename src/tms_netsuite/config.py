"""Where settings come from: the process environment, overridden by an ``--env-file``, with the secrets in the
OS keyring when the connection was stored there.

A connection `tms-netsuite init` stored in the keyring leaves in its env file the values that are not secret
and ``NETSUITE_KEYRING=<service>``; the secrets (the TBA consumer key and secret, token id and secret) are one
keyring entry of that service, named by ``NETSUITE_ACCOUNT_ID``, holding them as JSON. `read_environment`
fills them in; a value set in the environment or the env file wins over the keyring's. An entry this machine
cannot read fills nothing in: `NetSuiteSettings` then names it among the missing values.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import keyring
import keyring.errors
from dotenv import dotenv_values

from tms_netsuite.errors import ConfigurationError

KEYRING_VARIABLE = "NETSUITE_KEYRING"
KEYRING_SERVICE = "tms-netsuite"
# Values that never go into a file when a keyring holds the connection (the OAuth 2.0 private key is a file of
# its own, mode 0600, named by NETSUITE_PRIVATE_KEY_FILE).
SECRET_VARIABLES = (
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
)


def read_environment(
    env_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The process environment with the env file's values on top (the file takes precedence), and the secrets
    of the keyring entry ``NETSUITE_KEYRING`` names, when it names one, under both.

    Raises:
        ConfigurationError: the env file does not exist or cannot be read (a keyring entry that cannot be read
            is left to the settings' validation, which names it).
    """
    merged = dict(os.environ if environ is None else environ)
    if env_file is not None:
        if not env_file.is_file():
            raise ConfigurationError(f"env file {env_file} does not exist")
        try:
            values = dotenv_values(env_file, interpolate=False)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"env file {env_file} cannot be read: {exc}") from exc
        merged.update({key: value for key, value in values.items() if value is not None})
    service = merged.get(KEYRING_VARIABLE, "").strip()
    if service:
        for name, value in _keyring_secrets(service, merged.get("NETSUITE_ACCOUNT_ID", "").strip()).items():
            if not merged.get(name, "").strip():
                merged[name] = value
    return merged


def _keyring_secrets(service: str, account: str) -> dict[str, str]:
    """The entry's TBA values; none when it cannot be read. Read-only commands need no secrets, so a machine
    without the entry must not stop them: the connection's settings name the problem where secrets are needed."""
    if not account:
        return {}
    try:
        stored = keyring.get_password(service, account)
        values = json.loads(stored) if stored is not None else None
    except (keyring.errors.KeyringError, ValueError):
        return {}
    if not isinstance(values, dict):
        return {}
    return {
        name: value for name, value in values.items() if name in SECRET_VARIABLES and isinstance(value, str)
    }


def keyring_usable() -> bool:
    """Whether this machine has an OS keyring backend that stores secrets (not the 'fail' or a plaintext one)."""
    try:
        backend = keyring.get_keyring()
        priority = float(backend.priority)
    except Exception:
        return False
    return (
        priority > 0
        and "fail" not in type(backend).__module__
        and "PlaintextKeyring" not in type(backend).__name__
    )


def store_in_keyring(account: str, secrets: Mapping[str, str], service: str = KEYRING_SERVICE) -> None:
    """Keep the connection's secrets in the OS keyring, as the entry ``service``/``account``.

    Raises:
        ConfigurationError: the keyring refused them.
    """
    try:
        keyring.set_password(service, account, json.dumps(dict(secrets), sort_keys=True))
    except keyring.errors.KeyringError as exc:
        raise ConfigurationError(
            f"the OS keyring refused the entry {service}/{account}: {type(exc).__name__}"
        ) from None


def write_env_file(path: Path, values: Mapping[str, str], header: str) -> None:
    """Write ``values`` as a dotenv file readable by its owner only (0600), atomically: a reader never sees a
    half-written file, and the secrets are never readable by others, not even for a moment."""
    lines = [*(f"# {line}" if line else "#" for line in header.splitlines())]
    lines += [f"{name}={_quote(value)}" for name, value in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _quote(value: str) -> str:
    if value and all(c.isalnum() or c in "-_./:@" for c in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


__all__ = [
    "KEYRING_SERVICE",
    "KEYRING_VARIABLE",
    "SECRET_VARIABLES",
    "keyring_usable",
    "read_environment",
    "store_in_keyring",
    "write_env_file",
]
