"""`tms-netsuite init` against a served emulator: a connection and a mapping that pass the doctor (TBA and
OAuth 2.0), a refusal explained with nothing stored, secrets never printed, and the keyring when there is one."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from dotenv import dotenv_values

from tests.cli.test_export_cli import CLI
from tests.integration.conftest import served_emulator
from tests.keyrings import MemoryKeyring, using
from tms_netsuite.cli import main
from tms_netsuite.generate import generate

EMULATOR_CLI = [sys.executable, "-c", "from netsuite_emulator.cli import main; main()"]
TBA_VARIABLES = (
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The healthy account served over a socket, its SQLite file beside (for the M2M Setup upload)."""
    folder = tmp_path / "emulator"
    folder.mkdir()
    with served_emulator(folder, "--db", str(folder / "account.db")) as env:
        yield env


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.jsonl"
    path.write_text("".join(doc.model_dump_json() + "\n" for doc in generate(40, 3)), encoding="utf-8")
    return path


def run(*args: str, secrets: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real entry point, with no keyring (as on a server) and no NETSUITE_* but the given ones."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}
    environ |= {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"} | (secrets or {})
    return subprocess.run(  # noqa: S603 - our own interpreter and package
        [*CLI, *args], capture_output=True, text=True, timeout=180, env=environ, cwd=cwd, check=False
    )


def doctor_failures(tmp_path: Path, env_file: Path, mapping: Path) -> tuple[int, set[str], dict[str, str]]:
    result = run("doctor", "--env-file", str(env_file), "--mapping", str(mapping), "--json", cwd=tmp_path)
    report = json.loads(result.stdout)
    statuses = {check["id"]: check["status"] for check in report["checks"]}
    return result.returncode, {k for k, v in statuses.items() if v == "fail"}, statuses


def assert_no_secret(texts: list[str], secrets: list[str]) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_tba_non_interactive_writes_a_connection_and_mapping_the_doctor_passes(
    tmp_path: Path, served: dict[str, str], sample: Path
) -> None:
    """Secrets from NETSUITE_* variables, no keyring: the env file (0600) holds them, the mapping is proposed
    from the sample, `doctor` then fails nothing; no secret reaches the terminal."""
    secrets = {name: served[name] for name in TBA_VARIABLES}
    result = run(
        "init",
        "--non-interactive",
        "--account-id",
        served["NETSUITE_ACCOUNT_ID"],
        "--auth",
        "tba",
        "--base-url",
        served["NETSUITE_BASE_URL"],
        "--sample",
        str(sample),
        secrets=secrets,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    env_file, mapping = tmp_path / "netsuite.env", tmp_path / "mapping.toml"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert {k: v for k, v in dotenv_values(env_file).items() if k in TBA_VARIABLES} == secrets
    assert "Wrote the proposed mapping mapping.toml" in result.stdout
    assert_no_secret([result.stdout, result.stderr], list(secrets.values()))
    code, failures, statuses = doctor_failures(tmp_path, env_file, mapping)
    assert (code, failures) == (0, set())
    assert statuses["accounts"] == statuses["lists"] == "pass"


def test_oauth2_non_interactive_makes_the_key_pair_then_connects(tmp_path: Path, sample: Path) -> None:
    """First run: a key pair (key 0600), where to upload the certificate, nothing stored, exit 0. The
    certificate mapped (the emulator's M2M Setup page), the second run with its Certificate ID stores a
    connection and a mapping the doctor passes, the certificate's expiry included."""
    folder = tmp_path / "emulator"
    folder.mkdir()
    with served_emulator(folder, "--db", str(folder / "account.db"), "--auth", "oauth2") as served:
        common = [
            "init",
            "--non-interactive",
            "--account-id",
            served["NETSUITE_ACCOUNT_ID"],
            "--auth",
            "oauth2",
            "--client-id",
            served["NETSUITE_CLIENT_ID"],
            "--base-url",
            served["NETSUITE_BASE_URL"],
            "--env-file",
            "connection.env",
        ]
        first = run(*common, "--key-type", "ec-p384", cwd=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "OAuth 2.0 Client Credentials (M2M) Setup" in first.stdout
        assert not (tmp_path / "connection.env").exists()
        (key,) = tmp_path.glob("netsuite-oauth2-*-key.pem")
        (certificate,) = tmp_path.glob("netsuite-oauth2-*-certificate.pem")
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        mapped = subprocess.run(  # noqa: S603 - our own interpreter and package
            [
                *EMULATOR_CLI,
                "map-certificate",
                "--db",
                str(folder / "account.db"),
                "--certificate",
                str(certificate),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        second = run(
            *common,
            "--private-key-file",
            str(key),
            "--certificate-id",
            mapped.stdout.strip(),
            "--sample",
            str(sample),
            cwd=tmp_path,
        )
        assert second.returncode == 0, second.stdout + second.stderr
        assert "BEGIN PRIVATE KEY" not in second.stdout
        code, failures, statuses = doctor_failures(
            tmp_path, tmp_path / "connection.env", tmp_path / "mapping.toml"
        )
    assert (code, failures) == (0, set())
    assert statuses["certificate"] == "pass"


def test_a_refused_login_is_explained_and_nothing_is_stored(tmp_path: Path, served: dict[str, str]) -> None:
    """A wrong token secret: exit 2, the likely causes in order and the Login Audit Trail's reasons in plain
    words (InvalidSignature first among them), no env file, and the secret typed is not echoed."""
    secrets = {name: served[name] for name in TBA_VARIABLES} | {
        "NETSUITE_TOKEN_SECRET": "not-the-secret-1234"
    }
    result = run(
        "init",
        "--non-interactive",
        "--account-id",
        served["NETSUITE_ACCOUNT_ID"],
        "--auth",
        "tba",
        "--base-url",
        served["NETSUITE_BASE_URL"],
        secrets=secrets,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "nothing was stored" in result.stdout
    assert "Likely causes, in order" in result.stdout.replace("\n", " ")
    assert "InvalidSignature: the signature does not match" in result.stdout
    assert not (tmp_path / "netsuite.env").exists()
    assert_no_secret([result.stdout, result.stderr], list(secrets.values()))


def test_interactive_tba_keeps_the_secrets_in_the_keyring(
    tmp_path: Path, served: dict[str, str], sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked one by one (a mistyped account id again, secrets without echo), stored in a usable keyring: the env file holds no secret but
    NETSUITE_KEYRING, and the doctor, reading the keyring, passes with the mapping chosen interactively."""
    monkeypatch.chdir(tmp_path)
    answers = [
        "12 34!",
        served["NETSUITE_ACCOUNT_ID"],
        "tba",
        *(served[name] for name in TBA_VARIABLES),
        *["1"] * 10,
    ]
    runner = CliRunner()
    with using(MemoryKeyring()) as backend:
        result = runner.invoke(
            main,
            ["init", "--base-url", served["NETSUITE_BASE_URL"], "--sample", str(sample)],
            input="\n".join(answers) + "\n",
        )
        assert result.exit_code == 0, result.output
        doctor = runner.invoke(
            main, ["doctor", "--env-file", "netsuite.env", "--mapping", "mapping.toml", "--json"]
        )
    stored = json.loads(backend.get_password("tms-netsuite", served["NETSUITE_ACCOUNT_ID"]) or "{}")  # type: ignore[attr-defined]
    assert stored == {name: served[name] for name in TBA_VARIABLES}
    written = dotenv_values(tmp_path / "netsuite.env")
    assert written["NETSUITE_KEYRING"] == "tms-netsuite"
    assert not set(written) & set(TBA_VARIABLES)
    assert_no_secret([result.output.replace(served["NETSUITE_ACCOUNT_ID"], "")], list(stored.values()))
    assert "is not a NetSuite account id" in result.output  # and asked again
    assert "HAZMAT" in result.output  # the unclear code was asked
    assert 'HAZMAT = "' in (tmp_path / "mapping.toml").read_text()
    report = json.loads(doctor.output)
    assert doctor.exit_code == 0, doctor.output
    assert {c["id"] for c in report["checks"] if c["status"] == "fail"} == set()


def test_existing_files_are_not_replaced_without_force(tmp_path: Path) -> None:
    """An env file in the way: refused before any question, untouched."""
    (tmp_path / "netsuite.env").write_text("KEEP=1\n")
    result = run("init", "--non-interactive", "--account-id", "123456", cwd=tmp_path)
    assert result.returncode == 2
    assert "--force" in result.stderr
    assert (tmp_path / "netsuite.env").read_text() == "KEEP=1\n"
