"""An account's stored settings turned into what the library uses: NetSuite settings, the mapping, the env."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from tms_netsuite.accounts._crypto import SecretBox
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import AccountRecord, Registry
from tms_netsuite.mapping import MappingConfig, parse_mapping
from tms_netsuite.netsuite import NetSuiteSettings, OAuth2Credentials

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# What an account's stored credentials hold: the connection values, never a path to a file elsewhere.
_KEPT = (
    "NETSUITE_ACCOUNT_ID",
    "NETSUITE_AUTH",
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
    "NETSUITE_CLIENT_ID",
    "NETSUITE_CERTIFICATE_ID",
    "NETSUITE_PRIVATE_KEY",
    "NETSUITE_BASE_URL",
)


def check_slug(slug: str) -> str:
    """A slug is lower-case letters, digits and hyphens (it goes in URLs), at most 63 characters."""
    if not _SLUG.match(slug):
        raise ConfigurationError(
            f"account slug {slug!r} must be lower-case letters, digits and hyphens (e.g. freightco-prod), "
            "starting with a letter or digit, at most 63 characters"
        )
    return slug


def mapping_hash(toml: str) -> str:
    return hashlib.sha256(toml.encode()).hexdigest()


def connection_values(environ: Mapping[str, str]) -> dict[str, str]:
    """The NETSUITE_* values to store for an account, validated; an OAuth 2.0 key file's text is kept in the
    value ``NETSUITE_PRIVATE_KEY`` itself, so the stored credentials stand alone.

    Raises:
        ConfigurationError: the values do not make usable settings (every problem named).
    """
    settings = NetSuiteSettings.from_environ(environ)
    values = {name: environ[name].strip() for name in _KEPT if environ.get(name, "").strip()}
    if isinstance(settings.credentials, OAuth2Credentials):
        values["NETSUITE_PRIVATE_KEY"] = settings.credentials.private_key_pem.reveal()
    return values


class Accounts:
    """The registry's accounts with their credentials decrypted on demand (never kept in clear)."""

    def __init__(self, registry: Registry, box: SecretBox | None) -> None:
        self.registry = registry
        self._box = box

    def _sealing_box(self) -> SecretBox:
        if self._box is None:
            raise ConfigurationError("no secret key to encrypt credentials with")
        return self._box

    def secret_box(self) -> SecretBox:
        """The key the credentials are sealed with; webhook signing secrets are sealed with it too."""
        return self._sealing_box()

    async def add(
        self, slug: str, environ: Mapping[str, str], mapping_toml: str, *, concurrency: int | None = None
    ) -> AccountRecord:
        """Register an account from NETSUITE_* values and a mapping's text (both validated first)."""
        check_slug(slug)
        values = connection_values(environ)
        settings = NetSuiteSettings.from_environ(values)
        parse_mapping(mapping_toml, f"the mapping of {slug}")
        return await self.registry.add(
            slug,
            account_id=settings.account.realm,
            environment=settings.account.environment.value,
            auth_method=settings.auth_method,
            credentials=self._sealing_box().encrypt(json.dumps(values)),
            mapping_toml=mapping_toml,
            mapping_hash=mapping_hash(mapping_toml),
            concurrency_override=concurrency,
        )

    async def set_credentials(self, slug: str, environ: Mapping[str, str]) -> AccountRecord:
        """New NETSUITE_* values for an account: the NetSuite account itself must stay the same."""
        current = await self.registry.get(slug)
        values = connection_values(environ)
        settings = NetSuiteSettings.from_environ(values)
        if settings.account.realm != current.account_id:
            raise ConfigurationError(
                f"these credentials are for NetSuite account {settings.account.realm}, not {current.account_id}: "
                "register another account for it"
            )
        ciphertext = self._sealing_box().encrypt(json.dumps(values))
        return await self.registry.set_credentials(slug, ciphertext, settings.auth_method)

    async def set_mapping(self, slug: str, mapping_toml: str) -> AccountRecord:
        parse_mapping(mapping_toml, f"the mapping of {slug}")
        return await self.registry.set_mapping(slug, mapping_toml, mapping_hash(mapping_toml))

    def environ(self, record: AccountRecord) -> dict[str, str]:
        """The account's NETSUITE_* values, decrypted (for the client and the doctor; never shown)."""
        if self._box is None:
            raise ConfigurationError("no secret key: set TMS_NETSUITE_SECRET_KEY or restore the key file")
        values: dict[str, str] = json.loads(self._box.decrypt(record.credentials))
        return values

    def settings(self, record: AccountRecord) -> NetSuiteSettings:
        return NetSuiteSettings.from_environ(self.environ(record))

    @staticmethod
    def mapping(record: AccountRecord) -> MappingConfig:
        return parse_mapping(record.mapping_toml, f"the mapping of {record.slug}")

    async def rotate(self) -> int:
        """Re-encrypt every account's credentials under a new key; returns how many accounts."""
        box = self._sealing_box().rotated()
        count = await self.registry.reencrypt(box.rotate)
        box.retire_old_keys()
        self._box = box
        return count
