"""The command line: serve over a real socket (env file = ready), scenarios, audit."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from dotenv import dotenv_values

from netsuite_emulator.cli import main
from netsuite_emulator.scenarios import scenario_names
from tests.emulator.helpers import assertion, tba_headers, token_form

SERVER_TIME = "/services/rest/system/v1/serverTime"


def _serve(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    env_file = tmp_path / "netsuite.env"
    command = [sys.executable, "-c", "from netsuite_emulator.cli import main; main()", "serve", "--port", "0"]
    command += ["--env-file", str(env_file), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        deadline = time.monotonic() + 20
        while not env_file.exists():
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the env file never appeared"
            time.sleep(0.02)
        values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        yield process, values
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=10)  # also closes the pipes
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_serve_tba_over_a_socket(tmp_path: Path) -> None:
    db, audit_log = tmp_path / "account.db", tmp_path / "audit.jsonl"
    args = ("--db", str(db), "--audit-log", str(audit_log), "--admin-env-file", str(tmp_path / "admin.env"))
    for process, env in _serve(tmp_path, *args):
        base_url = env["NETSUITE_BASE_URL"]
        assert base_url.startswith("http://127.0.0.1:")
        assert (
            (tmp_path / "netsuite.env").read_text().startswith("# test values of the local NetSuite emulator")
        )
        # The administrator's file is written after the integration's: under load it may not be there yet.
        deadline = time.monotonic() + 20
        while "NETSUITE_TOKEN_ID" not in (admin := dotenv_values(tmp_path / "admin.env")):
            assert time.monotonic() < deadline, "the administrator's env file never appeared"
            time.sleep(0.02)
        assert admin["NETSUITE_TOKEN_ID"] != env["NETSUITE_TOKEN_ID"]
        headers = tba_headers(env, "GET", base_url + SERVER_TIME, timestamp=time.time())
        ok = httpx.get(base_url + SERVER_TIME, headers=headers)
        assert ok.status_code == 200
        assert "serverTime" in ok.json()
        assert httpx.get(base_url + SERVER_TIME, headers=headers).status_code == 401  # replayed nonce
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)
        assert process.returncode == 0
        assert out.strip() == base_url
    logged = [json.loads(line) for line in audit_log.read_text().splitlines()]
    assert [(e["status"], e["detail"]) for e in logged] == [("Success", ""), ("Failure", "NonceUsed")]
    result = CliRunner().invoke(main, ["audit", "--db", str(db)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert "Success" in lines[0]
    assert "NonceUsed" in lines[1]
    assert env["NETSUITE_TOKEN_SECRET"] not in result.output


def test_serve_oauth2_over_a_socket(tmp_path: Path) -> None:
    for _, env in _serve(tmp_path, "--auth", "oauth2", "--scenario", "sandbox-account"):
        assert env["NETSUITE_AUTH"] == "oauth2"
        assert env["NETSUITE_ACCOUNT_ID"] == "1234567_SB1"
        assert Path(env["NETSUITE_PRIVATE_KEY_FILE"]).parent == tmp_path
        base_url = env["NETSUITE_BASE_URL"]
        form = token_form(assertion(env, now=time.time()))
        token = httpx.post(base_url + "/services/rest/auth/oauth2/v1/token", data=form)
        assert token.status_code == 200
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert httpx.get(base_url + "/rest/tokeninfo", headers=bearer).json()["companyId"] == "1234567_SB1"


def test_serve_refuses_a_busy_port(tmp_path: Path) -> None:
    for _, env in _serve(tmp_path):
        port = env["NETSUITE_BASE_URL"].rsplit(":", 1)[1]
        result = CliRunner().invoke(main, ["serve", "--port", port])
        assert result.exit_code == 1
        assert "cannot listen" in result.output


def test_scenarios_command() -> None:
    result = CliRunner().invoke(main, ["scenarios"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == sorted(names) == list(scenario_names())
    assert {"healthy", "bill-approval", "payment-instruments", "closed-period-allow"} <= set(names)
    assert "clock-skew" in names
    assert "date-format-dmy" in names


def test_audit_of_a_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2


@pytest.mark.parametrize("scenario", ["nope"])
def test_serve_rejects_an_unknown_scenario(scenario: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--scenario", scenario])
    assert result.exit_code == 2
