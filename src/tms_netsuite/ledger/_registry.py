"""The accounts a service exports for and the API keys that reach them, in the ledger's database.

The registry stores what it is handed: credentials as the ciphertext the caller made, keys as their hashes. It
never sees a secret in clear, so nothing it logs or raises can carry one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tms_netsuite.errors import TmsNetSuiteError
from tms_netsuite.ledger._ledger import Ledger
from tms_netsuite.ledger._open import open_engine
from tms_netsuite.ledger._schema import accounts, api_keys, webhook_endpoints


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AccountExists(TmsNetSuiteError):
    """An account with this slug, or for this NetSuite account, is already registered."""


class UnknownAccount(TmsNetSuiteError, KeyError):
    """No account has this slug."""

    def __str__(self) -> str:
        return f"no account {self.args[0]!r}: see `tms-netsuite accounts list`"


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One registered account as the database holds it (``credentials`` is ciphertext)."""

    slug: str
    account_id: str
    environment: str
    auth_method: str
    credentials: str
    mapping_toml: str
    mapping_version: int
    mapping_hash: str
    concurrency_override: int | None
    learned_limit: int | None
    paused: bool
    pause_reason: str | None
    doctor_due: bool
    doctor_report: dict[str, Any] | None
    doctor_ran_at: datetime | None
    last_run: dict[str, Any] | None
    last_run_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key as stored: its public id, the SHA-256 of the whole key, and what it may reach."""

    key_id: str
    key_hash: str
    account_slug: str | None  # None: an administrator's key (every account, and the admin routes)
    read_only: bool
    created_at: datetime
    revoked_at: datetime | None


class Registry:
    """Accounts and API keys in the ledger database, and a :class:`Ledger` per account on the same engine.

    Open it with :meth:`open` (which migrates the schema); close it once, which closes every ledger it made.
    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock

    @classmethod
    async def open(cls, url: str, *, clock: Callable[[], datetime] = _utcnow) -> Registry:
        """Connect to the ledger database at an SQLAlchemy URL, migrating it (see :meth:`Ledger.open`)."""
        return cls(await open_engine(url), clock=clock)

    async def close(self) -> None:
        await self._engine.dispose()

    def ledger(self, account: AccountRecord) -> Ledger:
        """The ledger of one account, sharing this registry's connections (do not close it)."""
        return Ledger(self._engine, account.account_id, account.environment, clock=self._clock)

    async def ready(self) -> bool:
        """Whether the database answers (the schema was migrated when it was opened)."""
        try:
            async with self._engine.connect() as conn:
                await conn.execute(sa.select(sa.func.count()).select_from(accounts))
        except (OSError, sa.exc.SQLAlchemyError):
            return False
        return True

    # Accounts

    async def add(
        self,
        slug: str,
        *,
        account_id: str,
        environment: str,
        auth_method: str,
        credentials: str,
        mapping_toml: str,
        mapping_hash: str,
        concurrency_override: int | None = None,
    ) -> AccountRecord:
        """Register an account; raises :class:`AccountExists` for a slug or NetSuite account already held."""
        now = self._clock()
        async with self._engine.begin() as conn:
            clash = (
                await conn.execute(
                    sa.select(accounts.c.slug).where(
                        (accounts.c.slug == slug) | (accounts.c.account_id == account_id)
                    )
                )
            ).scalar()
            if clash is not None:
                what = f"slug {slug!r}" if clash == slug else f"NetSuite account {account_id} (as {clash!r})"
                raise AccountExists(f"{what} is already registered")
            await conn.execute(
                accounts.insert().values(
                    slug=slug,
                    account_id=account_id,
                    environment=environment,
                    auth_method=auth_method,
                    credentials=credentials,
                    mapping_toml=mapping_toml,
                    mapping_version=1,
                    mapping_hash=mapping_hash,
                    concurrency_override=concurrency_override,
                    paused=False,
                    doctor_due=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        return await self.get(slug)

    async def get(self, slug: str) -> AccountRecord:
        """The account with this slug; raises :class:`UnknownAccount`."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(sa.select(accounts).where(accounts.c.slug == slug))).mappings().first()
        if row is None:
            raise UnknownAccount(slug)
        return AccountRecord(**row)

    async def all_accounts(self) -> list[AccountRecord]:
        """Every account, by slug."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(accounts).order_by(accounts.c.slug))).mappings().all()
        return [AccountRecord(**row) for row in rows]

    async def update(self, slug: str, **values: Any) -> AccountRecord:
        """Change columns of one account (``updated_at`` follows); raises :class:`UnknownAccount`."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                accounts.update().where(accounts.c.slug == slug).values(**values, updated_at=self._clock())
            )
        if result.rowcount == 0:
            raise UnknownAccount(slug)
        return await self.get(slug)

    async def set_mapping(self, slug: str, toml: str, mapping_hash: str) -> AccountRecord:
        """A new mapping: its version goes up (unless the text is the same) and the doctor runs before the next
        export."""
        current = await self.get(slug)
        if current.mapping_hash == mapping_hash:
            return current
        return await self.update(
            slug,
            mapping_toml=toml,
            mapping_hash=mapping_hash,
            mapping_version=current.mapping_version + 1,
            doctor_due=True,
        )

    async def set_credentials(self, slug: str, ciphertext: str, auth_method: str) -> AccountRecord:
        """New credentials (ciphertext): the doctor runs before the next export."""
        return await self.update(slug, credentials=ciphertext, auth_method=auth_method, doctor_due=True)

    async def remove(self, slug: str) -> None:
        """Forget an account and revoke its keys (its documents stay in the ledger, under its NetSuite id)."""
        async with self._engine.begin() as conn:
            result = await conn.execute(accounts.delete().where(accounts.c.slug == slug))
            if result.rowcount == 0:
                raise UnknownAccount(slug)
            await conn.execute(
                api_keys.update()
                .where((api_keys.c.account_slug == slug) & api_keys.c.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            )

    async def reencrypt(self, transform: Callable[[str], str]) -> int:
        """Rewrite every secret under the key through ``transform`` (key rotation), in one transaction: the
        accounts' credentials and the webhook endpoints' signing secrets, which share the key. Returns how many
        accounts."""
        async with self._engine.begin() as conn:
            rows = (await conn.execute(sa.select(accounts.c.slug, accounts.c.credentials))).all()
            for slug, ciphertext in rows:
                await conn.execute(
                    accounts.update().where(accounts.c.slug == slug).values(credentials=transform(ciphertext))
                )
            endpoints = (
                await conn.execute(sa.select(webhook_endpoints.c.id, webhook_endpoints.c.secret))
            ).all()
            for endpoint_id, ciphertext in endpoints:
                await conn.execute(
                    webhook_endpoints.update()
                    .where(webhook_endpoints.c.id == endpoint_id)
                    .values(secret=transform(ciphertext))
                )
        return len(rows)

    # API keys

    async def add_key(self, key_id: str, key_hash: str, *, account_slug: str | None, read_only: bool) -> None:
        """Store a new key's hash; an account key's account must exist."""
        if account_slug is not None:
            await self.get(account_slug)
        async with self._engine.begin() as conn:
            await conn.execute(
                api_keys.insert().values(
                    key_id=key_id,
                    key_hash=key_hash,
                    account_slug=account_slug,
                    read_only=read_only,
                    created_at=self._clock(),
                )
            )

    async def key(self, key_id: str) -> ApiKeyRecord | None:
        """The unrevoked key with this id, if any."""
        async with self._engine.connect() as conn:
            row = (
                (
                    await conn.execute(
                        sa.select(api_keys).where(
                            (api_keys.c.key_id == key_id) & api_keys.c.revoked_at.is_(None)
                        )
                    )
                )
                .mappings()
                .first()
            )
        return ApiKeyRecord(**row) if row is not None else None

    async def keys(self) -> list[ApiKeyRecord]:
        """Every key, revoked ones too, oldest first."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at))).mappings().all()
        return [ApiKeyRecord(**row) for row in rows]

    async def revoke_key(self, key_id: str) -> bool:
        """Revoke a key; whether one was live."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                api_keys.update()
                .where((api_keys.c.key_id == key_id) & api_keys.c.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            )
        return result.rowcount > 0
