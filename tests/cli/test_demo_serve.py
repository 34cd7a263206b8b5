"""`tms-netsuite demo --serve` as a user starts it: a real process, real sockets, then Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

_FINISHED = re.compile(
    r"^(Exported: .*|The account is paused: .*|The first export is still running.*)$", re.M
)


def test_demo_serve_exports_a_month_with_a_mistake_fixed_through_the_api_then_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "demo"
    out = tmp_path / "out.txt"
    program = str(Path(sys.executable).with_name("tms-netsuite"))  # the console script, as users run it
    command = [program, "demo", "--serve", "--port", "0", "--loads", "25"]
    with out.open("w") as stream:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*command, "--no-attachments", "--dir", str(folder)],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + 120
        while not _FINISHED.search(out.read_text()):
            assert process.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.1)
        text = out.read_text()
        assert "Exported: " in text, text
        base = re.search(r"^Console: (http://127\.0\.0\.1:\d+)/ui/$", text, re.M)
        admin = re.search(r"^Sign in with this administrator's key: (\S+)$", text, re.M)
        clerk = re.search(r"reaches only the account 'demo': (\S+)\)$", text, re.M)
        corrected = re.search(r"upload the corrected mapping (\S+), then Errors, Retry these\.$", text, re.M)
        assert base, text
        assert admin, text
        assert clerk, text
        assert corrected, text
        assert Path(corrected.group(1)) == (folder / "mapping.toml").resolve()
        assert (folder / "mapping-with-mistake.toml").read_text() != Path(corrected.group(1)).read_text()

        with httpx.Client(base_url=base.group(1), timeout=30) as client:
            clerk_auth = {"Authorization": f"Bearer {clerk.group(1)}"}
            errors = client.get("/v1/accounts/demo/errors", headers=clerk_auth).json()
            [group] = errors["failed"]
            assert group["fixed_by_mapping"]
            assert "WIRE" in group["detail"]
            assert f"{group['count']} documents failed" in text
            # Upload the corrected mapping (an administrator's write), then "Retry these".
            put = client.put(
                "/v1/accounts/demo/mapping",
                headers={"Authorization": f"Bearer {admin.group(1)}"},
                json={"mapping": Path(corrected.group(1)).read_text()},
            )
            assert put.status_code == 200, put.text
            client.post("/v1/accounts/demo/retry", headers=clerk_auth, json={"group": group["group"]})
            while True:
                totals = client.get("/v1/accounts/demo/summary", headers=clerk_auth).json()["totals"]
                if not {"failed", "pending", "exporting"} & set(totals):
                    break
                assert time.monotonic() < deadline, totals
                time.sleep(0.1)
            assert totals["synced"] > 0
            emulator = re.search(r"at (http://127\.0\.0\.1:\d+); \d+ TMS documents", text)
            assert emulator, text
            # The emulator listens on its own socket while the demo runs (an unsigned request: refused).
            assert (
                client.get(f"{emulator.group(1)}/services/rest/record/v1/metadata-catalog").status_code == 401
            )

        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=30) == 0, out.read_text()
        assert out.read_text().rstrip().endswith("Stopped: the service and the emulator.")
        with pytest.raises(httpx.ConnectError):  # both servers are gone
            httpx.get(f"{base.group(1)}/healthz")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{emulator.group(1)}/services/rest/record/v1/metadata-catalog")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
