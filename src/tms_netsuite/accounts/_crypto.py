"""Credentials encrypted at rest with a key the operator holds (Fernet; MultiFernet for rotation).

The key comes from ``TMS_NETSUITE_SECRET_KEY`` (one key, or several separated by commas, newest first), else
from a key file made with mode 0600 by the first command that stores a credential: beside a SQLite ledger
(``tms-netsuite.db.key``), or for PostgreSQL in the user's configuration directory.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import make_url

from tms_netsuite.errors import ConfigurationError, TmsNetSuiteError

SECRET_KEY_VARIABLE = "TMS_NETSUITE_SECRET_KEY"  # noqa: S105 - the variable's name, not a key


class SecretKeyError(TmsNetSuiteError):
    """The credentials cannot be decrypted: the key that encrypted them is not among the keys given."""


def key_file_path(ledger_url: str, environ: Mapping[str, str]) -> Path:
    """Where the key file is: beside a SQLite ledger, or in the user's configuration directory."""
    url = make_url(ledger_url)
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database + ".key")
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "tms-netsuite" / "secret.key"


class SecretBox:
    """Encrypts and decrypts credentials. The first key encrypts; every key decrypts (rotation)."""

    def __init__(self, keys: list[bytes], *, source: str, key_file: Path | None = None) -> None:
        if not keys:
            raise ConfigurationError("no secret key")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise ConfigurationError(
                f"the secret key in {source} is not a Fernet key (32 url-safe base64-encoded bytes; make one "
                "with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            ) from exc
        self._keys = keys
        self.source = source
        self._key_file = key_file

    @classmethod
    def load(cls, ledger_url: str, environ: Mapping[str, str], *, create: bool) -> SecretBox | None:
        """The box from the environment or the key file; with ``create``, a key file is made when there is
        neither (None without ``create``: nothing was ever encrypted, so nothing needs a key)."""
        from_env = environ.get(SECRET_KEY_VARIABLE, "").strip()
        if from_env:
            keys = [key.strip().encode() for key in from_env.split(",") if key.strip()]
            return cls(keys, source=SECRET_KEY_VARIABLE)
        path = key_file_path(ledger_url, environ)
        if path.exists():
            return cls(_read_keys(path), source=str(path), key_file=path)
        if not create:
            return None
        _write_keys(path, [Fernet.generate_key()])
        return cls(_read_keys(path), source=str(path), key_file=path)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken:
            raise SecretKeyError(
                f"stored credentials cannot be decrypted with the key(s) in {self.source}: restore the key that "
                "encrypted them (during a rotation keep the old key after the new one)"
            ) from None

    def __repr__(self) -> str:
        return f"SecretBox(<key hidden>, source={self.source!r})"

    def rotated(self) -> SecretBox:
        """A box whose new first key encrypts, the old keys still decrypting. A key file gets the new key at its
        top (the old ones stay until :meth:`retire_old_keys`); from the environment the operator puts the new
        key first, so there is nothing to make here."""
        if self._key_file is None:
            return self
        keys = [Fernet.generate_key(), *self._keys]
        _write_keys(self._key_file, keys)
        return SecretBox(keys, source=self.source, key_file=self._key_file)

    def rotate(self, ciphertext: str) -> str:
        """The ciphertext re-encrypted under the first key."""
        return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")

    def retire_old_keys(self) -> None:
        """Keep only the first key in the key file, once everything is re-encrypted under it."""
        if self._key_file is not None:
            _write_keys(self._key_file, self._keys[:1])
            self._keys = self._keys[:1]


def _read_keys(path: Path) -> list[bytes]:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"the secret key file {path} may be read by others (mode {stat.filemode(mode)}); fix: chmod 600 {path}"
        )
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"the secret key file {path} cannot be read ({type(exc).__name__})") from exc
    return [line.strip().encode() for line in lines if line.strip() and not line.startswith("#")]


def _write_keys(path: Path, keys: list[bytes]) -> None:
    """Write the key file with mode 0600 from its creation on (never readable by others, even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(b"".join(key + b"\n" for key in keys))
    os.replace(temporary, path)
