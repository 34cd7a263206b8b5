"""`accounts`, `api-keys` and `secrets` on the command line: credentials encrypted with a 0600 key file (or the
environment's key), keys shown once and kept as hashes, rotation that keeps every account readable."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet

from netsuite_emulator import Emulator
from tms_netsuite.accounts import Accounts, SecretBox, SecretKeyError, verify_key
from tms_netsuite.cli import main
from tms_netsuite.ledger import Registry
from tms_netsuite.mapping import demo_mapping_path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def env_file(folder: Path, values: dict[str, str]) -> Path:
    path = folder / f"{values['NETSUITE_ACCOUNT_ID']}.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path


async def _stored(ledger: Path, environ: dict[str, str]) -> tuple[str, dict[str, str]]:
    url = f"sqlite+aiosqlite:///{ledger}"
    registry = await Registry.open(url)
    try:
        accounts = Accounts(registry, SecretBox.load(url, environ, create=False))
        record = await registry.get("acme")
        return record.credentials, accounts.environ(record)
    finally:
        await registry.close()


def test_accounts_keys_and_rotation(tmp_path: Path) -> None:
    ledger = tmp_path / "service.db"
    mapping = str(demo_mapping_path())
    with Emulator.from_scenario("healthy") as emulator:
        values = emulator.env()
    added = run(
        "accounts",
        "add",
        "acme",
        "--env-file",
        str(env_file(tmp_path, values)),
        "--mapping",
        mapping,
        "--ledger",
        str(ledger),
    )
    assert added.exit_code == 0, added.output
    key_file = Path(str(ledger) + ".key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    ciphertext, decrypted = asyncio.run(_stored(ledger, {}))
    assert decrypted["NETSUITE_TOKEN_SECRET"] == values["NETSUITE_TOKEN_SECRET"]
    assert values["NETSUITE_TOKEN_SECRET"] not in ciphertext
    assert values["NETSUITE_TOKEN_SECRET"] not in ledger.read_bytes().decode("latin-1")

    again = run(
        "accounts",
        "add",
        "other",
        "--env-file",
        str(env_file(tmp_path, values)),
        "--mapping",
        mapping,
        "--ledger",
        str(ledger),
    )
    assert again.exit_code == 2
    assert "already registered" in again.output
    bad_slug = run(
        "accounts",
        "add",
        "Bad Slug",
        "--env-file",
        str(env_file(tmp_path, values)),
        "--mapping",
        mapping,
        "--ledger",
        str(ledger),
    )
    assert bad_slug.exit_code == 2
    assert "lower-case" in bad_slug.output

    listed = json.loads(run("accounts", "list", "--json", "--ledger", str(ledger)).output)
    assert [a["slug"] for a in listed] == ["acme"]
    assert listed[0]["account_id"] == emulator.account_id
    assert all(v not in json.dumps(listed) for k, v in values.items() if "SECRET" in k)
    assert run("accounts", "pause", "acme", "--ledger", str(ledger)).exit_code == 0
    assert json.loads(run("accounts", "list", "--json", "--ledger", str(ledger)).output)[0]["paused"] is True
    assert run("accounts", "resume", "acme", "--ledger", str(ledger)).exit_code == 0
    assert json.loads(run("accounts", "list", "--json", "--ledger", str(ledger)).output)[0]["paused"] is False

    created = run("api-keys", "create", "--account", "acme", "--read-only", "--ledger", str(ledger))
    key = created.output.strip().splitlines()[-1]
    assert key.startswith("tmsn_")
    admin = json.loads(run("api-keys", "create", "--admin", "--json", "--ledger", str(ledger)).output)["key"]
    assert run("api-keys", "create", "--ledger", str(ledger)).exit_code == 2
    assert run("api-keys", "create", "--admin", "--account", "acme", "--ledger", str(ledger)).exit_code == 2
    keys = json.loads(run("api-keys", "list", "--json", "--ledger", str(ledger)).output)
    assert [(k["account"], k["read_only"], k["admin"]) for k in keys] == [
        ("acme", True, False),
        (None, False, True),
    ]
    assert key not in json.dumps(keys)
    assert admin not in ledger.read_bytes().decode("latin-1")
    assert run("api-keys", "revoke", keys[1]["key_id"], "--ledger", str(ledger)).exit_code == 0
    assert run("api-keys", "revoke", keys[1]["key_id"], "--ledger", str(ledger)).exit_code == 2

    async def verified() -> tuple[bool, bool, bool]:
        registry = await Registry.open(f"sqlite+aiosqlite:///{ledger}")
        try:
            good = await verify_key(registry, key)
            revoked = await verify_key(registry, admin)
            forged = await verify_key(registry, key[:-2] + ("AA" if not key.endswith("AA") else "BB"))
            return good is not None, revoked is None, forged is None
        finally:
            await registry.close()

    assert asyncio.run(verified()) == (True, True, True)

    old_key = key_file.read_text()
    rotated = run("secrets", "rotate", "--ledger", str(ledger))
    assert rotated.exit_code == 0, rotated.output
    assert "1 accounts" in rotated.output
    assert key_file.read_text() != old_key
    assert len(key_file.read_text().split()) == 1
    new_ciphertext, decrypted = asyncio.run(_stored(ledger, {}))
    assert new_ciphertext != ciphertext
    assert decrypted["NETSUITE_TOKEN_SECRET"] == values["NETSUITE_TOKEN_SECRET"]
    with pytest.raises(SecretKeyError, match="cannot be decrypted"):
        SecretBox([old_key.strip().encode()], source="the old key").decrypt(new_ciphertext)

    assert run("accounts", "remove", "acme", "--ledger", str(ledger)).exit_code == 0
    assert json.loads(run("accounts", "list", "--json", "--ledger", str(ledger)).output) == []
    keys = json.loads(run("api-keys", "list", "--json", "--ledger", str(ledger)).output)
    assert all(k["revoked_at"] for k in keys)


def test_the_environment_key_wins_and_rotates_new_first(tmp_path: Path) -> None:
    ledger = tmp_path / "service.db"
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with Emulator.from_scenario("healthy") as emulator:
        values = emulator.env()
    file = env_file(tmp_path, values)
    added = run(
        "accounts",
        "add",
        "acme",
        "--env-file",
        str(file),
        "--mapping",
        str(demo_mapping_path()),
        "--ledger",
        str(ledger),
        env={"TMS_NETSUITE_SECRET_KEY": old},
    )
    assert added.exit_code == 0, added.output
    assert not Path(str(ledger) + ".key").exists()
    assert (
        run(
            "secrets", "rotate", "--ledger", str(ledger), env={"TMS_NETSUITE_SECRET_KEY": f"{new},{old}"}
        ).exit_code
        == 0
    )
    _, decrypted = asyncio.run(_stored(ledger, {"TMS_NETSUITE_SECRET_KEY": new}))
    assert decrypted["NETSUITE_CONSUMER_KEY"] == values["NETSUITE_CONSUMER_KEY"]
    with pytest.raises(SecretKeyError):
        asyncio.run(_stored(ledger, {"TMS_NETSUITE_SECRET_KEY": old}))
    broken = run("accounts", "list", "--ledger", str(ledger), env={"TMS_NETSUITE_SECRET_KEY": "not-a-key"})
    assert broken.exit_code == 2
    assert "not a Fernet key" in broken.output
    assert "not-a-key" not in broken.output
