"""A third-party NetSuite client (PyPI `netsuite`, its own signing) works against the emulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import require
from tests.integration.conftest import served_emulator

ROOT = Path(__file__).resolve().parents[2]
THIRD_PARTY_PYTHON = ROOT / ".venv-thirdparty" / "bin" / "python"
PROBE = Path(__file__).parent / "thirdparty" / "netsuite_pypi_probe.py"


def test_pypi_netsuite_client_signs_its_way_in(tmp_path: Path) -> None:
    """serverTime and tokeninfo answer the PyPI client; a query string with spaces, '+' and non-ASCII too."""
    require(THIRD_PARTY_PYTHON.exists(), f"{THIRD_PARTY_PYTHON} is missing; `make test` creates it")
    with served_emulator(tmp_path, "--audit-log", str(tmp_path / "audit.jsonl")) as env:
        completed = subprocess.run(  # noqa: S603 - our own probe script in our own virtual environment
            [str(THIRD_PARTY_PYTHON), str(PROBE)],
            env={"PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(completed.stdout)
    assert "serverTime" in results["serverTime"]["ok"], results
    assert results["tokeninfo"]["ok"]["companyId"] == env["NETSUITE_ACCOUNT_ID"], results
    assert "serverTime" in results["serverTime_query"]["ok"], results
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [entry["status"] for entry in audit] == ["Success"] * 3, audit
