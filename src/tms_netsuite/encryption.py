"""Secrets kept encrypted at rest (webhook signing secrets in the ledger; the service's credentials later), with
Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``).

The key comes from ``TMS_NETSUITE_SECRET_KEY`` (a Fernet key: 32 url-safe base64 bytes), else from the key file
``TMS_NETSUITE_SECRET_KEY_FILE`` names, else from ``./tms-netsuite.key``; a missing key file is created with a
new key, readable by its owner only, and one others may read is refused. Losing the key loses the secrets (the
endpoints must then be added again): back it up with the ledger, never in it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from tms_netsuite.errors import ConfigurationError

KEY_VARIABLE = "TMS_NETSUITE_SECRET_KEY"
KEY_FILE_VARIABLE = "TMS_NETSUITE_SECRET_KEY_FILE"
DEFAULT_KEY_FILE = Path("tms-netsuite.key")
_PREFIX = "fernet:"

__all__ = ["SecretBox"]


class SecretBox:
    """Encrypts and decrypts short secrets with one key. Its repr never shows the key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ConfigurationError(
                f"{KEY_VARIABLE} (or the key file) is not a Fernet key: 32 url-safe base64-encoded bytes; "
                "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], *, key_file: Path | None = None) -> SecretBox:
        """The box whose key the environment names (see the module's documentation)."""
        key = environ.get(KEY_VARIABLE, "").strip()
        if key:
            return cls(key.encode("ascii", "replace"))
        path = key_file or Path(environ.get(KEY_FILE_VARIABLE, "") or DEFAULT_KEY_FILE)
        return cls(_read_or_create(path))

    def encrypt(self, secret: str) -> str:
        return _PREFIX + self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(_PREFIX):
            raise ConfigurationError("a stored secret is not encrypted by tms-netsuite")
        try:
            return self._fernet.decrypt(stored[len(_PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ConfigurationError(
                "a stored secret cannot be decrypted with this key: the key changed since it was stored "
                f"({KEY_VARIABLE} or the key file); restore the old key, or add the endpoint again"
            ) from None

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"


def _read_or_create(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigurationError(
                f"the key file {path} may be read by others (mode {stat.filemode(mode)}); fix: chmod 600 {path}"
            ) from None
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot create the key file {path}: {exc.strerror}") from None
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as stream:
        stream.write(key + b"\n")
    return key
