"""The emulator as its own process, for tests and benchmarks that talk to it over a socket.

    from netsuite_emulator.testing import served_emulator

    with served_emulator(tmp_path, "--scenario", "healthy") as emulator:
        httpx.get(emulator.env["NETSUITE_BASE_URL"] + "/services/rest/system/v1/serverTime")

``netsuite-emulator serve --port 0`` picks a free port and writes its env file once it listens; the helpers
here start it, wait for that file and stop the process again.

A person's work in NetSuite's pages (paying, editing, deleting), to test read-back: ``Emulator.person()`` in
process, or :func:`person_at` on a served account's ``--db`` file:

    with person_at(tmp_path / "account.db") as clerk:
        clerk.pay_invoice("tms-invoice-INV__1")          # in full; pay_invoice(ref, 100.0) partly
        clerk.pay_bill("tms-carrier_bill-CB__1")
        clerk.edit_total("invoice", "tms-invoice-INV__2", 990.0)
        clerk.delete("vendorbill", "tms-carrier_bill-CB__2")
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from .records._person import Person, PersonError
from .store import AccountStore

__all__ = ["Person", "PersonError", "ServedEmulator", "person_at", "served_emulator", "start_emulator"]

_SERVE = [sys.executable, "-c", "from netsuite_emulator.cli import main; main()", "serve", "--port", "0"]


@dataclass
class ServedEmulator:
    """A running ``netsuite-emulator serve``: its process, its env file's values and its output."""

    process: subprocess.Popen[bytes]
    env_file: Path
    env: dict[str, str]
    log: Path  # the process's stdout and stderr

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Stop the process (``sig`` first, a kill after ten seconds) and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_emulator(
    folder: Path,
    *args: str,
    wait_for: Sequence[Path] = (),
    timeout: float = 30,
    core: int | None = None,
    environ: dict[str, str] | None = None,
    new_session: bool = False,
) -> ServedEmulator:
    """Start ``netsuite-emulator serve --port 0 --env-file FOLDER/netsuite.env ARGS`` and wait until it has
    written its env file (and every file in ``wait_for``, e.g. an ``--admin-env-file``).

    ``core`` pins the process to one CPU (Linux); ``environ`` replaces the environment it inherits;
    ``new_session``: the process leaves the terminal's process group, so a Ctrl-C reaches only its parent,
    which stops it in its own time.
    Raises RuntimeError, with the end of its output, if it exits or ``timeout`` seconds pass first.
    """
    env_file, log = folder / "netsuite.env", folder / "emulator.log"
    with log.open("wb") as log_stream:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*_SERVE, "--env-file", str(env_file), *args],
            stdout=log_stream,
            stderr=subprocess.STDOUT,
            env=environ,
            start_new_session=new_session,
        )
    served = ServedEmulator(process, env_file, {}, log)
    if core is not None:
        os.sched_setaffinity(process.pid, {core})
    deadline = time.monotonic() + timeout
    while not all(path.exists() for path in (env_file, *wait_for)):
        if process.poll() is not None or time.monotonic() > deadline:
            served.stop()
            raise RuntimeError(f"the emulator did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    served.env = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    return served


@contextmanager
def served_emulator(
    folder: Path,
    *args: str,
    wait_for: Sequence[Path] = (),
    timeout: float = 30,
    core: int | None = None,
    environ: dict[str, str] | None = None,
) -> Iterator[ServedEmulator]:
    """:func:`start_emulator` for the length of a ``with`` block."""
    served = start_emulator(folder, *args, wait_for=wait_for, timeout=timeout, core=core, environ=environ)
    try:
        yield served
    finally:
        served.stop()


@contextmanager
def person_at(db_path: str | os.PathLike[str]) -> Iterator[Person]:
    """The administrator of the account kept in ``db_path`` (a served emulator's ``--db``), acting in NetSuite's
    pages on the account's clock."""
    store = AccountStore.open(db_path)
    try:
        offset = store.company().clock_offset
        yield Person(store, lambda: time.time() + offset)
    finally:
        store.close()
