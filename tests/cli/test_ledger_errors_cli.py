"""A ledger that cannot be opened is a named error with exit 2 for every command that opens one, never a
traceback (issue 16 §6): a missing folder, an input file given as the ledger, PostgreSQL on a closed port, a
PostgreSQL database that does not exist. Nothing here reaches NetSuite: the ledger is opened first."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import require
from tests.ledger.conftest import PG_ADMIN_URL
from tms_netsuite.cli import main
from tms_netsuite.mapping import demo_mapping_path

PASSWORD = "s3cret-ledger-pw"
COMMANDS = {
    "export": ["export", "--mapping", str(demo_mapping_path())],
    "doctor": ["doctor"],
    "status": ["status"],
    "errors": ["errors"],
    "retry": ["retry", "--all"],
}


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_reachable() -> None:
    url = sa.make_url(PG_ADMIN_URL)
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2).close()
    except OSError:
        require(False, f"PostgreSQL is unreachable at {url.host}:{url.port}")


def run(tmp_path: Path, command: str, *, ledger: str | None = None, database_url: str | None = None) -> str:
    env_file = tmp_path / "netsuite.env"
    lines = [
        "NETSUITE_ACCOUNT_ID=123456-sb1",
        "NETSUITE_CONSUMER_KEY=ck",
        "NETSUITE_CONSUMER_SECRET=cs",
        "NETSUITE_TOKEN_ID=tk",
        "NETSUITE_TOKEN_SECRET=ts",
        "NETSUITE_BASE_URL=http://127.0.0.1:9",  # never reached: the ledger fails first
    ]
    if database_url is not None:
        lines.append(f"TMS_NETSUITE_DATABASE_URL={database_url}")
    env_file.write_text("\n".join(lines) + "\n")
    args = [*COMMANDS[command], "--env-file", str(env_file)]
    if ledger is not None:
        args += ["--ledger", ledger]
    result = CliRunner().invoke(main, args)
    output = result.output
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert PASSWORD not in output
    return output


@pytest.mark.parametrize("command", COMMANDS)
def test_a_ledger_in_a_missing_folder(tmp_path: Path, command: str) -> None:
    output = run(tmp_path, command, ledger="/nonexistent/dir/l.db")
    assert (
        "the ledger /nonexistent/dir/l.db cannot be opened: its folder /nonexistent/dir does not exist"
        in output
    )
    assert "Fix: create the folder" in output


@pytest.mark.parametrize("command", COMMANDS)
def test_an_input_file_given_as_the_ledger(tmp_path: Path, command: str) -> None:
    source = tmp_path / "input.jsonl"
    source.write_text('{"kind": "invoice", "id": "INV-1"}\n' * 200)
    before = source.read_bytes()
    output = run(tmp_path, command, ledger=str(source))
    assert f"{source} is not a ledger: it is not an SQLite database" in output
    assert "Fix: pass --ledger the ledger's file" in output
    assert source.read_bytes() == before  # never written to


@pytest.mark.parametrize("command", COMMANDS)
def test_postgresql_on_a_closed_port(tmp_path: Path, command: str) -> None:
    port = closed_port()
    output = run(tmp_path, command, database_url=f"postgresql://tms:{PASSWORD}@127.0.0.1:{port}/ledger")
    assert f"cannot connect to the PostgreSQL ledger at postgresql://tms@127.0.0.1:{port}/ledger" in output
    assert "connection refused" in output
    assert "Fix: start PostgreSQL, or correct TMS_NETSUITE_DATABASE_URL" in output


@pytest.mark.postgres
@pytest.mark.parametrize("command", COMMANDS)
def test_a_postgresql_database_that_does_not_exist(tmp_path: Path, command: str) -> None:
    postgres_reachable()
    url = sa.make_url(PG_ADMIN_URL).set(
        drivername="postgresql", password=PASSWORD, database="no_such_ledger_db"
    )
    output = run(tmp_path, command, database_url=url.render_as_string(hide_password=False))
    assert 'the PostgreSQL ledger database "no_such_ledger_db" does not exist' in output
    assert "Fix: create it" in output
