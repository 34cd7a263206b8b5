"""Integration fixtures: the tms_netsuite client against the local emulator, in-process or over a socket."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netsuite_emulator import testing

BASE_URL = "http://emulator.test"


@contextmanager
def served_emulator(tmp_path: Path, *args: str) -> Iterator[dict[str, str]]:
    """Run `netsuite-emulator serve --port 0` as its own process; yield the env file it writes when ready."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NETSUITE_")}
    with testing.served_emulator(tmp_path, *args, environ=environ) as emulator:
        yield emulator.env
