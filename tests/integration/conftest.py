"""Integration fixtures: the tms_netsuite client against the local emulator, in-process or over a socket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dotenv import dotenv_values

BASE_URL = "http://emulator.test"


@contextmanager
def served_emulator(tmp_path: Path, *args: str) -> Iterator[dict[str, str]]:
    """Run `netsuite-emulator serve --port 0` as its own process; yield the env file it writes when ready."""
    env_file, log = tmp_path / "netsuite.env", tmp_path / "emulator.log"
    command = [sys.executable, "-c", "from netsuite_emulator.cli import main; main()", "serve", "--port", "0"]
    with log.open("w") as log_stream:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*command, "--env-file", str(env_file), *args],
            stdout=log_stream,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("NETSUITE_")},
        )
    try:
        deadline = time.monotonic() + 30
        while not env_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
