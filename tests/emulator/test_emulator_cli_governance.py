"""The governance options of `netsuite-emulator serve`, over a real socket."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from dotenv import dotenv_values

from netsuite_emulator.cli import main
from tests.emulator.helpers import tba_headers
from tests.emulator.test_emulator_cli import _serve

SERVER_TIME = "/services/rest/system/v1/serverTime"
GOVERNANCE = "/services/rest/system/v1/governanceLimits"
SUITEQL = "/services/rest/query/v1/suiteql"


def _get(env: dict[str, str], path: str) -> int:
    url = env["NETSUITE_BASE_URL"] + path
    return httpx.get(url, headers=tba_headers(env, "GET", url, timestamp=time.time()), timeout=10).status_code


def _get_after(barrier: threading.Barrier, env: dict[str, str]) -> int:
    barrier.wait(timeout=30)
    return _get(env, SERVER_TIME)


def _query(env: dict[str, str]) -> str:
    """The status of one SuiteQL request, or 'dropped' when the connection broke mid-answer."""
    url = env["NETSUITE_BASE_URL"] + SUITEQL
    headers = tba_headers(env, "POST", url, timestamp=time.time())
    headers |= {"Prefer": "transient", "Content-Type": "application/json"}
    try:
        response = httpx.post(
            url, headers=headers, content=json.dumps({"q": "SELECT id FROM term"}), timeout=10
        )
    except httpx.RemoteProtocolError:
        return "dropped"
    return str(response.status_code)


def test_concurrency_limit_and_latency(tmp_path: Path) -> None:
    admin_file = tmp_path / "admin.env"
    # A long latency and a barrier keep the six requests in flight together even on a loaded machine
    # (with 300 ms, a late thread could start after an early one had finished and be let through).
    args = ("--concurrency-limit", "2", "--latency-ms", "1500", "--admin-env-file", str(admin_file))
    for _, env in _serve(tmp_path, *args):
        started = time.monotonic()
        assert _get(env, SERVER_TIME) == 200
        assert time.monotonic() - started >= 1.5
        together = threading.Barrier(6)
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = sorted(pool.map(_get_after, [together] * 6, [env] * 6))
        assert statuses.count(429) >= 4
        assert statuses.count(200) <= 2
        admin = {k: v for k, v in dotenv_values(admin_file).items() if v is not None}
        url = admin["NETSUITE_BASE_URL"] + GOVERNANCE
        limits = httpx.get(url, headers=tba_headers(admin, "GET", url, timestamp=time.time()), timeout=10)
        assert limits.json()["accountConcurrencyLimit"] == 2


def test_drop_breaks_the_connection_and_spares_server_time(tmp_path: Path) -> None:
    for process, env in _serve(tmp_path, "--faults", "drop=1"):
        assert [_query(env) for _ in range(3)] == ["dropped"] * 3
        assert _get(env, SERVER_TIME) == 200
        assert process.poll() is None


@pytest.mark.parametrize("seed", ["7"])
def test_fault_rate_with_a_seed_repeats(tmp_path: Path, seed: str) -> None:
    runs: list[list[str]] = []
    for number in range(2):
        folder = tmp_path / str(number)
        for _, env in _serve(folder, "--fault-rate", "1", "--seed", seed):
            runs.append([_query(env) for _ in range(25)])
    assert runs[0] == runs[1]
    assert {"200", "500", "429", "401", "dropped"} == set(runs[0])  # slow answers are 200s


def test_bad_fault_options() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["serve", "--faults", "boom=1"]).exit_code == 2
    assert runner.invoke(main, ["serve", "--faults", "5xx=0.5", "--fault-rate", "0.1"]).exit_code == 2
    assert runner.invoke(main, ["serve", "--concurrency-limit", "0"]).exit_code == 2
