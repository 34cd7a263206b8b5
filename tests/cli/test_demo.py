"""`tms-netsuite demo` runs end to end against the in-process emulator, and fails cleanly when refused."""

from __future__ import annotations

from click.testing import CliRunner

from tms_netsuite.cli import main


def test_demo_connects_with_both_auth_methods() -> None:
    """Both auth methods log in, the administrator reads the concurrency limit, no login is refused."""
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Token-Based Authentication: role" in result.output
    assert "OAuth 2.0 client credentials: role" in result.output
    assert "Concurrency limit (governanceLimits, as administrator): 5" in result.output
    assert "0 refused" in result.output


def test_a_refused_login_exits_2_with_the_cause_and_fix() -> None:
    """Against a revoked token the demo stops with exit code 2, NetSuite's code and where to look."""
    result = CliRunner().invoke(main, ["demo", "--scenario", "revoked-token"])
    assert result.exit_code == 2
    assert "INVALID_LOGIN" in result.output
    assert "View Login Audit Trail" in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help() -> None:
    """Each command explains itself in --help."""
    for name, command in main.commands.items():
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, name
