"""The `schema` and `generate` commands."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tms_netsuite.cli._documents import generate_command, schema_command
from tms_netsuite.documents import Accepted, read_documents, schema_text


def test_schema_prints_the_schema() -> None:
    """`schema` prints exactly the published schema text."""
    result = CliRunner().invoke(schema_command, [])
    assert result.exit_code == 0
    assert result.output == schema_text()


def test_generate_writes_the_same_bytes_to_a_file_and_to_stdout(tmp_path: Path) -> None:
    """Same arguments, same bytes: twice to files and once to stdout; every line a valid document."""
    runner = CliRunner()
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for path in paths:
        result = runner.invoke(generate_command, ["--loads", "12", "--seed", "4", "--out", str(path)])
        assert result.exit_code == 0, result.output
    first, second = (path.read_bytes() for path in paths)
    assert first == second
    stdout = runner.invoke(generate_command, ["--loads", "12", "--seed", "4"]).stdout_bytes
    assert stdout == first
    lines = first.decode("utf-8").splitlines()
    assert all(isinstance(r, Accepted) for r in read_documents(lines))


def test_generate_refuses_a_bad_month() -> None:
    """A malformed month is a usage error (exit 2) naming --month."""
    result = CliRunner().invoke(generate_command, ["--loads", "3", "--seed", "1", "--month", "2026-13"])
    assert result.exit_code == 2
    assert "--month" in result.output


def test_generate_requires_loads_and_seed() -> None:
    """Both --loads and --seed are required: the same bytes need the same seed."""
    result = CliRunner().invoke(generate_command, ["--loads", "3"])
    assert result.exit_code == 2
    assert "--seed" in result.output
