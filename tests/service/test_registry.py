"""Accounts and API keys in the ledger's database, SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from tests.ledger.conftest import database_url
from tms_netsuite.accounts import create_key, verify_key
from tms_netsuite.ledger import AccountExists, Registry, UnknownAccount

__all__ = ["database_url"]

pytestmark = pytest.mark.anyio


async def test_accounts_and_keys(database_url: str) -> None:
    registry = await Registry.open(database_url)
    try:
        assert await registry.ready()
        added = await registry.add(
            "acme",
            account_id="1234567",
            environment="production",
            auth_method="tba",
            credentials="gAAAA-ciphertext",
            mapping_toml="version = 1\n",
            mapping_hash="a" * 64,
        )
        assert (added.mapping_version, added.paused, added.doctor_due) == (1, False, True)
        with pytest.raises(AccountExists, match="NetSuite account 1234567"):
            await registry.add(
                "other",
                account_id="1234567",
                environment="production",
                auth_method="tba",
                credentials="x",
                mapping_toml="",
                mapping_hash="b" * 64,
            )
        same = await registry.set_mapping("acme", "version = 1\n", "a" * 64)
        assert same.mapping_version == 1
        changed = await registry.update(
            "acme", doctor_due=False, learned_limit=7, doctor_report={"checks": []}
        )
        assert (changed.learned_limit, changed.doctor_report) == (7, {"checks": []})
        newer = await registry.set_mapping("acme", "version = 1\n# v2\n", "c" * 64)
        assert (newer.mapping_version, newer.doctor_due) == (2, True)
        assert [a.slug for a in await registry.all_accounts()] == ["acme"]

        key = await create_key(registry, account_slug="acme", read_only=True)
        found = await verify_key(registry, key.key)
        assert found is not None
        assert (found.account_slug, found.read_only) == ("acme", True)
        assert key.key not in str(await registry.keys())
        with pytest.raises(UnknownAccount):
            await create_key(registry, account_slug="nobody", read_only=False)
        await registry.remove("acme")
        assert await verify_key(registry, key.key) is None
        with pytest.raises(UnknownAccount, match="accounts list"):
            await registry.get("acme")
    finally:
        await registry.close()
