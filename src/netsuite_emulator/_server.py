"""Serving the emulator over a real socket with uvicorn, and the files that announce it is ready."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TextIO, cast

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

from ._emulator import Emulator
from .governance import ConnectionDropped
from .store import LoginRecord


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 takes a free one. Bound here so the real port is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets whose proto says TCP, and without
    # it Nagle's algorithm holds each answer's body behind its headers until the client's delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(host: str, sock: socket.socket) -> str:
    """``http://HOST:PORT``; a wildcard address is announced as loopback, where clients can reach it."""
    port = sock.getsockname()[1]
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104 -- matched, not bound
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def write_atomically(path: Path, text: str) -> None:
    """Write then rename, so a reader that sees the file sees all of it (its appearance means ready)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def audit_logger(stream: TextIO) -> Callable[[LoginRecord], None]:
    """A listener that appends each login to ``stream`` as one JSON line (no secrets are in a record)."""

    def log(record: LoginRecord) -> None:
        line = {
            "time": dt.datetime.fromtimestamp(record.date, dt.UTC).isoformat(),
            "status": record.status,
            "detail": record.detail,
            "authMethod": record.auth_method,
            "entity": record.email,
            "role": record.role_name,
            "token": record.token_name,
            "application": record.application_name,
            "request": f"{record.method} {record.uri}",
        }
        stream.write(json.dumps(line) + "\n")
        stream.flush()

    return log


class _QuietDrops(logging.Filter):
    """uvicorn logs a traceback when an app breaks a connection; a drop fault does so on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


class _AnsweringH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, except that a client that stops sending (a half-close) in the middle of a
    request body still gets an answer. uvicorn closes the connection at once on such an EOF, so the app met a
    disconnect and nobody heard back; here the body ends there, short of its Content-Length, and the app
    answers 400 (see ``_app.BodyIncomplete``) on the connection, still open for writing."""

    def eof_received(self) -> bool | None:  # type: ignore[override] # asyncio's protocol allows True
        cycle = cast(
            "RequestResponseCycle | None", self.cycle
        )  # None between requests, whatever uvicorn declares
        if cycle is None or cycle.response_complete or not cycle.more_body:
            return None  # between requests, or the body was whole: close, as uvicorn does
        cycle.more_body = False
        cycle.message_event.set()
        return True  # keep the transport open to write the answer; uvicorn closes it once the answer is sent


def serve(emulator: Emulator, sock: socket.socket, on_ready: Callable[[], None]) -> None:
    """Serve until SIGINT or SIGTERM; ``on_ready`` runs once uvicorn accepts requests."""
    quiet = _QuietDrops()
    logging.getLogger("uvicorn.error").addFilter(quiet)
    config = uvicorn.Config(
        emulator.app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http=_AnsweringH11Protocol,
        date_header=False,  # the app dates every answer with the account's own clock
        server_header=False,
    )
    server = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():  # noqa: ASYNC110 -- uvicorn exposes a flag, no event
            await asyncio.sleep(0.01)
        if server.started:
            on_ready()
        await task

    # uvicorn re-raises the stopping signal once it has shut down; by then the shutdown was orderly, so the
    # signal is absorbed and the caller closes its files and exits 0.
    previous = {sig: signal.signal(sig, _absorb) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(run())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        logging.getLogger("uvicorn.error").removeFilter(quiet)


def _absorb(sig: int, frame: FrameType | None) -> None:
    """Ignore a signal uvicorn re-raises after an orderly shutdown."""
